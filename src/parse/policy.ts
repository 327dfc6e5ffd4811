/**
 * Policy files for `nfsim check` (grammar/policy.peggy, docs/check.md) into assertions. Values are checked
 * here (addresses, prefix lengths, ports, flags, ICMP types, which clause goes with which assertion); names
 * of hosts and interfaces are resolved against the world later (src/check/names.ts), with the same locations.
 */
import { parseIpv4 } from '../model/addr.js';
import { InputError, type InputIssue, type SourceLoc } from '../model/source.js';
import { TCP_FLAGS } from '../model/packet.js';
import { ICMP_TYPES } from '../engine/format.js';
import * as I from '../space/intervals.js';
import type { AddrSel, Assertion, HeaderOpts, NatResult, Policy, PolicyItem } from '../check/types.js';
import { parse as parseGrammar, SyntaxError as PegSyntaxError } from './generated/policy.js';

const EXAMPLES = 'e.g. `allow tcp from 10.0.0.0/8 to web:443`, `deny tcp from any to web:22 via web:eth0`, `reach ctr:80 from client`, `nat 172.17.0.0/16 -> masquerade via docker-host:eth0`';

interface RawLoc {
  line: number;
  col: number;
}
interface RawItem {
  kind: 'any' | 'range' | 'prefix' | 'host';
  lo?: string;
  hi?: string;
  addr?: string;
  len?: number;
  host?: string;
  iface?: string;
  ports?: [number, number][];
  loc: RawLoc;
  text: string;
}
interface RawClause {
  key: string;
  list?: RawItem[];
  value?: string;
  word?: string;
  loc: RawLoc;
}

const PROTOS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1 };
const FLAG_LETTERS: Record<string, number> = { S: TCP_FLAGS.SYN, F: TCP_FLAGS.FIN, R: TCP_FLAGS.RST, P: TCP_FLAGS.PSH, A: TCP_FLAGS.ACK, U: TCP_FLAGS.URG, E: TCP_FLAGS.ECE, W: TCP_FLAGS.CWR, C: TCP_FLAGS.CWR };

/** Which clauses each kind of assertion takes. */
const CLAUSES: Record<Assertion['kind'], string[]> = {
  allow: ['proto', 'from', 'to', 'via', 'sport', 'flags', 'type', 'code', 'ttl', 'len', 'tos'],
  deny: ['proto', 'from', 'to', 'via', 'sport', 'flags', 'type', 'code', 'ttl', 'len', 'tos'],
  reach: ['proto', 'via', 'sport', 'flags', 'type', 'code', 'ttl', 'len', 'tos'],
  nat: ['proto', 'to', 'via', 'sport', 'flags', 'type', 'code', 'ttl', 'len', 'tos'],
};

export function parsePolicy(text: string, file = '(policy)'): Policy {
  let raw: any[];
  try {
    raw = parseGrammar(text);
  } catch (e) {
    if (e instanceof PegSyntaxError) {
      const line = e.location.start.line;
      const lineText = text.split('\n')[line - 1] ?? '';
      throw new InputError([{ severity: 'error', loc: { file, line, col: e.location.start.column }, text: lineText.trim(), message: `policy: ${e.message}`, hint: `one assertion per line, ${EXAMPLES}; see docs/check.md` }]);
    }
    throw e;
  }
  const issues: InputIssue[] = [];
  const assertions: Assertion[] = [];
  for (const r of raw) {
    const a = assertion(r, file, issues);
    if (a) assertions.push(a);
  }
  if (issues.length) throw new InputError(issues);
  return { file, assertions };
}

