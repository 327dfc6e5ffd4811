import { describe, expect, it } from 'vitest';
import { parsePacketSpec } from '../../src/engine/packetSpec.js';
import { initialState, simulate } from '../../src/engine/simulate.js';
import type { Outcome, RunState } from '../../src/engine/types.js';
import type { World } from '../../src/model/host.js';
import { host, world } from './build.js';

const FWD = { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.eth0.forwarding': 1, 'net.ipv4.conf.eth1.forwarding': 1, 'net.ipv4.conf.eth2.forwarding': 1 };

function w3(rules: string, extra: Parameters<typeof host>[1] = {}): World {
  return world(
    [
      host('a', { ifaces: { eth0: ['10.0.1.2/24'] }, routes: ['default via 10.0.1.1 dev eth0'], sockets: [] }),
      host('r', { ifaces: { eth0: ['10.0.1.1/24'], eth1: ['10.0.2.1/24'], eth2: ['198.51.100.1/24'] }, routes: ['default via 198.51.100.254 dev eth2'], sysctl: FWD, iptables: rules, sockets: [{ proto: 'tcp', state: 'LISTEN', local: { addr: '0.0.0.0', port: 22 } }], ...extra }),
      host('b', {
        ifaces: { eth0: ['10.0.2.2/24'] },
        routes: ['default via 10.0.2.1 dev eth0'],
        sockets: [
          { proto: 'tcp', state: 'LISTEN', local: { addr: '0.0.0.0', port: 80 } },
          { proto: 'tcp', state: 'LISTEN', local: { addr: '0.0.0.0', port: 81 } },
        ],
      }),
    ],
    [
      ['a:eth0', 'r:eth0'],
      ['r:eth1', 'b:eth0'],
    ],
  );
}

function run(w: World, spec: string, state?: RunState): { o: Outcome; outcomes: Outcome[]; state: RunState } {
  const res = simulate(w, state ?? initialState(w), parsePacketSpec(spec));
  return { o: res.outcomes[0], outcomes: res.outcomes, state: res.states[0] };
}

const NAT_FWD = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 10.0.1.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.2.2:80
-A OUTPUT -d 10.0.1.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.2.2:80
-A POSTROUTING -s 10.0.1.0/24 -o eth2 -j MASQUERADE
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -d 10.0.2.2/32 -p tcp -m tcp --dport 80 -m conntrack --ctstate NEW -j ACCEPT
-A FORWARD -s 10.0.1.0/24 -o eth2 -j ACCEPT
COMMIT
`;

describe('conntrack and NAT', () => {
  it('DNAT to a backend; the SYN/ACK is translated back on its way out', () => {
    const { o } = run(w3(NAT_FWD), 'local a tcp 10.0.1.2:40000 > 10.0.1.1:8080 flags S');
    expect(o.verdict).toMatchObject({ fate: 'delivered', host: 'b', socket: 'tcp:0.0.0.0:80' });
    expect(o.trace.some((e) => e.type === 'nat' && e.kind === 'DNAT')).toBe(true);
    const ans = o.verdict.answers[0];
    expect(ans.verdict).toMatchObject({ fate: 'delivered', host: 'a' });
    expect(ans.trace.some((e) => e.type === 'nat' && e.kind === 'un-DNAT' && e.after.includes('10.0.1.1:8080'))).toBe(true);
  });

  it('MASQUERADE picks the egress address; the reply from outside is de-NATed to the client', () => {
    const w = w3(NAT_FWD);
    const first = run(w, 'local a udp 10.0.1.2:5353 > 203.0.113.53:53');
    expect(first.o.verdict).toMatchObject({ fate: 'forwarded', host: 'r', iface: 'eth2' });
    expect((first.o.verdict as { packet: string }).packet).toBe('udp 198.51.100.1:5353 > 203.0.113.53:53');
    const reply = run(w, 'arrive r:eth2 udp 203.0.113.53:53 > 198.51.100.1:5353', first.state);
    expect(reply.o.verdict).toMatchObject({ fate: 'delivered', host: 'a', socket: 'udp:10.0.1.2:5353' });
    expect(reply.o.trace.some((e) => e.type === 'nat' && e.kind === 'un-SNAT')).toBe(true);
  });

  it('a packet dropped before confirmation leaves no conntrack entry', () => {
    const w = w3(NAT_FWD);
    const { o, state } = run(w, 'local a tcp 10.0.1.2:40000 > 10.0.2.2:81 flags S');
    expect(o.verdict).toMatchObject({ fate: 'dropped', host: 'r', reason: 'NETFILTER_DROP', at: 'nft_do_chain' });
    expect(state.hosts.r.conntrack).toHaveLength(0);
    // and the retransmission is NEW again
    const again = run(w, 'local a tcp 10.0.1.2:40000 > 10.0.2.2:81 flags S', state);
    expect(again.o.trace.some((e) => e.type === 'conntrack' && e.host === 'r' && e.state === 'NEW')).toBe(true);
  });

  it('counters are kept per rule and per policy', () => {
    const w = w3(NAT_FWD);
    const { state } = run(w, 'local a tcp 10.0.1.2:40000 > 10.0.2.2:81 flags S');
    expect([state.hosts.r.packets['filter/FORWARD/policy'], state.hosts.r.bytes['filter/FORWARD/policy']]).toEqual([1, 60]);
  });

  it('a nat ACCEPT before MASQUERADE installs a null binding', () => {
    const rules = NAT_FWD.replace('-A POSTROUTING -s 10.0.1.0/24', '-A POSTROUTING -s 10.0.1.0/24 -j ACCEPT\n-A POSTROUTING -s 10.0.1.0/24');
    const { o } = run(w3(rules), 'local a udp 10.0.1.2:5353 > 203.0.113.53:53');
    expect((o.verdict as { packet: string }).packet).toBe('udp 10.0.1.2:5353 > 203.0.113.53:53');
  });

  it('statistic --mode random gives branches with the kernel probabilities', () => {
    const rules = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:SVC - [0:0]
-A PREROUTING -d 10.0.1.1/32 -p tcp -m tcp --dport 8080 -j SVC
-A SVC -p tcp -m statistic --mode random --probability 0.50000000000 -j DNAT --to-destination 10.0.2.2:80
-A SVC -p tcp -j DNAT --to-destination 10.0.2.2:81
COMMIT
`;
    const { outcomes } = run(w3(rules), 'local a tcp 10.0.1.2:40000 > 10.0.1.1:8080 flags S');
    expect(outcomes).toHaveLength(2);
    expect(outcomes.map((o) => (o.verdict as { socket?: string }).socket).sort()).toEqual(['tcp:0.0.0.0:80', 'tcp:0.0.0.0:81']);
    expect(outcomes[0].probability + outcomes[1].probability).toBeCloseTo(1, 9);
    expect(outcomes[0].probability).toBeCloseTo(0.5, 6);
  });

  it('REJECT in INPUT answers from the targeted address', () => {
    const rules = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 22 -j REJECT --reject-with icmp-host-prohibited
COMMIT
`;
    const { o } = run(w3(rules), 'local a tcp 10.0.1.2:40000 > 10.0.2.1:22');
    expect(o.verdict).toMatchObject({ fate: 'rejected', host: 'r', with: 'icmp-host-prohibited' });
    expect(o.verdict.answers[0].packet).toContain('icmp 10.0.2.1 > 10.0.1.2 type 3 (destination-unreachable) code 10');
    expect(o.verdict.answers[0].verdict).toMatchObject({ fate: 'delivered', host: 'a' });
  });

  it('local-to-local DNAT happens in nat OUTPUT', () => {
    const rules = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A OUTPUT -d 10.0.1.1/32 -p tcp -m tcp --dport 2222 -j DNAT --to-destination 10.0.1.1:22
COMMIT
`;
    const { o } = run(w3(rules), 'local r tcp 0.0.0.0:40000 > 10.0.1.1:2222');
    expect(o.verdict).toMatchObject({ fate: 'delivered', host: 'r', socket: 'tcp:0.0.0.0:22' });
  });

  it('NOTRACK: UNTRACKED and no NAT', () => {
    const rules = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 8080 -j CT --notrack
COMMIT
${NAT_FWD}`;
    const { o } = run(w3(rules), 'local a tcp 10.0.1.2:40000 > 10.0.1.1:8080 flags S');
    expect(o.trace.some((e) => e.type === 'conntrack' && e.state === 'UNTRACKED')).toBe(true);
    expect(o.trace.some((e) => e.type === 'nat' && e.kind === 'DNAT')).toBe(false);
  });
});
