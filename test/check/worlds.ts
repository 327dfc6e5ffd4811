/** Small worlds for the check tests: a router `r` between a LAN (eth0, edge), a server `web` (eth1) and the
 * internet (eth2, edge). */
import { host, world } from '../engine/build.js';

export const WEB_INPUT = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -s 10.0.1.0/24 --dport 22 -j ACCEPT
-A INPUT -p tcp --dport 22 -j DROP
COMMIT
`;

export function routerNat(masquerade = true, forward = ''): string {
  return `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
${masquerade ? '-A POSTROUTING -s 10.0.1.0/24 -o eth2 -j MASQUERADE\n' : ''}COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
${forward}COMMIT
`;
}

export function lanWorld(opts: { masquerade?: boolean; forward?: string; webInput?: string } = {}) {
  const r = host('r', {
    ifaces: { eth0: ['10.0.1.1/24'], eth1: ['10.0.2.1/24'], eth2: ['198.51.100.1/24'] },
    routes: ['default via 198.51.100.254 dev eth2'],
    sysctl: { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.forwarding': 1, 'net.ipv4.conf.eth0.forwarding': 1, 'net.ipv4.conf.eth1.forwarding': 1, 'net.ipv4.conf.eth2.forwarding': 1, 'net.ipv4.conf.all.rp_filter': 1 },
    iptables: routerNat(opts.masquerade ?? true, opts.forward ?? ''),
    sockets: [],
  });
  const web = host('web', {
    ifaces: { eth0: ['10.0.2.10/24'] },
    routes: ['default via 10.0.2.1 dev eth0'],
    iptables: opts.webInput ?? WEB_INPUT,
    sockets: [
      { proto: 'tcp', state: 'LISTEN', local: { addr: '0.0.0.0', port: 443 } },
      { proto: 'tcp', state: 'LISTEN', local: { addr: '0.0.0.0', port: 22 } },
    ],
  });
  return world([r, web], [['r:eth1', 'web:eth0']]);
}
