import { readFileSync } from 'node:fs';
import { applyChanges, parseChangeScript, writeWorld } from '../../change/index.js';
import { formatIssue, InputError } from '../../model/source.js';
import { loadWorld } from '../../parse/world.js';
import { CliUsageError, parseArgs } from '../args.js';
import type { Command } from './index.js';

export const applyCommand: Command = {
  name: 'apply',
  usage: 'apply WORLD --change FILE [--out DIR]',
  summary: 'apply a change script (iptables, ip route/addr/rule, sysctl) and write the changed world',
  async run(argv) {
    const a = parseArgs(argv, ['change', 'out'], []);
    const [worldPath, ...extra] = a.positional;
    const file = a.flags.change;
    if (!worldPath || extra.length || typeof file !== 'string') throw new CliUsageError('usage: nfsim apply WORLD --change FILE [--out DIR]');
    const world = loadWorld(worldPath);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new InputError([{ severity: 'error', loc: { file, line: 0, col: 0 }, text: file, message: 'cannot read the change script', hint: 'give the path of a change script (docs/change-format.md)' }]);
    }
    const script = parseChangeScript(text, file);
    const res = applyChanges(world, script);
    for (const c of res.applied) process.stdout.write(`${c.loc.file}:${c.loc.line}: ${c.host}: ${c.command}\n    ${c.description}\n`);
    for (const w of res.warnings) process.stderr.write(formatIssue(w) + '\n');
    process.stdout.write(`${res.applied.length} command${res.applied.length === 1 ? '' : 's'} applied\n`);
    if (typeof a.flags.out === 'string') {
      const files = writeWorld(res.world, world, a.flags.out);
      process.stdout.write(`changed world written to ${a.flags.out} (${files.length} files)\n`);
    }
    return 0;
  },
};
