/**
 * World loader: a world directory (topology + one folder per host), a single host folder, or a capture
 * bundle file (docs/world-layout.md). Every input file is optional; every issue of every file is collected
 * and thrown as one InputError.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Host, InputKind, Interface, Link, World } from '../model/host.js';
import type { Ruleset } from '../model/iptables.js';
import { InputError, type InputIssue } from '../model/source.js';
import { parseConntrack } from './conntrack.js';
import { parseIpAddr } from './ipAddr.js';
import { parseIpRoute } from './ipRoute.js';
import { parseIpRule } from './ipRule.js';
import { parseIpset } from './ipset.js';
import { parseIptablesSave } from './iptablesSave.js';
import { IssueSink, splitLines, tokenize } from './lineSource.js';
import { parseSs } from './ss.js';
import { parseSysctl } from './sysctl.js';
import { parse as parseTopologyLine, SyntaxError as TopoSyntaxError } from './generated/topology.js';

interface TopoEndpoint {
  host: string;
  iface: string;
  col: number;
  ifCol: number;
  text: string;
}
type TopoStmt =
  | { kind: 'link'; col: number; a: TopoEndpoint; b: TopoEndpoint }
  | { kind: 'bridge'; col: number; br: TopoEndpoint; ports: { name: string; col: number }[] };

export const INPUT_KINDS: readonly InputKind[] = [
  'iptables-save', 'ip6tables-save', 'ip-link', 'ip-addr', 'ip-route', 'ip6-route', 'ip-rule', 'ip6-rule',
  'sysctl', 'ss', 'conntrack', 'ipset',
];
const isKind = (s: string): s is InputKind => (INPUT_KINDS as readonly string[]).includes(s);

/** One input's text. `lineOffset` = number of lines before it in its file (bundle sections). */
export interface HostInput {
  file: string;
  text: string;
  lineOffset?: number;
}

export interface HostSources {
  name: string;
  inputs: Partial<Record<InputKind, HostInput>>;
  absent: Partial<Record<InputKind, string>>;
  issues: InputIssue[];
}

/** Load a world from a directory, a host directory or a bundle file. Throws InputError. */
export function loadWorld(path: string): World {
  const errors: InputIssue[] = [];
  if (!existsSync(path)) {
    throw new InputError([{ severity: 'error', loc: { file: path, line: 0, col: 0 }, text: path, message: 'no such file or directory', hint: 'give a world directory, a host directory or a capture bundle' }]);
  }
  let sources: HostSources[];
  let topology: { file: string; text: string } | undefined;
  if (statSync(path).isDirectory()) {
    const r = readWorldDir(path, errors);
    sources = r.hosts;
    topology = r.topology;
  } else {
    const text = readText(path, errors);
    const kind = text === undefined ? undefined : singleDumpKind(text, path);
    sources = text === undefined ? [] : kind ? [{ name: basename(path), inputs: { [kind]: { file: path, text } }, absent: {}, issues: [] }] : readBundle(text, path, errors);
  }
  const hosts: Host[] = [];
  for (const s of sources) {
    const h = buildHost(s);
    errors.push(...h.issues.filter((i) => i.severity === 'error'));
    h.issues = h.issues.filter((i) => i.severity !== 'error');
    hosts.push(h);
  }
  const world: World = { source: path, hosts, links: [], issues: [] };
  if (topology) applyTopology(world, topology.text, topology.file, errors, world.issues);
  if (errors.length) throw new InputError([...errors, ...hosts.flatMap((h) => h.issues), ...world.issues]);
  return world;
}

/**
 * A lone dump file (not a bundle): recognise which command printed it, so `nfsim parse FILE` works on a
 * single iptables-save / ip route / ip addr / ip rule / sysctl output. The host is named after the file.
 */
