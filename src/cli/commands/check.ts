import { readFileSync, writeFileSync } from 'node:fs';
import { checkPolicy } from '../../check/check.js';
import { checkJson, renderCheckText, renderJunit } from '../../check/report.js';
import { InputError } from '../../model/source.js';
import { parsePolicy } from '../../parse/policy.js';
import { loadWorld } from '../../parse/world.js';
import { stableStringify } from '../../report/traceJson.js';
import { CliUsageError, parseArgs } from '../args.js';
import type { Command } from './index.js';

const USAGE = 'check WORLD POLICY [--json] [--junit FILE] [--no-traces] [--max-classes N]';

export const checkCommand: Command = {
  name: 'check',
  usage: USAGE,
  summary: 'check a policy of allow/deny/reach/nat assertions against a world (exit 1 if one fails)',
  async run(argv) {
    const a = parseArgs(argv, ['junit', 'max-classes'], ['json', 'no-traces']);
    const [worldPath, policyPath, ...extra] = a.positional;
    if (!worldPath || !policyPath || extra.length) throw new CliUsageError(`usage: nfsim ${USAGE}`);
    const max = a.flags['max-classes'];
    const maxClasses = typeof max === 'string' ? Number(max) : 20_000;
    if (!Number.isInteger(maxClasses) || maxClasses <= 0) throw new CliUsageError('--max-classes needs a positive whole number');
    let text: string;
    try {
      text = readFileSync(policyPath, 'utf8');
    } catch {
      throw new InputError([{ severity: 'error', loc: { file: policyPath, line: 0, col: 0 }, text: policyPath, message: 'cannot read the policy file', hint: 'give the path of a policy file (docs/check.md)' }]);
    }
    const policy = parsePolicy(text, policyPath);
    const world = loadWorld(worldPath);
    const results = checkPolicy(world, policy, { maxClasses });
    if (typeof a.flags.junit === 'string') writeFileSync(a.flags.junit, renderJunit(results, worldPath, policyPath));
    if (a.flags.json) process.stdout.write(stableStringify(checkJson(results, worldPath, policyPath)) + '\n');
    else process.stdout.write(renderCheckText(results, { traces: a.flags['no-traces'] !== true }));
    return results.every((r) => r.status === 'pass') ? 0 : 1;
  },
};
