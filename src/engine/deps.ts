/**
 * What a packet's path depended on, for `nfsim diff` / `nfsim check` (src/space/classes.ts), which split the
 * header space into classes of packets the worlds treat alike. Recording is off (`sim.deps` undefined) for
 * ordinary traces.
 *
 * Two kinds of record, both about the FIRST packet's header (src/space/box.ts dimensions):
 * - a test `field ∈ SET` and its answer (depTest): packets on the same side of every test take the same
 *   path. Only recorded as such while the field still holds the first packet's value (no NAT rewrote it,
 *   not an answer); otherwise it falls back to:
 * - "depends on the field" (dep): packets whose value lies in the same atom (src/space/atoms.ts) of that
 *   dimension behave alike.
 * Fields of a packet generated in answer (ICMP error, RST, echo reply, SYN/ACK) come from the first packet
 * with source and destination swapped, so they count on both address (and both port) dimensions.
 */
import type { Packet } from '../model/packet.js';
import { DEP, DIM_RANGE, DIMS } from '../space/box.js';
import * as I from '../space/intervals.js';
import type { IntervalSet } from '../space/intervals.js';
import type { Route } from '../model/host.js';
import type { FibResult } from './fib.js';
import type { HostIndex } from './hostIndex.js';
import type { Sim, Skb } from './sim.js';

export { DEP };

export interface DepRecorder {
  /** Dimensions the path depends on at atom granularity. */
  mask: number;
  /** The first packet's value per dimension (enables set constraints). */
  initial?: readonly number[];
  /** Per dimension: the set the first packet's value must stay in for the path to stay the same
   * (finishDeps() computes it from `pending`). */
  sets?: (IntervalSet | undefined)[];
  /** Per dimension: the sets the value was found in, and not in. */
  pending?: { pos: IntervalSet[]; neg: IntervalSet[] }[];
}

const ADDRS = DEP.src | DEP.dst;
/** src ↔ dst, sport ↔ dport; -1 for dimensions an answer does not take from the first packet. */
const MIRROR: number[] = DIMS.map((d) => (d === 'src' ? DIMS.indexOf('dst') : d === 'dst' ? DIMS.indexOf('src') : d === 'sport' ? DIMS.indexOf('dport') : d === 'dport' ? DIMS.indexOf('sport') : -1));
const PORTS = DEP.sport | DEP.dport;

function mirrored(skb: Skb, mask: number): number {
  if (skb.depth > 0) {
    if (mask & ADDRS) mask |= ADDRS;
    if (mask & PORTS) mask |= PORTS;
  }
  return mask;
}

export function dep(sim: Sim, skb: Skb, mask: number): void {
  const d = sim.deps;
  if (d) d.mask |= mirrored(skb, mask & ~(skb.constDims ?? 0));
}

/** The packet's value on dimension `dim` (index into DIMS; ingress has no packet field). */
export function fieldValue(p: Packet, dim: number): number {
  switch (DIMS[dim]) {
    case 'proto':
      return p.proto;
    case 'src':
      return p.src;
    case 'dst':
      return p.dst;
    case 'sport':
      return p.sport ?? 0;
    case 'dport':
      return p.dport ?? 0;
    case 'flags':
      return p.tcpFlags ?? 0;
    case 'icmp':
      return p.icmp ? (p.icmp.type << 8) | p.icmp.code : 0;
    case 'ttl':
      return p.ttl;
    case 'length':
      return p.length;
    case 'tos':
      return p.tos;
    default:
      return -1;
  }
}

/** Record that the path depends on the atom of the packet's `dim` field (for an answer: of the first
 * packet's field it was taken from, when the value says so unambiguously). */
export function depField(sim: Sim, skb: Skb, dim: number): void {
  const d = sim.deps;
  if (!d || ((skb.constDims ?? 0) >> dim) & 1) return;
  if (skb.depth > 0 && d.initial) {
    const m = MIRROR[dim];
    const v = fieldValue(skb.pkt, dim);
    if (m >= 0 && d.initial[m] === v && d.initial[dim] !== d.initial[m]) {
      d.mask |= 1 << m;
      return;
    }
  }
  d.mask |= mirrored(skb, 1 << dim);
}

