import type { MatchExtension } from '../types.js';
import { hex, parseMarkMask } from '../helpers.js';
import { saveMarkMask, type MarkArgs } from './mark.js';

export const connmark: MatchExtension<MarkArgs> = {
  kind: 'match',
  name: 'connmark',
  families: [4, 6],
  options: [{ name: 'mark', args: 1, invertible: true, required: true }],
  build(opts) {
    const m = parseMarkMask(opts[0].values[0]);
    return { value: m.value, mask: m.mask, invert: opts[0].invert };
  },
  save: (a) => saveMarkMask(a, 'mark'),
  describe: (a) => `connection mark${a.mask !== 0xffffffff ? ` & ${hex(a.mask)}` : ''} ${a.invert ? '!=' : '=='} ${hex(a.value)}`,
  reads: () => [],
  match(a, { ct }) {
    if (ct.state === 'INVALID' || ct.state === 'UNTRACKED') return false;
    return (((ct.mark & a.mask) >>> 0) === a.value) !== a.invert;
  },
};
