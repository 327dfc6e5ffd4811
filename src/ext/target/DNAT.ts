import type { TargetExtension } from '../types.js';
import { fail } from '../helpers.js';
import { formatNatRange, parseNatRange, type NatRangeText } from '../nat.js';

export interface DnatArgs {
  ranges: NatRangeText[];
  random: boolean;
  persistent: boolean;
}

export const DNAT: TargetExtension<DnatArgs> = {
  kind: 'target',
  name: 'DNAT',
  families: [4, 6],
  tables: ['nat'],
  hooks: ['PREROUTING', 'OUTPUT'],
  options: [
    { name: 'to-destination', args: 1, multi: true },
    { name: 'random', args: 0 },
    { name: 'persistent', args: 0 },
  ],
  build(opts, ctx) {
    const a: DnatArgs = { ranges: [], random: false, persistent: false };
    for (const o of opts) {
      if (o.name === 'to-destination') {
        if (a.ranges.length) fail('DNAT: Multiple --to-destination not supported', 'one range per rule since Linux 2.6.11', o);
        a.ranges.push(parseNatRange(o.values[0], ctx.family, ctx.protocol, 'DNAT'));
      } else if (o.name === 'random') a.random = true;
      else a.persistent = true;
    }
    if (!a.ranges.length) fail('DNAT: --to-destination is required');
    return a;
  },
  save: (a, ctx) => a.ranges.map((r) => ` --to-destination ${formatNatRange(r, ctx.family)}`).join('') + (a.random ? ' --random' : '') + (a.persistent ? ' --persistent' : ''),
  describe: (a) => `destination NAT to ${a.ranges.map((r) => formatNatRange(r, r.minText?.includes(':') ? 6 : 4)).join(', ')}`,
  apply: (a) => ({ verdict: 'accept', effects: [{ kind: 'nat', nat: { type: 'dnat', ranges: a.ranges.map(({ minAddr, maxAddr, minPort, maxPort }) => ({ minAddr, maxAddr, minPort, maxPort })), random: a.random, persistent: a.persistent } }] }),
};
