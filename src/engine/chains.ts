/**
 * One table at one hook: net/ipv4/netfilter/ip_tables.c: ipt_do_table(). Rules are tried in order; a rule
 * whose IP header part and every match agree is counted, then its target runs. ACCEPT ends this table at
 * this hook only; DROP is final; jump pushes, goto does not; the end of a user chain returns; the end of a
 * built-in chain applies its policy.
 */
import { formatIpv4, inNet4, prefixMask } from '../model/addr.js';
import { locOf, type Chain, type Hook, type MatchUse, type Rule, type TableName } from '../model/iptables.js';
import { findMatch, findTarget } from '../ext/registry.js';
import type { MatchContext, MatchExtension, MatchResult, NatRequest, RejectWith, TargetEffect } from '../ext/types.js';
import { DIMS, DIM_INDEX, type Dim } from '../space/box.js';
import * as I from '../space/intervals.js';
import { netSet } from '../space/helpers.js';
import { DEP, dep, depTest } from './deps.js';
import { ctView } from './conntrack.js';
import { addrType } from './fib.js';
import { choose, emit, hostState, idx, ownCounters, setRuleState, type Sim, type Skb } from './sim.js';
import type { RuleRef } from './types.js';
import { ipsetQuery } from './ipset.js';

export interface TableResult {
  verdict: 'accept' | 'drop' | 'unsupported';
  /** The rule that decided (absent when the policy decided). */
  rule?: RuleRef;
  policy?: string;
  reject?: RejectWith;
  nat?: { req: NatRequest; rule: RuleRef };
  reason?: string;
}

const PROTOCOLS: Record<string, number> = {
  icmp: 1, igmp: 2, ipip: 4, ipencap: 4, tcp: 6, egp: 8, udp: 17, ipv6: 41, gre: 47, esp: 50, ah: 51,
  icmpv6: 58, 'ipv6-icmp': 58, ospf: 89, ospfigp: 89, pim: 103, vrrp: 112, l2tp: 115, sctp: 132, mh: 135, udplite: 136, dccp: 33,
};

export function protocolNumber(p: string): number | undefined {
  if (p === 'all' || p === '0') return 0;
  if (/^\d+$/.test(p)) return Number(p);
  return PROTOCOLS[p.toLowerCase()];
}

function ifaceMatches(pattern: string, name: string | undefined): boolean {
  const n = name ?? '';
  if (pattern.endsWith('+')) return n.startsWith(pattern.slice(0, -1));
  return n === pattern;
}

/** The IP header part of a rule (ip_packet_match()). */
function headerMatches(r: Rule, skb: Skb, inIface: string | undefined, outIface: string | undefined): boolean | string {
  const p = skb.pkt;
  if (r.src && inNet4(p.src, r.src.value) === r.src.invert) return false;
  if (r.dst && inNet4(p.dst, r.dst.value) === r.dst.invert) return false;
  if (r.inIface && ifaceMatches(r.inIface.value, inIface) === r.inIface.invert) return false;
  if (r.outIface && ifaceMatches(r.outIface.value, outIface) === r.outIface.invert) return false;
  if (r.protocol) {
    const n = protocolNumber(r.protocol.value);
    if (n === undefined) return `unknown protocol '${r.protocol.value}'`;
    if (n !== 0 && (n === p.proto) === r.protocol.invert) return false;
    if (n === 0 && r.protocol.invert) return false;
  }
  // -f: second and later fragments. nfsim packets are whole datagrams (first fragment).
  if (r.fragment && !r.fragment.invert) return false;
  return true;
}

const readsCache = new WeakMap<MatchUse, number>();

const headerSetCache = new WeakMap<object, I.IntervalSet | null>();

/** The addresses an `-s`/`-d` selector accepts, when exactly a set of intervals (cached per rule). */
function headerSet(sel: NonNullable<Rule['src']>): I.IntervalSet | undefined {
  let s = headerSetCache.get(sel);
  if (s === undefined) {
    const ns = netSet(sel.value);
    s = ns.exact ? (sel.invert ? I.subtract(I.range(0, 0xffffffff), ns.set) : ns.set) : null;
    headerSetCache.set(sel, s);
  }
  return s ?? undefined;
}

