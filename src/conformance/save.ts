/**
 * A case kept as a regression (test/conformance/cases/NAME/): the world directory, the packets file and the
 * kernel's recorded answer per packet (kernel.json), replayed by test/conformance/cases.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stableStringify } from '../report/traceJson.js';
import type { CaseCheck } from './check.js';
import type { KernelAnswer } from './compare.js';
import { writeCase } from './render.js';

export interface SavedKernelRecord {
  format: 'nfsim-conformance-case';
  kernel: string;
  seed: number;
  index: number;
  /** One entry per packet of the packets file (null: the lab could not send it). */
  queries: (KernelAnswer | null)[];
}

export function saveCase(dest: string, c: CaseCheck, kernel: string): void {
  writeCase(dest, c.case);
  const rec: SavedKernelRecord = { format: 'nfsim-conformance-case', kernel, seed: c.case.seed, index: c.case.index, queries: c.kernel.map((k) => k ?? null) };
  writeFileSync(join(dest, 'kernel.json'), stableStringify(rec) + '\n');
}
