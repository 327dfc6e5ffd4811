import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compare, rulesetWithCounters, runQueries } from '../../engine/run.js';
import { loadWorld } from '../../parse/world.js';
import { parseQueries } from '../../parse/queries.js';
import { saveRuleset } from '../../parse/iptablesSaveWrite.js';
import { stableStringify } from '../../report/traceJson.js';
import { renderOutcomes, verdictLine } from '../../report/traceText.js';
import { CliUsageError, parseArgs } from '../args.js';
import { parseExpect } from './trace.js';
import type { Command } from './index.js';

export const runCommand: Command = {
  name: 'run',
  usage: 'run WORLD --packets FILE [--json] [--verbose] [--save-counters DIR] [--expect F]',
  summary: 'run packets in order with shared conntrack state; check `expect` lines',
  async run(argv) {
    const a = parseArgs(argv, ['packets', 'save-counters', 'expect'], ['json', 'verbose']);
    const [worldPath] = a.positional;
    if (!worldPath || typeof a.flags.packets !== 'string') throw new CliUsageError('usage: nfsim run WORLD --packets FILE');
    const world = loadWorld(worldPath);
    const file = a.flags.packets;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new CliUsageError(`cannot read packets file ${file}`);
    }
    const queries = parseQueries(text, file);
    const global = typeof a.flags.expect === 'string' ? parseExpect(a.flags.expect) : undefined;
    const { results, state } = runQueries(world, queries, undefined, { trace: a.flags.verbose === true || a.flags.json === true });
    let failed = 0;
    const json: unknown[] = [];
    results.forEach((r, i) => {
      const miss = r.mismatch ?? (global ? compare(global, r.result.outcomes) : undefined);
      if (miss) failed++;
      if (a.flags.json) {
        json.push({ packet: r.query.spec.text, line: r.query.line, outcomes: r.result.outcomes, expectation: r.query.expect?.text, mismatch: miss });
        return;
      }
      if (a.flags.verbose) process.stdout.write(`\n#${i + 1} ` + renderOutcomes(r.query.spec.text, r.result.outcomes, r.result.truncated));
      const o = r.result.outcomes;
      const v = o.length === 1 ? verdictLine(o[0].verdict) : o.map((x) => `${(x.probability * 100).toFixed(1)}% ${verdictLine(x.verdict)}`).join(' | ');
      process.stdout.write(`${String(i + 1).padStart(3)}  ${r.query.spec.text}\n     → ${v}${miss ? `\n     ✗ ${miss}` : r.query.expect ? '\n     ✓ as expected' : ''}\n`);
    });
    if (a.flags.json) process.stdout.write(stableStringify({ format: 'nfsim-run', version: 1, results: json }) + '\n');
    if (typeof a.flags['save-counters'] === 'string') {
      const dir = a.flags['save-counters'];
      mkdirSync(dir, { recursive: true });
      for (const h of world.hosts) {
        const rs = rulesetWithCounters(world, state, h.name);
        if (rs) writeFileSync(join(dir, `${h.name}.iptables-save`), saveRuleset(rs, { counters: true }));
      }
    }
    if (failed) {
      process.stderr.write(`nfsim: ${failed} of ${results.length} packets did not meet their expectation\n`);
      return 1;
    }
    return 0;
  },
};
