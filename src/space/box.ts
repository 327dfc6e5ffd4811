/**
 * The header space nfsim reasons over: the first packet of a flow, described by where it enters (an
 * interface of a host, or a local socket of a host) and its header fields. A Box is one interval set per
 * dimension; a set of packets is a list of boxes.
 */
import * as I from './intervals.js';
import type { IntervalSet } from './intervals.js';

export const DIMS = ['ingress', 'proto', 'src', 'dst', 'sport', 'dport', 'flags', 'icmp', 'ttl', 'length', 'tos'] as const;
export type Dim = (typeof DIMS)[number];
export const DIM_INDEX: Record<Dim, number> = Object.fromEntries(DIMS.map((d, i) => [d, i])) as Record<Dim, number>;

/** Bit masks of dimensions (the engine records which ones a packet's path depended on). */
export const DEP: Record<Dim, number> = Object.fromEntries(DIMS.map((d, i) => [d, 1 << i])) as Record<Dim, number>;
export const DEP_ALL = (1 << DIMS.length) - 1;

/** Universe of each header dimension (ingress is world-dependent and filled in by `universe()`). */
export const DIM_RANGE: Record<Dim, [number, number]> = {
  ingress: [0, 0],
  proto: [1, 255],
  src: [0, 0xffffffff],
  dst: [0, 0xffffffff],
  sport: [0, 65535],
  dport: [0, 65535],
  flags: [0, 255],
  /** ICMP type << 8 | code */
  icmp: [0, 0xffff],
  ttl: [0, 255],
  /** IP total length; 20 is the bare header. */
  length: [20, 65535],
  tos: [0, 255],
};

export type Box = readonly IntervalSet[];

export function universe(ingressCount: number): Box {
  return DIMS.map((d) => (d === 'ingress' ? I.range(0, ingressCount - 1) : I.range(...DIM_RANGE[d])));
}

/** A partial constraint: only the dimensions it names are restricted. */
export type Constraint = Partial<Record<Dim, IntervalSet>>;

export function constrain(b: Box, c: Constraint): Box {
  return b.map((s, i) => {
    const x = c[DIMS[i]];
    return x ? I.intersect(s, x) : s;
  });
}

export function boxIsEmpty(b: Box): boolean {
  return b.some((s) => s.length === 0);
}

export function boxIntersect(a: Box, b: Box): Box {
  return a.map((s, i) => I.intersect(s, b[i]));
}

export function boxIntersects(a: Box, b: Box): boolean {
  return a.every((s, i) => I.intersect(s, b[i]).length > 0);
}

export function boxContains(outer: Box, inner: Box): boolean {
  return inner.every((s, i) => I.isSubset(s, outer[i]));
}

export function boxEquals(a: Box, b: Box): boolean {
  return a.every((s, i) => I.equals(s, b[i]));
}

/** a \ b as disjoint boxes (at most one per dimension). */
export function boxSubtract(a: Box, b: Box): Box[] {
  if (!boxIntersects(a, b)) return [a];
  const out: Box[] = [];
  const cur = a.slice();
  for (let i = 0; i < a.length; i++) {
    const outside = I.subtract(cur[i], b[i]);
    if (outside.length) {
      const piece = cur.slice();
      piece[i] = outside;
      out.push(piece);
    }
    cur[i] = I.intersect(cur[i], b[i]);
  }
  return out;
}

/** Make a list of boxes pairwise disjoint (same union). */
export function disjoint(boxes: readonly Box[]): Box[] {
  const out: Box[] = [];
  for (const b of boxes) {
    let pieces: Box[] = [b];
    for (const o of out) pieces = pieces.flatMap((p) => boxSubtract(p, o));
    out.push(...pieces.filter((p) => !boxIsEmpty(p)));
  }
  return out;
}
