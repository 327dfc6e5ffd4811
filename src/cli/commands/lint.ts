import { lintExitCode, lintWorld, CHECKS } from '../../lint/index.js';
import { lintJson, renderLintText } from '../../lint/report.js';
import { loadWorld } from '../../parse/world.js';
import { stableStringify } from '../../report/traceJson.js';
import { CliUsageError, parseArgs } from '../args.js';
import type { Command } from './index.js';

export const lintCommand: Command = {
  name: 'lint',
  usage: 'lint WORLD [--json] [--host H] [--check ID,...]',
  summary: 'static findings: unreachable rules, unused chains, published ports past INPUT, forwarding, rp_filter',
  async run(argv) {
    const a = parseArgs(argv, ['host', 'check'], ['json']);
    const [worldPath, ...extra] = a.positional;
    if (!worldPath || extra.length) throw new CliUsageError('usage: nfsim lint WORLD [--json] [--host H] [--check ID,...]');
    const ids = typeof a.flags.check === 'string' ? a.flags.check.split(',').filter(Boolean) : undefined;
    const unknown = ids?.filter((id) => !CHECKS.some((c) => c.id === id)) ?? [];
    if (unknown.length) throw new CliUsageError(`unknown check '${unknown[0]}' (checks: ${CHECKS.map((c) => c.id).join(', ')})`);
    const world = loadWorld(worldPath);
    const host = typeof a.flags.host === 'string' ? a.flags.host : undefined;
    if (host && !world.hosts.some((h) => h.name === host))
      throw new CliUsageError(`unknown host '${host}' (hosts in this world: ${world.hosts.map((h) => h.name).join(', ') || 'none'})`);
    const findings = lintWorld(world, { host, checks: ids });
    if (a.flags.json) process.stdout.write(stableStringify(lintJson(world.source, findings)) + '\n');
    else process.stdout.write(renderLintText(world.source, findings));
    return lintExitCode(findings);
  },
};
