import { readFileSync } from 'node:fs';
import { applyChanges, parseChangeScript } from '../../change/index.js';
import { diffWorlds } from '../../diff/diff.js';
import { diffJson, renderDiffText } from '../../diff/report.js';
import { InputError, formatIssue } from '../../model/source.js';
import { loadWorld } from '../../parse/world.js';
import { stableStringify } from '../../report/traceJson.js';
import { CliUsageError, parseArgs } from '../args.js';
import type { Command } from './index.js';

const USAGE = "diff WORLD --change FILE | diff WORLD-A WORLD-B  [--from 'arrive H:IF,local H'] [--json] [--traces] [--limit N] [--full] [--max-classes N]";

export const diffCommand: Command = {
  name: 'diff',
  usage: 'diff WORLD (--change FILE | WORLD-B) [--json]',
  summary: 'every class of packets whose fate changes between two worlds (exit 1 if any)',
  async run(argv) {
    const a = parseArgs(argv, ['change', 'max-classes', 'from', 'limit'], ['json', 'traces', 'full']);
    const [p1, p2, ...extra] = a.positional;
    const change = a.flags.change;
    if (!p1 || extra.length || (typeof change === 'string') === (p2 !== undefined)) throw new CliUsageError(`usage: nfsim ${USAGE}`);
    const max = a.flags['max-classes'];
    const maxClasses = typeof max === 'string' ? Number(max) : 200_000;
    if (!Number.isInteger(maxClasses) || maxClasses <= 0) throw new CliUsageError('--max-classes needs a positive whole number');
    const first = loadWorld(p1);
    let second;
    let labels: [string, string];
    if (typeof change === 'string') {
      let text: string;
      try {
        text = readFileSync(change, 'utf8');
      } catch {
        throw new InputError([{ severity: 'error', loc: { file: change, line: 0, col: 0 }, text: change, message: 'cannot read the change script', hint: 'give the path of a change script (docs/change-format.md)' }]);
      }
      const res = applyChanges(first, parseChangeScript(text, change));
      for (const w of res.warnings) process.stderr.write(formatIssue(w) + '\n');
      second = res.world;
      labels = [p1, `${p1} + ${change}`];
    } else {
      second = loadWorld(p2!);
      labels = [p1, p2!];
    }
    const from = typeof a.flags.from === 'string' ? a.flags.from.split(',').map((x) => x.trim()).filter(Boolean) : undefined;
    const r = diffWorlds(first, second, { full: a.flags.full === true, maxClasses, traces: true, from });
    if (a.flags.json) process.stdout.write(stableStringify(diffJson(r, labels)) + '\n');
    const limit = typeof a.flags.limit === 'string' ? Number(a.flags.limit) : 50;
    if (!Number.isInteger(limit) || limit < 0) throw new CliUsageError('--limit needs a whole number');
    if (!a.flags.json) process.stdout.write(renderDiffText(r, labels, { traces: a.flags.traces === true, limit }));
    if (r.truncated) return 3;
    return r.differing.length ? 1 : 0;
  },
};
