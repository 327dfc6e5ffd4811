import { parsePacketSpec } from '../../engine/packetSpec.js';
import { compare } from '../../engine/run.js';
import { initialState, simulate } from '../../engine/simulate.js';
import { loadWorld } from '../../parse/world.js';
import { parseQueries } from '../../parse/queries.js';
import { outcomesJson, stableStringify } from '../../report/traceJson.js';
import { renderOutcomes } from '../../report/traceText.js';
import { CliUsageError, parseArgs } from '../args.js';
import type { Command } from './index.js';

export const traceCommand: Command = {
  name: 'trace',
  usage: "trace WORLD 'PACKET' [--json] [--expect F]",
  summary: 'follow one packet through the world and explain its fate',
  async run(argv) {
    const a = parseArgs(argv, ['expect'], ['json']);
    const [worldPath, ...specWords] = a.positional;
    if (!worldPath || specWords.length === 0) throw new CliUsageError("usage: nfsim trace WORLD 'arrive HOST:IF tcp A:p > B:q flags S'");
    const world = loadWorld(worldPath);
    const spec = parsePacketSpec(specWords.join(' '));
    const res = simulate(world, initialState(world), spec);
    if (a.flags.json) process.stdout.write(stableStringify(outcomesJson(spec.text, res.outcomes, res.truncated)) + '\n');
    else process.stdout.write(renderOutcomes(spec.text, res.outcomes, res.truncated));
    if (typeof a.flags.expect === 'string') {
      const e = parseExpect(a.flags.expect);
      const miss = compare(e, res.outcomes);
      if (miss) {
        process.stderr.write(`nfsim: expectation not met: ${miss}\n`);
        return 1;
      }
    }
    return 0;
  },
};

/** `--expect dropped:IP_INADDRERRORS` or a full `expect` line body: `dropped reason=X at=Y`. */
export function parseExpect(text: string) {
  const [fate, reason] = text.split(':');
  const body = text.includes('=') || text.includes(' ') ? text : `${fate}${reason ? ` reason=${reason}` : ''}`;
  const q = parseQueries(`local x tcp 0.0.0.0:1 > 0.0.0.1:1\nexpect ${body}\n`, '--expect');
  return q[0].expect!;
}