export function singleDumpKind(text: string, path: string): InputKind | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (lines.length === 0) return /ip6tables/.test(basename(path)) ? 'ip6tables-save' : /iptables/.test(basename(path)) ? 'iptables-save' : undefined;
  if (text.startsWith('#nfsim-bundle')) return undefined;
  if (lines.some((l) => /^\*(filter|nat|mangle|raw|security)\b/.test(l))) {
    const v6 = /ip6tables/.test(basename(path)) || lines.some((l) => /^-A .*(-[sd]|--(source|destination)) !? ?[0-9a-f]*:[0-9a-f:]*\//.test(l));
    return v6 ? 'ip6tables-save' : 'iptables-save';
  }
  if (lines.filter((l) => /^[a-z][\w./-]* ?= ?/.test(l)).length >= lines.length * 0.8) return 'sysctl';
  if (lines.some((l) => /^\d+:\s+(not\s+)?(from|to)\s/.test(l))) return 'ip-rule';
  if (lines.some((l) => /^\d+:\s+\S+:?\s.*(mtu|<|\sinet6?\s)/.test(l))) return 'ip-addr';
  const routeStart = /^(default|local|broadcast|unreachable|blackhole|prohibit|throw|multicast|anycast|nat|unicast|nexthop|cache|\d+\.\d+\.\d+\.\d+|[0-9a-f]*:[0-9a-f:]*)(\/\d+)?(\s|$)/;
  if (lines.every((l) => routeStart.test(l))) return /ip6|-6/.test(basename(path)) ? 'ip6-route' : 'ip-route';
  return undefined;
}

/** Read a file; a directory or unreadable file becomes an error issue (never a raw fs exception). */
function readText(path: string, issues: InputIssue[]): string | undefined {
  try {
    if (!statSync(path).isFile()) throw new Error('not a regular file');
    return readFileSync(path, 'utf8');
  } catch (e) {
    issues.push({ severity: 'error', loc: { file: path, line: 0, col: 0 }, text: path, message: `cannot read: ${e instanceof Error ? e.message : String(e)}` });
    return undefined;
  }
}

function hostFilesIn(dir: string): string[] {
  return readdirSync(dir).filter((f) => isKind(f) && statSync(join(dir, f)).isFile());
}

function readWorldDir(dir: string, errors: InputIssue[]): { hosts: HostSources[]; topology?: { file: string; text: string } } {
  const entries = readdirSync(dir).sort();
  // A host directory: it holds input files itself.
  if (hostFilesIn(dir).length > 0 && !entries.includes('topology')) return { hosts: [readHostDir(dir, basename(dir))] };
  const hosts: HostSources[] = [];
  for (const e of entries) {
    const p = join(dir, e);
    if (e.startsWith('.') || !statSync(p).isDirectory()) continue;
    hosts.push(readHostDir(p, e));
  }
  const topoPath = join(dir, 'topology');
  const topoText = existsSync(topoPath) ? readText(topoPath, errors) : undefined;
  const topology = topoText !== undefined ? { file: topoPath, text: topoText } : undefined;
  if (hosts.length === 0) {
    errors.push({ severity: 'error', loc: { file: dir, line: 0, col: 0 }, text: dir, message: 'no host found: a world directory holds one folder per host (with ip-addr, iptables-save, ...), a host directory holds those files', hint: `known file names: ${INPUT_KINDS.join(', ')}` });
  }
  return { hosts, topology };
}

function readHostDir(dir: string, name: string): HostSources {
  const s: HostSources = { name, inputs: {}, absent: {}, issues: [] };
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (f.startsWith('.')) continue;
    if (isKind(f)) {
      const text = readText(p, s.issues);
      if (text !== undefined) s.inputs[f] = { file: p, text };
    }
    else s.issues.push({ severity: 'warning', loc: { file: p, line: 0, col: 0 }, text: f, message: `file '${f}' is not a known input; ignored`, hint: `known file names: ${INPUT_KINDS.join(', ')}` });
  }
  if (Object.keys(s.inputs).length === 0) {
    s.issues.push({ severity: 'warning', loc: { file: dir, line: 0, col: 0 }, text: name, message: `host folder ${name} holds no input file: nothing is known about this host`, hint: `known file names: ${INPUT_KINDS.join(', ')}` });
  }
  return s;
}

