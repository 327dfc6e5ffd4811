import type { MatchExtension } from '../types.js';
import { fail } from '../helpers.js';

export interface PkttypeArgs {
  type: 'unicast' | 'broadcast' | 'multicast' | 'otherhost' | 'outgoing' | 'loopback' | 'fastroute';
  invert: boolean;
}
const NAMES: Record<string, PkttypeArgs['type']> = {
  unicast: 'unicast', host: 'unicast', broadcast: 'broadcast', multicast: 'multicast', otherhost: 'otherhost',
  outgoing: 'outgoing', loopback: 'loopback', fastroute: 'fastroute',
};

export const pkttype: MatchExtension<PkttypeArgs> = {
  kind: 'match',
  name: 'pkttype',
  families: [4, 6],
  options: [{ name: 'pkt-type', args: 1, invertible: true, required: true }],
  build(opts) {
    const t = NAMES[opts[0].values[0].toLowerCase()];
    if (!t) fail(`Bad packet type '${opts[0].values[0]}'`, 'unicast, broadcast, multicast, otherhost', opts[0]);
    return { type: t, invert: opts[0].invert };
  },
  save: (a) => `${a.invert ? ' !' : ''} --pkt-type ${a.type}`,
  describe: (a) => `packet type ${a.invert ? 'not ' : ''}${a.type}`,
  reads: () => ['ingress', 'dst'],
  match(a, { pkt, hook }) {
    // xt_pkttype: locally generated packets are PACKET_OUTGOING (loopback); for receive, skb->pkt_type,
    // except that multicast/broadcast destinations are classified by address on output.
    let t: string;
    if (hook === 'OUTPUT' || (hook === 'POSTROUTING' && pkt.pktType === undefined)) {
      const top = pkt.dst >>> 28;
      t = top === 0xe ? 'multicast' : pkt.dst === 0xffffffff ? 'broadcast' : 'unicast';
    } else {
      const pt = pkt.pktType ?? 'host';
      t = pt === 'host' ? 'unicast' : pt;
    }
    return (t === a.type) !== a.invert;
  },
};