/** Record that the path asked whether the packet's `dim` field lies in `set`; returns the answer. */
export function depTest(sim: Sim, skb: Skb, dim: number, set: IntervalSet): boolean {
  const v = fieldValue(skb.pkt, dim);
  const holds = I.contains(set, v);
  const d = sim.deps;
  // A field NAT set to one fixed address has that value for every packet of the class.
  if (!d || ((skb.constDims ?? 0) >> dim) & 1) return holds;
  let target = -1;
  if (d.initial && d.sets) {
    if (skb.depth === 0) {
      if (d.initial[dim] === v) target = dim;
    } else {
      // An answer's destination is the first packet's source (and so on): when the value says so
      // unambiguously, the test is about that field of the first packet.
      const m = MIRROR[dim];
      if (m >= 0 && d.initial[m] === v && d.initial[dim] !== d.initial[m]) target = m;
    }
  }
  if (target >= 0) {
    // Collected and combined once at the end (finishDeps): a long chain asks thousands of questions.
    const p = ((d.pending ??= [])[target] ??= { pos: [], neg: [] });
    (holds ? p.pos : p.neg).push(set);
  } else d.mask |= mirrored(skb, 1 << dim);
  return holds;
}

/** The fields a FIB lookup on this host can depend on: the destination always; the source, TOS, protocol
 * and ports only when a policy rule or route selects on them. */
export function fibDeps(h: HostIndex): number {
  const cached = fibDepsCache.get(h);
  if (cached !== undefined) return cached;
  let m = DEP.dst | DEP.ingress;
  if (h.rules.some((r) => r.from && r.from.len > 0)) m |= DEP.src;
  if (h.rules.some((r) => r.tos !== undefined) || [...h.tables.values()].some((rs) => rs.some((r) => r.tos !== undefined))) m |= DEP.tos;
  if (h.rules.some((r) => r.ipproto !== undefined)) m |= DEP.proto;
  if (h.rules.some((r) => r.sport || r.dport)) m |= DEP.sport | DEP.dport;
  fibDepsCache.set(h, m);
  return m;
}
const fibDepsCache = new WeakMap<HostIndex, number>();

/** The host's own addresses as a set (for "is the source one of ours"). */
export function localAddrSet(h: HostIndex): IntervalSet {
  let s = localSetCache.get(h);
  if (!s) {
    s = I.fromValues(h.localAddrs);
    localSetCache.set(h, s);
  }
  return s;
}
const localSetCache = new WeakMap<HostIndex, IntervalSet>();

/**
 * The destinations for which a lookup on this host gives the same result as `res` (the same route of the
 * same table, or no route at all), when the host has only the default policy rules and no TOS routes:
 * the route's prefix without the more specific prefixes of its table and without every prefix of the
 * tables consulted before it (local, main, default). Undefined when that cannot be said simply: then
 * the lookup counts as depending on the destination's atom.
 */
export function fibDstSet(h: HostIndex, res: FibResult): IntervalSet | undefined {
  if (h.customRules) return undefined;
  let byTable = fibSetCache.get(h);
  if (!byTable) {
    byTable = new Map();
    fibSetCache.set(h, byTable);
  }
  const key = res.ok || res.route ? res.route! : null;
  const hit = byTable.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const order = ['local', 'main', 'default'];
  const live = (t: string) => (h.tables.get(t) ?? []).filter((r) => r.family === 4 && !r.flags.includes('dead'));
  if (order.some((t) => live(t).some((r) => r.tos || r.dst.len < 0 || r.type === 'throw'))) {
    byTable.set(key, null);
    return undefined;
  }
  const net = (r: Route) => I.prefix(r.dst.v4 ?? 0, r.dst.len);
  let out: IntervalSet | undefined;
  if (!key) {
    let covered: IntervalSet = I.EMPTY;
    for (const t of order) for (const r of live(t)) covered = I.union(covered, net(r));
    out = I.subtract(I.range(0, 0xffffffff), covered);
  } else {
    const table = res.ok ? res.table : res.table;
    const at = table === undefined ? -1 : order.indexOf(table);
    if (at < 0) {
      byTable.set(key, null);
      return undefined;
    }
    let s = net(key);
    for (const r of live(order[at])) if (r.dst.len > key.dst.len) s = I.subtract(s, net(r));
    for (const t of order.slice(0, at)) for (const r of live(t)) s = I.subtract(s, net(r));
    out = s;
  }
  byTable.set(key, out ?? null);
  return out;
}
const fibSetCache = new WeakMap<HostIndex, Map<Route | null, IntervalSet | null>>();

