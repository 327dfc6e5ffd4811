/**
 * Checking generated cases against the kernel: write each case as a world directory, simulate it, run the
 * batch on the kernel, compare packet by packet.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runQueries } from '../engine/run.js';
import { loadWorld } from '../parse/world.js';
import { parseQueries } from '../parse/queries.js';
import type { ConformanceCase } from './caseModel.js';
import { runBatch, type BatchResult } from './batchLab.js';
import { compareQuery, type KernelAnswer, type QueryVerdict } from './compare.js';
import { writeCase } from './render.js';

export interface CaseCheck {
  case: ConformanceCase;
  dir: string;
  /** The kernel refused the world (a generator error). */
  refused?: string;
  /** Per packet, in order. */
  verdicts: { packet: string; verdict: QueryVerdict }[];
  /** The kernel's record per packet (aligned with the packets; undefined where not sent). */
  kernel: (KernelAnswer | undefined)[];
  counters?: Record<string, string>;
  conntrack?: Record<string, string>;
}

export function disagrees(c: CaseCheck): boolean {
  return !!c.refused || c.verdicts.some((v) => v.verdict.status === 'differ');
}

/** Compare a world's simulation with kernel answers (aligned with the queries). */
export function compareWorld(worldDir: string, packetsFile: string, kernel: (KernelAnswer | undefined)[]): { packet: string; verdict: QueryVerdict }[] {
  const world = loadWorld(worldDir);
  const queries = parseQueries(readFileSync(packetsFile, 'utf8'), packetsFile);
  const { results } = runQueries(world, queries, undefined, { closeSenders: true });
  const out: { packet: string; verdict: QueryVerdict }[] = [];
  let unsupported: string | undefined;
  results.forEach((r, i) => {
    // After an unsupported packet the simulated state is no longer the kernel's: the rest is not compared.
    if (unsupported) {
      out.push({ packet: r.query.spec.text, verdict: { status: 'unsupported', why: `after an unsupported packet (${unsupported})` } });
      return;
    }
    const v = compareQuery(r, kernel[i]);
    if (v.status === 'unsupported') unsupported = v.why;
    out.push({ packet: r.query.spec.text, verdict: v });
  });
  return out;
}

export async function checkCases(cases: ConformanceCase[], root: string, prefix: string, opts: { counters?: boolean } = {}): Promise<{ checks: CaseCheck[]; batch: BatchResult }> {
  const written = cases.map((c, k) => {
    const dir = join(root, `case-${c.index}-${k}`);
    const files = writeCase(dir, c);
    const world = loadWorld(files.world);
    const queries = parseQueries(readFileSync(files.packets, 'utf8'), files.packets);
    return { c, dir, files, world, queries };
  });
  const batch = await runBatch(
    written.map((w, k) => ({ id: String(k), world: w.world, queries: w.queries })),
    { prefix, counters: opts.counters },
  );
  const checks = written.map((w, k): CaseCheck => {
    const r = batch.worlds.find((x) => x.id === String(k))!;
    if (r.error) return { case: w.c, dir: w.dir, refused: r.error, verdicts: [], kernel: [] };
    const kernel: (KernelAnswer | undefined)[] = w.queries.map(() => undefined);
    r.sentIndex.forEach((qi, j) => (kernel[qi] = r.queries![j]));
    const verdicts = compareWorld(w.files.world, w.files.packets, kernel);
    r.notSent.forEach((n) => (verdicts[n.index] = { packet: verdicts[n.index].packet, verdict: { status: 'unsupported', why: `not sent: ${n.why}` } }));
    return { case: w.c, dir: w.dir, verdicts, kernel, counters: r.counters, conntrack: r.conntrack };
  });
  return { checks, batch };
}