/** headerMatches() for a run that records its dependencies (deps.ts): each tested field with its set. */
function headerMatchesRecorded(sim: Sim, r: Rule, skb: Skb, inIface: string | undefined, outIface: string | undefined): boolean | string {
  const p = skb.pkt;
  for (const k of ['src', 'dst'] as const) {
    const sel = r[k];
    if (!sel) continue;
    const ns = headerSet(sel);
    if (ns) {
      if (depTest(sim, skb, DIM_INDEX[k], ns) === false) return false;
    } else {
      dep(sim, skb, DEP[k]);
      if (inNet4(p[k], sel.value) === sel.invert) return false;
    }
  }
  if (r.inIface || r.outIface) dep(sim, skb, DEP.ingress);
  if (r.inIface && ifaceMatches(r.inIface.value, inIface) === r.inIface.invert) return false;
  if (r.outIface && ifaceMatches(r.outIface.value, outIface) === r.outIface.invert) return false;
  if (r.protocol) {
    const n = protocolNumber(r.protocol.value);
    if (n === undefined) return `unknown protocol '${r.protocol.value}'`;
    const set = n === 0 ? (r.protocol.invert ? I.EMPTY : I.range(0, 255)) : r.protocol.invert ? I.subtract(I.range(0, 255), I.single(n)) : I.single(n);
    if (!depTest(sim, skb, DIM_INDEX.proto, set)) return false;
  }
  if (r.fragment && !r.fragment.invert) return false;
  return true;
}

const spaceCache = new WeakMap<MatchUse, [number, I.IntervalSet][] | null>();

/** Record what a match's answer depended on: its exact header-space sets, else the fields it reads. */
function recordMatch(sim: Sim, skb: Skb, m: MatchUse, ext: MatchExtension, ok: boolean): void {
  let dims = spaceCache.get(m);
  if (dims === undefined) {
    const sp = ext.space?.(m.args);
    dims = sp && sp.exact ? (Object.entries(sp.constraint) as [Dim, I.IntervalSet][]).map(([d, set]) => [DIM_INDEX[d], set] as [number, I.IntervalSet]).sort((a, b) => a[0] - b[0]) : null;
    spaceCache.set(m, dims);
  }
  if (dims) {
    let all = true;
    for (const [d, set] of dims) {
      if (!depTest(sim, skb, d, set)) {
        all = false;
        break;
      }
    }
    if (all === ok) return;
  }
  dep(sim, skb, matchReads(m, ext));
}

/** The header fields a match reads, as a dependency mask (deps.ts). */
function matchReads(m: MatchUse, ext: MatchExtension): number {
  let mask = readsCache.get(m);
  if (mask === undefined) {
    const dims = ext.reads ? ext.reads(m.args) : ext.space ? (Object.keys(ext.space(m.args).constraint) as Dim[]) : DIMS;
    mask = dims.reduce((a, d) => a | DEP[d], 0);
    readsCache.set(m, mask);
  }
  return mask;
}

export function ruleRef(table: TableName, chain: string, i: number, r: Rule): RuleRef {
  return { table, chain, index: i + 1, text: `-A ${chain} ${r.text}`, loc: locOf(r) };
}

/** The RuleRef of rule `i` of a chain, built once (the world is immutable; RuleRefs are never changed). */
const refCache = new WeakMap<Chain, RuleRef[]>();
function refAt(table: TableName, chain: Chain, i: number): RuleRef {
  let refs = refCache.get(chain);
  if (!refs) refCache.set(chain, (refs = []));
  return (refs[i] ??= ruleRef(table, chain.name, i, chain.rules[i]));
}

/** Trace events of a traversal (built only when tracing; kept out of runTable's loop so it allocates no
 * closure per rule). */
