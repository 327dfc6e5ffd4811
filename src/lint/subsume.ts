/**
 * Sound rule subsumption: does every packet rule `i` can select also satisfy rule `j`? Used to find rules
 * shadowed by an earlier rule. "Yes" is only answered when it is certain:
 *
 * - `i` is over-approximated by its header-space box (src/space/ruleBox.ts: every packet it selects lies in
 *   the box), plus its connection-state set and its -i/-o selectors;
 * - `j` must be described exactly: each of its conditions is either an exact header-space constraint, a
 *   connection-state set (`-m state`, `-m conntrack --ctstate` alone), `-m multiport --sports/--dports`, a
 *   comment, or a stateless match that `i` carries identically (then `i` implies it). Anything else (rate
 *   limits, `recent`, `statistic`, an unknown match) makes the answer "no claim".
 */
import type { Negatable, Rule } from '../model/iptables.js';
import type { ConntrackArgs } from '../ext/match/conntrack.js';
import type { MultiportArgs } from '../ext/match/multiport.js';
import type { SetArgs } from '../ext/match/set.js';
import type { StateArgs } from '../ext/match/state.js';
import type { CtStateName } from '../ext/ctstate.js';
import { findMatch } from '../ext/registry.js';
import { protocolNumber } from '../engine/chains.js';
import { DIM_RANGE, type Constraint, type Dim } from '../space/box.js';
import * as I from '../space/intervals.js';
import { netSet, ruleSpace } from '../space/ruleBox.js';

/** Matches whose result depends only on the packet, the connection and the host's tables at that instant
 * (no per-rule state): the same match in two rules gives the same answer for the same packet. */
const STATELESS = new Set([
  'addrtype', 'ah', 'comment', 'connmark', 'conntrack', 'dscp', 'ecn', 'esp', 'helper', 'icmp', 'iprange', 'length',
  'mac', 'mark', 'multiport', 'owner', 'physdev', 'pkttype', 'policy', 'realm', 'rpfilter', 'sctp', 'set', 'socket',
  'state', 'string', 'tcp', 'tos', 'ttl', 'u32', 'udp', 'devgroup',
]);

/** `-m set` with --packets-NN or --bytes-NN reads element counters that every matching evaluation updates. */
function stateless(m: { name: string; args: unknown }): boolean {
  if (!STATELESS.has(m.name)) return false;
  if (m.name === 'set') {
    const a = m.args as SetArgs;
    return !a.packetsCmp && !a.bytesCmp;
  }
  return true;
}

// ------------------------------------------------------------------ connection states

/** A conntrack view as the state matches see it: the state, and the SNAT/DNAT pseudo-states. */
const BASE_STATES = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED'] as const;
const CT_POINTS: { state: string; snat: boolean; dnat: boolean }[] = BASE_STATES.flatMap((state) =>
  [false, true].flatMap((snat) => [false, true].map((dnat) => ({ state, snat, dnat }))),
);
const ALL_CT = (1 << CT_POINTS.length) - 1;

/** The set of conntrack views (bit per CT_POINTS entry) a state list selects (xt_conntrack / xt_state). */
export function ctSet(states: readonly CtStateName[], invert: boolean): number {
  let bits = 0;
  CT_POINTS.forEach((p, k) => {
    const hit = states.some((s) => (s === 'SNAT' ? p.snat : s === 'DNAT' ? p.dnat : p.state === s));
    if (hit !== invert) bits |= 1 << k;
  });
  return bits;
}

/** The state condition of a match, when the match is exactly a state condition (else undefined). */
function exactCtCondition(name: string, args: unknown): number | undefined {
  if (name === 'state') {
    const a = args as StateArgs;
    return ctSet(a.states, a.invert);
  }
  if (name === 'conntrack') {
    const a = args as ConntrackArgs;
    const keys = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    if (keys.length === 1 && a.state) return ctSet(a.state.value, a.state.invert);
  }
  return undefined;
}

/** States a rule can select, over-approximated (every state condition it has, intersected). */
function ctOverApprox(r: Rule): number {
  let bits = ALL_CT;
  for (const m of r.matches) {
    if (m.unsupported) continue;
    if (m.name === 'state') bits &= exactCtCondition('state', m.args)!;
    else if (m.name === 'conntrack') {
      const a = m.args as ConntrackArgs;
      if (a.state) bits &= ctSet(a.state.value, a.state.invert);
    }
  }
  return bits;
}

