/** The nfsim command as a user runs it (dist/ is built by `npm test`'s pretest step). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS } from '../parse/corpusFiles.js';

const W = 'scenarios/01-published-port-forwarding-off/world';
const SYN = 'arrive docker-host:eth0 tcp 10.211.55.2:61471 > 10.211.55.15:80 flags S';

function nfsim(...args: string[]) {
  const r = spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('nfsim CLI', () => {
  it('trace explains the drop, with the fix', () => {
    const r = nfsim('trace', W, SYN);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Verdict: DROPPED on docker-host: IP_INADDRERRORS at ip_error');
    expect(r.out).toContain('sysctl -w net.ipv4.ip_forward=1');
    expect(r.out).toMatch(/rule 2 matched: -A DOCKER ! -i docker0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 172.17.0.2:80 +\[.*iptables-save:\d+\]/);
  });

  it('--expect exits 1 on a different verdict and 0 on the same', () => {
    expect(nfsim('trace', W, SYN, '--expect', 'dropped:IP_INADDRERRORS').code).toBe(0);
    const r = nfsim('trace', W, SYN, '--expect', 'delivered');
    expect(r.code).toBe(1);
    expect(r.err).toContain('expected delivered, got dropped');
  });

  it('--json is stable and typed', () => {
    const a = nfsim('trace', W, SYN, '--json');
    const b = nfsim('trace', W, SYN, '--json');
    expect(a.out).toBe(b.out);
    const j = JSON.parse(a.out);
    expect(j.format).toBe('nfsim-trace');
    expect(j.outcomes[0].verdict).toMatchObject({ fate: 'dropped', reason: 'IP_INADDRERRORS', at: 'ip_error', host: 'docker-host' });
    expect(j.outcomes[0].trace.map((e: { type: string }) => e.type)).toContain('nat');
  });

  it('input errors exit 2 with file:line:col and a hint, never a stack trace', () => {
    const r = nfsim('trace', W, 'arrive docker-host:eth0 tcp 10.211.55.2 > 10.211.55.15:80');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^\(packet\):1:\d+: error: tcp needs ports/m);
    expect(r.err).not.toMatch(/at .*\.js:\d+/);
    const bad = nfsim('trace', W, 'arrive nosuchhost:eth0 udp 1.2.3.4:1 > 5.6.7.8:2');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("unknown host 'nosuchhost'");
  });

  it('run keeps conntrack state, checks expect lines and writes counters', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfsim-cli-'));
    const packets = join(dir, 'packets');
    writeFileSync(packets, `${SYN}\nexpect dropped reason=IP_INADDRERRORS\nlocal docker-host tcp 0.0.0.0:40000 > 10.211.55.15:80\nexpect delivered host=ctr\n`);
    const r = nfsim('run', W, '--packets', packets, '--save-counters', join(dir, 'counters'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('✓ as expected');
    const saved = readFileSync(join(dir, 'counters', 'docker-host.iptables-save'), 'utf8');
    expect(saved).toContain('[2:120] -A DOCKER ! -i docker0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 172.17.0.2:80');
    writeFileSync(packets, `${SYN}\nexpect delivered\n`);
    expect(nfsim('run', W, '--packets', packets).code).toBe(1);
  });

  it('parse summarises a corpus file', () => {
    const r = nfsim('parse', join(CORPUS, 'net-network/config_home_router/iptables-save'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('filter: 5 chains, 11 rules');
  });

  it('scenario list names every scenario', () => {
    const r = nfsim('scenario', 'list');
    expect(r.code).toBe(0);
    expect(r.out).toContain('01-published-port-forwarding-off');
  });
});
