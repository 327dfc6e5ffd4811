import type { MatchExtension } from '../types.js';
import { fail, parseUInt } from '../helpers.js';

export interface RtArgs {
  type?: { value: number; invert: boolean };
  segsleft?: { value: [number, number]; invert: boolean };
  len?: { value: number; invert: boolean };
  res0: boolean;
  addrs?: string[];
  notStrict: boolean;
}

export const rt: MatchExtension<RtArgs> = {
  kind: 'match',
  name: 'rt',
  families: [6],
  options: [
    { name: 'rt-type', args: 1, invertible: true },
    { name: 'rt-segsleft', args: 1, invertible: true },
    { name: 'rt-len', args: 1, invertible: true },
    { name: 'rt-0-res', args: 0 },
    { name: 'rt-0-addrs', args: 1 },
    { name: 'rt-0-not-strict', args: 0 },
  ],
  build(opts) {
    const a: RtArgs = { res0: false, notStrict: false };
    for (const o of opts) {
      const v = o.values[0];
      if (o.name === 'rt-type') a.type = { value: parseUInt(v, 255, 'type'), invert: o.invert };
      else if (o.name === 'rt-segsleft') {
        const [lo, hi] = v.split(':');
        const min = lo === '' ? 0 : parseUInt(lo);
        const max = hi === undefined ? min : hi === '' ? 0xffffffff : parseUInt(hi);
        a.segsleft = { value: [min, max], invert: o.invert };
      } else if (o.name === 'rt-len') a.len = { value: parseUInt(v), invert: o.invert };
      else if (o.name === 'rt-0-res') a.res0 = true;
      else if (o.name === 'rt-0-addrs') a.addrs = v.split(',');
      else a.notStrict = true;
    }
    if (a.notStrict && !a.addrs) fail('`--rt-0-not-strict\' requires `--rt-0-addrs\'');
    return a;
  },
  save(a) {
    let s = '';
    if (a.type) s += `${a.type.invert ? ' !' : ''} --rt-type ${a.type.value}`;
    if (a.segsleft) {
      const [lo, hi] = a.segsleft.value;
      if (lo !== 0 || hi !== 0xffffffff || a.segsleft.invert) s += `${a.segsleft.invert ? ' !' : ''} --rt-segsleft ${lo === hi ? lo : `${lo}:${hi}`}`;
    }
    if (a.len) s += `${a.len.invert ? ' !' : ''} --rt-len ${a.len.value}`;
    if (a.res0) s += ' --rt-0-res';
    if (a.addrs) s += ` --rt-0-addrs ${a.addrs.join(',')}`;
    if (a.notStrict) s += ' --rt-0-not-strict';
    return s;
  },
  describe: (a) => `IPv6 routing header${a.type ? ` type ${a.type.invert ? 'not ' : ''}${a.type.value}` : ''}`,
  match: () => ({ unsupported: 'IPv6 extension headers are not modelled' }),
};
