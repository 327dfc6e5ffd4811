import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runQueries } from '../../engine/run.js';
import { loadWorld } from '../../parse/world.js';
import { parseQueries } from '../../parse/queries.js';
import { verdictLine } from '../../report/traceText.js';
import { stableStringify } from '../../report/traceJson.js';
import { compareWithKernel, type KernelRecord } from '../../scenario/scenario.js';
import { labScript, labSender } from '../../verify/labScript.js';
import { compareAnswers, type AnswerDifference } from '../../verify/answers.js';
import { compareConntrack, compareCounters } from '../../verify/stateCompare.js';
import { compareRulePaths, formatRulePathDifference, simRulePaths, type RulePathDifference, type RulePaths } from '../../verify/rulePath.js';
import { compareNstat, pathCounters, type NstatDeltas, type NstatDifference } from '../../verify/nstat.js';
import type { Outcome } from '../../engine/types.js';
import { CliUsageError, parseArgs } from '../args.js';
import type { Command } from './index.js';

function labDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const c of [resolve(here, '../scripts/lab'), resolve(here, '../../../scripts/lab'), resolve('scripts/lab')]) if (existsSync(join(c, 'lab.sh'))) return c;
  throw new CliUsageError('cannot find scripts/lab/lab.sh (the namespace lab) next to nfsim');
}

