import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listScenarios, runScenario, scenarioInfo } from '../../scenario/scenario.js';
import { renderOutcomes, verdictLine } from '../../report/traceText.js';
import { CliUsageError, parseArgs } from '../args.js';
import type { Command } from './index.js';

function scenariosRoot(): string {
  const here = resolve('scenarios');
  if (existsSync(here)) return here;
  return resolve(new URL('../../scenarios', import.meta.url).pathname);
}

export const scenarioCommand: Command = {
  name: 'scenario',
  usage: 'scenario list | scenario run DIR [--brief]',
  summary: 'teaching scenarios: real incidents, replayed, explained and fixed',
  async run(argv) {
    const a = parseArgs(argv, [], ['brief']);
    const [sub, ...dirs] = a.positional;
    if (sub === 'list') {
      for (const s of listScenarios(scenariosRoot())) process.stdout.write(`${s.name.padEnd(34)} ${s.title}\n${' '.repeat(35)}${s.summary}\n`);
      return 0;
    }
    if (sub !== 'run' || dirs.length === 0) throw new CliUsageError('usage: nfsim scenario list | nfsim scenario run scenarios/NN-name');
    let bad = 0;
    for (const dir of dirs) {
      if (!existsSync(join(dir, 'world'))) throw new CliUsageError(`${dir} is not a scenario folder (no world/)`);
      const info = scenarioInfo(dir);
      process.stdout.write(`\n═══ ${info.name}: ${info.title}\n`);
      if (!a.flags.brief && existsSync(join(dir, 'README.md'))) {
        const story = readFileSync(join(dir, 'README.md'), 'utf8').split('\n').slice(1).join('\n').trim();
        process.stdout.write(`\n${story}\n`);
      }
      for (const run of runScenario(dir)) {
        process.stdout.write(`\n─── ${run.state === 'world' ? 'The broken state' : run.state === 'world-fixed' ? 'After the fix' : `After the fix (${run.state.slice('world-fixed-'.length)} variant)`} (${run.state}/)${run.kernel?.kernel ? ` — kernel answers recorded on Linux ${run.kernel.kernel}` : ''}\n`);
        run.results.forEach((r, i) => {
          const km = run.kernelMismatches[i];
          if (!a.flags.brief) process.stdout.write(`\n${renderOutcomes(r.query.spec.text, r.result.outcomes, r.result.truncated)}`);
          const v = r.result.outcomes.map((o) => verdictLine(o.verdict)).join(' | ');
          process.stdout.write(`  [${i + 1}] ${r.query.spec.text}\n      nfsim:  ${v}\n`);
          if (r.query.expect) process.stdout.write(`      expect: ${r.query.expect.text.replace(/^expect\s+/, '')} ${r.mismatch ? `✗ ${r.mismatch}` : '✓'}\n`);
          if (run.kernel) process.stdout.write(`      kernel: ${km ? `✗ ${km}` : '✓ agrees'}\n`);
          if (r.mismatch || km) bad++;
        });
      }
    }
    if (bad) {
      process.stderr.write(`nfsim: ${bad} scenario check(s) failed\n`);
      return 1;
    }
    return 0;
  },
};