function assertion(r: any, file: string, issues: InputIssue[]): Assertion | undefined {
  const at = (l: RawLoc): SourceLoc => ({ file, line: l.line, col: l.col });
  const bad = (l: RawLoc, t: string, message: string, hint?: string) => issues.push({ severity: 'error', loc: at(l), text: t, message, hint });
  const before = issues.length;
  const kind = r.kind as Assertion['kind'];
  const clauses = new Map<string, RawClause>();
  for (const c of r.clauses as RawClause[]) {
    if (!CLAUSES[kind].includes(c.key)) {
      const hint = kind === 'reach' && (c.key === 'from' || c.key === 'to') ? 'reach takes its target first and one source: `reach HOST:PORT from HOST`' : `${kind} takes ${CLAUSES[kind].join(', ')}`;
      bad(c.loc, c.key, `'${c.key}' does not apply to ${kind}`, hint);
    } else if (clauses.has(c.key)) bad(c.loc, c.word ?? c.key, c.key === 'proto' ? 'protocol given twice' : `'${c.key}' given twice`, 'list several values in one clause, separated by commas: `from 10.0.0.0/8,192.168.0.0/16`');
    else clauses.set(c.key, c);
  }
  if (r.proto) {
    if (clauses.has('proto')) bad(clauses.get('proto')!.loc, clauses.get('proto')!.word!, 'protocol given twice', 'one protocol per assertion: write one assertion per protocol');
    else clauses.set('proto', { key: 'proto', word: r.proto.name, loc: r.proto.loc });
  }
  const items = (key: string) => clauses.get(key)?.list?.map((i) => item(i, file, issues));
  const proto: number | undefined = clauses.has('proto') ? PROTOS[clauses.get('proto')!.word!] : undefined;
  const from = kind === 'nat' ? (r.source as RawItem[]).map((i) => item(i, file, issues)) : items('from');
  const to = items('to');
  const via = items('via');
  const target = kind === 'reach' ? item(r.target, file, issues) : undefined;
  const source = kind === 'reach' ? item(r.source, file, issues) : undefined;
  for (const v of via ?? []) {
    if (v.ports) bad(v.loc, v.text, 'via names an interface, not ports', 'write `via HOST:IF` or `via IF`');
    if (v.addr.kind !== 'host') bad(v.loc, v.text, 'via names an interface, not addresses', 'write `via HOST:IF` or `via IF`; addresses go in `from`/`to`');
  }
  if (source?.ports) bad(source.loc, source.text, 'the source of reach takes no port here', 'give the source port with `sport N`');
  const anyPorts = [...(from ?? []), ...(to ?? []), ...(target ? [target] : [])].some((i) => i.ports) || clauses.has('sport');
  // The protocols of the class.
  let protos: number[];
  if (proto !== undefined) protos = [proto];
  else if (kind === 'reach') protos = [6];
  else if (clauses.has('flags')) protos = [6];
  else if (clauses.has('type') || clauses.has('code')) protos = [1];
  else protos = anyPorts ? [6, 17] : [6, 17, 1];
  if (proto === 1 && anyPorts) bad(r.loc, r.text, 'icmp has no ports', 'drop the ports, or write tcp or udp');
  if (clauses.has('flags') && !protos.every((p) => p === 6)) bad(clauses.get('flags')!.loc, 'flags', 'flags only apply to tcp');
  for (const k of ['type', 'code']) if (clauses.has(k) && !protos.every((p) => p === 1)) bad(clauses.get(k)!.loc, k, `${k} only applies to icmp`);
  const header: HeaderOpts = { protos };
  const num = (k: string, lo: number, hi: number) => {
    const c = clauses.get(k);
    if (!c) return undefined;
    const s = numbers(c.value!, lo, hi);
    if (!s) bad(c.loc, `${k} ${c.value}`, `${k} must be a number, a range A-B or a list of them within ${lo}..${hi}, or any`);
    return s;
  };
  header.sport = num('sport', 0, 65535);
  header.ttl = num('ttl', 0, 255);
  header.length = num('len', 20, 65535);
  header.tos = num('tos', 0, 255);
  const fl = clauses.get('flags');
  if (fl) {
    const f = flags(fl.word!);
    if (!f) bad(fl.loc, `flags ${fl.word}`, `bad TCP flags '${fl.word}'`, 'letters S F R P A U E W (e.g. S, SA, PA), names SYN,ACK, none or any: the exact set of flags');
    header.flags = f;
  }
  const ty = clauses.get('type');
  const co = clauses.get('code');
  if (ty || co) {
    let types: I.IntervalSet = I.range(0, 255);
    if (ty && ty.word !== 'any') {
      const t = ICMP_TYPES[ty.word!] ?? (/^\d+$/.test(ty.word!) ? Number(ty.word) : undefined);
      if (t === undefined || t > 255) bad(ty.loc, `type ${ty.word}`, `unknown ICMP type '${ty.word}'`, `a number 0..255 or one of ${Object.keys(ICMP_TYPES).join(', ')}, or any`);
      else types = I.single(t);
    }
    let codes: I.IntervalSet = I.range(0, 255);
    if (co && co.word !== 'any') {
      const c = /^\d+$/.test(co.word!) ? Number(co.word) : undefined;
      if (c === undefined || c > 255) bad(co.loc, `code ${co.word}`, `bad ICMP code '${co.word}'`, 'a number 0..255 or any');
      else codes = I.single(c);
    }
    const out: [number, number][] = [];
    for (const [a, b] of types) for (let t = a; t <= b; t++) for (const [c, d] of codes) out.push([(t << 8) | c, (t << 8) | d]);
    header.icmp = I.fromIntervals(out);
  }
  let result: NatResult | undefined;
  if (kind === 'nat') {
    const rr = r.result;
    if (rr.kind === 'snat') {
      const it = item(rr.item, file, issues);
      if (it.addr.kind !== 'set' || it.ports) bad(rr.loc, it.text, 'a nat result is masquerade, none, or the source address(es) packets must leave with', 'e.g. `nat 10.0.0.0/8 -> 192.0.2.1 via gw:eth0` or `-> 192.0.2.1-192.0.2.9`');
      else result = { kind: 'snat', set: it.addr.set, text: it.text };
    } else result = { kind: rr.kind };
  }
  if (issues.length > before) return undefined;
  const base = { text: String(r.text).trim(), loc: at(r.loc), header };
  if (kind === 'allow' || kind === 'deny') return { ...base, kind, from, to, via };
  if (kind === 'reach') return { ...base, kind, target: target!, source: source!, via };
  return { ...base, kind: 'nat', from: from!, result: result!, to, via };
}

