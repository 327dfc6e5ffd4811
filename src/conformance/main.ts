#!/usr/bin/env node
/**
 * npm run conformance -- --cases N --seed S [--start I] [--batch B] [--shrink] [--save-dir DIR]
 *
 * Differential fuzzing: N generated cases (seed S, indices I..I+N-1) are simulated and replayed on this
 * kernel in batches of B worlds; one line per case, a summary, exit 1 on any disagreement (or on a world the
 * kernel refused to build). A disagreeing case is kept under DIR (default $TMPDIR/nfsim-conformance-failures/) as a world
 * directory + packets file + the kernel's record, shrunk first with --shrink.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateCase } from './generate.js';
import { checkCases, disagrees, type CaseCheck } from './check.js';
import { runningLab } from './batchLab.js';
import { shrinkCase } from './shrink.js';
import { saveCase, type SavedKernelRecord } from './save.js';
import { runBatch as runBatchLab } from './batchLab.js';
import { compareWorld } from './check.js';
import type { KernelAnswer } from './compare.js';
import { loadWorld } from '../parse/world.js';
import { parseQueries } from '../parse/queries.js';
import { stableStringify } from '../report/traceJson.js';

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

function usage(msg: string): never {
  process.stderr.write(`conformance: ${msg}\nusage: npm run conformance -- --cases N --seed S [--start I] [--batch B] [--shrink] [--save-dir DIR]\n`);
  process.exit(2);
}

function describeCheck(c: CaseCheck): string {
  const head = `case ${c.case.index}`;
  if (c.refused) return `${head}: KERNEL REFUSED the world: ${c.refused.split('\n').slice(-2).join(' | ')}`;
  const diff = c.verdicts.map((v, i) => ({ v, i })).filter((x) => x.v.verdict.status === 'differ');
  const uns = c.verdicts.filter((v) => v.verdict.status === 'unsupported').length;
  const n = c.verdicts.length;
  if (!diff.length) return `${head}: agree (${n - uns}/${n} packets${uns ? `, ${uns} unsupported` : ''})`;
  return `${head}: DISAGREE\n${diff.map((x) => `    #${x.i + 1} ${x.v.packet}\n       ${(x.v.verdict as { difference: string }).difference}`).join('\n')}`;
}

/** `--record DIR`: replay a saved case on this kernel and write its kernel.json again. */
async function record(dir: string): Promise<number> {
  const old = JSON.parse(readFileSync(join(dir, 'kernel.json'), 'utf8')) as SavedKernelRecord;
  const world = loadWorld(join(dir, 'world'));
  const queries = parseQueries(readFileSync(join(dir, 'packets'), 'utf8'), join(dir, 'packets'));
  const res = await runBatchLab([{ id: 'case', world, queries }], { prefix: `nfc${process.pid % 100000}r` });
  const w = res.worlds[0];
  if (w.error) {
    process.stderr.write(`conformance: the kernel refused the world: ${w.error}\n`);
    return 1;
  }
  const qs: (KernelAnswer | null)[] = queries.map(() => null);
  w.sentIndex.forEach((qi, j) => (qs[qi] = w.queries![j]));
  const rec: SavedKernelRecord = { ...old, kernel: res.kernel, queries: qs };
  writeFileSync(join(dir, 'kernel.json'), stableStringify(rec) + '\n');
  const verdicts = compareWorld(join(dir, 'world'), join(dir, 'packets'), qs.map((q) => q ?? undefined));
  for (const v of verdicts) process.stdout.write(`${v.verdict.status === 'differ' ? `DISAGREE ${v.packet}: ${v.verdict.difference}` : `${v.verdict.status}: ${v.packet}`}\n`);
  process.stdout.write(`recorded ${join(dir, 'kernel.json')} (Linux ${res.kernel})\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const rec = arg(argv, 'record');
  if (rec) return record(resolve(rec));
  const cases = Number(arg(argv, 'cases') ?? '20');
  const seedText = arg(argv, 'seed');
  const seed = seedText === undefined ? Number(BigInt.asUintN(31, BigInt(Date.now()))) : Number(seedText);
  const start = Number(arg(argv, 'start') ?? '0');
  const batchSize = Number(arg(argv, 'batch') ?? '25');
  const saveDir = resolve(arg(argv, 'save-dir') ?? join(tmpdir(), 'nfsim-conformance-failures'));
  if (!Number.isInteger(cases) || cases < 1) usage('--cases must be a positive integer');
  if (!Number.isInteger(seed)) usage('--seed must be an integer');
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 200) usage('--batch must be 1..200');
  if (process.getuid?.() !== 0) {
    process.stderr.write('conformance: needs root (it builds worlds in network namespaces and sends packets on this kernel)\n');
    return 2;
  }
  for (const tool of ['ip', 'iptables-restore', 'python3']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      process.stderr.write(`conformance: needs ${tool} (Debian: apt-get install iproute2 iptables python3)\n`);
      return 2;
    }
  }
  process.stdout.write(`conformance: seed ${seed}, cases ${start}..${start + cases - 1}, batches of ${batchSize}\n`);
  const root = mkdtempSync(join(tmpdir(), 'nfsim-conformance-'));
  const t0 = Date.now();
  let agree = 0;
  let differ = 0;
  let refused = 0;
  let packets = 0;
  let unsupported = 0;
  let rechecked = 0;
  let kernel = '';
  const failed: CaseCheck[] = [];
  try {
    for (let b = start; b < start + cases; b += batchSize) {
      const n = Math.min(batchSize, start + cases - b);
      const batch = Array.from({ length: n }, (_, k) => generateCase(seed, b + k));
      const { checks, batch: res } = await checkCases(batch, join(root, `b${b}`), `nfc${process.pid % 100000}b${b}`);
      kernel = res.kernel;
      // A disagreement is checked again with the case alone on the kernel (fresh namespaces): the engine is
      // deterministic and so is the kernel's answer to a world, but the lab's attribution of trace events to
      // probes is by time and can be misled by a loaded machine. What still differs alone is reported.
      for (let k = 0; k < checks.length; k++) {
        if (!disagrees(checks[k]) || checks[k].refused) continue;
        const [again] = (await checkCases([checks[k].case], join(root, `b${b}-again${k}`), `nfc${process.pid % 100000}a${b + k}`)).checks;
        if (!disagrees(again)) process.stdout.write(`case ${checks[k].case.index}: differed in the batch, agrees alone (${describeCheck(checks[k]).split('\n').slice(1, 3).join(' ').replace(/\s+/g, ' ').trim()})\n`);
        checks[k] = again;
        rechecked++;
      }
      for (const c of checks) {
        process.stdout.write(describeCheck(c) + '\n');
        if (c.refused) refused++;
        else if (disagrees(c)) differ++;
        else agree++;
        packets += c.verdicts.length;
        unsupported += c.verdicts.filter((v) => v.verdict.status === 'unsupported').length;
        if (disagrees(c)) failed.push(c);
      }
    }
    for (const c of failed) {
      const name = `seed${seed}-case${c.case.index}`;
      let keep = c;
      if (argv.includes('--shrink') && !c.refused) {
        process.stdout.write(`shrinking case ${c.case.index} ...\n`);
        keep = await shrinkCase(c, join(root, `shrink-${c.case.index}`), `nfc${process.pid % 100000}s`, (m) => process.stdout.write(`  ${m}\n`));
        process.stdout.write(describeCheck(keep) + '\n');
      }
      mkdirSync(saveDir, { recursive: true });
      const dest = join(saveDir, name);
      rmSync(dest, { recursive: true, force: true });
      if (keep.refused) cpSync(keep.dir, dest, { recursive: true });
      else saveCase(dest, keep, kernel);
      if (keep.refused) writeFileSync(join(dest, 'refused.txt'), keep.refused + '\n');
      process.stdout.write(`  kept in ${dest} (replay: nfsim verify ${dest}/world --packets ${dest}/packets)\n`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const secs = (Date.now() - t0) / 1000;
  const done = agree + differ + refused;
  process.stdout.write(
    `conformance: seed ${seed}: ${done} cases (${packets} packets, ${unsupported} unsupported) on Linux ${kernel}: ${agree} agree, ${differ} disagree, ${refused} refused by the kernel (${rechecked} rechecked alone); ${secs.toFixed(0)} s, ${((done / secs) * 60).toFixed(1)} cases/minute\n`,
  );
  return differ || refused ? 1 : 0;
}

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    // The lab process got the same signal (same process group) or gets it now; it removes its namespaces,
    // trace instance and processes before it exits: wait for it.
    const lab = runningLab();
    process.stderr.write('conformance: interrupted, cleaning up\n');
    if (!lab) process.exit(130);
    lab.kill(sig);
    lab.on('close', () => process.exit(130));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`conformance: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
