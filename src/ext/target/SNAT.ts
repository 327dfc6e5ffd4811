import type { TargetExtension } from '../types.js';
import { fail } from '../helpers.js';
import { formatNatRange, parseNatRange, type NatRangeText } from '../nat.js';

export interface SnatArgs {
  ranges: NatRangeText[];
  random: boolean;
  randomFully: boolean;
  persistent: boolean;
}

export const SNAT: TargetExtension<SnatArgs> = {
  kind: 'target',
  name: 'SNAT',
  families: [4, 6],
  tables: ['nat'],
  hooks: ['POSTROUTING', 'INPUT'],
  options: [
    { name: 'to-source', args: 1, multi: true },
    { name: 'random', args: 0 },
    { name: 'random-fully', args: 0 },
    { name: 'persistent', args: 0 },
  ],
  build(opts, ctx) {
    const a: SnatArgs = { ranges: [], random: false, randomFully: false, persistent: false };
    for (const o of opts) {
      if (o.name === 'to-source') {
        if (a.ranges.length) fail('SNAT: Multiple --to-source not supported', 'one range per rule since Linux 2.6.11', o);
        a.ranges.push(parseNatRange(o.values[0], ctx.family, ctx.protocol, 'SNAT'));
      } else if (o.name === 'random') a.random = true;
      else if (o.name === 'random-fully') a.randomFully = true;
      else a.persistent = true;
    }
    if (!a.ranges.length) fail('SNAT: --to-source is required');
    return a;
  },
  save: (a, ctx) =>
    a.ranges.map((r) => ` --to-source ${formatNatRange(r, ctx.family)}`).join('') + (a.random ? ' --random' : '') + (a.randomFully ? ' --random-fully' : '') + (a.persistent ? ' --persistent' : ''),
  describe: (a) => `source NAT to ${a.ranges.map((r) => formatNatRange(r, r.minText?.includes(':') ? 6 : 4)).join(', ')}`,
  apply: (a) => ({
    verdict: 'accept',
    effects: [{ kind: 'nat', nat: { type: 'snat', ranges: a.ranges.map(({ minAddr, maxAddr, minPort, maxPort }) => ({ minAddr, maxAddr, minPort, maxPort })), random: a.random, randomFully: a.randomFully, persistent: a.persistent } }],
  }),
};