function item(r: RawItem, file: string, issues: InputIssue[]): PolicyItem {
  const loc = { file, line: r.loc.line, col: r.loc.col };
  const bad = (message: string, hint?: string) => issues.push({ severity: 'error', loc, text: r.text, message, hint });
  let addr: AddrSel = { kind: 'any' };
  if (r.kind === 'host') addr = { kind: 'host', host: r.host!, iface: r.iface };
  else if (r.kind === 'prefix') {
    const a = parseIpv4(r.addr!);
    if (a === undefined) bad(`'${r.addr}' is not an IPv4 address`, 'four numbers 0..255: 10.0.0.1');
    else if (r.len! > 32) bad(`prefix length /${r.len} is over 32`);
    else {
      const set = I.prefix(a, r.len!);
      if (set[0][0] !== a) bad(`${r.addr}/${r.len} has host bits set`, `the network is ${formatNet(set[0][0], r.len!)}`);
      addr = { kind: 'set', set };
    }
  } else if (r.kind === 'range') {
    const lo = parseIpv4(r.lo!);
    const hi = parseIpv4(r.hi!);
    if (lo === undefined || hi === undefined) bad('not an IPv4 address range', 'A.B.C.D-E.F.G.H');
    else if (lo > hi) bad(`the range ${r.lo}-${r.hi} is empty (its start is after its end)`);
    else addr = { kind: 'set', set: I.range(lo, hi) };
  }
  let ports: I.IntervalSet | undefined;
  if (r.ports) {
    for (const [a, b] of r.ports) {
      if (b > 65535) bad(`port ${b} is out of range 0..65535`);
      if (a > b) bad(`the port range ${a}-${b} is empty`);
    }
    ports = I.fromIntervals(r.ports);
  }
  return { addr, ports, loc, text: r.text };
}

function formatNet(a: number, len: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${len}`;
}

function numbers(v: string, lo: number, hi: number): I.IntervalSet | undefined {
  if (v === 'any') return I.range(lo, hi);
  const out: [number, number][] = [];
  for (const part of v.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a < lo || b > hi || a > b) return undefined;
    out.push([a, b]);
  }
  return I.fromIntervals(out);
}

function flags(v: string): I.IntervalSet | undefined {
  if (v === 'any') return I.range(0, 255);
  if (v.toLowerCase() === 'none') return I.single(0);
  let f = 0;
  if (v.includes(',') || (TCP_FLAGS as Record<string, number>)[v.toUpperCase()] !== undefined) {
    for (const part of v.split(',')) {
      const n = (TCP_FLAGS as Record<string, number>)[part.toUpperCase()];
      if (n === undefined) return undefined;
      f |= n;
    }
    return I.single(f);
  }
  for (const c of v) {
    const n = FLAG_LETTERS[c.toUpperCase()];
    if (n === undefined) return undefined;
    f |= n;
  }
  return I.single(f);
}