/** Split a capture bundle into hosts and sections. */
export function readBundle(text: string, file: string, errors: InputIssue[]): HostSources[] {
  const sink = new IssueSink(file);
  const lines = splitLines(text);
  const hosts: HostSources[] = [];
  if (!/^#nfsim-bundle v1\s*$/.test(lines[0] ?? '')) {
    sink.error(1, 1, lines[0] ?? '', "a bundle starts with '#nfsim-bundle v1'", 'give a world directory, a host directory, or the output of scripts/capture.sh');
    errors.push(...sink.issues);
    return [];
  }
  let host: HostSources | undefined;
  let section: { kind: InputKind; start: number; body: string[]; exit?: number; absent: boolean; cmd: string; line: number } | undefined;
  const close = () => {
    if (!section || !host) return;
    const body = section.body.join('\n') + (section.body.length ? '\n' : '');
    if (section.absent) host.absent[section.kind] = body.trim() || `${section.cmd}: not available`;
    else {
      if (host.inputs[section.kind]) sink.error(section.line, 1, `#nfsim-section ${section.kind}`, `section ${section.kind} appears twice for host ${host.name}`);
      host.inputs[section.kind] = { file, text: body, lineOffset: section.start };
      if (section.exit !== 0) {
        host.issues.push({ severity: 'warning', loc: sink.loc(section.line, 1), text: `#nfsim-section ${section.kind} exit=${section.exit}`, message: `'${section.cmd}' exited with status ${section.exit}; what it printed is used as is` });
      }
    }
    section = undefined;
  };
  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i];
    if (line.startsWith('#nfsim-host')) {
      close();
      const name = line.slice('#nfsim-host'.length).trim();
      if (!/^[^\s:]+$/.test(name)) {
        sink.error(lineNo, 13, line, 'expected `#nfsim-host NAME` (a name without spaces or colons)');
        host = undefined;
        continue;
      }
      if (hosts.some((h) => h.name === name)) sink.error(lineNo, 13, name, `host ${name} appears twice in the bundle`);
      host = { name, inputs: {}, absent: {}, issues: [] };
      hosts.push(host);
    } else if (line.startsWith('#nfsim-section')) {
      close();
      const toks = tokenize(line);
      const kind = toks[1]?.text;
      if (!host) {
        sink.error(lineNo, 1, line, 'section before any `#nfsim-host NAME` line');
        continue;
      }
      if (!kind || !isKind(kind)) {
        sink.error(lineNo, toks[1]?.col ?? 1, kind ?? line, `unknown section kind '${kind ?? ''}'`, `known kinds: ${INPUT_KINDS.join(', ')}`);
        section = undefined;
        continue;
      }
      const st = toks[2]?.text ?? '';
      const cmdIdx = line.indexOf(' cmd=');
      const cmd = cmdIdx >= 0 ? line.slice(cmdIdx + 5) : kind;
      if (st === 'absent') section = { kind, start: i + 1, body: [], absent: true, cmd, line: lineNo };
      else if (/^exit=\d+$/.test(st)) section = { kind, start: i + 1, body: [], absent: false, exit: Number(st.slice(5)), cmd, line: lineNo };
      else {
        sink.error(lineNo, toks[2]?.col ?? line.length + 1, st, "expected 'exit=N' or 'absent' after the section kind");
        section = undefined;
      }
    } else if (line.startsWith('#nfsim-')) {
      sink.error(lineNo, 1, line, `unknown bundle directive '${tokenize(line)[0].text}'`, 'bundle lines starting with #nfsim- are #nfsim-host and #nfsim-section');
    } else if (section) {
      section.body.push(line);
    } else if (line.trim() !== '') {
      sink.error(lineNo, 1, line, 'text outside a section', 'output belongs after a `#nfsim-section KIND exit=N cmd=...` line');
    }
  }
  close();
  if (hosts.length === 0 && !sink.hasErrors) sink.error(1, 1, lines[0], 'the bundle holds no host (`#nfsim-host NAME`)');
  errors.push(...sink.issues);
  return hosts;
}

