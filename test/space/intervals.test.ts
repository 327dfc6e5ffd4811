/** Interval sets (src/space/intervals.ts) against a brute-force model: a set of small integers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as I from '../../src/space/intervals.js';

const MAX = 63;
const intervalsArb = fc.array(fc.tuple(fc.integer({ min: 0, max: MAX }), fc.integer({ min: 0, max: MAX })), { maxLength: 6 });
const setArb = intervalsArb.map((l) => I.fromIntervals(l));

function members(s: I.IntervalSet): number[] {
  const out: number[] = [];
  for (const [a, b] of s) for (let v = a; v <= b; v++) out.push(v);
  return out;
}
const model = (list: readonly (readonly [number, number])[]) => {
  const m = new Set<number>();
  for (const [a, b] of list) for (let v = a; v <= b; v++) m.add(v);
  return [...m].sort((x, y) => x - y);
};
/** sorted, disjoint, not adjacent */
function normal(s: I.IntervalSet): boolean {
  return s.every(([a, b], i) => a <= b && (i === 0 || a > s[i - 1][1] + 1));
}

describe('interval sets', () => {
  it('fromIntervals normalises to the same members', () => {
    fc.assert(
      fc.property(intervalsArb, (l) => {
        const s = I.fromIntervals(l);
        expect(normal(s)).toBe(true);
        expect(members(s)).toEqual(model(l));
      }),
    );
  });

  it('intersect, union, subtract agree with set operations; isSubset, equals, size, contains, min too', () => {
    fc.assert(
      fc.property(setArb, setArb, (a, b) => {
        const ma = new Set(members(a));
        const mb = new Set(members(b));
        const inter = members(I.intersect(a, b));
        const uni = members(I.union(a, b));
        const sub = members(I.subtract(a, b));
        for (const r of [I.intersect(a, b), I.union(a, b), I.subtract(a, b)]) expect(normal(r)).toBe(true);
        expect(inter).toEqual([...ma].filter((v) => mb.has(v)));
        expect(uni).toEqual([...new Set([...ma, ...mb])].sort((x, y) => x - y));
        expect(sub).toEqual([...ma].filter((v) => !mb.has(v)));
        expect(I.isSubset(a, b)).toBe([...ma].every((v) => mb.has(v)));
        expect(I.equals(a, b)).toBe(ma.size === mb.size && [...ma].every((v) => mb.has(v)));
        expect(I.size(a)).toBe(ma.size);
        expect(I.isEmpty(a)).toBe(ma.size === 0);
        expect(I.min(a)).toBe(ma.size ? Math.min(...ma) : undefined);
        for (let v = 0; v <= MAX; v++) expect(I.contains(a, v)).toBe(ma.has(v));
      }),
      { numRuns: 300 },
    );
  });

  it('fromValues, range and single build the sets they name', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: MAX })), fc.integer({ min: 0, max: MAX }), fc.integer({ min: 0, max: MAX }), (vals, lo, hi) => {
        expect(members(I.fromValues(vals))).toEqual([...new Set(vals)].sort((x, y) => x - y));
        expect(members(I.range(lo, hi))).toEqual(model([[lo, hi]]));
        expect(members(I.single(lo))).toEqual([lo]);
      }),
    );
  });

  it('prefix is the block of addresses sharing the first len bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 0xffffffff }), (addr, len, probe) => {
        const s = I.prefix(addr, len);
        expect(s).toHaveLength(1);
        const same = len === 0 || addr >>> (32 - len) === probe >>> (32 - len);
        expect(I.contains(s, probe)).toBe(same);
        expect(I.size(s)).toBe(2 ** (32 - len));
        expect(I.contains(s, addr)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