function emitRule(sim: Sim, skb: Skb, table: TableName, chain: Chain, i: number, target: string, notes: string[] | undefined): void {
  const r = chain.rules[i];
  emit(sim, () => ({ type: 'rule', host: skb.host, rule: refAt(table, chain, i), target, description: describeRule(r), notes: notes ?? [] }));
}
function emitReturn(sim: Sim, skb: Skb, table: TableName, from: string, to: string): void {
  emit(sim, () => ({ type: 'return', host: skb.host, table, from, to }));
}

/**
 * Long chains of rules with a fixed destination (kube-proxy's KUBE-SERVICES: one `-d CLUSTER-IP/32` rule per
 * service) are searched through an index instead of rule by rule. A rule whose `-d` (not negated) does not
 * contain the packet's destination fails ip_packet_match() with no side effect at all (no counter, no trace
 * event, no unsupported answer: the -d test comes before the protocol's), so the walk may go straight to the
 * next rule that can match: one whose -d contains the destination, or one without a plain -d. Built once per
 * chain (the world is immutable), only for chains long enough to gain from it.
 */
interface DstIndex {
  /** Positions of the rules any destination may match (no -d, a negated -d, a rarer mask), ascending. */
  other: Int32Array;
  /** Per mask: positions of the rules whose -d is that network, by network address, ascending. */
  groups: { mask: number; byNet: Map<number, Int32Array> }[];
}
const INDEX_MIN_RULES = 32;
const INDEX_MAX_MASKS = 4;
const dstIndexCache = new WeakMap<Chain, DstIndex | null>();

function dstIndex(chain: Chain): DstIndex | null {
  let ix = dstIndexCache.get(chain);
  if (ix !== undefined) return ix;
  ix = null;
  if (chain.rules.length >= INDEX_MIN_RULES) {
    const maskCount = new Map<number, number>();
    const maskOf = (r: Rule): number | undefined => {
      const d = r.dst;
      if (!d || d.invert || d.value.family !== 4 || d.value.v4 === undefined) return undefined;
      return (d.value.maskBits ?? prefixMask(d.value.len)) >>> 0;
    };
    for (const r of chain.rules) {
      const m = maskOf(r);
      if (m !== undefined) maskCount.set(m, (maskCount.get(m) ?? 0) + 1);
    }
    const masks = [...maskCount].sort((a, b) => b[1] - a[1] || b[0] - a[0]).slice(0, INDEX_MAX_MASKS).map(([m]) => m);
    const other: number[] = [];
    const lists = new Map<number, Map<number, number[]>>(masks.map((m) => [m, new Map()]));
    chain.rules.forEach((r, i) => {
      const m = maskOf(r);
      const byNet = m === undefined ? undefined : lists.get(m);
      if (!byNet) return void other.push(i);
      const net = ((r.dst!.value.v4 ?? 0) & m!) >>> 0;
      let l = byNet.get(net);
      if (!l) byNet.set(net, (l = []));
      l.push(i);
    });
    // Worth it only when most rules can be skipped for most destinations.
    if (other.length * 2 < chain.rules.length) {
      ix = {
        other: Int32Array.from(other),
        groups: masks.map((mask) => ({ mask, byNet: new Map([...lists.get(mask)!].map(([n, l]) => [n, Int32Array.from(l)])) })),
      };
    }
  }
  dstIndexCache.set(chain, ix);
  return ix;
}

/** The first position >= i in an ascending list, or `none`. */
function firstAtLeast(list: Int32Array, i: number, none: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < i) lo = mid + 1;
    else hi = mid;
  }
  return lo < list.length ? list[lo] : none;
}

/** The next rule at or after `i` that a packet to `dst` can match (the chain's length when none). */
function nextCandidate(ix: DstIndex, i: number, dst: number, end: number): number {
  let best = firstAtLeast(ix.other, i, end);
  for (const g of ix.groups) {
    const l = g.byNet.get((dst & g.mask) >>> 0);
    if (l) best = Math.min(best, firstAtLeast(l, i, end));
  }
  return best;
}

