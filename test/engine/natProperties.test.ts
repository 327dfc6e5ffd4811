/** fast-check properties of conntrack and NAT over random flows through a NAT router. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePacketSpec } from '../../src/engine/packetSpec.js';
import { initialState, simulate } from '../../src/engine/simulate.js';
import { host, world } from './build.js';

const FWD = { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.eth0.forwarding': 1, 'net.ipv4.conf.eth1.forwarding': 1, 'net.ipv4.conf.eth2.forwarding': 1 };

/** a (10.0.1.0/24 clients) — r — b (10.0.2.2, server); r publishes b:80 as 10.0.1.1:8080 and masquerades to the uplink. */
function natWorld(dropPort: number) {
  const rules = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 10.0.1.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.2.2:80
-A PREROUTING -d 10.0.1.1/32 -p udp -m udp --dport 8053 -j DNAT --to-destination 10.0.2.2:53
-A POSTROUTING -o eth2 -j MASQUERADE
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -p udp -m udp --dport ${dropPort} -j DROP
-A FORWARD -p tcp -m tcp --dport ${dropPort} -j DROP
COMMIT
`;
  return world(
    [
      host('a', { ifaces: { eth0: ['10.0.1.2/24', '10.0.1.3/24', '10.0.1.4/24'] }, routes: ['default via 10.0.1.1 dev eth0'], sockets: [] }),
      host('r', { ifaces: { eth0: ['10.0.1.1/24'], eth1: ['10.0.2.1/24'], eth2: ['198.51.100.1/24'] }, routes: ['default via 198.51.100.254 dev eth2'], sysctl: FWD, iptables: rules, sockets: [] }),
      host('b', {
        ifaces: { eth0: ['10.0.2.2/24'] },
        routes: ['default via 10.0.2.1 dev eth0'],
        sockets: [
          { proto: 'tcp', state: 'LISTEN', local: { addr: '0.0.0.0', port: 80 } },
          { proto: 'udp', state: 'UNCONN', local: { addr: '0.0.0.0', port: 53 } },
        ],
      }),
    ],
    [
      ['a:eth0', 'r:eth0'],
      ['r:eth1', 'b:eth0'],
    ],
  );
}

const flowArb = fc.record({
  client: fc.constantFrom('10.0.1.2', '10.0.1.3', '10.0.1.4'),
  sport: fc.integer({ min: 1024, max: 65535 }),
  kind: fc.constantFrom('dnat-tcp', 'dnat-udp', 'masq-udp', 'masq-tcp'),
  outside: fc.integer({ min: 1, max: 250 }),
});

describe('NAT properties', () => {
  it('the reply of a DNATed or masqueraded flow comes back translated in reverse', () => {
    fc.assert(
      fc.property(fc.array(flowArb, { minLength: 1, maxLength: 4 }), (flows) => {
        const w = natWorld(9);
        let state = initialState(w);
        for (const f of flows) {
          const proto = f.kind.endsWith('tcp') ? 'tcp' : 'udp';
          const far = `203.0.113.${f.outside}`;
          const dst = f.kind.startsWith('dnat') ? `10.0.1.1:${proto === 'tcp' ? 8080 : 8053}` : `${far}:443`;
          const req = simulate(w, state, parsePacketSpec(`local a ${proto} ${f.client}:${f.sport} > ${dst}${proto === 'tcp' ? ' flags S' : ''}`));
          state = req.states[0];
          const v = req.outcomes[0].verdict;
          if (f.kind.startsWith('dnat')) {
            // The request reaches the server; TCP's SYN/ACK (generated) comes back to the client with the public address.
            expect(v).toMatchObject({ fate: 'delivered', host: 'b' });
            if (proto === 'tcp') {
              expect(v.answers[0].verdict).toMatchObject({ fate: 'delivered', host: 'a' });
              const back = v.answers[0].trace.filter((e) => e.type === 'nat' && e.kind === 'un-DNAT');
              expect(back.length).toBe(1);
              expect((back[0] as { after: string }).after).toContain(`10.0.1.1:8080 > ${f.client}:${f.sport}`);
            } else {
              const reply = simulate(w, state, parsePacketSpec(`local b udp 10.0.2.2:53 > ${f.client}:${f.sport}`));
              state = reply.states[0];
              expect(reply.outcomes[0].verdict).toMatchObject({ fate: 'delivered', host: 'a' });
              expect(reply.outcomes[0].trace.some((e) => e.type === 'nat' && e.kind === 'un-DNAT' && e.after.startsWith(`udp 10.0.1.1:8053 > ${f.client}:${f.sport}`))).toBe(true);
            }
          } else {
            expect(v).toMatchObject({ fate: 'forwarded', iface: 'eth2' });
            const left = (v as { packet: string }).packet;
            const m = /^\w+ 198\.51\.100\.1:(\d+) > /.exec(left);
            expect(m, left).not.toBeNull();
            const reply = simulate(w, state, parsePacketSpec(`arrive r:eth2 ${proto} ${far}:443 > 198.51.100.1:${m![1]}${proto === 'tcp' ? ' flags SA' : ''}`));
            state = reply.states[0];
            expect(reply.outcomes[0].verdict).toMatchObject({ fate: 'delivered', host: 'a', socket: `${proto}:${f.client}:${f.sport}` });
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a packet dropped before confirmation leaves no conntrack entry anywhere', () => {
    fc.assert(
      fc.property(flowArb, fc.constantFrom('tcp', 'udp'), (f, proto) => {
        const w = natWorld(f.sport % 2 ? 9 : 4000);
        const before = initialState(w);
        const port = f.sport % 2 ? 9 : 4000;
        const res = simulate(w, before, parsePacketSpec(`local a ${proto} ${f.client}:${f.sport} > 10.0.2.2:${port}`));
        expect(res.outcomes[0].verdict).toMatchObject({ fate: 'dropped', host: 'r', reason: 'NETFILTER_DROP' });
        expect(res.states[0].hosts.r.conntrack).toEqual([]);
        expect(res.states[0].hosts.b?.conntrack ?? []).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
