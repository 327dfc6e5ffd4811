/** Boxes (src/space/box.ts): subtraction and disjoint() keep the union, over a small universe enumerated point by point. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boxContains, boxEquals, boxIntersect, boxIntersects, boxIsEmpty, boxSubtract, constrain, disjoint, DIMS, universe, type Box } from '../../src/space/box.js';
import * as I from '../../src/space/intervals.js';

/** Boxes over three small dimensions (ingress, proto, src), the other dimensions full. */
const SMALL = 7;
const setArb = fc.array(fc.tuple(fc.integer({ min: 0, max: SMALL }), fc.integer({ min: 0, max: SMALL })), { minLength: 1, maxLength: 3 }).map((l) => I.fromIntervals(l.map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const)));
const full = universe(SMALL + 1);
const boxArb: fc.Arbitrary<Box> = fc.tuple(setArb, setArb, setArb).map(([a, b, c]) => constrain(full, { ingress: a, proto: I.intersect(b, I.range(1, SMALL)).length ? I.intersect(b, I.range(1, SMALL)) : I.single(1), src: c }));

/** Points over the three small dimensions. */
function points(b: Box): string[] {
  const out: string[] = [];
  for (const x of b[0]) for (let i = x[0]; i <= x[1]; i++) for (const y of b[1]) for (let p = y[0]; p <= y[1]; p++) for (const z of b[2]) for (let s = z[0]; s <= z[1]; s++) out.push(`${i},${p},${s}`);
  return out;
}
const inBox = (b: Box, pt: string) => {
  const [i, p, s] = pt.split(',').map(Number);
  return I.contains(b[0], i) && I.contains(b[1], p) && I.contains(b[2], s);
};
const ALL = points(constrain(full, { ingress: I.range(0, SMALL), proto: I.range(1, SMALL), src: I.range(0, SMALL) }));

describe('boxes', () => {
  it('has one dimension per DIMS entry', () => {
    expect(full).toHaveLength(DIMS.length);
    expect(boxIsEmpty(full)).toBe(false);
  });

  it('boxSubtract gives disjoint pieces whose union is a \\ b', () => {
    fc.assert(
      fc.property(boxArb, boxArb, (a, b) => {
        const pieces = boxSubtract(a, b);
        for (let i = 0; i < pieces.length; i++) for (let j = i + 1; j < pieces.length; j++) expect(boxIntersects(pieces[i], pieces[j])).toBe(false);
        for (const pt of ALL) {
          const want = inBox(a, pt) && !inBox(b, pt);
          expect(pieces.filter((p) => inBox(p, pt)).length, pt).toBe(want ? 1 : 0);
        }
        for (const p of pieces) expect(boxContains(a, p)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('disjoint() keeps the union and makes boxes pairwise disjoint', () => {
    fc.assert(
      fc.property(fc.array(boxArb, { maxLength: 5 }), (boxes) => {
        const out = disjoint(boxes);
        for (let i = 0; i < out.length; i++) {
          expect(boxIsEmpty(out[i])).toBe(false);
          for (let j = i + 1; j < out.length; j++) expect(boxIntersects(out[i], out[j])).toBe(false);
        }
        for (const pt of ALL) expect(out.filter((b) => inBox(b, pt)).length, pt).toBe(boxes.some((b) => inBox(b, pt)) ? 1 : 0);
      }),
      { numRuns: 150 },
    );
  });

  it('intersection, containment and equality agree with the points', () => {
    fc.assert(
      fc.property(boxArb, boxArb, (a, b) => {
        const x = boxIntersect(a, b);
        const both = ALL.filter((pt) => inBox(a, pt) && inBox(b, pt));
        expect(boxIntersects(a, b)).toBe(both.length > 0);
        expect(boxIsEmpty(x)).toBe(both.length === 0);
        if (!boxIsEmpty(x)) expect(ALL.filter((pt) => inBox(x, pt))).toEqual(both);
        expect(boxContains(a, b)).toBe(ALL.every((pt) => !inBox(b, pt) || inBox(a, pt)));
        expect(boxEquals(a, b)).toBe(ALL.every((pt) => inBox(a, pt) === inBox(b, pt)));
      }),
      { numRuns: 200 },
    );
  });
});
