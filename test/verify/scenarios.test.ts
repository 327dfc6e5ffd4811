/**
 * Every teaching scenario, rebuilt from its dumps alone by `nfsim verify` on this kernel, must agree with the
 * simulation (root only; with CI=true the check must run).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listScenarios, scenarioStates } from '../../src/scenario/scenario.js';

const root = process.getuid?.() === 0 && ['ip', 'iptables-restore', 'tcpdump', 'python3'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);
const canRun = root || process.env.CI === 'true';

describe('nfsim verify on every scenario', () => {
  if (!canRun) {
    it('is skipped without root', () => console.log('skipped: nfsim verify needs root and iproute2/iptables/tcpdump/python3'));
    return;
  }
  for (const s of listScenarios('scenarios')) {
    for (const state of scenarioStates(s.dir)) {
      const queries = join(s.dir, state === 'world' ? 'queries' : `queries-${state.slice('world-'.length)}`);
      if (!existsSync(queries)) continue;
      it(`${s.name}/${state}`, () => {
        if (!root) throw new Error('CI=true but the kernel check cannot run here (needs root, ip, iptables-restore, tcpdump, python3)');
        const r = spawnSync(process.execPath, ['dist/cli.js', 'verify', join(s.dir, state), '--packets', queries], { encoding: 'utf8' });
        expect(r.stdout, r.stdout + r.stderr).toMatch(/ agree, 0 differ, 0 not sent/);
        expect(r.status).toBe(0);
      }, 240_000);
    }
  }
});
