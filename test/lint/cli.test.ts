/** `nfsim lint` as a user runs it (dist/ is built by `npm test`'s pretest step). */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function nfsim(...args: string[]) {
  const r = spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('nfsim lint', () => {
  it('exit 1 with a warning, the location, the message and the fix', () => {
    const r = nfsim('lint', 'scenarios/01-published-port-forwarding-off/world');
    expect(r.code).toBe(1);
    expect(r.out).toContain('scenarios/01-published-port-forwarding-off/world/docker-host/sysctl:434:1: warning [forwarding-disabled] docker-host: net.ipv4.ip_forward = 0');
    expect(r.out).toContain('  fix: sysctl -w net.ipv4.ip_forward=1');
    expect(r.out.trimEnd().split('\n').pop()).toBe('scenarios/01-published-port-forwarding-off/world: 1 finding (0 error, 1 warning, 0 info)');
  });

  it('exit 0 when only info findings remain; --json is stable', () => {
    const r = nfsim('lint', 'scenarios/02-nat-postrouting-flushed/world', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.format).toBe('nfsim-lint');
    expect(j.counts).toEqual({ error: 0, warning: 0, info: 2 });
    expect(j.findings[0]).toMatchObject({ check: 'unused-chain', severity: 'info', host: 'host-a' });
    expect(nfsim('lint', 'scenarios/02-nat-postrouting-flushed/world', '--json').out).toBe(r.out);
  });

  it('--host and --check narrow the report', () => {
    const r = nfsim('lint', 'scenarios/02-nat-postrouting-flushed/world', '--host', 'host-b', '--check', 'unused-chain');
    expect(r.out).toContain('host-b');
    expect(r.out).not.toContain('host-a:');
  });

  it('exit 2 for bad input, with a message and no stack trace', () => {
    const a = nfsim('lint', 'scenarios/01-published-port-forwarding-off/world', '--check', 'nope');
    expect(a.code).toBe(2);
    expect(a.err).toContain("unknown check 'nope'");
    const b = nfsim('lint', 'scenarios/01-published-port-forwarding-off/world', '--host', 'nobody');
    expect(b.code).toBe(2);
    expect(b.err).toContain("unknown host 'nobody'");
    const c = nfsim('lint', '/nonexistent/world');
    expect(c.code).toBe(2);
    expect(c.err).not.toContain('    at ');
  });
});
