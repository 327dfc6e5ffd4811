import type { TargetExtension } from '../types.js';
import { fail, parseUInt } from '../helpers.js';
import { parseTosValue } from '../match/tos.js';

export interface TosTargetArgs {
  /** tos = (tos & ~mask) ^ value */
  value: number;
  mask: number;
}

const OPS = ['set-tos', 'and-tos', 'or-tos', 'xor-tos'];
const h2 = (n: number) => '0x' + n.toString(16).padStart(2, '0');

export const TOS: TargetExtension<TosTargetArgs> = {
  kind: 'target',
  name: 'TOS',
  families: [4, 6],
  tables: ['mangle'],
  options: OPS.map((n) => ({ name: n, args: 1 as const, excludes: OPS.filter((x) => x !== n) })),
  build(opts) {
    const o = opts[0];
    if (!o) fail('TOS: one of --set-tos, --and-tos, --or-tos, --xor-tos is required');
    const v = o.values[0];
    if (o.name === 'set-tos') return parseTosValue(v, 0xff);
    const n = parseUInt(v, 255, 'TOS');
    if (o.name === 'and-tos') return { value: 0, mask: ~n & 0xff };
    if (o.name === 'or-tos') return { value: n, mask: n };
    return { value: n, mask: 0 };
  },
  save: (a) => ` --set-tos ${h2(a.value)}/${h2(a.mask)}`,
  describe: (a) => `set TOS to (tos & ~${h2(a.mask)}) ^ ${h2(a.value)}`,
  apply: (a) => ({ verdict: 'continue', effects: [{ kind: 'tos', value: a.value, mask: a.mask }] }),
};