/** Counter keys "table/chain/index" computed once per chain (the world is immutable). */
const keyCache = new WeakMap<Chain, string[]>();
function ruleKey(table: TableName, chain: Chain, i: number): string {
  let keys = keyCache.get(chain);
  if (!keys) keyCache.set(chain, (keys = chain.rules.map((_, j) => `${table}/${chain.name}/${j}`)));
  return keys[i];
}

/** Count a rule (or policy) hit: one packet and its bytes (into the step's own copy of the counters). */
function bump(sim: Sim, skb: Skb, key: string): void {
  const st = ownCounters(sim, skb.host);
  st.packets[key] = (st.packets[key] ?? 0) + 1;
  st.bytes[key] = (st.bytes[key] ?? 0) + skb.pkt.length;
}

/**
 * The MatchContext of one table traversal, shared by every match and target it runs: the rule's state key
 * is set before each call, and the packet and conntrack views are refreshed after a target's effects (the
 * only thing that changes them during a traversal).
 */
interface TraversalContext extends MatchContext {
  /** Counter key of the rule being evaluated ("table/chain/index"). */
  ruleKey: string;
  /** Name of the match being evaluated, undefined for the target. */
  matchName: string | undefined;
  /** Its position among the rule's matches. */
  matchIndex: number;
}

/** The private state key: "RULEKEY" for the target, "RULEKEY/NAME" for the first match, "RULEKEY/NAME#i" for
 * the i-th (built only when a module asks for its state). */
function stateKeyOf(c: TraversalContext): string {
  if (c.matchName === undefined) return c.ruleKey;
  return c.matchIndex === 0 ? `${c.ruleKey}/${c.matchName}` : `${c.ruleKey}/${c.matchName}#${c.matchIndex}`;
}

function traversalContext(sim: Sim, skb: Skb, hook: Hook, table: TableName, inIface?: string, outIface?: string): TraversalContext {
  const h = idx(sim, skb.host);
  const c: TraversalContext = {
    pkt: skb.pkt,
    family: 4,
    hook,
    table,
    inIface,
    outIface,
    ct: ctView(skb),
    host: {
      addrType: (a: number, dev?: string) => addrType(h, a, dev),
      ipset: (name: string) => ipsetQuery(h.host, name),
      owner: skb.local ? { uid: skb.uid, gid: skb.gid } : undefined,
      physIn: skb.physIn,
      physOut: skb.physOut,
      isBridged: skb.bridged,
    },
    state: {
      get: <T>() => hostState(sim, skb.host).ruleState[stateKeyOf(c)] as T | undefined,
      set: <T>(v: T) => setRuleState(sim, skb.host, stateKeyOf(c), v),
    },
    ruleKey: '',
    matchName: undefined,
    matchIndex: 0,
  };
  return c;
}

/** The built-in chain's policy: counted like a rule (the underflow entry of ipt_do_table()). */
function applyPolicy(sim: Sim, skb: Skb, table: TableName, start: Chain): TableResult {
  const pol = start.policy ?? 'ACCEPT';
  bump(sim, skb, `${table}/${start.name}/policy`);
  if (sim.tracing) emit(sim, () => ({ type: 'policy', host: skb.host, table, chain: start.name, policy: pol, loc: start.loc }));
  return { verdict: pol === 'DROP' ? 'drop' : 'accept', policy: pol };
}

