/**
 * Every teaching scenario, rebuilt from its dumps alone by `nfsim verify` on this kernel, must agree with the
 * simulation (root only; with CI=true the check must run).
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listScenarios, scenarioStates } from '../../src/scenario/scenario.js';

const root = process.getuid?.() === 0 && ['ip', 'iptables-restore', 'tcpdump', 'python3'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);
const canRun = root || process.env.CI === 'true';

/** Run nfsim without blocking the test worker (a blocked worker misses vitest's RPC deadlines). */
async function nfsimAsync(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
    return { status: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { status: typeof x.code === 'number' ? x.code : 1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

describe('nfsim verify on every scenario', () => {
  if (!canRun) {
    it('is skipped without root', () => console.log('skipped: nfsim verify needs root and iproute2/iptables/tcpdump/python3'));
    return;
  }
  // One file, so the labs run one after the other: the drop tracepoint is machine-wide.
  it('the router world (test/conformance/router-nat)', async () => {
    if (!root) throw new Error('CI=true but the kernel check cannot run here (needs root, ip, iptables-restore, tcpdump, python3)');
    const dir = 'test/conformance/router-nat';
    const r = await nfsimAsync(['verify', `${dir}/world`, '--packets', `${dir}/queries`]);
    expect(r.stdout, r.stdout + r.stderr).toContain('10 agree, 0 differ, 0 not sent');
    expect(r.status).toBe(0);
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toMatch(/^nfv\d+-/m);
  }, 240_000);
  for (const s of listScenarios('scenarios')) {
    for (const state of scenarioStates(s.dir)) {
      const queries = join(s.dir, state === 'world' ? 'queries' : `queries-${state.slice('world-'.length)}`);
      if (!existsSync(queries)) continue;
      it(`${s.name}/${state}`, async () => {
        if (!root) throw new Error('CI=true but the kernel check cannot run here (needs root, ip, iptables-restore, tcpdump, python3)');
        const r = await nfsimAsync(['verify', join(s.dir, state), '--packets', queries]);
        expect(r.stdout, r.stdout + r.stderr).toMatch(/ agree, 0 differ, 0 not sent/);
        expect(r.status).toBe(0);
      }, 240_000);
    }
  }
});
