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
  /** world, world-fixed, or world-fixed-NAME */
  state: string;
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

/** The states of a scenario: world/, world-fixed/, and further repaired variants world-fixed-NAME/. */
export function scenarioStates(dir: string): string[] {
  const extra = readdirSync(dir)
    .filter((d) => /^world-fixed-[\w-]+$/.test(d) && statSync(join(dir, d)).isDirectory())
    .sort();
  return ['world', 'world-fixed', ...extra].filter((d) => existsSync(join(dir, d)));
}

export function runScenario(dir: string): StateRun[] {
  const runs: StateRun[] = [];
  for (const state of scenarioStates(dir)) {
    const wdir = join(dir, state);
    const qfile = join(dir, state === 'world' ? 'queries' : `queries-${state.slice('world-'.length)}`);
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

/** Everything nfsim says happened: the packet's own fate and those of the packets sent in answer. */
function facts(v: Verdict, out: { drops: { host: string; reason: string; at: string }[]; delivered: { host: string; socket?: string }[] } = { drops: [], delivered: [] }) {
  if (v.fate === 'dropped') out.drops.push({ host: v.host, reason: v.reason, at: v.at });
  if (v.fate === 'rejected') out.drops.push({ host: v.host, reason: 'NETFILTER_DROP', at: '' });
  if (v.fate === 'delivered') out.delivered.push({ host: v.host, socket: v.socket });
  for (const a of v.answers) facts(a.verdict, out);
  return out;
}

/**
 * Probe side effects the kernel record holds that are outside the simulated exchange: the recorder pings from
 * a raw socket, so the kernel's ping_rcv() finds no ping socket for the echo reply (NO_SOCKET) after the raw
 * socket got its copy; and its TCP probes complete or abort the handshake (ACK, RST), which nfsim does not
 * simulate beyond the SYN and its answer.
 */
function probeArtifact(d: { reason: string; location: string }): boolean {
  return (d.reason === 'NO_SOCKET' && d.location.startsWith('ping_rcv')) || d.location.startsWith('tcp_v4_rcv') || d.location.startsWith('tcp_rcv_state_process');
}

/** Does the simulated outcome agree with what the kernel did? Undefined when it does. */
export function compareWithKernel(v: Verdict | undefined, k: KernelQuery | undefined, packet: string, followUps: Verdict[] = []): string | undefined {
  if (!v) return 'no simulated outcome';
  if (!k) return `the kernel record has no entry for '${packet}'`;
  const drops = k.drops ?? [];
  const delivered = k.delivered ?? [];
  const sim = facts(v);
  // The sender's own later packets (a connected probe's ACK and RST) are in the kernel's record of the query too.
  const all = followUps.reduce((acc, f) => facts(f, acc), facts(v));
  const explained = (d: { host?: string; reason: string; location: string }) =>
    all.drops.some((x) => x.reason === d.reason && (!d.host || d.host === x.host) && (!x.at || !d.location || d.location.startsWith(x.at)));
  // Every drop the kernel reports must be one nfsim predicts (probe artifacts aside).
  for (const d of drops) {
    if (explained(d) || probeArtifact(d)) continue;
    return `kernel: dropped ${d.reason} at ${d.location}${d.host ? ` on ${d.host}` : ''}; nfsim: ${describeSim(sim)}`;
  }
  switch (v.fate) {
    case 'dropped':
    case 'rejected': {
      const want = v.fate === 'dropped' ? v.reason : 'NETFILTER_DROP';
      if (!drops.some((d) => d.reason === want && (!d.host || d.host === v.host))) return `nfsim: ${v.fate} ${want} on ${v.host}; kernel: ${describeKernel(k)}`;
      return undefined;
    }
    case 'delivered': {
      const primary = delivered.find((d) => d.host === v.host);
      if (primary) {
        if (primary.socket && v.socket && primary.socket !== v.socket && v.socket !== 'icmp:echo') return `nfsim: socket ${v.socket}; kernel: socket ${primary.socket}`;
        return undefined;
      }
      // A TCP SYN reaches its listener but the exchange fails later: the kernel's listener never accepts, and
      // the drop it reports is the one nfsim predicts for the answer.
      if (drops.length && drops.every((d) => explained(d) || probeArtifact(d)) && sim.drops.length) return undefined;
      return `nfsim: delivered on ${v.host}${v.socket ? ` to ${v.socket}` : ''}; kernel: ${describeKernel(k)}`;
    }
    default:
      if (delivered.length) return `nfsim: ${v.fate}; kernel: ${describeKernel(k)}`;
      return undefined;
  }
}

function describeSim(f: ReturnType<typeof facts>): string {
  const parts = [...f.drops.map((d) => `dropped ${d.reason}${d.at ? ` at ${d.at}` : ''} on ${d.host}`), ...f.delivered.map((d) => `delivered on ${d.host}${d.socket ? ` to ${d.socket}` : ''}`)];
  return parts.join('; ') || 'nothing';
}

function describeKernel(k: KernelQuery): string {
  const parts: string[] = [];
  for (const d of k.drops ?? []) parts.push(`dropped ${d.reason} at ${d.location}${d.host ? ` on ${d.host}` : ''}`);
  for (const d of k.delivered ?? []) parts.push(`delivered on ${d.host}${d.socket ? ` to ${d.socket}` : ''}`);
  return parts.join('; ') || 'nothing observed';
}
