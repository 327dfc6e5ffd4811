import type { MatchExtension } from '../types.js';
import { fail, parseUInt } from '../helpers.js';

export interface ConnlimitArgs {
  limit: number;
  /** true = --connlimit-above (match when more connections than limit) */
  above: boolean;
  mask?: number;
  daddr: boolean;
}

export const connlimit: MatchExtension<ConnlimitArgs> = {
  kind: 'match',
  name: 'connlimit',
  families: [4, 6],
  options: [
    { name: 'connlimit-upto', args: 1, excludes: ['connlimit-above'] },
    { name: 'connlimit-above', args: 1, invertible: true, excludes: ['connlimit-upto'] },
    { name: 'connlimit-mask', args: 1 },
    { name: 'connlimit-saddr', args: 0, excludes: ['connlimit-daddr'] },
    { name: 'connlimit-daddr', args: 0, excludes: ['connlimit-saddr'] },
  ],
  build(opts, ctx) {
    const a: ConnlimitArgs = { limit: -1, above: true, daddr: false };
    for (const o of opts) {
      if (o.name === 'connlimit-upto') { a.limit = parseUInt(o.values[0]); a.above = false; }
      else if (o.name === 'connlimit-above') { a.limit = parseUInt(o.values[0]); a.above = !o.invert; }
      else if (o.name === 'connlimit-mask') a.mask = parseUInt(o.values[0], ctx.family === 4 ? 32 : 128, 'mask');
      else if (o.name === 'connlimit-daddr') a.daddr = true;
    }
    if (a.limit < 0) fail('connlimit: You must specify "--connlimit-above" or "--connlimit-upto"');
    return a;
  },
  save(a, ctx) {
    return ` --connlimit-${a.above ? 'above' : 'upto'} ${a.limit} --connlimit-mask ${a.mask ?? (ctx.family === 4 ? 32 : 128)} --connlimit-${a.daddr ? 'daddr' : 'saddr'}`;
  },
  describe: (a) => `${a.above ? 'more than' : 'at most'} ${a.limit} connections per ${a.daddr ? 'destination' : 'source'}`,
  reads: () => [],
  match: (a) => ({ assumed: !a.above, why: `assumed the connection count per ${a.daddr ? 'destination' : 'source'} is within ${a.limit}` }),
};
