import type { MatchExtension } from '../types.js';
import { maybeInvert } from '../../space/helpers.js';
import * as I from '../../space/intervals.js';
import { fail, parseUInt } from '../helpers.js';

export interface LengthArgs {
  min: number;
  max: number;
  invert: boolean;
}

export const length: MatchExtension<LengthArgs> = {
  kind: 'match',
  name: 'length',
  families: [4, 6],
  options: [{ name: 'length', args: 1, invertible: true, required: true }],
  build(opts) {
    const v = opts[0].values[0];
    const i = v.indexOf(':');
    const min = i === 0 ? 0 : parseUInt(i < 0 ? v : v.slice(0, i), 0xffff, 'length');
    const max = i < 0 ? min : v.slice(i + 1) === '' ? 0xffff : parseUInt(v.slice(i + 1), 0xffff, 'length');
    if (min > max) fail(`length min ${min} > max ${max}`, undefined, opts[0]);
    return { min, max, invert: opts[0].invert };
  },
  save: (a) => `${a.invert ? ' !' : ''} --length ${a.min === a.max ? a.min : `${a.min}:${a.max}`}`,
  describe: (a) => `IP length ${a.invert ? 'not ' : ''}${a.min === a.max ? a.min : `${a.min}-${a.max}`}`,
  space: (a) => ({ constraint: { length: maybeInvert(I.range(a.min, a.max), a.invert, 20, 65535) }, exact: true }),
  match: (a, { pkt }) => (pkt.length >= a.min && pkt.length <= a.max) !== a.invert,
};
