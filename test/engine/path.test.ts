import { describe, expect, it } from 'vitest';
import { parsePacketSpec } from '../../src/engine/packetSpec.js';
import { initialState, simulate } from '../../src/engine/simulate.js';
import type { Outcome, RunState } from '../../src/engine/types.js';
import type { World } from '../../src/model/host.js';
import { host, world } from './build.js';

/** a (10.0.1.2) — r (10.0.1.1 | 10.0.2.1) — b (10.0.2.2) */
function line(r: Parameters<typeof host>[1] = {}, b: Parameters<typeof host>[1] = {}): World {
  return world(
    [
      host('a', { ifaces: { eth0: ['10.0.1.2/24'] }, routes: ['default via 10.0.1.1 dev eth0'] }),
      host('r', { ifaces: { eth0: ['10.0.1.1/24'], eth1: ['10.0.2.1/24'] }, ...r }),
      host('b', { ifaces: { eth0: ['10.0.2.2/24'] }, routes: ['default via 10.0.2.1 dev eth0'], sockets: [{ proto: 'tcp', state: 'LISTEN', local: { addr: '0.0.0.0', port: 80 } }, { proto: 'udp', state: 'UNCONN', local: { addr: '0.0.0.0', port: 53 } }], ...b }),
    ],
    [
      ['a:eth0', 'r:eth0'],
      ['r:eth1', 'b:eth0'],
    ],
  );
}

function run(w: World, spec: string, state?: RunState): { o: Outcome; state: RunState } {
  const res = simulate(w, state ?? initialState(w), parsePacketSpec(spec));
  expect(res.outcomes.length).toBe(1);
  return { o: res.outcomes[0], state: res.states[0] };
}

