import type { MatchExtension } from '../types.js';
import { maybeInvert } from '../../space/helpers.js';
import * as I from '../../space/intervals.js';
import { fail, parseAddr } from '../helpers.js';

interface Range { from: string; to: string; lo?: number; hi?: number; invert: boolean }
export interface IprangeArgs {
  src?: Range;
  dst?: Range;
}

function parseRange(s: string, invert: boolean, family: 4 | 6): Range {
  const i = s.indexOf('-');
  const a = parseAddr(i < 0 ? s : s.slice(0, i), family);
  const b = parseAddr(i < 0 ? s : s.slice(i + 1), family);
  if (family === 4 && a.v4! > b.v4!) { /* iptables accepts; never matches */ }
  return { from: a.text, to: b.text, lo: a.v4, hi: b.v4, invert };
}

export const iprange: MatchExtension<IprangeArgs> = {
  kind: 'match',
  name: 'iprange',
  families: [4, 6],
  options: [
    { name: 'src-range', args: 1, invertible: true },
    { name: 'dst-range', args: 1, invertible: true },
  ],
  build(opts, ctx) {
    const a: IprangeArgs = {};
    for (const o of opts) {
      if (o.name === 'src-range') a.src = parseRange(o.values[0], o.invert, ctx.family);
      else a.dst = parseRange(o.values[0], o.invert, ctx.family);
    }
    if (!a.src && !a.dst) fail('iprange match: You must specify `--src-range\' or `--dst-range\'');
    return a;
  },
  save(a) {
    let s = '';
    if (a.src) s += `${a.src.invert ? ' !' : ''} --src-range ${a.src.from}-${a.src.to}`;
    if (a.dst) s += `${a.dst.invert ? ' !' : ''} --dst-range ${a.dst.from}-${a.dst.to}`;
    return s;
  },
  describe: (a) => [a.src && `source ${a.src.invert ? 'not ' : ''}in ${a.src.from}-${a.src.to}`, a.dst && `destination ${a.dst.invert ? 'not ' : ''}in ${a.dst.from}-${a.dst.to}`].filter(Boolean).join(', '),
  space(a) {
    const dim = (r: Range | undefined) => (r ? maybeInvert(I.range(r.lo ?? 0, r.hi ?? -1), r.invert, 0, 0xffffffff) : undefined);
    return { constraint: { ...(a.src && { src: dim(a.src) }), ...(a.dst && { dst: dim(a.dst) }) }, exact: true };
  },
  match(a, { pkt, family }) {
    if (family !== 4) return { unsupported: 'iprange on IPv6 is not modelled' };
    const t = (r: Range | undefined, x: number) => !r || ((x >= r.lo! && x <= r.hi!) !== r.invert);
    return t(a.src, pkt.src) && t(a.dst, pkt.dst);
  },
};
