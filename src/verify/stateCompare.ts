/**
 * What the kernel holds after the packets, against the simulation's state: each host's per-rule and
 * per-policy packet counters (`iptables-save -c` in the namespace vs the engine's rulesetWithCounters) and its
 * conntrack table (`conntrack -L` vs the engine's entries, compared by their two tuples).
 */
import type { World } from '../model/host.js';
import { formatIpv4 } from '../model/addr.js';
import { rulesetWithCounters } from '../engine/run.js';
import type { CtEntry, CtTupleN, RunState } from '../engine/types.js';
import { parseConntrack } from '../parse/conntrack.js';
import { saveRuleset } from '../parse/iptablesSaveWrite.js';
import type { CtTuple } from '../model/host.js';

export interface CounterDifference {
  host: string;
  /** The rule (`-A CHAIN ...`, with its table) or the policy (`:CHAIN POLICY`). */
  line: string;
  nfsim: number;
  kernel: number;
}

export interface ConntrackDifference {
  host: string;
  entry: string;
  side: 'only nfsim' | 'only kernel';
}

/** `[p:b] -A ...` and `:CHAIN POLICY [p:b]` lines with their table: { key, packets }. */
function counterLines(text: string): { key: string; packets: number }[] {
  const out: { key: string; packets: number }[] = [];
  let table = '';
  for (const l of text.split('\n')) {
    if (l.startsWith('*')) table = l.slice(1).trim();
    let m = /^\[(\d+):\d+\] (-A .*)$/.exec(l);
    if (m) {
      out.push({ key: `${table} ${m[2].trim()}`, packets: Number(m[1]) });
      continue;
    }
    m = /^:(\S+) (\S+) \[(\d+):\d+\]/.exec(l);
    if (m && m[2] !== '-') out.push({ key: `${table} :${m[1]} ${m[2]}`, packets: Number(m[3]) });
  }
  return out;
}

/** Per-rule packet counts that differ (rules in order; the same text twice is matched by position). */
export function compareCounters(world: World, state: RunState, kernel: Record<string, string>): CounterDifference[] {
  const diffs: CounterDifference[] = [];
  for (const h of world.hosts) {
    const k = kernel[h.name];
    const rs = rulesetWithCounters(world, state, h.name);
    if (k === undefined || !rs) continue;
    // The lab loads the rulesets without their counters: the kernel counts from zero, so the simulation's
    // counts are compared without the dump's own (rulesetWithCounters adds the run's packets to them).
    const base = h.iptables ? counterLines(saveRuleset({ ...h.iptables, hasCounters: true }, { counters: true })) : [];
    const sim = counterLines(saveRuleset(rs, { counters: true })).map((x, i) => ({ key: x.key, packets: x.packets - (base[i]?.key === x.key ? base[i].packets : 0) }));
    const ker = counterLines(k);
    const seen = new Map<string, number>();
    for (const s of sim) {
      const n = seen.get(s.key) ?? 0;
      seen.set(s.key, n + 1);
      const match = ker.filter((x) => x.key === s.key)[n];
      if (!match) continue; // a line the kernel prints differently: not comparable
      if (match.packets !== s.packets) diffs.push({ host: h.name, line: s.key, nfsim: s.packets, kernel: match.packets });
    }
  }
  return diffs;
}

/** Protocols whose conntrack tuples carry ports (others, e.g. IGMP or GRE, are tracked by addresses). */
const PORTS = new Set([6, 17, 33, 132, 136]);

function simTuple(proto: number, t: CtTupleN): string {
  // (the engine keeps an echo's ICMP type in dport; type<<8|code when the code is not 0)
  if (proto === 1) return `${formatIpv4(t.src)}>${formatIpv4(t.dst)} type=${t.dport >= 256 ? t.dport >> 8 : t.dport} code=${t.dport >= 256 ? t.dport & 255 : 0} id=${t.sport}`;
  if (!PORTS.has(proto)) return `${formatIpv4(t.src)}>${formatIpv4(t.dst)}`;
  return `${formatIpv4(t.src)}:${t.sport}>${formatIpv4(t.dst)}:${t.dport}`;
}

function kernelTuple(proto: number, t: CtTuple): string {
  if (proto === 1) return `${t.src}>${t.dst} type=${t.type} code=${t.code} id=${t.id}`;
  if (!PORTS.has(proto)) return `${t.src}>${t.dst}`;
  return `${t.src}:${t.sport}>${t.dst}:${t.dport}`;
}

const simKey = (e: CtEntry) => `${e.orig.proto} ${simTuple(e.orig.proto, e.orig)} | ${simTuple(e.orig.proto, e.reply)}`;

/** Entries present on one side only (by both tuples; states and timeouts are not compared). */
export function compareConntrack(world: World, state: RunState, kernel: Record<string, string>): ConntrackDifference[] {
  const diffs: ConntrackDifference[] = [];
  for (const h of world.hosts) {
    const text = kernel[h.name];
    if (text === undefined) continue;
    const ker = new Set(parseConntrack(text, `${h.name}: conntrack -L`).filter((e) => e.family === 4).map((e) => `${e.proto} ${kernelTuple(e.proto, e.orig)} | ${kernelTuple(e.proto, e.reply)}`));
    // (entries seeded from the dump's `conntrack -L` are not recreated by the lab: reported as not rebuilt)
    const sim = new Set((state.hosts[h.name]?.conntrack ?? []).filter((e) => !e.seeded).map(simKey));
    for (const e of sim) if (!ker.has(e)) diffs.push({ host: h.name, entry: e, side: 'only nfsim' });
    for (const e of ker) if (!sim.has(e)) diffs.push({ host: h.name, entry: e, side: 'only kernel' });
  }
  return diffs;
}