const FWD = { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.forwarding': 1, 'net.ipv4.conf.eth0.forwarding': 1, 'net.ipv4.conf.eth1.forwarding': 1 };

describe('forwarding and routing', () => {
  it('forwarding off on the ingress interface: IP_INADDRERRORS at ip_error, no ICMP', () => {
    const { o } = run(line(), 'local a tcp 10.0.1.2:40000 > 10.0.2.2:80 flags S');
    expect(o.verdict).toMatchObject({ fate: 'dropped', host: 'r', reason: 'IP_INADDRERRORS', at: 'ip_error', counter: 'IpInAddrErrors' });
    expect(o.verdict.answers).toHaveLength(0);
    expect(o.fix?.command).toBe('sysctl -w net.ipv4.ip_forward=1');
  });

  it('forwarding decided by the ingress interface only', () => {
    const w = line({ sysctl: { 'net.ipv4.conf.eth0.forwarding': 0, 'net.ipv4.conf.eth1.forwarding': 1 } });
    expect(run(w, 'local a tcp 10.0.1.2:40000 > 10.0.2.2:80').o.verdict.fate).toBe('dropped');
  });

  it('forwarding on: SYN delivered to the listener, SYN/ACK comes back to the client socket', () => {
    const { o } = run(line({ sysctl: FWD }), 'local a tcp 10.0.1.2:40000 > 10.0.2.2:80 flags S');
    expect(o.verdict).toMatchObject({ fate: 'delivered', host: 'b', socket: 'tcp:0.0.0.0:80' });
    expect(o.verdict.answers).toHaveLength(1);
    expect(o.verdict.answers[0].verdict).toMatchObject({ fate: 'delivered', host: 'a' });
    expect(o.trace.some((e) => e.type === 'rewrite' && e.what === 'ttl' && e.before === '64' && e.after === '63')).toBe(true);
  });

  it('no route with forwarding on: IP_INNOROUTES and ICMP net unreachable from the router', () => {
    const { o } = run(line({ sysctl: FWD }), 'local a udp 10.0.1.2:5000 > 192.0.2.9:53');
    expect(o.verdict).toMatchObject({ fate: 'dropped', host: 'r', reason: 'IP_INNOROUTES', at: 'ip_error' });
    expect(o.verdict.answers[0].packet).toContain('icmp 10.0.1.1 > 10.0.1.2 type 3');
    expect(o.verdict.answers[0].verdict).toMatchObject({ fate: 'delivered', host: 'a' });
  });

  it('blackhole route: silent NOT_SPECIFIED', () => {
    const { o } = run(line({ sysctl: FWD, routes: ['blackhole 192.0.2.0/24'] }), 'local a udp 10.0.1.2:5000 > 192.0.2.9:53');
    expect(o.verdict).toMatchObject({ fate: 'dropped', reason: 'NOT_SPECIFIED', at: 'ip_error' });
    expect(o.verdict.answers).toHaveLength(0);
  });

  it('TTL 1 is not forwarded: time exceeded', () => {
    const { o } = run(line({ sysctl: FWD }), 'arrive r:eth0 udp 10.0.1.2:5000 > 10.0.2.2:53 ttl 1');
    expect(o.verdict).toMatchObject({ fate: 'dropped', reason: 'IP_INHDR', at: 'ip_forward' });
    expect(o.verdict.answers[0].packet).toContain('type 11');
  });

  it('DF and too big: PKT_TOO_BIG with frag-needed', () => {
    const w = line({ sysctl: FWD, ifaces: { eth0: ['10.0.1.1/24'], eth1: { addrs: ['10.0.2.1/24'], mtu: 1400 } } });
    const { o } = run(w, 'arrive r:eth0 udp 10.0.1.2:5000 > 10.0.2.2:53 len 1500 df');
    expect(o.verdict).toMatchObject({ fate: 'dropped', reason: 'PKT_TOO_BIG', at: 'ip_forward' });
  });

  it('a local UDP datagram that fits the first hop gets DF from its socket (IP_PMTUDISC_WANT): frag-needed at the router', () => {
    const w = line({ sysctl: FWD, ifaces: { eth0: ['10.0.1.1/24'], eth1: { addrs: ['10.0.2.1/24'], mtu: 1400 } } });
    const { o } = run(w, 'local a udp 10.0.1.2:5000 > 10.0.2.2:53 len 1450');
    expect(o.verdict).toMatchObject({ fate: 'dropped', host: 'r', reason: 'PKT_TOO_BIG', at: 'ip_forward' });
    expect(o.verdict.answers[0].packet).toMatch(/type 3 .*code 4/);
    // larger than the sender's own MTU (1500): fragmented by the sender, without DF, so the router fragments too
    const big = run(w, 'local a udp 10.0.1.2:5000 > 10.0.2.2:53 len 1600').o;
    expect(big.verdict.fate).not.toBe('dropped');
    expect(big.trace.some((e) => e.type === 'note' && e.host === 'r' && e.text.includes('the kernel fragments'))).toBe(true);
  });

  it('strict rp_filter drops a source routed back through another interface', () => {
    const w = line({ sysctl: { ...FWD, 'net.ipv4.conf.all.rp_filter': 1 } });
    const { o } = run(w, 'arrive r:eth0 udp 10.0.2.77:5000 > 10.0.1.2:53');
    expect(o.verdict).toMatchObject({ fate: 'dropped', reason: 'IP_RPFILTER', at: 'ip_rcv_finish_core' });
  });

  it('loose rp_filter lets it through', () => {
    const w = line({ sysctl: { ...FWD, 'net.ipv4.conf.all.rp_filter': 2 } });
    expect(run(w, 'arrive r:eth0 udp 10.0.2.77:5000 > 10.0.1.2:53').o.verdict.fate).not.toBe('dropped');
  });

  it('our own address as source from the wire: IP_LOCAL_SOURCE', () => {
    const { o } = run(line({ sysctl: FWD }), 'arrive r:eth0 udp 10.0.2.1:5000 > 10.0.1.1:53');
    expect(o.verdict).toMatchObject({ fate: 'dropped', reason: 'IP_LOCAL_SOURCE' });
  });

  it('127/8 from the wire without route_localnet: IP_LOCALNET', () => {
    const { o } = run(line(), 'arrive r:eth0 udp 10.0.1.2:5000 > 127.0.0.1:53');
    expect(o.verdict).toMatchObject({ fate: 'dropped', reason: 'IP_LOCALNET', at: 'ip_rcv_finish_core' });
  });

  it('UDP to a closed port: NO_SOCKET and ICMP port unreachable from the destination address', () => {
    const { o } = run(line({ sysctl: FWD }), 'local a udp 10.0.1.2:5000 > 10.0.2.2:54');
    expect(o.verdict).toMatchObject({ fate: 'dropped', host: 'b', reason: 'NO_SOCKET', at: '__udp4_lib_rcv', counter: 'UdpNoPorts' });
    expect(o.verdict.answers[0].packet).toContain('icmp 10.0.2.2 > 10.0.1.2 type 3 (destination-unreachable) code 3');
  });

  it('TCP to a closed port: NO_SOCKET and a RST', () => {
    const { o } = run(line({ sysctl: FWD }), 'local a tcp 10.0.1.2:40000 > 10.0.2.2:81');
    expect(o.verdict).toMatchObject({ fate: 'dropped', reason: 'NO_SOCKET', at: 'tcp_v4_rcv' });
    expect(o.verdict.answers[0].packet).toContain('tcp 10.0.2.2:81 > 10.0.1.2:40000 flags RA');
  });

  it('ping: echo reply from the pinged address comes back', () => {
    const { o } = run(line({ sysctl: FWD }), 'local a icmp 10.0.1.2 > 10.0.2.1 type echo-request id 7 seq 1');
    expect(o.verdict).toMatchObject({ fate: 'delivered', host: 'r', socket: 'icmp:echo' });
    expect(o.verdict.answers[0].packet).toContain('icmp 10.0.2.1 > 10.0.1.2 type 0');
    expect(o.verdict.answers[0].verdict).toMatchObject({ fate: 'delivered', host: 'a' });
  });

  it('unbound local source: routing picks it', () => {
    const { o } = run(line({ sysctl: FWD }), 'local a udp 0.0.0.0:5000 > 10.0.2.2:53');
    expect(o.verdict).toMatchObject({ fate: 'delivered', host: 'b' });
    expect(o.trace.some((e) => e.type === 'route' && e.result.includes('source 10.0.1.2'))).toBe(true);
  });

  it('a local send with no route fails in the system call', () => {
    const w = world([host('x', { ifaces: { eth0: ['10.0.1.2/24'] } })]);
    const { o } = run(w, 'local x udp 0.0.0.0:5000 > 192.0.2.1:53');
    expect(o.verdict).toMatchObject({ fate: 'send-error', errno: 'ENETUNREACH' });
  });

  it('leaving the modelled world', () => {
    const w = line({ sysctl: FWD, ifaces: { eth0: ['10.0.1.1/24'], eth1: ['10.0.2.1/24'], eth2: ['198.51.100.1/24'] }, routes: ['default via 198.51.100.254 dev eth2'] });
    const { o } = run(w, 'local a udp 10.0.1.2:5000 > 203.0.113.7:53');
    expect(o.verdict).toMatchObject({ fate: 'forwarded', host: 'r', iface: 'eth2' });
  });

  it('a next hop nobody on the link owns: NEIGH_FAILED and ICMP host unreachable', () => {
    const w = line({ sysctl: FWD, routes: ['default via 10.0.2.254 dev eth1'] });
    const { o } = run(w, 'local a udp 10.0.1.2:5000 > 198.51.100.7:53');
    expect(o.verdict).toMatchObject({ fate: 'dropped', host: 'r', reason: 'NEIGH_FAILED', at: 'neigh_invalidate' });
    expect(o.verdict.answers[0].packet).toContain('icmp 10.0.1.1 > 10.0.1.2 type 3 (destination-unreachable) code 1');
  });

  it('unknown routes are reported, not guessed', () => {
    const w = world([host('x', { ifaces: { eth0: ['10.0.1.2/24'] }, noRoutes: true })]);
    const { o } = run(w, 'local x udp 0.0.0.0:5000 > 10.0.1.9:53');
    expect(o.verdict.fate).toBe('unsupported');
  });
});