/** Run `table` at `hook` for the packet. Effects of non-terminating targets (MARK, CONNMARK, CT...) apply at once. */
export function runTable(sim: Sim, skb: Skb, table: TableName, hook: Hook, inIface?: string, outIface?: string): TableResult {
  const h = idx(sim, skb.host);
  const chains = h.chains.get(table);
  const start = chains?.get(hook);
  if (!chains || !start) return { verdict: 'accept', policy: 'none' };
  const stack: { chain: Chain; next: number }[] = [];
  const policy = (): TableResult => applyPolicy(sim, skb, table, start);
  let ctx: TraversalContext | undefined;
  let chain: Chain = start;
  let i = 0;
  let steps = 0;
  // The destination index (dstIndex()) skips rules without looking at them: not while recording which
  // header fields each rule tested (deps.ts).
  const indexed = !sim.deps;
  let ixChain: Chain | undefined;
  let ix: DstIndex | null = null;
  for (;;) {
    if (++steps > 1_000_000) return { verdict: 'unsupported', reason: 'rule traversal did not terminate (chain loop?)' };
    if (indexed && i < chain.rules.length) {
      if (ixChain !== chain) {
        ixChain = chain;
        ix = dstIndex(chain);
      }
      if (ix) {
        const j = nextCandidate(ix, i, skb.pkt.dst, chain.rules.length);
        // the skipped rules count as the steps they would have taken
        steps += j - i;
        if (steps > 1_000_000) return { verdict: 'unsupported', reason: 'rule traversal did not terminate (chain loop?)' };
        i = j;
      }
    }
    if (i >= chain.rules.length) {
      // End of chain: a built-in chain applies its policy; a user chain returns (implicit RETURN).
      const back = chain.builtin ? undefined : stack.pop();
      if (!back) return policy();
      if (sim.tracing) emitReturn(sim, skb, table, chain.name, back.chain.name);
      chain = back.chain;
      i = back.next;
      continue;
    }
    const r = chain.rules[i];
    const hm = sim.deps ? headerMatchesRecorded(sim, r, skb, inIface, outIface) : headerMatches(r, skb, inIface, outIface);
    if (typeof hm === 'string') return { verdict: 'unsupported', rule: refAt(table, chain, i), reason: hm };
    if (!hm) {
      i++;
      continue;
    }
    const cur = chain;
    const at = i;
    const key = ruleKey(table, chain, i);
    let matched = true;
    let notes: string[] | undefined;
    for (let mi = 0; mi < r.matches.length; mi++) {
      const m = r.matches[mi];
      if (m.unsupported) return { verdict: 'unsupported', rule: refAt(table, cur, at), reason: `match '-m ${m.name}' is not supported: ${m.unsupported.reason}` };
      const ext = findMatch(m.name);
      if (!ext) return { verdict: 'unsupported', rule: refAt(table, cur, at), reason: `match '-m ${m.name}' has no semantics in nfsim` };
      ctx ??= traversalContext(sim, skb, hook, table, inIface, outIface);
      ctx.ruleKey = key;
      // Each match of a rule has its own private state, also two of the same module in one rule
      // (`-m statistic ... -m statistic ...`: two xt_statistic_priv counters, checkentry() per match).
      ctx.matchName = m.name;
      ctx.matchIndex = mi;
      const res: MatchResult = ext.match(m.args, ctx);
      let ok: boolean;
      if (typeof res === 'boolean') ok = res;
      else if ('unsupported' in res) return { verdict: 'unsupported', rule: refAt(table, cur, at), reason: `-m ${m.name}: ${res.unsupported}` };
      else if ('random' in res) {
        ok = choose(sim, res.random, `${refAt(table, cur, at).text} (${res.why})`);
        (notes ??= []).push(`${res.why}: ${ok ? 'matched' : 'did not match'} on this branch (p=${ok ? res.random : 1 - res.random})`);
      } else {
        ok = res.assumed;
        (notes ??= []).push(res.why);
      }
      if (sim.deps) recordMatch(sim, skb, m, ext, ok);
      if (!ok) {
        matched = false;
        break;
      }
    }
    if (!matched) {
      i++;
      continue;
    }
    bump(sim, skb, key);
    const t = r.target;
    if (!t) {
      if (sim.tracing) emitRule(sim, skb, table, cur, at, '(no target: counts only)', notes);
      i++;
      continue;
    }
    if (t.unsupported) return { verdict: 'unsupported', rule: refAt(table, cur, at), reason: `target '-j ${t.name}' is not supported: ${t.unsupported.reason}` };
    if (sim.tracing) emitRule(sim, skb, table, cur, at, targetText(r), notes);
    if (t.kind === 'verdict') {
      switch (t.name) {
        case 'ACCEPT':
          return { verdict: 'accept', rule: refAt(table, cur, at) };
        case 'DROP':
          return { verdict: 'drop', rule: refAt(table, cur, at) };
        case 'RETURN': {
          // RETURN in a built-in chain: its policy decides.
          const back = chain === start ? undefined : stack.pop();
          if (!back) return policy();
          if (sim.tracing) emitReturn(sim, skb, table, chain.name, back.chain.name);
          chain = back.chain;
          i = back.next;
          continue;
        }
        default:
          return { verdict: 'unsupported', rule: refAt(table, cur, at), reason: `-j ${t.name} hands the packet to user space (NFQUEUE/QUEUE): its fate depends on a program nfsim cannot see` };
      }
    }
    if (t.kind === 'chain') {
      const next = chains.get(t.name);
      if (!next) return { verdict: 'unsupported', rule: refAt(table, cur, at), reason: `chain '${t.name}' does not exist in table ${table}` };
      if (!t.goto) stack.push({ chain, next: i + 1 });
      chain = next;
      i = 0;
      continue;
    }
    const ext = findTarget(t.name);
    if (!ext) return { verdict: 'unsupported', rule: refAt(table, cur, at), reason: `target '-j ${t.name}' has no semantics in nfsim` };
    ctx ??= traversalContext(sim, skb, hook, table, inIface, outIface);
    ctx.ruleKey = key;
    ctx.matchName = undefined;
    const res = ext.apply(t.args, ctx);
    if (res.unsupported) return { verdict: 'unsupported', rule: refAt(table, cur, at), reason: `-j ${t.name}: ${res.unsupported}` };
    let nat: TableResult['nat'];
    let reject: RejectWith | undefined;
    for (const e of res.effects) {
      const out = applyEffect(sim, skb, e);
      if (out?.nat) nat = { req: out.nat, rule: refAt(table, cur, at) };
      if (out?.reject) reject = out.reject;
    }
    // the effects may have changed the packet (MARK, TOS, TTL) or its conntrack (CT, NOTRACK, CONNMARK)
    ctx.pkt = skb.pkt;
    ctx.ct = ctView(skb);
    if (reject) return { verdict: 'drop', rule: refAt(table, cur, at), reject };
    switch (res.verdict) {
      case 'continue':
        i++;
        continue;
      case 'accept':
        return { verdict: 'accept', rule: refAt(table, cur, at), nat };
      case 'drop':
        return { verdict: 'drop', rule: refAt(table, cur, at) };
      case 'queue':
        return { verdict: 'unsupported', rule: refAt(table, cur, at), reason: `-j ${t.name} hands the packet to user space: its fate depends on a program nfsim cannot see` };
    }
  }
}

