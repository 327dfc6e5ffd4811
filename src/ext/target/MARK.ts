import type { TargetExtension } from '../types.js';
import { fail, hex, parseMarkMask, parseUInt } from '../helpers.js';

export interface MarkTargetArgs {
  /** Kernel form (xt_mark_tginfo2): mark = (mark & ~mask) ^ value. */
  value: number;
  mask: number;
}

export function parseXmark(o: { name: string; values: string[] }): MarkTargetArgs {
  const v = o.values[0];
  switch (o.name) {
    case 'set-xmark': {
      const m = parseMarkMask(v);
      return { value: m.value, mask: m.mask };
    }
    case 'set-mark': {
      const m = parseMarkMask(v);
      return { value: m.value, mask: (m.mask | m.value) >>> 0 };
    }
    case 'and-mark': return { value: 0, mask: ~parseUInt(v, 0xffffffff, 'mark') >>> 0 };
    case 'or-mark': { const n = parseUInt(v, 0xffffffff, 'mark'); return { value: n, mask: n }; }
    case 'xor-mark': return { value: parseUInt(v, 0xffffffff, 'mark'), mask: 0 };
  }
  fail(`unknown mark operation --${o.name}`);
}

const OPS = ['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark'];

export const MARK: TargetExtension<MarkTargetArgs> = {
  kind: 'target',
  name: 'MARK',
  families: [4, 6],
  options: OPS.map((n) => ({ name: n, args: 1 as const, excludes: OPS.filter((x) => x !== n) })),
  build(opts) {
    if (!opts.length) fail('MARK target: Parameter --set/and/or/xor-mark is required');
    return parseXmark(opts[0]);
  },
  save: (a) => ` --set-xmark ${hex(a.value)}/${hex(a.mask)}`,
  describe: (a) => `set packet mark to (mark & ~${hex(a.mask)}) ^ ${hex(a.value)}`,
  apply: (a) => ({ verdict: 'continue', effects: [{ kind: 'mark', value: a.value, mask: a.mask, op: 'xset' }] }),
};
