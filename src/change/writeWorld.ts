/**
 * Write a (changed) world as a world directory that loadWorld reads back: one folder per host with the
 * files of docs/world-layout.md, and the topology. A part the change did not touch (same object as in
 * the original world) is copied from its source text; a changed part is written from the model with the
 * dump writers (saveRuleset, formatRoute, formatRule, formatInterfaces, `key = value`).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Host, InputKind, Link, World } from '../model/host.js';
import { readBundle } from '../parse/world.js';
import { saveRuleset } from '../parse/iptablesSaveWrite.js';
import { formatRoute } from '../parse/ipRouteWrite.js';
import { formatRule } from '../parse/ipRule.js';
import { formatInterfaces } from './formatIpAddr.js';

/** The text a host's input came from (a plain file, or its section of a bundle). */
function sourceText(host: Host, kind: InputKind): string | undefined {
  const file = host.inputs[kind];
  if (!file || !existsSync(file) || !statSync(file).isFile()) return undefined;
  const text = readFileSync(file, 'utf8');
  if (!text.startsWith('#nfsim-bundle')) return text;
  const hs = readBundle(text, file, []).find((h) => h.name === host.name);
  return hs?.inputs[kind]?.text;
}

function topologyText(links: readonly Link[]): string {
  return links.map((l) => `link ${l.a.host}:${l.a.iface} ${l.b.host}:${l.b.iface}`).join('\n') + (links.length ? '\n' : '');
}

/** Files of one host: name → text. `before` is the host in the original world (undefined: new). */
export function hostFiles(h: Host, before: Host | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const keep = (kind: InputKind, same: boolean, write: () => string) => {
    const src = same ? sourceText(h, kind) : undefined;
    if (src !== undefined) out[kind] = src;
    else out[kind] = write();
  };
  if (h.iptables) keep('iptables-save', before?.iptables === h.iptables, () => saveRuleset(h.iptables!, { counters: h.iptables!.hasCounters }));
  if (h.ip6tables) keep('ip6tables-save', before?.ip6tables === h.ip6tables, () => saveRuleset(h.ip6tables!, { counters: h.ip6tables!.hasCounters }));
  const ifSame = before?.interfaces === h.interfaces;
  if (h.inputs['ip-link'] || h.inputs['ip-addr'] || h.interfaces.length) {
    if (ifSame && (h.inputs['ip-link'] || h.inputs['ip-addr'])) {
      for (const k of ['ip-link', 'ip-addr'] as const) {
        const t = sourceText(h, k);
        if (t !== undefined) out[k] = t;
      }
    } else out['ip-addr'] = formatInterfaces(h.interfaces);
  }
  const routesSame = before?.routes === h.routes;
  if (h.inputs['ip-route'] || h.routes.length) {
    const v4 = h.routes.filter((r) => r.family === 4 || !h.inputs['ip6-route']);
    keep('ip-route', routesSame, () => v4.map((r) => formatRoute(r) + '\n').join(''));
  }
  if (h.inputs['ip6-route']) keep('ip6-route', routesSame, () => h.routes.filter((r) => r.family === 6).map((r) => formatRoute(r) + '\n').join(''));
  const rulesSame = before?.rules === h.rules;
  if (h.inputs['ip-rule'] || h.rules.some((r) => r.family === 4)) keep('ip-rule', rulesSame, () => h.rules.filter((r) => r.family === 4).map((r) => formatRule(r) + '\n').join(''));
  if (h.inputs['ip6-rule']) keep('ip6-rule', rulesSame, () => h.rules.filter((r) => r.family === 6).map((r) => formatRule(r) + '\n').join(''));
  if (h.sysctl) keep('sysctl', before?.sysctl === h.sysctl, () => Object.entries(h.sysctl!.values).map(([k, v]) => v.split('\n').map((x) => `${k} = ${x}\n`).join('')).join(''));
  for (const k of ['ss', 'conntrack', 'ipset'] as const) {
    const t = h.inputs[k] ? sourceText(h, k) : undefined;
    if (t !== undefined) out[k] = t;
  }
  return out;
}

/** Write `world` under `dir` (created). `original` is the world it was changed from. */
export function writeWorld(world: World, original: World, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const h of world.hosts) {
    const hd = join(dir, h.name);
    mkdirSync(hd, { recursive: true });
    const files = hostFiles(h, original.hosts.find((x) => x.name === h.name));
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(join(hd, name), text);
      written.push(join(hd, name));
    }
  }
  if (world.links.length || world.hosts.length > 1) {
    const topo = join(dir, 'topology');
    const src = existsSync(join(world.source, 'topology')) && statSync(world.source).isDirectory() ? readFileSync(join(world.source, 'topology'), 'utf8') : topologyText(world.links);
    writeFileSync(topo, src);
    written.push(topo);
  }
  return written;
}
