/** `nfsim check` as a user runs it (dist/ is built by `npm test`'s pretest step): exit codes and files. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';

const S = 'scenarios/01-published-port-forwarding-off';

function nfsim(...args: string[]) {
  const r = spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('nfsim check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nfsim-check-'));
  const policy = join(dir, 'web.policy');
  writeFileSync(policy, '# the published port\nreach docker-host:eth0:80 from client\ndeny tcp from client to docker-host:22\n');

  it('exit 1 and a JUnit failure when an assertion fails, exit 0 when all pass', () => {
    const junit = join(dir, 'out.xml');
    const bad = nfsim('check', `${S}/world`, policy, '--junit', junit);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`FAIL ${policy}:2: reach docker-host:eth0:80 from client — does not reach: DROPPED on docker-host: IP_INADDRERRORS at ip_error`);
    expect(bad.out).toContain('1 passed, 1 failed (2 assertions)');
    const xml = readFileSync(junit, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('<failure message="does not reach: DROPPED on docker-host: IP_INADDRERRORS at ip_error (counter IpInAddrErrors); counterexample: local client tcp 0.0.0.0:40000 &gt; 10.211.55.15:80 flags S"');
    const good = nfsim('check', `${S}/world-fixed`, policy, '--json');
    expect(good.code).toBe(0);
    expect(JSON.parse(good.out).summary).toEqual({ total: 2, passed: 2, failed: 0, unsupported: 0, incomplete: 0 });
  });

  it('exit 2 with file:line:col for bad input', () => {
    const p = join(dir, 'bad.policy');
    writeFileSync(p, 'allow tcp to docker-host:80\ndeny tcp to nosuch:22\n');
    const r = nfsim('check', `${S}/world`, p);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${p}:2:13: error: no host 'nosuch' in the world`);
    expect(r.err).toContain('hint: hosts: client, ctr, docker-host');
    expect(nfsim('check', `${S}/world`).code).toBe(2);
    expect(nfsim('check', `${S}/world`, join(dir, 'missing.policy')).code).toBe(2);
  });
});