interface Tuple5 {
  src: number;
  dst: number;
  proto: number;
  sport: number;
  dport: number;
}

const TUPLE_FIELDS: [number, keyof Tuple5][] = [
  [DIMS.indexOf('proto'), 'proto'],
  [DIMS.indexOf('dport'), 'dport'],
  [DIMS.indexOf('sport'), 'sport'],
  [DIMS.indexOf('dst'), 'dst'],
  [DIMS.indexOf('src'), 'src'],
];

/** Record a comparison of the packet's 5-tuple with `tuples` (entries of a conntrack dump): on a match,
 * every field equals that entry's; on a miss, one field whose value no entry has is enough. */
export function depTupleIn(sim: Sim, skb: Skb, tuples: readonly Tuple5[]): void {
  if (!sim.deps || tuples.length === 0) return;
  const p = skb.pkt;
  const protos = I.fromValues(tuples.map((t) => t.proto));
  if (!I.contains(protos, p.proto)) {
    depTest(sim, skb, DIMS.indexOf('proto'), protos);
    return;
  }
  if (p.proto === 1) {
    // ICMP tuples hold the echo id and type: no field of the header space alone decides
    dep(sim, skb, DEP.src | DEP.dst | DEP.icmp);
    return;
  }
  const v = (k: keyof Tuple5) => (k === 'sport' ? (p.sport ?? 0) : k === 'dport' ? (p.dport ?? 0) : p[k]);
  const hit = tuples.find((t) => TUPLE_FIELDS.every(([, k]) => t[k] === v(k)));
  if (hit) {
    for (const [d, k] of TUPLE_FIELDS) depTest(sim, skb, d, I.single(hit[k]));
    return;
  }
  for (const [d, k] of TUPLE_FIELDS) {
    const vals = I.fromValues(tuples.map((t) => t[k]));
    if (!I.contains(vals, v(k))) {
      depTest(sim, skb, d, vals);
      return;
    }
  }
  dep(sim, skb, DEP.src | DEP.dst | DEP.sport | DEP.dport | DEP.proto);
}

const flagSet = (pred: (v: number) => boolean) => I.fromValues([...Array(256).keys()].filter(pred));
export const D_FLAGS = DIMS.indexOf('flags');
/** SYN without ACK, RST, FIN (tcp_new() starts a connection). */
export const FLAGS_SYN_ONLY = flagSet((v) => (v & 0x17) === 0x02);
/** ACK without SYN, RST, FIN (a mid-stream pickup with tcp_loose). */
export const FLAGS_ACK_ONLY = flagSet((v) => (v & 0x17) === 0x10);
/** SYN without ACK (a listener answers it). */
export const FLAGS_SYN_NOACK = flagSet((v) => (v & 0x12) === 0x02);
export const FLAGS_RST = flagSet((v) => (v & 0x04) !== 0);
export const FLAGS_ACK = flagSet((v) => (v & 0x10) !== 0);

/** Combine the recorded tests: per dimension, inside every set found to hold and outside every other. */
export function finishDeps(d: DepRecorder): (IntervalSet | undefined)[] {
  const out: (IntervalSet | undefined)[] = [];
  (d.pending ?? []).forEach((p, dim) => {
    if (!p) return;
    const [lo, hi] = DIM_RANGE[DIMS[dim]];
    let s: IntervalSet = I.range(lo, hi);
    for (const x of p.pos) s = I.intersect(s, x);
    if (p.neg.length) s = I.subtract(s, I.fromIntervals(p.neg.flat()));
    out[dim] = s;
  });
  d.sets = out;
  return out;
}
