/**
 * The part of the header space a set of differences can affect: a packet whose path, in either world,
 * never matches a changed rule, never reaches a changed policy and never meets a changed host input
 * behaves the same in both (the engine is deterministic and a rule that does not match has no effect).
 * So only packets that can match a changed rule need to be examined:
 * - a changed rule selects the packets of its matches (src/space/ruleBox.ts) among those that can reach
 *   its chain: the matches of the jumps leading to it, up to a built-in chain;
 * - the header a rule sees is the first packet's only at the first hooks of its own host (raw, mangle,
 *   nat in PREROUTING and OUTPUT); elsewhere fields a NAT, TTL or TOS rule may have rewritten are left free;
 * - answers (ICMP errors, RST, echo replies, SYN/ACK) carry the first packet's addresses swapped: a rule
 *   that can match an answer also selects the first packets with the swapped addresses;
 * - a changed policy, address, route, policy rule, sysctl, socket or link can affect anything.
 */
import type { Host, World } from '../model/host.js';
import type { Chain, Rule, TableName } from '../model/iptables.js';
import { DIMS, DIM_INDEX, DEP, boxIntersect, boxIsEmpty, constrain, type Box, type Constraint } from '../space/box.js';
import * as I from '../space/intervals.js';
import { ruleSpace } from '../space/ruleBox.js';
import type { IngressPoint } from '../space/classes.js';
import type { Delta } from './delta.js';

const MAX_ENTRY_BOXES = 64;
const FIRST_HOOK_TABLES: TableName[] = ['raw', 'mangle', 'nat'];

interface Entry {
  boxes: Constraint[];
  /** Built-in chains (hooks) the chain is reachable from. */
  hooks: Set<string>;
}

function intersectC(a: Constraint, b: Constraint): Constraint | undefined {
  const out: Constraint = { ...a };
  for (const [d, s] of Object.entries(b) as [keyof Constraint, I.IntervalSet][]) {
    out[d] = out[d] ? I.intersect(out[d]!, s) : s;
    if (out[d]!.length === 0) return undefined;
  }
  return out;
}

interface TableIndex {
  chains: Map<string, Chain>;
  /** chain name → the rules (and their chains) that jump or go to it */
  refs: Map<string, { parent: string; rule: Rule }[]>;
}

const tableIndexCache = new WeakMap<object, TableIndex>();

function tableIndex(host: Host, table: TableName): TableIndex | undefined {
  const t = host.iptables?.tables.find((x) => x.name === table);
  if (!t) return undefined;
  let ix = tableIndexCache.get(t);
  if (!ix) {
    ix = { chains: new Map(t.chains.map((c) => [c.name, c])), refs: new Map() };
    for (const c of t.chains)
      for (const r of c.rules) {
        if (r.target?.kind !== 'chain') continue;
        let l = ix.refs.get(r.target.name);
        if (!l) ix.refs.set(r.target.name, (l = []));
        l.push({ parent: c.name, rule: r });
      }
    tableIndexCache.set(t, ix);
  }
  return ix;
}

