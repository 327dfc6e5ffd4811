import { describe, expect, it } from 'vitest';
import { parsePacketSpec } from '../../src/engine/packetSpec.js';
import { initialState, simulate } from '../../src/engine/simulate.js';
import type { World } from '../../src/model/host.js';
import { host, world } from './build.js';

/** h has bridge br0 (10.0.0.1/24) with ports p1 → c1 (10.0.0.2), p2 → c2 (10.0.0.3) and p3 (unlinked). */
function bridged(sysctl: Record<string, number>, rules?: string): World {
  return world(
    [
      host('h', { ifaces: { br0: { addrs: ['10.0.0.1/24'], kind: 'bridge' }, p1: { addrs: [], master: 'br0' }, p2: { addrs: [], master: 'br0' }, p3: { addrs: [], master: 'br0' } }, sysctl, iptables: rules, sockets: [] }),
      host('c1', { ifaces: { eth0: ['10.0.0.2/24'] }, routes: ['default via 10.0.0.1 dev eth0'], sockets: [] }),
      host('c2', { ifaces: { eth0: ['10.0.0.3/24'] }, routes: ['default via 10.0.0.1 dev eth0'], sockets: [{ proto: 'udp', state: 'UNCONN', local: { addr: '0.0.0.0', port: 53 } }] }),
    ],
    [
      ['c1:eth0', 'h:p1'],
      ['c2:eth0', 'h:p2'],
    ],
  );
}