function applyEffect(sim: Sim, skb: Skb, e: TargetEffect): { nat?: NatRequest; reject?: RejectWith } | undefined {
  switch (e.kind) {
    case 'mark': {
      const before = skb.pkt.mark;
      skb.pkt.mark = applyMark(before, e.op, e.value, e.mask);
      if (before !== skb.pkt.mark) emit(sim, () => ({ type: 'mark', host: skb.host, before, after: skb.pkt.mark, what: 'mark' }));
      return;
    }
    case 'connmark': {
      const ct = skb.ct?.entry;
      if (!ct) return;
      if (e.op === 'set') {
        const before = ct.mark;
        ct.mark = ((ct.mark & ~e.mask) ^ e.value) >>> 0;
        emit(sim, () => ({ type: 'mark', host: skb.host, before, after: ct.mark, what: 'ctmark' }));
      } else if (e.op === 'save') {
        const ctmask = e.ctmask ?? 0xffffffff;
        const nfmask = e.nfmask ?? 0xffffffff;
        const before = ct.mark;
        ct.mark = ((ct.mark & ~ctmask) ^ (skb.pkt.mark & nfmask)) >>> 0;
        emit(sim, () => ({ type: 'mark', host: skb.host, before, after: ct.mark, what: 'ctmark' }));
      } else {
        const ctmask = e.ctmask ?? 0xffffffff;
        const nfmask = e.nfmask ?? 0xffffffff;
        const before = skb.pkt.mark;
        skb.pkt.mark = ((skb.pkt.mark & ~nfmask) ^ (ct.mark & ctmask)) >>> 0;
        emit(sim, () => ({ type: 'mark', host: skb.host, before, after: skb.pkt.mark, what: 'mark' }));
      }
      return;
    }
    case 'nat':
      return { nat: e.nat };
    case 'reject':
      return { reject: e.with };
    case 'notrack':
    case 'ct':
      // xt_ct_target() / notrack_tg(): "Previously seen (loopback)? Ignore." — a packet that already carries a
      // conntrack (looped back through lo, or an answer given its packet's entry by nf_ct_attach()) keeps it.
      if (skb.ct) {
        emit(sim, () => ({ type: 'note', host: skb.host, text: 'the packet already carries a conntrack entry (looped back, or an answer): CT/NOTRACK leaves it unchanged' }));
        return;
      }
      if (e.kind === 'notrack' || e.notrack) skb.untracked = true;
      if (e.kind === 'notrack') return;
      if (e.zone !== undefined) skb.zone = e.zone;
      if (e.helper) emit(sim, () => ({ type: 'note', host: skb.host, text: `CT helper '${e.helper}' assigned: nfsim does not model helper expectations (RELATED data connections)` }));
      return;
    case 'log':
      emit(sim, () => ({ type: 'note', host: skb.host, text: `logged: ${e.text}` }));
      return;
    case 'trace':
      emit(sim, () => ({ type: 'note', host: skb.host, text: 'TRACE: the kernel would log every rule this packet meets from here on' }));
      return;
    case 'tos':
      skb.pkt.tos = ((skb.pkt.tos & ~e.mask) ^ e.value) & 0xff;
      return;
    case 'ttl':
      skb.pkt.ttl = e.op === 'set' ? e.value : e.op === 'inc' ? Math.min(255, skb.pkt.ttl + e.value) : Math.max(0, skb.pkt.ttl - e.value);
      return;
    case 'noop':
      return;
  }
}