/** Packets (current header) that can reach `chain`, as constraints, and the hooks it hangs off. */
function entryOf(host: Host, table: TableName, chain: string, memo: Map<string, Entry>, depth = 0): Entry {
  const key = `${table}/${chain}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const ix = tableIndex(host, table);
  const c = ix?.chains.get(chain);
  if (!ix || !c || c.builtin || depth > 32) {
    const e = { boxes: [{}], hooks: new Set([c?.builtin || !c ? chain : '*']) };
    memo.set(key, e);
    return e;
  }
  memo.set(key, { boxes: [{}], hooks: new Set(['*']) }); // a loop is refused by iptables; be safe
  const boxes: Constraint[] = [];
  const hooks = new Set<string>();
  let overflow = false;
  for (const { parent, rule } of ix.refs.get(chain) ?? []) {
    const pe = entryOf(host, table, parent, memo, depth + 1);
    for (const h of pe.hooks) hooks.add(h);
    const rc = ruleSpace(rule).constraint;
    for (const b of pe.boxes) {
      const x = intersectC(b, rc);
      if (x) boxes.push(x);
    }
    if (boxes.length > MAX_ENTRY_BOXES) overflow = true;
  }
  const e: Entry = { boxes: overflow ? [{}] : boxes, hooks };
  memo.set(key, e);
  return e;
}

function rewrites(worlds: readonly World[]): { dnat: boolean; snat: boolean; ttl: boolean; tos: boolean; tcpReset: boolean } {
  const f = { dnat: false, snat: false, ttl: false, tos: false, tcpReset: false };
  for (const w of worlds)
    for (const h of w.hosts)
      for (const t of h.iptables?.tables ?? [])
        for (const c of t.chains)
          for (const r of c.rules) {
            const n = r.target?.kind === 'extension' ? r.target.name : '';
            if (n === 'DNAT' || n === 'REDIRECT' || n === 'NETMAP') f.dnat = true;
            if (n === 'SNAT' || n === 'MASQUERADE' || n === 'NETMAP') f.snat = true;
            if (n === 'TTL') f.ttl = true;
            if (n === 'REJECT' && /tcp-reset/.test(r.text)) f.tcpReset = true;
            if (n === 'TOS' || n === 'DSCP' || n === 'ECN') f.tos = true;
          }
  return f;
}

function loosen(c: Constraint, mask: number): Constraint {
  const out: Constraint = {};
  for (const [d, s] of Object.entries(c) as [keyof Constraint, I.IntervalSet][]) if (!(mask & DEP[d])) out[d] = s;
  return out;
}

function swapMask(m: number): number {
  let o = m & ~(DEP.src | DEP.dst | DEP.sport | DEP.dport);
  if (m & DEP.src) o |= DEP.dst;
  if (m & DEP.dst) o |= DEP.src;
  if (m & DEP.sport) o |= DEP.dport;
  if (m & DEP.dport) o |= DEP.sport;
  return o;
}

/** First packets whose answers could look like `c`: addresses (and TCP ports) swapped, the rest free. */
function mirror(c: Constraint): Constraint | undefined {
  const proto = c.proto ?? I.range(1, 255);
  const icmp = I.contains(proto, 1);
  const tcp = I.contains(proto, 6);
  if (!icmp && !tcp) return undefined;
  const m: Constraint = {};
  if (c.dst) m.src = c.dst;
  if (c.src) m.dst = c.src;
  if (tcp && !icmp) {
    if (c.dport) m.sport = c.dport;
    if (c.sport) m.dport = c.sport;
  }
  return m;
}

export interface Region {
  boxes: Box[];
  /** Why the region is what it is, for the report. */
  notes: string[];
  /** The whole space (some difference can affect anything). */
  everything: boolean;
}

export function changeRegion(worlds: readonly World[], deltas: readonly Delta[], points: readonly IngressPoint[], universe: readonly Box[]): Region {
  const notes: string[] = [];
  const rw = rewrites(worlds);
  const late = (rw.dnat ? DEP.dst | DEP.dport : 0) | (rw.snat ? DEP.src | DEP.sport : 0) | (rw.ttl ? DEP.ttl : 0) | (rw.tos ? DEP.tos : 0) | DEP.ttl;
  const constraints: { c: Constraint; hosts?: Set<number> }[] = [];
  const memo = worlds.map(() => new Map<string, Map<string, Entry>>());
  let everything = false;
  for (const d of deltas) {
    if (d.kind !== 'rule') {
      everything = true;
      notes.push(`${d.text}: every packet is examined`);
      continue;
    }
    const w = worlds[d.world];
    const host = w.hosts.find((h) => h.name === d.host)!;
    let hm = memo[d.world].get(host.name);
    if (!hm) memo[d.world].set(host.name, (hm = new Map()));
    const entry = entryOf(host, d.table, d.chain, hm);
    const rc = ruleSpace(d.rule).constraint;
    const own = new Set(points.map((p, k) => (p.host === d.host ? k : -1)).filter((k) => k >= 0));
    const firstHook = FIRST_HOOK_TABLES.includes(d.table) && [...entry.hooks].every((h) => h === 'PREROUTING' || h === 'OUTPUT');
    for (const b of entry.boxes) {
      const x = intersectC(b, rc);
      if (!x) continue;
      const ttlFree = rw.ttl || rw.tos ? (rw.ttl ? DEP.ttl : 0) | (rw.tos ? DEP.tos : 0) : 0;
      if (firstHook) constraints.push({ c: loosen(x, ttlFree), hosts: own });
      // seen on another host, or after NAT on this one
      constraints.push({ c: loosen(x, late), hosts: firstHook ? complement(own, points.length) : undefined });
      // Answers are RELATED or replies: they never run the nat chains, except the RST of a REJECT
      // --reject-with tcp-reset (checked on the kernel: its counters move in nat OUTPUT/POSTROUTING).
      const m = d.table === 'nat' ? (rw.tcpReset ? mirror(intersectC(x, { proto: I.single(6) }) ?? { proto: I.EMPTY }) : undefined) : mirror(x);
      if (m) constraints.push({ c: loosen(m, late | swapMask(late)) });
    }
  }
  if (everything) return { boxes: universe.slice(), notes, everything: true };
  const boxes: Box[] = [];
  for (const { c, hosts } of constraints)
    for (const u of universe) {
      const k = u[DIM_INDEX.ingress][0][0];
      if (hosts && !hosts.has(k)) continue;
      // an unbound local sender (source 0.0.0.0) gets its source from the route (inet_select_addr()): any
      // address of the host, so a source condition also selects it
      const b = constrain(u, points[k]?.kind === 'local' && c.src ? { ...c, src: I.union(c.src, I.single(0)) } : c);
      if (!boxIsEmpty(b)) boxes.push(b);
    }
  return { boxes: dedupe(boxes), notes, everything: false };
}

function complement(s: Set<number>, n: number): Set<number> {
  const out = new Set<number>();
  for (let k = 0; k < n; k++) if (!s.has(k)) out.add(k);
  return out;
}

function dedupe(boxes: Box[]): Box[] {
  const seen = new Set<string>();
  return boxes.filter((b) => {
    const k = JSON.stringify(b);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export { boxIntersect, DIMS };
export type { Chain, Rule };
