import type { MatchExtension } from '../types.js';
import { portSet } from '../../space/helpers.js';
import * as I from '../../space/intervals.js';
import { describePort, portIn, portOpt, requireProto, savePort, type PortSel } from '../ports.js';

export interface UdpArgs {
  sport?: PortSel;
  dport?: PortSel;
}

export const udp: MatchExtension<UdpArgs> = {
  kind: 'match',
  name: 'udp',
  families: [4, 6],
  options: [
    { name: 'sport', aliases: ['source-port'], args: 1, invertible: true },
    { name: 'dport', aliases: ['destination-port'], args: 1, invertible: true },
  ],
  build(opts, ctx) {
    requireProto(ctx, ['udp', 'udplite'], 'UDP match');
    const a: UdpArgs = {};
    for (const o of opts) {
      if (o.name === 'sport') a.sport = portOpt(o, 'udp', ctx);
      else a.dport = portOpt(o, 'udp', ctx);
    }
    return a;
  },
  save: (a) => savePort('sport', a.sport) + savePort('dport', a.dport),
  describe: (a) => [describePort('UDP source port', a.sport), describePort('UDP destination port', a.dport)].filter(Boolean).join(', ') || 'UDP',
  space: (a) => ({
    constraint: {
      proto: I.fromValues([17, 136]),
      ...(a.sport && { sport: portSet(a.sport.range, a.sport.invert) }),
      ...(a.dport && { dport: portSet(a.dport.range, a.dport.invert) }),
    },
    exact: true,
  }),
  match(a, { pkt }) {
    if (pkt.proto !== 17 && pkt.proto !== 136) return false;
    return portIn(a.sport, pkt.sport) && portIn(a.dport, pkt.dport);
  },
};