/** Parse every input of a host; issues (errors and warnings) end up in host.issues. */
export function buildHost(s: HostSources): Host {
  const host: Host = { name: s.name, interfaces: [], routes: [], rules: [], inputs: {}, absent: { ...s.absent }, issues: [...s.issues] };
  const run = <T>(kind: InputKind, f: (text: string, file: string, warnings: InputIssue[]) => T): T | undefined => {
    const inp = s.inputs[kind];
    if (!inp) return undefined;
    host.inputs[kind] = inp.file;
    // Pad with empty lines so that every location is a line of the real file (bundle sections).
    const text = inp.lineOffset ? '\n'.repeat(inp.lineOffset) + inp.text : inp.text;
    const warnings: InputIssue[] = [];
    try {
      const r = f(text, inp.file, warnings);
      host.issues.push(...warnings);
      return r;
    } catch (e) {
      if (e instanceof InputError) {
        host.issues.push(...e.issues);
        return undefined;
      }
      throw e;
    }
  };
  const link = run('ip-link', (t, f, w) => parseIpAddr(t, f, { warnings: w })) ?? [];
  const addr = run('ip-addr', (t, f, w) => parseIpAddr(t, f, { warnings: w })) ?? [];
  host.interfaces = mergeInterfaces(link, addr);
  const v4routes = run('ip-route', (t, f, w) => parseIpRoute(t, f, { warnings: w })) ?? [];
  const v6routes = run('ip6-route', (t, f, w) => parseIpRoute(t, f, { family: 6, warnings: w }));
  // iproute2 prints IPv6 routes too for `ip route show table all` (no -4): when ip6-route is given it is the
  // authoritative IPv6 table and the copies in ip-route are dropped.
  host.routes = v6routes ? [...v4routes.filter((r) => r.family === 4), ...v6routes] : v4routes;
  host.rules = [
    ...(run('ip-rule', (t, f, w) => parseIpRule(t, f, { family: 4, warnings: w })) ?? []),
    ...(run('ip6-rule', (t, f, w) => parseIpRule(t, f, { family: 6, warnings: w })) ?? []),
  ];
  const sysctl = run('sysctl', (t, f, w) => parseSysctl(t, f, { warnings: w }));
  if (sysctl) host.sysctl = sysctl;
  const ipt = run('iptables-save', (t, f, w) => {
    const rs = t.trim() === '' ? emptyRuleset(f, 4) : parseIptablesSave(t, f, 4);
    w.push(...rs.issues);
    return rs;
  });
  if (ipt) host.iptables = ipt;
  const ip6t = run('ip6tables-save', (t, f, w) => {
    const rs = t.trim() === '' ? emptyRuleset(f, 6) : parseIptablesSave(t, f, 6);
    w.push(...rs.issues);
    return rs;
  });
  if (ip6t) host.ip6tables = ip6t;
  const ss = run('ss', (t, f, w) => parseSs(t, f, { warnings: w }));
  if (ss) host.sockets = ss;
  const ct = run('conntrack', (t, f, w) => parseConntrack(t, f, { warnings: w }));
  if (ct) host.conntrack = ct;
  const sets = run('ipset', (t, f, w) => parseIpset(t, f, { warnings: w }));
  if (sets) host.ipsets = sets;
  return host;
}

/** iptables-save prints nothing when no table is in use: no rules, every hook accepts. */
function emptyRuleset(file: string, family: 4 | 6): Ruleset {
  return { family, file, backend: 'unknown', hasCounters: false, tables: [], issues: [] };
}

/** ip-link gives kinds and peers, ip-addr gives addresses: merge them by name (ip-link order first). */
export function mergeInterfaces(link: Interface[], addr: Interface[]): Interface[] {
  const out = link.map((i) => ({ ...i, addresses: [...i.addresses] }));
  const by = new Map(out.map((i) => [i.name, i]));
  for (const a of addr) {
    const l = by.get(a.name);
    if (!l) {
      out.push(a);
      by.set(a.name, a);
      continue;
    }
    l.addresses.push(...a.addresses);
    for (const k of ['index', 'kind', 'mtu', 'state', 'mac', 'master', 'linkType', 'slaveKind', 'hairpin', 'altnames'] as const) {
      if (l[k] === undefined && a[k] !== undefined) (l as unknown as Record<string, unknown>)[k] = a[k];
    }
    if (l.flags.length === 0) l.flags = a.flags;
    if (a.peer) l.peer = { ...a.peer, ...l.peer };
  }
  return out;
}

