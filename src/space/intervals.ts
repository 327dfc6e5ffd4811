/**
 * Sets of integers as sorted, disjoint, non-adjacent closed intervals: the per-dimension building block of
 * the header space (addresses are uint32, ports 0..65535, flags 0..255 ...). Values are plain arrays so
 * they can live in the immutable model and in JSON.
 */
export type Interval = readonly [number, number];
export type IntervalSet = readonly Interval[];

export const EMPTY: IntervalSet = [];

export function range(lo: number, hi: number): IntervalSet {
  return lo <= hi ? [[lo, hi]] : EMPTY;
}

export function single(v: number): IntervalSet {
  return [[v, v]];
}

/** Normalise any list of intervals (unsorted, overlapping) into a set. */
export function fromIntervals(list: readonly Interval[]): IntervalSet {
  const s = list.filter(([a, b]) => a <= b).slice().sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export function fromValues(values: Iterable<number>): IntervalSet {
  return fromIntervals([...values].map((v) => [v, v] as const));
}

export function isEmpty(s: IntervalSet): boolean {
  return s.length === 0;
}

export function contains(s: IntervalSet, v: number): boolean {
  let lo = 0;
  let hi = s.length - 1;
  while (lo <= hi) {
    const m = (lo + hi) >> 1;
    if (v < s[m][0]) hi = m - 1;
    else if (v > s[m][1]) lo = m + 1;
    else return true;
  }
  return false;
}

export function intersect(a: IntervalSet, b: IntervalSet): IntervalSet {
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i][0], b[j][0]);
    const hi = Math.min(a[i][1], b[j][1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return out;
}

export function union(a: IntervalSet, b: IntervalSet): IntervalSet {
  return fromIntervals([...a, ...b]);
}

/** a \ b */
export function subtract(a: IntervalSet, b: IntervalSet): IntervalSet {
  const out: [number, number][] = [];
  let j = 0;
  for (const [lo0, hi] of a) {
    let lo = lo0;
    while (j < b.length && b[j][1] < lo) j++;
    let k = j;
    while (k < b.length && b[k][0] <= hi) {
      if (b[k][0] > lo) out.push([lo, b[k][0] - 1]);
      lo = Math.max(lo, b[k][1] + 1);
      if (b[k][1] >= hi) break;
      k++;
    }
    if (lo <= hi) out.push([lo, hi]);
  }
  return out;
}

export function isSubset(a: IntervalSet, b: IntervalSet): boolean {
  return subtract(a, b).length === 0;
}

export function equals(a: IntervalSet, b: IntervalSet): boolean {
  return a.length === b.length && a.every((x, i) => x[0] === b[i][0] && x[1] === b[i][1]);
}

export function size(s: IntervalSet): number {
  let n = 0;
  for (const [a, b] of s) n += b - a + 1;
  return n;
}

export function min(s: IntervalSet): number | undefined {
  return s.length ? s[0][0] : undefined;
}

/** An IPv4 prefix as an interval. */
export function prefix(addr: number, len: number): IntervalSet {
  if (len <= 0) return [[0, 0xffffffff]];
  const mask = len >= 32 ? 0xffffffff : (0xffffffff << (32 - len)) >>> 0;
  const lo = (addr & mask) >>> 0;
  return [[lo, (lo | (~mask >>> 0)) >>> 0]];
}