// ------------------------------------------------------------------ interfaces

/** Does the interface condition `inner` imply `outer`? (Name sets: an exact name, or a prefix with `+`.) */
export function ifaceImplies(inner: Negatable<string> | undefined, outer: Negatable<string> | undefined): boolean {
  if (!outer) return true;
  if (outer.value === '+' && !outer.invert) return true; // `-i +` matches every packet, even without a device
  if (!inner) return false;
  const set = (v: string) => (v.endsWith('+') ? { prefix: v.slice(0, -1), wild: true } : { prefix: v, wild: false });
  const a = set(inner.value);
  const b = set(outer.value);
  // inner's names ⊆ outer's names
  const subset = b.wild ? a.prefix.startsWith(b.prefix) : !a.wild && a.prefix === b.prefix;
  // inner's names ∩ outer's names = ∅
  const disjoint = a.wild && b.wild ? !a.prefix.startsWith(b.prefix) && !b.prefix.startsWith(a.prefix) : a.wild ? !b.prefix.startsWith(a.prefix) : b.wild ? !a.prefix.startsWith(b.prefix) : a.prefix !== b.prefix;
  if (!inner.invert && !outer.invert) return subset;
  if (!inner.invert && outer.invert) return disjoint;
  if (inner.invert && outer.invert) {
    // complement(A) ⊆ complement(B)  ⇔  B ⊆ A
    return a.wild ? b.prefix.startsWith(a.prefix) : !b.wild && a.prefix === b.prefix;
  }
  return false; // complement of a name set is never inside a name set
}

// ------------------------------------------------------------------ exact description of j

export interface ExactRule {
  constraint: Constraint;
  ct: number;
}

function sameMatch(a: { name: string; args: unknown }, b: { name: string; args: unknown }): boolean {
  return a.name === b.name && JSON.stringify(a.args) === JSON.stringify(b.args);
}

function sameNet(a: Negatable<unknown> | undefined, b: Negatable<unknown> | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * `j`'s condition as an exact constraint, given that the packets considered already satisfy `i` (so a
 * stateless condition `i` carries identically is dropped). Undefined when `j` has a condition this
 * module cannot state exactly.
 */
export function exactGiven(j: Rule, i: Rule): ExactRule | undefined {
  const c: Record<string, I.IntervalSet> = {};
  const add = (d: Dim, s: I.IntervalSet) => {
    c[d] = c[d] ? I.intersect(c[d], s) : s;
  };
  let ct = ALL_CT;
  if (j.protocol) {
    const n = protocolNumber(j.protocol.value);
    if (n === undefined) return undefined;
    if (n !== 0) add('proto', j.protocol.invert ? I.subtract(I.range(0, 255), I.single(n)) : I.single(n));
    else if (j.protocol.invert) add('proto', I.EMPTY);
  }
  for (const k of ['src', 'dst'] as const) {
    const sel = j[k];
    if (!sel) continue;
    const ns = netSet(sel.value);
    if (!ns.exact) {
      if (sameNet(sel, i[k])) continue;
      return undefined;
    }
    add(k, sel.invert ? I.subtract(I.range(0, 0xffffffff), ns.set) : ns.set);
  }
  if (j.fragment && !sameNet(j.fragment, i.fragment)) return undefined;
  for (const m of j.matches) {
    if (m.unsupported) return undefined;
    if (m.name === 'comment') continue;
    if (stateless(m) && i.matches.some((x) => !x.unsupported && sameMatch(x, m))) continue;
    const cts = exactCtCondition(m.name, m.args);
    if (cts !== undefined) {
      ct &= cts;
      continue;
    }
    if (m.name === 'multiport') {
      // --sports/--dports: exact on the port dimension; the rule's -p (required by multiport) carries ports.
      const a = m.args as MultiportArgs;
      if (a.which === 'ports') return undefined;
      const set = I.fromIntervals(a.ports);
      add(a.which === 'sports' ? 'sport' : 'dport', a.invert ? I.subtract(I.range(0, 65535), set) : set);
      add('proto', I.fromValues([6, 17, 33, 132, 136]));
      continue;
    }
    const ext = findMatch(m.name);
    if (!ext || ext.kind !== 'match' || !ext.space) return undefined;
    const sp = ext.space(m.args);
    if (!sp.exact) return undefined;
    for (const [d, s] of Object.entries(sp.constraint) as [Dim, I.IntervalSet][]) add(d, s);
  }
  return { constraint: c, ct };
}

