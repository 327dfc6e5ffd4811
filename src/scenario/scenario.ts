/**
 * Teaching scenarios (docs/scenario-format.md): a world and its repaired state, packets with expected
 * verdicts, and what the real kernel did for the same packets.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runQueries, type RunResult } from '../engine/run.js';
import type { Verdict } from '../engine/types.js';
import { loadWorld } from '../parse/world.js';
import { parseQueries } from '../parse/queries.js';

export interface KernelQuery {
  packet: string;
  drops?: { host?: string; reason: string; location: string }[];
  delivered?: { host: string; socket?: string }[];
  answers?: string[];
  seen?: unknown[];
}

export interface KernelRecord {
  kernel?: string;
  iptables?: string;
  queries: KernelQuery[];
  counters?: Record<string, string>;
}

export interface ScenarioInfo {
  dir: string;
  name: string;
  title: string;
  summary: string;
}

export interface StateRun {
  state: 'world' | 'world-fixed';
  results: RunResult[];
  kernel?: KernelRecord;
  kernelMismatches: (string | undefined)[];
}

export function listScenarios(root: string): ScenarioInfo[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((d) => /^\d\d-/.test(d) && statSync(join(root, d)).isDirectory() && existsSync(join(root, d, 'world')))
    .sort()
    .map((d) => scenarioInfo(join(root, d)));
}

export function scenarioInfo(dir: string): ScenarioInfo {
  const readme = existsSync(join(dir, 'README.md')) ? readFileSync(join(dir, 'README.md'), 'utf8') : '';
  const title = /^#\s+(.+)$/m.exec(readme)?.[1]?.trim() ?? basename(dir);
  const para = readme
    .split('\n\n')
    .map((p) => p.trim())
    .find((p) => p && !p.startsWith('#'));
  const summary = (para ?? '').replace(/\s+/g, ' ').split(/(?<=\.)\s/)[0] ?? '';
  return { dir, name: basename(dir), title, summary };
}

export function runScenario(dir: string): StateRun[] {
  const runs: StateRun[] = [];
  for (const state of ['world', 'world-fixed'] as const) {
    const wdir = join(dir, state);
    const qfile = join(dir, state === 'world' ? 'queries' : 'queries-fixed');
    if (!existsSync(wdir) || !existsSync(qfile)) continue;
    const world = loadWorld(wdir);
    const queries = parseQueries(readFileSync(qfile, 'utf8'), qfile);
    const { results } = runQueries(world, queries);
    const kfile = join(dir, 'kernel', `${state}.json`);
    const kernel = existsSync(kfile) ? (JSON.parse(readFileSync(kfile, 'utf8')) as KernelRecord) : undefined;
    const kernelMismatches = results.map((r, i) => (kernel ? compareWithKernel(r.result.outcomes[0]?.verdict, kernel.queries[i], r.query.spec.text) : undefined));
    runs.push({ state, results, kernel, kernelMismatches });
  }
  return runs;
}

/** Does the simulated verdict agree with what the kernel did? Undefined when it does. */
export function compareWithKernel(v: Verdict | undefined, k: KernelQuery | undefined, packet: string): string | undefined {
  if (!v) return 'no simulated outcome';
  if (!k) return `the kernel record has no entry for '${packet}'`;
  const drops = k.drops ?? [];
  const delivered = k.delivered ?? [];
  switch (v.fate) {
    case 'dropped': {
      const hit = drops.find((d) => d.reason === v.reason && (!d.host || d.host === v.host));
      if (!hit) return `nfsim: dropped ${v.reason} at ${v.at} on ${v.host}; kernel: ${describeKernel(k)}`;
      if (hit.location && !hit.location.startsWith(v.at)) return `nfsim: dropped at ${v.at}; kernel: at ${hit.location}`;
      return undefined;
    }
    case 'rejected': {
      const hit = drops.find((d) => d.reason === 'NETFILTER_DROP' && (!d.host || d.host === v.host));
      if (!hit) return `nfsim: rejected on ${v.host}; kernel: ${describeKernel(k)}`;
      return undefined;
    }
    case 'delivered': {
      const primary = delivered.find((d) => d.host === v.host);
      if (!primary) return `nfsim: delivered on ${v.host}${v.socket ? ` to ${v.socket}` : ''}; kernel: ${describeKernel(k)}`;
      if (primary.socket && v.socket && primary.socket !== v.socket) return `nfsim: socket ${v.socket}; kernel: socket ${primary.socket}`;
      return undefined;
    }
    default:
      if (drops.length || delivered.length) return `nfsim: ${v.fate}; kernel: ${describeKernel(k)}`;
      return undefined;
  }
}

function describeKernel(k: KernelQuery): string {
  const parts: string[] = [];
  for (const d of k.drops ?? []) parts.push(`dropped ${d.reason} at ${d.location}${d.host ? ` on ${d.host}` : ''}`);
  for (const d of k.delivered ?? []) parts.push(`delivered on ${d.host}${d.socket ? ` to ${d.socket}` : ''}`);
  return parts.join('; ') || 'nothing observed';
}
