/**
 * What differs between two worlds, element by element: rules (per table and chain, as a longest common
 * subsequence of their text, so an inserted rule does not make every later rule "changed"), chain
 * policies, and the host's other inputs (addresses, routes, policy rules, sysctls, sockets, conntrack
 * entries, ipsets, links). Source locations and counters are not part of a difference.
 */
import type { Host, World } from '../model/host.js';
import type { Chain, Rule, TableName } from '../model/iptables.js';

export type Delta =
  | { kind: 'rule'; host: string; world: 0 | 1; table: TableName; chain: string; index: number; rule: Rule; text: string }
  | { kind: 'policy'; host: string; table: TableName; chain: string; text: string }
  | { kind: 'host'; host: string; what: string; text: string };

function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'loc' || k === 'locs' || k === 'counters' || k === 'file' || k === 'issues') continue;
      out[k] = strip(x);
    }
    return out;
  }
  return v;
}

/** Sysctls that can change a packet's path (net.*), without the counters and gauges a dump also holds. */
function pathSysctl(k: string): boolean {
  if (!k.startsWith('net.')) return false;
  return !/(_count|_max|\.stat\.|buckets|_buffer|mem|rmem|wmem|\.flush|hash|random|boot_id|uuid|entropy)/.test(k);
}

const same = (a: unknown, b: unknown) => JSON.stringify(strip(a)) === JSON.stringify(strip(b));

/** Indices of the rules of `a` and `b` outside their longest common subsequence (by rule text). */
export function ruleDiff(a: readonly Rule[], b: readonly Rule[]): { removed: number[]; added: number[] } {
  let lo = 0;
  while (lo < a.length && lo < b.length && a[lo].text === b[lo].text) lo++;
  let ea = a.length;
  let eb = b.length;
  while (ea > lo && eb > lo && a[ea - 1].text === b[eb - 1].text) {
    ea--;
    eb--;
  }
  const n = ea - lo;
  const m = eb - lo;
  const removed: number[] = [];
  const added: number[] = [];
  if (n * m > 4_000_000) {
    // too large for the table: everything in the middle counts as changed (still complete)
    for (let i = lo; i < ea; i++) removed.push(i);
    for (let j = lo; j < eb; j++) added.push(j);
    return { removed, added };
  }
  const L: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) L[i][j] = a[lo + i].text === b[lo + j].text ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[lo + i].text === b[lo + j].text) {
      i++;
      j++;
    } else if (L[i + 1][j] >= L[i][j + 1]) removed.push(lo + i++);
    else added.push(lo + j++);
  }
  while (i < n) removed.push(lo + i++);
  while (j < m) added.push(lo + j++);
  return { removed, added };
}

const HOST_PARTS: [keyof Host, string][] = [
  ['interfaces', 'interfaces and addresses'],
  ['routes', 'routes'],
  ['rules', 'policy routing rules'],
  ['sockets', 'sockets'],
  ['conntrack', 'conntrack entries'],
  ['ipsets', 'ipsets'],
  ['ip6tables', 'ip6tables ruleset'],
];

export function worldDelta(a: World, b: World): Delta[] {
  const out: Delta[] = [];
  const names = [...new Set([...a.hosts.map((h) => h.name), ...b.hosts.map((h) => h.name)])].sort();
  for (const name of names) {
    const ha = a.hosts.find((h) => h.name === name);
    const hb = b.hosts.find((h) => h.name === name);
    if (!ha || !hb) {
      out.push({ kind: 'host', host: name, what: 'host', text: `host ${name} exists only in the ${ha ? 'first' : 'second'} world` });
      continue;
    }
    if (ha === hb) continue;
    for (const [k, what] of HOST_PARTS) if (ha[k] !== hb[k] && !same(ha[k], hb[k])) out.push({ kind: 'host', host: name, what, text: `${name}: ${what} differ` });
    if (ha.sysctl !== hb.sysctl) {
      const keys = [...new Set([...Object.keys(ha.sysctl?.values ?? {}), ...Object.keys(hb.sysctl?.values ?? {})])].filter((k) => pathSysctl(k) && ha.sysctl?.values[k] !== hb.sysctl?.values[k]);
      if (keys.length)
      out.push({ kind: 'host', host: name, what: 'sysctl', text: `${name}: sysctl ${keys.slice(0, 4).map((k) => `${k} ${ha.sysctl?.values[k] ?? '(unset)'} → ${hb.sysctl?.values[k] ?? '(unset)'}`).join(', ')}${keys.length > 4 ? `, … (${keys.length} keys)` : ''}` });
    }
    if (ha.iptables !== hb.iptables) out.push(...rulesetDelta(name, ha, hb));
  }
  if (!same(a.links, b.links)) out.push({ kind: 'host', host: '*', what: 'links', text: 'the topology (links) differs' });
  return out;
}

function rulesetDelta(host: string, ha: Host, hb: Host): Delta[] {
  const out: Delta[] = [];
  const ra = ha.iptables;
  const rb = hb.iptables;
  if (!ra || !rb) {
    if (ra || rb) out.push({ kind: 'host', host, what: 'ruleset', text: `${host}: iptables ruleset present only in the ${ra ? 'first' : 'second'} world` });
    return out;
  }
  if (ra.backend !== rb.backend) out.push({ kind: 'host', host, what: 'backend', text: `${host}: iptables backend ${ra.backend} → ${rb.backend}` });
  const tables = new Set([...ra.tables.map((t) => t.name), ...rb.tables.map((t) => t.name)]);
  for (const t of tables) {
    const ta = ra.tables.find((x) => x.name === t);
    const tb = rb.tables.find((x) => x.name === t);
    if (ta === tb) continue;
    const mapA = new Map((ta?.chains ?? []).map((c) => [c.name, c]));
    const mapB = new Map((tb?.chains ?? []).map((c) => [c.name, c]));
    const chains = new Set([...mapA.keys(), ...mapB.keys()]);
    for (const c of chains) {
      const ca = mapA.get(c);
      const cb = mapB.get(c);
      if (ca === cb) continue;
      if ((ca?.policy ?? 'ACCEPT') !== (cb?.policy ?? 'ACCEPT') && (ca?.builtin || cb?.builtin))
        out.push({ kind: 'policy', host, table: t, chain: c, text: `${host}: ${t} ${c} policy ${ca?.policy ?? '(none)'} → ${cb?.policy ?? '(none)'}` });
      const d = ruleDiff(ca?.rules ?? [], cb?.rules ?? []);
      for (const i of d.removed) out.push(ruleDelta(host, 0, t, ca!, i));
      for (const j of d.added) out.push(ruleDelta(host, 1, t, cb!, j));
    }
  }
  return out;
}

function ruleDelta(host: string, world: 0 | 1, table: TableName, c: Chain, i: number): Delta {
  const r = c.rules[i];
  return { kind: 'rule', host, world, table, chain: c.name, index: i, rule: r, text: `${host}: ${world === 0 ? 'removed' : 'added'} -t ${table} -A ${c.name} ${r.text}` };
}
