/**
 * `nfsim diff`: every class of first packets whose fate differs between two worlds. The worlds' deltas
 * (delta.ts) give the region that can be affected (region.ts); the region is split into classes on which
 * both worlds behave uniformly (src/space/classes.ts); each class is compared by its representative.
 * Differing classes with the same pair of fates are merged where they differ in one dimension only.
 */
import type { World } from '../model/host.js';
import { formatIpv4 } from '../model/addr.js';
import { InputError } from '../model/source.js';
import { simulate, initialState } from '../engine/simulate.js';
import type { Outcome } from '../engine/types.js';
import { buildAtoms } from '../space/atoms.js';
import { DIMS, disjoint, type Box } from '../space/box.js';
import { exploreClasses, ingressPoints, ingressUniverse, type IngressPoint, type PacketClass } from '../space/classes.js';
import * as I from '../space/intervals.js';
import { worldDelta, type Delta } from './delta.js';
import { describeBox } from './describe.js';
import { changeRegion } from './region.js';
import { outcomesSig } from './signature.js';

export interface DiffOptions {
  /** Examine the whole header space, not only the region the differences can affect. */
  full?: boolean;
  /** Give up after this many classes (the result says so). */
  maxClasses?: number;
  /** Attach full traces of each differing class's example (default true). */
  traces?: boolean;
  /** Only packets entering at these points (`arrive HOST:IF`, `local HOST`); default all. */
  from?: string[];
}

export interface DiffSide {
  absent?: string;
  outcomes: Outcome[];
}

export interface DiffClass {
  description: string;
  box: Box;
  /** A packet of the class, as a spec for `nfsim trace`. */
  example: string;
  sides: [DiffSide, DiffSide];
  /** Number of classes merged into this one. */
  merged: number;
}

export interface DiffResult {
  deltas: Delta[];
  points: IngressPoint[];
  region: { everything: boolean; boxes: number; notes: string[] };
  examined: number;
  runs: number;
  truncated: boolean;
  differing: DiffClass[];
}

export function diffWorlds(a: World, b: World, opts: DiffOptions = {}): DiffResult {
  const deltas = worldDelta(a, b);
  const worlds = [a, b];
  const points = ingressPoints(worlds);
  if (opts.from) {
    const bad = opts.from.filter((f) => !points.some((p) => p.label === f));
    if (bad.length) throw new InputError([{ severity: 'error', loc: { file: '(--from)', line: 1, col: 1 }, text: bad[0], message: `no ingress point '${bad[0]}'`, hint: `ingress points: ${points.map((p) => p.label).join(', ')}` }]);
  }
  const universe = ingressUniverse(worlds, points).filter((_, k) => !opts.from || opts.from.includes(points[k].label));
  const region = opts.full ? { boxes: universe, notes: ['--full: every packet class is examined'], everything: true } : changeRegion(worlds, deltas, points, universe);
  const boxes = deltas.length === 0 && !opts.full ? [] : disjoint(region.boxes);
  const atoms = buildAtoms(worlds);
  const ex = exploreClasses(worlds, points, boxes, atoms, { maxClasses: opts.maxClasses });
  const groups = new Map<string, PacketClass[]>();
  for (const c of ex.classes) {
    const sa = outcomesSig(c.runs[0].outcomes, c.runs[0].absent);
    const sb = outcomesSig(c.runs[1].outcomes, c.runs[1].absent);
    if (sa === sb) continue;
    const k = canonical(`${sa}\u0000${sb}`, c);
    const g = groups.get(k);
    if (g) g.push(c);
    else groups.set(k, [c]);
  }
  const differing: DiffClass[] = [];
  for (const g of groups.values()) {
    for (const m of mergeBoxes(g.map((c) => ({ box: c.box, cls: c, n: 1 })))) {
      const c = m.cls;
      const sides = [0, 1].map((i): DiffSide => {
        const run = c.runs[i];
        if (run.absent) return { absent: run.absent, outcomes: [] };
        if (opts.traces === false) return { outcomes: run.outcomes };
        const w = worlds[i];
        return { outcomes: simulate(w, initialState(w), c.spec, { closeSenders: true }).outcomes };
      }) as [DiffSide, DiffSide];
      differing.push({ description: describeBox(m.box, points), box: m.box, example: c.spec.text, sides, merged: m.n });
    }
  }
  // The common protocols first, then by where the packets enter.
  const rank = (p: number) => (p === 6 ? 0 : p === 17 ? 1 : p === 1 ? 2 : 3);
  differing.sort((x, y) => rank(x.box[1][0][0]) - rank(y.box[1][0][0]) || x.box[0][0][0] - y.box[0][0][0]);
  return {
    deltas,
    points,
    region: { everything: region.everything, boxes: boxes.length, notes: region.notes },
    examined: ex.classes.length,
    runs: ex.runs,
    truncated: ex.truncated,
    differing,
  };
}

interface Mergeable {
  box: Box;
  cls: PacketClass;
  n: number;
}

/** Merge boxes that differ in exactly one dimension, dimension by dimension, until none do. */
function mergeBoxes(list: Mergeable[]): Mergeable[] {
  let items = list.slice();
  let changed = true;
  while (changed && items.length > 1) {
    changed = false;
    for (let d = 0; d < DIMS.length; d++) {
      const buckets = new Map<string, Mergeable>();
      const next: Mergeable[] = [];
      for (const it of items) {
        const key = JSON.stringify(it.box.map((s, k) => (k === d ? null : s)));
        const prev = buckets.get(key);
        if (!prev) {
          const copy = { ...it };
          buckets.set(key, copy);
          next.push(copy);
          continue;
        }
        const box = prev.box.slice();
        box[d] = I.union(prev.box[d], it.box[d]);
        prev.box = box;
        prev.n += it.n;
        changed = true;
      }
      items = next;
    }
  }
  return items;
}

/** A signature with the representative's own addresses and ports as placeholders, so classes that differ
 * only in them (and fare alike) are merged. */
function canonical(sig: string, c: PacketClass): string {
  const p = c.spec.packet;
  let out = sig;
  const subst: [string, string][] = [[formatIpv4(p.src), '<src>'], [formatIpv4(p.dst), '<dst>']];
  for (const [a, b] of subst) out = out.split(a).join(b);
  if (p.sport !== undefined) out = out.split(`:${p.sport}`).join(':<sport>');
  if (p.dport !== undefined) out = out.split(`:${p.dport}`).join(':<dport>');
  return out;
}
