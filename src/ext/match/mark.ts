import type { MatchExtension } from '../types.js';
import { hex, parseMarkMask } from '../helpers.js';

export interface MarkArgs {
  value: number;
  mask: number;
  invert: boolean;
}

export function saveMarkMask(a: MarkArgs, opt: string): string {
  return `${a.invert ? ' !' : ''} --${opt} ${hex(a.value)}${a.mask !== 0xffffffff ? '/' + hex(a.mask) : ''}`;
}

export const mark: MatchExtension<MarkArgs> = {
  kind: 'match',
  name: 'mark',
  families: [4, 6],
  options: [{ name: 'mark', args: 1, invertible: true, required: true }],
  build(opts) {
    const m = parseMarkMask(opts[0].values[0]);
    return { value: m.value, mask: m.mask, invert: opts[0].invert };
  },
  save: (a) => saveMarkMask(a, 'mark'),
  describe: (a) => `packet mark${a.mask !== 0xffffffff ? ` & ${hex(a.mask)}` : ''} ${a.invert ? '!=' : '=='} ${hex(a.value)}`,
  reads: () => [],
  match: (a, { pkt }) => (((pkt.mark & a.mask) >>> 0) === a.value) !== a.invert,
};
