import type { MatchExtension } from '../types.js';
import { fail, parseNet, parseUInt, formatNetSave } from '../helpers.js';
import type { IpNet } from '../../model/addr.js';

interface PolElem {
  reqid?: { v: number; inv: boolean };
  spi?: { v: number; inv: boolean };
  proto?: { v: string; inv: boolean };
  mode?: { v: string; inv: boolean };
  tunnelSrc?: { v: IpNet; inv: boolean };
  tunnelDst?: { v: IpNet; inv: boolean };
}
export interface PolicyArgs {
  dir: 'in' | 'out';
  pol: 'none' | 'ipsec';
  strict: boolean;
  elems: PolElem[];
}

export const policy: MatchExtension<PolicyArgs> = {
  kind: 'match',
  name: 'policy',
  families: [4, 6],
  options: [
    { name: 'dir', args: 1, required: true },
    { name: 'pol', args: 1, required: true },
    { name: 'strict', args: 0 },
    { name: 'reqid', args: 1, invertible: true, multi: true },
    { name: 'spi', args: 1, invertible: true, multi: true },
    { name: 'proto', args: 1, invertible: true, multi: true },
    { name: 'mode', args: 1, invertible: true, multi: true },
    { name: 'tunnel-src', args: 1, invertible: true, multi: true },
    { name: 'tunnel-dst', args: 1, invertible: true, multi: true },
    { name: 'next', args: 0, multi: true },
  ],
  build(opts, ctx) {
    const a: PolicyArgs = { dir: 'in', pol: 'none', strict: false, elems: [] };
    let cur: PolElem = {};
    let any = false;
    for (const o of opts) {
      const v = o.values[0];
      const n = { inv: o.invert };
      switch (o.name) {
        case 'dir': if (v !== 'in' && v !== 'out') fail(`policy match: bad --dir "${v}"`, 'in or out', o); a.dir = v; break;
        case 'pol': if (v !== 'none' && v !== 'ipsec') fail(`policy match: bad --pol "${v}"`, 'none or ipsec', o); a.pol = v; break;
        case 'strict': a.strict = true; break;
        case 'reqid': cur.reqid = { v: parseUInt(v), ...n }; any = true; break;
        case 'spi': cur.spi = { v: parseUInt(v), ...n }; any = true; break;
        case 'proto': if (!['ah', 'esp', 'ipcomp'].includes(v)) fail(`policy match: bad --proto "${v}"`, 'ah, esp or ipcomp', o); cur.proto = { v, ...n }; any = true; break;
        case 'mode': if (v !== 'tunnel' && v !== 'transport') fail(`policy match: bad --mode "${v}"`, undefined, o); cur.mode = { v, ...n }; any = true; break;
        case 'tunnel-src': cur.tunnelSrc = { v: parseNet(v, ctx.family), ...n }; any = true; break;
        case 'tunnel-dst': cur.tunnelDst = { v: parseNet(v, ctx.family), ...n }; any = true; break;
        case 'next': if (!a.strict) fail('policy match: --next only valid with --strict', undefined, o); a.elems.push(cur); cur = {}; any = false; break;
      }
    }
    if (any) a.elems.push(cur);
    else if (a.strict) fail(`policy match: empty policy element ${a.elems.length}. --strict is in effect, but at least one of reqid, spi, tunnel-src, tunnel-dst, proto or mode is required.`);
    if (a.dir === 'in' && (ctx.chain === 'OUTPUT' || ctx.chain === 'POSTROUTING')) fail('policy match: --dir in is not valid in OUTPUT/POSTROUTING');
    if (a.dir === 'out' && (ctx.chain === 'INPUT' || ctx.chain === 'PREROUTING')) fail('policy match: --dir out is not valid in INPUT/PREROUTING');
    if (a.pol === 'none' && a.elems.length) fail('policy match: policy none but element specified');
    return a;
  },
  save(a) {
    let s = ` --dir ${a.dir} --pol ${a.pol}`;
    if (a.strict) s += ' --strict';
    a.elems.forEach((e, i) => {
      const p = (x: { inv: boolean } | undefined, name: string, val: string) => (x ? `${x.inv ? ' !' : ''} --${name} ${val}` : '');
      s += p(e.reqid, 'reqid', `${e.reqid?.v}`) + p(e.spi, 'spi', `0x${e.spi?.v.toString(16)}`) + p(e.proto, 'proto', `${e.proto?.v}`) + p(e.mode, 'mode', `${e.mode?.v}`);
      s += p(e.tunnelDst, 'tunnel-dst', e.tunnelDst ? formatNetSave(e.tunnelDst.v) : '') + p(e.tunnelSrc, 'tunnel-src', e.tunnelSrc ? formatNetSave(e.tunnelSrc.v) : '');
      if (i < a.elems.length - 1) s += ' --next';
    });
    return s;
  },
  describe: (a) => `${a.dir === 'in' ? 'decapsulated' : 'to be encapsulated'} by IPsec policy: ${a.pol}`,
  reads: () => [],
  match: (a) => ({ assumed: a.pol === 'none', why: 'no IPsec (xfrm) state is modelled: packets are assumed not to be IPsec-processed' }),
};
