import type { MatchExtension } from '../types.js';
import { maybeInvert } from '../../space/helpers.js';
import * as I from '../../space/intervals.js';
import { fail, parsePortRange } from '../helpers.js';
import { requireProto } from '../ports.js';

export interface MultiportArgs {
  which: 'sports' | 'dports' | 'ports';
  ports: [number, number][];
  invert: boolean;
}

export const multiport: MatchExtension<MultiportArgs> = {
  kind: 'match',
  name: 'multiport',
  families: [4, 6],
  options: [
    { name: 'sports', aliases: ['source-ports'], args: 1, invertible: true, excludes: ['dports', 'ports'] },
    { name: 'dports', aliases: ['destination-ports'], args: 1, invertible: true, excludes: ['sports', 'ports'] },
    { name: 'ports', args: 1, invertible: true, excludes: ['sports', 'dports'] },
  ],
  build(opts, ctx) {
    requireProto(ctx, ['tcp', 'udp', 'udplite', 'sctp', 'dccp'], 'multiport');
    const o = opts[0];
    if (!o) fail('multiport needs one of --sports, --dports, --ports');
    const ports: [number, number][] = [];
    let slots = 0;
    for (const p of o.values[0].split(',')) {
      if (p === '') fail(`invalid port list "${o.values[0]}"`, undefined, o);
      const r = p.includes(':') ? parsePortRange(p, ctx.protocol?.value) : parsePortRange(p, ctx.protocol?.value);
      ports.push(r);
      slots += p.includes(':') ? 2 : 1;
    }
    if (slots > 15) fail('too many ports specified', 'multiport takes at most 15 ports (a range counts as two)', o);
    return { which: o.name as MultiportArgs['which'], ports, invert: o.invert };
  },
  save: (a) => `${a.invert ? ' !' : ''} --${a.which} ${a.ports.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}:${hi}`)).join(',')}`,
  describe: (a) =>
    `${a.invert ? 'not ' : ''}${a.which === 'sports' ? 'source' : a.which === 'dports' ? 'destination' : 'source or destination'} port in ${a.ports.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(', ')}`,
  space(a) {
    // --ports (either port) is a union over two dimensions: not one box, so only the protocol is claimed.
    const set = maybeInvert(I.fromIntervals(a.ports), a.invert, 0, 65535);
    const ported = I.fromValues([6, 17, 132, 136, 33]);
    if (a.which === 'ports') return { constraint: { proto: ported }, exact: false };
    return { constraint: { proto: ported, [a.which === 'sports' ? 'sport' : 'dport']: set }, exact: false };
  },
  reads: () => ['proto', 'sport', 'dport'],
  match(a, { pkt }) {
    const inAny = (p: number | undefined) => p !== undefined && a.ports.some(([lo, hi]) => p >= lo && p <= hi);
    const hit = a.which === 'sports' ? inAny(pkt.sport) : a.which === 'dports' ? inAny(pkt.dport) : inAny(pkt.sport) || inAny(pkt.dport);
    if (pkt.sport === undefined && pkt.dport === undefined) return false;
    return hit !== a.invert;
  },
};