export const verifyCommand: Command = {
  name: 'verify',
  usage: 'verify WORLD --packets FILE [--json] [--keep DIR] [--lenient]',
  summary: 'replay a world on this kernel in throwaway namespaces and compare (root)',
  async run(argv) {
    const a = parseArgs(argv, ['packets', 'keep'], ['json', 'lenient']);
    const [worldPath] = a.positional;
    if (!worldPath || typeof a.flags.packets !== 'string') throw new CliUsageError('usage: nfsim verify WORLD --packets FILE');
    if (process.getuid?.() !== 0) {
      process.stderr.write('nfsim verify needs root: it builds the world in network namespaces on this kernel and sends the packets for real.\n');
      return 2;
    }
    for (const tool of ['ip', 'nstat', 'iptables-restore', 'xtables-monitor', 'nft', 'tcpdump', 'python3']) {
      if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
        process.stderr.write(`nfsim verify needs ${tool} (Debian: apt-get install iproute2 iptables nftables tcpdump python3)\n`);
        return 2;
      }
    }
    const world = loadWorld(worldPath);
    const queries = parseQueries(readFileSync(a.flags.packets, 'utf8'), a.flags.packets);
    const script = labScript(world, queries, `nfv${process.pid % 100000}`);
    const dir = typeof a.flags.keep === 'string' ? resolve(a.flags.keep) : mkdtempSync(join(tmpdir(), 'nfsim-verify-'));
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(join(dir, 'build.sh'), script.text);
      // Ctrl-C reaches the lab too (same process group): its EXIT trap removes the namespaces, processes and
      // trace instance; nfsim waits for it, then removes its own directory.
      const wait = () => undefined;
      process.on('SIGINT', wait);
      process.on('SIGTERM', wait);
      let r: SpawnSyncReturns<string>;
      try {
        r = spawnSync('bash', [join(dir, 'build.sh')], { env: { ...process.env, NFSIM_LAB: labDir(), LAB_SCEN: dir }, encoding: 'utf8', maxBuffer: 1 << 26 });
      } finally {
        process.off('SIGINT', wait);
        process.off('SIGTERM', wait);
      }
      if (r.status !== 0) {
        const why = r.status === 1 && /\bERROR\b/.test(r.stderr) ? 'building or probing the world failed' : r.signal || r.status !== 1 ? 'the lab was stopped' : 'the lab was interrupted or failed';
        process.stderr.write(`nfsim verify: ${why} (its namespaces are removed):\n${r.stderr.split('\n').slice(-15).join('\n')}\n`);
        return 2;
      }
      // (lab_finish also records each host's `conntrack -L`)
      // (rulePath and nstat per query: recorded by this lab; older records lack them and they are then not compared)
      const kernel = JSON.parse(readFileSync(join(dir, 'kernel', 'world.json'), 'utf8')) as KernelRecord & {
        conntrack?: Record<string, string>;
        queries: (Omit<KernelRecord['queries'][number], 'seen'> & { rulePath?: RulePaths; nstat?: NstatDeltas; seen?: { host: string; iface: string; dir: string; summary: string }[] })[];
      };
      // The lab's probes are one-shot: each closes its socket after its packet (and answers).
      const { results, state } = runQueries(world, script.sent, undefined, { closeSenders: true });
      // After the packets: per-rule counters (counted from zero on both sides) and conntrack entries (those the
      // lab recreates). The probes' own ACK and RST are simulated (runQueries' follow-ups), so a difference
      // counts; --lenient only reports them.
      const counterDiffs = kernel.counters ? compareCounters(world, state, kernel.counters) : [];
      const ctDiffs = kernel.conntrack ? compareConntrack(world, state, kernel.conntrack) : [];
      const stateDiff = !a.flags.lenient && (counterDiffs.length > 0 || ctDiffs.length > 0);
      let diff = 0;
      const rows: unknown[] = [];
      if (!a.flags.json) process.stdout.write(`kernel: ${kernel.kernel ?? '?'}, ${kernel.iptables ?? ''}\n`);
      results.forEach((res, i) => {
        const k = kernel.queries[i];
        // The probe's own later packets, which the engine simulates (a connected TCP probe's ACK and RST).
        const followUps = (res.followUps ?? []).map((f) => f.outcomes[0]).filter((o): o is Outcome => !!o);
        const miss = compareWithKernel(res.result.outcomes[0]?.verdict, k, res.query.spec.text, followUps.map((o) => o.verdict));
        const first = res.result.outcomes[0];
        const simPaths = first ? simRulePaths([first, ...followUps]) : {};
        const pathDiffs: RulePathDifference[] = k?.rulePath ? compareRulePaths(simPaths, k.rulePath, followUps.length > 0) : [];
        const nstatDiffs: NstatDifference[] = first ? compareNstat([first.verdict, ...followUps.map((o) => o.verdict)], k?.nstat) : [];
        const answerDiff: AnswerDifference | undefined = first && !miss ? compareAnswers(first.verdict, labSender(world, res.query), k) : undefined;
        const answerMiss = answerDiff ? `answers back at ${answerDiff.at}: nfsim ${answerDiff.nfsim.join('; ') || 'none'}; kernel ${answerDiff.kernel.join('; ') || 'none'}` : undefined;
        if (miss || answerMiss || pathDiffs.length || nstatDiffs.length) diff++;
        if (a.flags.json) {
          rows.push({
            packet: res.query.spec.text,
            nfsim: res.result.outcomes.map((o) => o.verdict),
            nfsimRulePath: simPaths,
            kernel: k,
            agree: !miss && !answerMiss && !pathDiffs.length && !nstatDiffs.length,
            difference: miss ?? answerMiss,
            rulePathDifferences: pathDiffs,
            nstatDifferences: nstatDiffs,
          });
          return;
        }
        const kd = [...(k?.drops ?? []).map((d) => `dropped ${d.reason} at ${d.location}${d.host ? ` on ${d.host}` : ''}`), ...(k?.delivered ?? []).map((d) => `delivered on ${d.host}${d.socket ? ` to ${d.socket}` : ''}`)];
        const counters = Object.entries(k?.nstat ?? {})
          .map(([h, d]) => [h, Object.entries(pathCounters(d)).map(([c, n]) => `${c} +${n}`)] as const)
          .filter(([, l]) => l.length)
          .map(([h, l]) => `${h}: ${l.join(', ')}`);
        const fateMiss = miss ?? answerMiss;
        const verdictText = fateMiss ? `✗ ${fateMiss}` : pathDiffs.length ? '✗ rule path differs' : nstatDiffs.length ? '✗ counters differ' : '✓ agree';
        process.stdout.write(`${String(i + 1).padStart(3)}  ${res.query.spec.text}\n     nfsim:  ${res.result.outcomes.map((o) => verdictLine(o.verdict)).join(' | ')}\n     kernel: ${kd.join('; ') || 'nothing observed'}\n`);
        if (counters.length) process.stdout.write(`     nstat:  ${counters.join('; ')}\n`);
        for (const d of pathDiffs) process.stdout.write(formatRulePathDifference(d));
        for (const d of nstatDiffs) process.stdout.write(`     counter ${d.counter} on ${d.host}: nfsim ${d.why} counts it; the kernel's delta is ${d.kernel}\n`);
        if (fateMiss && (pathDiffs.length || nstatDiffs.length)) process.stdout.write(`     ✗ ${fateMiss}\n`);
        else process.stdout.write(`     ${verdictText}\n`);
      });
      if (a.flags.json) {
        process.stdout.write(
          stableStringify({ format: 'nfsim-verify', version: 1, kernel: kernel.kernel, iptables: kernel.iptables, results: rows, notSent: script.skipped.map((x) => ({ packet: x.query.spec.text, why: x.why })), notRebuilt: script.notRebuilt, agree: results.length - diff, differ: diff, counters: counterDiffs, conntrack: ctDiffs }) + '\n',
        );
        return diff || stateDiff ? 1 : 0;
      }
      for (const s of script.skipped) process.stdout.write(`     skipped: ${s.query.spec.text} — ${s.why}\n`);
      for (const n of script.notRebuilt) process.stdout.write(`     not rebuilt: ${n}\n`);
      if (kernel.counters) process.stdout.write(counterDiffs.length ? `counters: ${counterDiffs.length} differ\n${counterDiffs.map((c) => `     ${c.host}: ${c.line}: nfsim ${c.nfsim} packets, kernel ${c.kernel}\n`).join('')}` : 'counters: every per-rule and policy packet counter equals the kernel\'s\n');
      if (kernel.conntrack) process.stdout.write(ctDiffs.length ? `conntrack: ${ctDiffs.length} entries differ\n${ctDiffs.map((c) => `     ${c.host}: ${c.side}: ${c.entry}\n`).join('')}` : 'conntrack: the same entries as the kernel\n');
      process.stdout.write(`${results.length - diff} agree, ${diff} differ, ${script.skipped.length} not sent\n`);
      return diff || stateDiff ? 1 : 0;
    } finally {
      if (typeof a.flags.keep !== 'string') rmSync(dir, { recursive: true, force: true });
    }
  },
};