/** Apply `link HOST:IF HOST:IF` and `bridge HOST:BR port IF...` lines. */
export function applyTopology(world: World, text: string, file: string, errors: InputIssue[], warnings: InputIssue[]): void {
  const sink = new IssueSink(file);
  const used = new Map<string, number>();
  const lines = splitLines(text);
  const hostOf = (name: string, col: number, lineNo: number): Host | undefined => {
    const h = world.hosts.find((x) => x.name === name);
    if (!h) sink.error(lineNo, col, name, `unknown host '${name}'`, `hosts in this world: ${world.hosts.map((x) => x.name).join(', ') || '(none)'}`);
    return h;
  };
  const ifaceOf = (h: Host, name: string, col: number, lineNo: number): Interface | undefined => {
    const i = h.interfaces.find((x) => x.name === name);
    if (!i) {
      const hint = h.inputs['ip-link'] || h.inputs['ip-addr'] ? `interfaces of ${h.name}: ${h.interfaces.map((x) => x.name).join(', ') || '(none)'}` : `host ${h.name} has no ip-link or ip-addr file, so its interfaces are unknown`;
      sink.error(lineNo, col, name, `host ${h.name} has no interface '${name}'`, hint);
    }
    return i;
  };
  const endpoint = (e: TopoEndpoint, lineNo: number): { host: Host; iface: Interface } | undefined => {
    const h = hostOf(e.host, e.col, lineNo);
    if (!h) return undefined;
    const i = ifaceOf(h, e.iface, e.ifCol, lineNo);
    return i ? { host: h, iface: i } : undefined;
  };
  for (let li = 0; li < lines.length; li++) {
    const lineNo = li + 1;
    let st: TopoStmt | null;
    try {
      st = parseTopologyLine(lines[li], { grammarSource: file }) as TopoStmt | null;
    } catch (e) {
      if (!(e instanceof TopoSyntaxError)) throw e;
      const kw = tokenize(lines[li])[0];
      const form = kw?.text === 'link' ? '`link HOST:IF HOST:IF`' : kw?.text === 'bridge' ? '`bridge HOST:BR port IF [IF...]`' : undefined;
      if (form) sink.error(lineNo, e.location.start.column, lines[li].trim(), `expected ${form}`, e.found === null ? 'the line ends too early' : e.message);
      else sink.error(lineNo, kw?.col ?? 1, kw?.text ?? lines[li], `unknown topology keyword '${kw?.text ?? ''}'`, 'expected `link HOST:IF HOST:IF` or `bridge HOST:BR port IF...`');
      continue;
    }
    if (!st) continue;
    if (st.kind === 'link') {
      const a = endpoint(st.a, lineNo);
      const b = endpoint(st.b, lineNo);
      if (!a || !b) continue;
      const ta = { text: st.a.text, col: st.a.col };
      const tb = { text: st.b.text, col: st.b.col };
      let dup = false;
      for (const [e, t] of [[a, ta], [b, tb]] as const) {
        const key = `${e.host.name}:${e.iface.name}`;
        if (used.has(key)) {
          sink.error(lineNo, t.col, t.text, `${key} is already linked on line ${used.get(key)}`);
          dup = true;
        }
      }
      if (dup) continue;
      if (a.host === b.host && a.iface === b.iface) {
        sink.error(lineNo, tb.col, tb.text, 'an interface cannot be linked to itself');
        continue;
      }
      used.set(`${a.host.name}:${a.iface.name}`, lineNo);
      used.set(`${b.host.name}:${b.iface.name}`, lineNo);
      // Cross-check with what ip-link printed after '@' (veth peer ifindex, or name in the same namespace).
      for (const [x, y, t] of [[a, b, ta], [b, a, tb]] as const) {
        const p = x.iface.peer;
        if (!p) continue;
        if (p.index !== undefined && y.iface.index !== undefined && p.index !== y.iface.index) {
          sink.warn(lineNo, t.col, t.text, `ip-link says the peer of ${x.host.name}:${x.iface.name} is ifindex ${p.index}, but ${y.host.name}:${y.iface.name} has index ${y.iface.index}`, 'check the topology line against the @ifN of ip -d link');
        } else if (p.name !== undefined && x.host === y.host && p.name !== y.iface.name && x.iface.kind === 'veth') {
          sink.warn(lineNo, t.col, t.text, `ip-link says the peer of ${x.host.name}:${x.iface.name} is ${p.name}, not ${y.iface.name}`);
        }
      }
      const kind: Link['kind'] = a.iface.kind === 'veth' || b.iface.kind === 'veth' ? 'veth' : 'cable';
      world.links.push({ a: { host: a.host.name, iface: a.iface.name }, b: { host: b.host.name, iface: b.iface.name }, kind, loc: sink.loc(lineNo, st.col) });
    } else {
      const br = endpoint(st.br, lineNo);
      if (!br) continue;
      if (br.iface.kind !== undefined && br.iface.kind !== 'bridge') {
        sink.error(lineNo, st.br.col, st.br.text, `${br.host.name}:${br.iface.name} is a ${br.iface.kind}, not a bridge`);
        continue;
      }
      for (const t of st.ports) {
        const p = ifaceOf(br.host, t.name, t.col, lineNo);
        if (!p) continue;
        if (p === br.iface) sink.error(lineNo, t.col, t.name, 'a bridge cannot be its own port');
        else if (p.master !== undefined && p.master !== br.iface.name) sink.error(lineNo, t.col, t.name, `${br.host.name}:${p.name} is already a port of ${p.master} (ip-link says master ${p.master})`);
        else p.master = br.iface.name;
      }
    }
  }
  errors.push(...sink.issues.filter((i) => i.severity === 'error'));
  warnings.push(...sink.warnings);
}
