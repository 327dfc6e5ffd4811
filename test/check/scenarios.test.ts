/** `nfsim check` on the teaching scenarios: each incident fails an assertion in `world` that `world-fixed` passes. */
import { describe, expect, it } from 'vitest';
import { checkPolicy } from '../../src/check/check.js';
import { parsePolicy } from '../../src/parse/policy.js';
import { loadWorld } from '../../src/parse/world.js';

function run(scenario: string, state: 'world' | 'world-fixed', text: string) {
  return checkPolicy(loadWorld(`scenarios/${scenario}/${state}`), parsePolicy(text, `${scenario}.policy`));
}

describe('scenario 01: published port, forwarding off', () => {
  const policy = ['allow tcp from client to docker-host:eth0:80', 'reach docker-host:eth0:80 from client', 'deny tcp from client to docker-host:22', 'allow icmp from client to docker-host:eth0'].join('\n');
  it('the published port is not reachable in world', () => {
    const r = run('01-published-port-forwarding-off', 'world', policy);
    expect(r.map((x) => x.status)).toEqual(['fail', 'fail', 'pass', 'pass']);
    expect(r[0].summary).toBe('not allowed: DROPPED on docker-host: IP_INADDRERRORS at ip_error (counter IpInAddrErrors)');
    expect(r[0].counterexample!.packet).toBe('local client tcp 10.211.55.2:40000 > 10.211.55.15:80 flags S');
    expect(r[0].counterexample!.trace).toContain('forwarding is off on eth0');
    expect(r[1].counterexample!.packet).toBe('local client tcp 0.0.0.0:40000 > 10.211.55.15:80 flags S');
  });
  it('and reachable in world-fixed (delivered to the container)', () => {
    const r = run('01-published-port-forwarding-off', 'world-fixed', policy);
    expect(r.map((x) => x.status)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(r[1].summary).toBe('local client tcp 0.0.0.0:40000 > 10.211.55.15:80 flags S: DELIVERED on ctr to tcp:172.17.0.2:80');
  });
});

describe('scenario 02: nat POSTROUTING flushed', () => {
  const policy = 'nat 172.17.0.0/16 -> masquerade via host-a:eth0 icmp';
  it('the container leaves un-masqueraded in world and masqueraded in world-fixed', () => {
    const [bad] = run('02-nat-postrouting-flushed', 'world', policy);
    expect(bad.status).toBe('fail');
    expect(bad.summary).toBe('leaves host-a:eth0 from 172.17.0.2: not masqueraded (no MASQUERADE on this host)');
    expect(bad.counterexample!.packet).toMatch(/^local ctr icmp 172\.17\.0\.2 > /);
    const [good] = run('02-nat-postrouting-flushed', 'world-fixed', policy);
    expect(good.status).toBe('pass');
  });
});

describe('scenario 06: container without SNAT', () => {
  const policy = 'nat 172.16.94.0/24 -> 192.168.1.10 via docker-host:eth0 icmp\nnat 172.16.94.0/24 -> masquerade via docker-host:eth0 icmp';
  it('the fix is an SNAT to the host address, not a MASQUERADE', () => {
    expect(run('06-container-no-snat', 'world', policy).map((x) => x.status)).toEqual(['fail', 'fail']);
    const fixed = run('06-container-no-snat', 'world-fixed', policy);
    expect(fixed.map((x) => x.status)).toEqual(['pass', 'fail']);
    expect(fixed[1].summary).toContain('not masqueraded (source changed from 172.16.94.2 without MASQUERADE)');
  });
});

describe('scenario 08: the master rejects VXLAN', () => {
  const policy = 'allow udp from node to master:8472\nreach master:8472 from node udp\nallow icmp from node to master';
  it('VXLAN from the node is rejected in world and delivered in world-fixed', () => {
    const bad = run('08-master-rejects-vxlan', 'world', policy);
    expect(bad.map((x) => x.status)).toEqual(['fail', 'fail', 'pass']);
    expect(bad[0].summary).toContain('not allowed: REJECTED on master with icmp-host-prohibited by filter INPUT');
    expect(run('08-master-rejects-vxlan', 'world-fixed', policy).map((x) => x.status)).toEqual(['pass', 'pass', 'pass']);
  });

  it('the same check gives the same report, byte for byte', () => {
    const a = JSON.stringify(run('08-master-rejects-vxlan', 'world', policy));
    expect(JSON.stringify(run('08-master-rejects-vxlan', 'world', policy))).toBe(a);
  });
});
