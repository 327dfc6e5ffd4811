/** nfsim benchmarks: a plain list of bench functions, each printing its own table. */
import { benchParse, formatParseBench } from './parse.js';
import { benchEngine, formatEngineBench } from './engine.js';
import { benchDiff, formatDiffBench } from './diff.js';

export interface Bench {
  name: string;
  run(): string;
}

export const benches: Bench[] = [
  { name: 'parse', run: () => formatParseBench(benchParse()) },
  { name: 'engine', run: () => formatEngineBench(benchEngine()) },
  { name: 'established', run: () => formatEngineBench(benchEngine([1_000], 200_000)) },
  { name: 'diff', run: () => formatDiffBench(benchDiff()) },
];

const only = process.argv[2];
for (const b of benches) {
  if (only && b.name !== only) continue;
  console.log(b.run());
}