const DROP_FWD = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
COMMIT
`;

function run(w: World, spec: string) {
  return simulate(w, initialState(w), parsePacketSpec(spec)).outcomes[0];
}

describe('Linux bridge', () => {
  it('bridges between ports without iptables when br_netfilter is not loaded', () => {
    const o = run(bridged({ 'net.ipv4.ip_forward': 0 }, DROP_FWD), 'local c1 udp 10.0.0.2:5000 > 10.0.0.3:53');
    expect(o.verdict).toMatchObject({ fate: 'delivered', host: 'c2' });
    expect(o.trace.some((e) => e.type === 'sysctl' && e.key === 'net.bridge.bridge-nf-call-iptables' && e.value === '0')).toBe(true);
  });

  it('with bridge-nf-call-iptables=1 bridged frames meet FORWARD', () => {
    const o = run(bridged({ 'net.bridge.bridge-nf-call-iptables': 1 }, DROP_FWD), 'local c1 udp 10.0.0.2:5000 > 10.0.0.3:53');
    expect(o.verdict).toMatchObject({ fate: 'dropped', host: 'h', reason: 'NETFILTER_DROP' });
  });

  it('a frame for the bridge address goes up the stack on br0', () => {
    const o = run(bridged({}), 'local c1 icmp 10.0.0.2 > 10.0.0.1 type echo-request id 5 seq 1');
    expect(o.verdict).toMatchObject({ fate: 'delivered', host: 'h', socket: 'icmp:echo' });
    expect(o.verdict.answers[0].verdict).toMatchObject({ fate: 'delivered', host: 'c1' });
  });

  it('a neighbour behind an unmodelled port: the frame leaves the world there', () => {
    const o = run(bridged({}), 'local c1 udp 10.0.0.2:5000 > 10.0.0.99:53');
    expect(o.verdict).toMatchObject({ fate: 'forwarded', host: 'h', iface: 'p3' });
  });

  it('a peer whose addresses are not known: unsupported, not a guess', () => {
    const w = bridged({});
    const c2 = w.hosts.find((x) => x.name === 'c2')!;
    delete (c2.inputs as Record<string, string>)['ip-addr'];
    const o = run(w, 'local c1 udp 10.0.0.2:5000 > 10.0.0.3:53');
    expect(o.verdict.fate).toBe('unsupported');
  });

  describe('a frame DNATed back toward the port it came in on', () => {
    // c1 asks the bridge's own address; PREROUTING (br_netfilter, at the port) DNATs it to c1 itself: the
    // route to 10.0.0.2 leads out of br0, so it is bridged again (bridged_dnat), toward port p1.
    const HAIRPIN_DNAT = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 10.0.0.1/32 -p udp -j DNAT --to-destination 10.0.0.2
COMMIT
`;
    const withHairpin = (on: boolean | undefined) => {
      const w = bridged({ 'net.bridge.bridge-nf-call-iptables': 1, 'net.ipv4.ip_forward': 1 }, HAIRPIN_DNAT);
      const p1 = w.hosts.find((x) => x.name === 'h')!.interfaces.find((i) => i.name === 'p1')!;
      if (on !== undefined) p1.hairpin = on;
      return w;
    };
    it('is dropped by the bridge when hairpin mode is off (should_deliver())', () => {
      const o = run(withHairpin(false), 'local c1 udp 10.0.0.2:5000 > 10.0.0.1:53');
      expect(o.verdict).toMatchObject({ fate: 'dropped', host: 'h', reason: 'NOT_SPECIFIED', at: 'br_handle_frame_finish' });
    });
    it('assumes the kernel default (off) when ip -d link does not say, and says so', () => {
      const o = run(withHairpin(undefined), 'local c1 udp 10.0.0.2:5000 > 10.0.0.1:53');
      expect(o.verdict).toMatchObject({ fate: 'dropped', at: 'br_handle_frame_finish' });
      expect(o.trace.some((e) => e.type === 'note' && e.text.includes('kernel default, off, is assumed'))).toBe(true);
    });
    it('goes back out the port in hairpin mode, bridged (no routing), and c1 refuses its own source', () => {
      const o = run(withHairpin(true), 'local c1 udp 10.0.0.2:5000 > 10.0.0.1:53');
      // (the classic hairpin-NAT failure without a masquerade: the packet's source is c1's own address)
      expect(o.verdict).toMatchObject({ fate: 'dropped', host: 'c1', reason: 'IP_LOCAL_SOURCE' });
      // routed once by br_nf_pre_routing_finish() (the route leads out of br0), then bridged, never IP-forwarded
      expect(o.trace.some((e) => e.type === 'note' && e.host === 'h' && e.text.includes('stays bridged (bridged_dnat), toward port p1'))).toBe(true);
      expect(o.trace.some((e) => e.type === 'note' && e.host === 'h' && e.text.includes('now routed'))).toBe(false);
    });
  });

  describe('a frame for the bridge DNATed to a routed destination', () => {
    // h: br0 10.0.0.1/24 (ports p1, p2, p3) and eth1 10.9.0.1/24; strict rp_filter. A frame from behind p1 with
    // the source 10.9.0.7 (whose route back leads out of eth1) is refused by the reverse-path filter: where the
    // kernel frees it depends on whether PREROUTING changed its destination.
    const DNAT = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 10.0.0.1/32 -p udp --dport 53 -j DNAT --to-destination 10.9.0.5
COMMIT
`;
    const rpWorld = () =>
      world(
        [
          host('h', {
            ifaces: { br0: { addrs: ['10.0.0.1/24'], kind: 'bridge' }, p1: { addrs: [], master: 'br0' }, eth1: ['10.9.0.1/24'] },
            sysctl: { 'net.bridge.bridge-nf-call-iptables': 1, 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.rp_filter': 1 },
            iptables: DNAT,
            sockets: [],
          }),
          host('c1', { ifaces: { eth0: ['10.0.0.2/24'] }, routes: ['default via 10.0.0.1 dev eth0'], sockets: [] }),
        ],
        [['c1:eth0', 'h:p1']],
      );
    it('DNATed: ip_route_input() in br_nf_pre_routing_finish() refuses it, and it is freed there', () => {
      const o = run(rpWorld(), 'arrive h:p1 udp 10.9.0.7:5000 > 10.0.0.1:53');
      expect(o.verdict).toMatchObject({ fate: 'dropped', host: 'h', reason: 'IP_RPFILTER', at: 'br_nf_pre_routing_finish' });
    });
    it('not DNATed: it goes up the stack and ip_rcv_finish_core() refuses it', () => {
      const o = run(rpWorld(), 'arrive h:p1 udp 10.9.0.7:5000 > 10.0.0.1:54');
      expect(o.verdict).toMatchObject({ fate: 'dropped', host: 'h', reason: 'IP_RPFILTER', at: 'ip_rcv_finish_core' });
    });
  });
});
