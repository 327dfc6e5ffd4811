/**
 * A change seen only in how a datagram arrives (its addresses after NAT) is a fate difference: a delivered
 * verdict carries the packet as the socket receives it.
 */
import { describe, expect, it } from 'vitest';
import { diffWorlds } from '../../src/diff/diff.js';
import { parsePacketSpec } from '../../src/engine/packetSpec.js';
import { initialState, simulate } from '../../src/engine/simulate.js';
import { host, world } from '../engine/build.js';
import { boxHas, pointOf } from './helpers.js';

const snat = (to: string) => `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -o eth1 -p udp -j SNAT --to-source ${to}
COMMIT
`;

/** client (10.0.1.2) → router (10.0.1.1 / 10.0.2.1, SNAT out eth1) → server (10.0.2.2, udp 53 open, no answer). */
function routed(to: string) {
  return world(
    [
      host('client', { ifaces: { eth0: ['10.0.1.2/24'] }, routes: ['default via 10.0.1.1 dev eth0'], sockets: [] }),
      host('router', { ifaces: { eth0: ['10.0.1.1/24'], eth1: ['10.0.2.1/24', '10.0.2.9/24'] }, sysctl: { 'net.ipv4.ip_forward': 1 }, iptables: snat(to), sockets: [] }),
      host('server', { ifaces: { eth0: ['10.0.2.2/24'] }, routes: ['default via 10.0.2.1 dev eth0'], sockets: [{ proto: 'udp', state: 'UNCONN', local: { addr: '0.0.0.0', port: 53 } }] }),
    ],
    [
      ['client:eth0', 'router:eth0'],
      ['router:eth1', 'server:eth0'],
    ],
  );
}

describe('delivered packets in diff', () => {
  const spec = parsePacketSpec('local client udp 10.0.1.2:5000 > 10.0.2.2:53');
  it('the delivered verdict names the packet as received', () => {
    const w = routed('10.0.2.9');
    const v = simulate(w, initialState(w), spec).outcomes[0].verdict;
    expect(v).toMatchObject({ fate: 'delivered', host: 'server', packet: 'udp 10.0.2.9:5000 > 10.0.2.2:53' });
  });
  it('a different SNAT address for datagrams nobody answers is a difference', () => {
    const r = diffWorlds(routed('10.0.2.1'), routed('10.0.2.9'), { traces: false, from: ['local client'] });
    // the datagram to the open port: delivered in both worlds, only its source differs
    const v = pointOf(spec, r.points)!;
    expect(r.differing.filter((c) => boxHas(c.box, v)).length).toBe(1);
  });
});