const aloneCache = new WeakMap<Rule, ExactRule | null>();

/** `j`'s exact condition when it does not depend on the other rule (no condition that only an identical
 * condition of `i` could settle); cached, as a rule is compared with many others. */
function exactAlone(j: Rule): ExactRule | undefined {
  let v = aloneCache.get(j);
  if (v === undefined) {
    const probe: Rule = { ...j, src: undefined, dst: undefined, matches: [], fragment: undefined };
    v = exactGiven(j, probe) ?? null;
    aloneCache.set(j, v);
  }
  return v ?? undefined;
}

/** Per rule, the [min, max] of the source, destination, protocol and destination port conditions: a quick
 * necessary test for containment (a long chain compares every pair of rules). */
const HULL_DIMS: Dim[] = ['src', 'dst', 'proto', 'dport'];

function hullOf(c: Constraint): number[] {
  return HULL_DIMS.flatMap((d) => {
    const s = c[d];
    if (!s) return DIM_RANGE[d];
    return s.length ? [s[0][0], s[s.length - 1][1]] : [1, 0];
  });
}

function hullInside(inner: number[], outer: number[]): boolean {
  for (let k = 0; k < inner.length; k += 2) {
    if (inner[k] > inner[k + 1]) continue; // empty: inside anything
    if (inner[k] < outer[k] || inner[k + 1] > outer[k + 1]) return false;
  }
  return true;
}

/** What a rule's comparisons need, computed once per rule. */
export interface Prepared {
  rule: Rule;
  /** Hull of its over-approximating box (as the covered rule). */
  over: number[];
  /** Its exact condition when self-sufficient, and its hull (as the covering rule). */
  alone?: ExactRule;
  exactHull?: number[];
}

export function prepare(rule: Rule): Prepared {
  const alone = exactAlone(rule);
  return { rule, over: hullOf(ruleSpace(rule).constraint), alone, exactHull: alone && hullOf(alone.constraint) };
}

/** subsumes() over prepared rules, with the quick hull test first. */
export function subsumesPrepared(j: Prepared, i: Prepared, defrag: boolean): boolean {
  if (j.exactHull && !hullInside(i.over, j.exactHull)) return false;
  return subsumes(j.rule, i.rule, defrag);
}

/** Matches that never select a non-first fragment (tcp_mt(), udp_mt(), icmp_match(), multiport_mt(), sctp_mt():
 * `if (par->fragoff != 0) return false`). */
const FIRST_FRAGMENT_ONLY = new Set(['tcp', 'udp', 'udplite', 'icmp', 'multiport', 'sctp', 'dccp']);

/**
 * Is every packet rule `i` selects also selected by rule `j` (same table, same hook)? Sound: true only
 * when certain. `defrag`: connection tracking is active on the host, so nf_defrag_ipv4 reassembles before
 * any table and no rule sees a fragment; without it, a port match in `j` does not cover an `i` that could
 * select later fragments.
 */
export function subsumes(j: Rule, i: Rule, defrag: boolean): boolean {
  if (i.fragment && !i.fragment.invert) return false;
  if (!ifaceImplies(i.inIface, j.inIface) || !ifaceImplies(i.outIface, j.outIface)) return false;
  const ej = exactAlone(j) ?? exactGiven(j, i);
  if (!ej) return false;
  if (!defrag && j.matches.some((m) => FIRST_FRAGMENT_ONLY.has(m.name)) && !i.matches.some((m) => FIRST_FRAGMENT_ONLY.has(m.name))) return false;
  const si = ruleSpace(i).constraint;
  for (const [d, s] of Object.entries(ej.constraint) as [Dim, I.IntervalSet][]) {
    const mine = si[d] ?? I.range(...DIM_RANGE[d]);
    if (!I.isSubset(mine, s)) return false;
  }
  return (ctOverApprox(i) & ~ej.ct) === 0;
}

/** The dimensions on which a rule's own conditions leave no packet (its box is empty), with the culprits. */
export function emptyDims(r: Rule): Dim[] {
  const c = ruleSpace(r).constraint;
  return (Object.keys(c) as Dim[]).filter((d) => c[d]!.length === 0);
}