export function applyMark(cur: number, op: 'set' | 'xset' | 'and' | 'or' | 'xor', value: number, mask: number): number {
  switch (op) {
    case 'set':
    case 'xset':
      return ((cur & ~mask) ^ value) >>> 0;
    case 'and':
      return (cur & value) >>> 0;
    case 'or':
      return (cur | value) >>> 0;
    case 'xor':
      return (cur ^ value) >>> 0;
  }
}

function targetText(r: Rule): string {
  const t = r.target!;
  if (t.kind === 'chain') return `${t.goto ? 'goto' : 'jump to'} ${t.name}`;
  return t.name;
}

export function describeRule(r: Rule): string {
  const parts: string[] = [];
  if (r.protocol) parts.push(`${r.protocol.invert ? 'not ' : ''}${r.protocol.value}`);
  if (r.src) parts.push(`from ${r.src.invert ? 'not ' : ''}${r.src.value.addr}/${r.src.value.len}`);
  if (r.dst) parts.push(`to ${r.dst.invert ? 'not ' : ''}${r.dst.value.addr}/${r.dst.value.len}`);
  if (r.inIface) parts.push(`in ${r.inIface.invert ? 'not ' : ''}${r.inIface.value}`);
  if (r.outIface) parts.push(`out ${r.outIface.invert ? 'not ' : ''}${r.outIface.value}`);
  for (const m of r.matches) {
    if (m.unsupported) {
      parts.push(`-m ${m.name} (unsupported)`);
      continue;
    }
    const ext = findMatch(m.name);
    if (ext) parts.push(ext.describe(m.args));
  }
  const t = r.target;
  if (t && t.kind === 'extension' && !t.unsupported) {
    const ext = findTarget(t.name);
    if (ext) parts.push(`→ ${ext.describe(t.args)}`);
  }
  return parts.join(', ') || 'every packet';
}

export function ipText(n: number): string {
  return formatIpv4(n);
}
