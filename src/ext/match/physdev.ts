import type { MatchExtension } from '../types.js';
import { fail } from '../helpers.js';

type N<T> = { value: T; invert: boolean };
export interface PhysdevArgs {
  in?: N<string>;
  out?: N<string>;
  isIn?: N<true>;
  isOut?: N<true>;
  isBridged?: N<true>;
}

function ifMatch(pattern: string, dev: string | undefined): boolean {
  if (dev === undefined) return false;
  return pattern.endsWith('+') ? dev.startsWith(pattern.slice(0, -1)) : dev === pattern;
}

export const physdev: MatchExtension<PhysdevArgs> = {
  kind: 'match',
  name: 'physdev',
  families: [4, 6],
  options: [
    { name: 'physdev-in', args: 1, invertible: true },
    { name: 'physdev-out', args: 1, invertible: true },
    { name: 'physdev-is-in', args: 0, invertible: true },
    { name: 'physdev-is-out', args: 0, invertible: true },
    { name: 'physdev-is-bridged', args: 0, invertible: true },
  ],
  build(opts) {
    const a: PhysdevArgs = {};
    for (const o of opts) {
      if (o.name === 'physdev-in' || o.name === 'physdev-out') {
        if (o.values[0].length >= 16) fail('interface name too long', undefined, o);
        a[o.name === 'physdev-in' ? 'in' : 'out'] = { value: o.values[0], invert: o.invert };
      } else if (o.name === 'physdev-is-in') a.isIn = { value: true, invert: o.invert };
      else if (o.name === 'physdev-is-out') a.isOut = { value: true, invert: o.invert };
      else a.isBridged = { value: true, invert: o.invert };
    }
    if (!opts.length) fail('PHYSDEV: no physdev option specified');
    return a;
  },
  save(a) {
    const i = (x?: { invert: boolean }) => (x?.invert ? ' !' : '');
    let s = '';
    if (a.isIn) s += `${i(a.isIn)} --physdev-is-in`;
    if (a.in) s += `${i(a.in)} --physdev-in ${a.in.value}`;
    if (a.isOut) s += `${i(a.isOut)} --physdev-is-out`;
    if (a.out) s += `${i(a.out)} --physdev-out ${a.out.value}`;
    if (a.isBridged) s += `${i(a.isBridged)} --physdev-is-bridged`;
    return s;
  },
  describe: (a) =>
    [a.in && `bridge port in ${a.in.invert ? 'not ' : ''}${a.in.value}`, a.out && `bridge port out ${a.out.invert ? 'not ' : ''}${a.out.value}`, a.isBridged && `${a.isBridged.invert ? 'not ' : ''}bridged`, a.isIn && `${a.isIn.invert ? 'not ' : ''}from a bridge port`, a.isOut && `${a.isOut.invert ? 'not ' : ''}to a bridge port`]
      .filter(Boolean).join(', '),
  reads: () => ['ingress'],
  match(a, { host }) {
    const bridged = !!host.isBridged;
    if (!bridged) {
      // xt_physdev: no nf_bridge info -> only inverted criteria can match
      const anyPositive = (a.in && !a.in.invert) || (a.out && !a.out.invert) || (a.isIn && !a.isIn.invert) || (a.isOut && !a.isOut.invert) || (a.isBridged && !a.isBridged.invert);
      return !anyPositive;
    }
    if (a.isBridged && (host.physOut !== undefined) === a.isBridged.invert) return false;
    if (a.isIn && (host.physIn !== undefined) === a.isIn.invert) return false;
    if (a.isOut && (host.physOut !== undefined) === a.isOut.invert) return false;
    if (a.in && ifMatch(a.in.value, host.physIn) === a.in.invert) return false;
    if (a.out && ifMatch(a.out.value, host.physOut) === a.out.invert) return false;
    return true;
  },
};
