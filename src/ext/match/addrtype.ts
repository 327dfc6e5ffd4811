import type { MatchExtension } from '../types.js';
import { fail } from '../helpers.js';

export interface AddrtypeArgs {
  src?: { types: string[]; invert: boolean };
  dst?: { types: string[]; invert: boolean };
  limitIn: boolean;
  limitOut: boolean;
}

/** Print order of libxt_addrtype (rtn type numbers 0..11). */
export const ADDR_TYPES = ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'];

function parseTypes(s: string): string[] {
  const set = new Set<string>();
  for (const t of s.split(',')) {
    const u = t.toUpperCase();
    if (!ADDR_TYPES.includes(u)) fail(`addrtype: invalid address type "${t}"`, `types: ${ADDR_TYPES.join(', ')}`);
    set.add(u);
  }
  return ADDR_TYPES.filter((t) => set.has(t));
}

export const addrtype: MatchExtension<AddrtypeArgs> = {
  kind: 'match',
  name: 'addrtype',
  families: [4, 6],
  options: [
    { name: 'src-type', args: 1, invertible: true },
    { name: 'dst-type', args: 1, invertible: true },
    { name: 'limit-iface-in', args: 0, excludes: ['limit-iface-out'] },
    { name: 'limit-iface-out', args: 0, excludes: ['limit-iface-in'] },
  ],
  build(opts, ctx) {
    const a: AddrtypeArgs = { limitIn: false, limitOut: false };
    for (const o of opts) {
      if (o.name === 'src-type') a.src = { types: parseTypes(o.values[0]), invert: o.invert };
      else if (o.name === 'dst-type') a.dst = { types: parseTypes(o.values[0]), invert: o.invert };
      else if (o.name === 'limit-iface-in') a.limitIn = true;
      else a.limitOut = true;
    }
    if (!a.src && !a.dst) fail('addrtype: you must specify --src-type or --dst-type');
    if (a.limitIn && (ctx.chain === 'OUTPUT' || ctx.chain === 'POSTROUTING')) fail('addrtype: --limit-iface-in is not valid in OUTPUT/POSTROUTING');
    if (a.limitOut && (ctx.chain === 'PREROUTING' || ctx.chain === 'INPUT')) fail('addrtype: --limit-iface-out is not valid in PREROUTING/INPUT');
    return a;
  },
  save(a) {
    let s = '';
    if (a.src) s += `${a.src.invert ? ' !' : ''} --src-type ${a.src.types.join(',')}`;
    if (a.dst) s += `${a.dst.invert ? ' !' : ''} --dst-type ${a.dst.types.join(',')}`;
    if (a.limitIn) s += ' --limit-iface-in';
    if (a.limitOut) s += ' --limit-iface-out';
    return s;
  },
  describe(a) {
    const p: string[] = [];
    if (a.src) p.push(`source address type ${a.src.invert ? 'not ' : ''}${a.src.types.join(' or ')}`);
    if (a.dst) p.push(`destination address type ${a.dst.invert ? 'not ' : ''}${a.dst.types.join(' or ')}`);
    if (a.limitIn) p.push('(routes of the input interface only)');
    if (a.limitOut) p.push('(routes of the output interface only)');
    return p.join(', ');
  },
  reads: (a) => [...(a.src ? ['src' as const] : []), ...(a.dst ? ['dst' as const] : []), ...(a.limitIn || a.limitOut ? ['ingress' as const] : [])],
  match(a, { pkt, host, inIface, outIface, family }) {
    if (family !== 4) return { unsupported: 'addrtype on IPv6 is not modelled' };
    const dev = a.limitIn ? inIface : a.limitOut ? outIface : undefined;
    if (a.src && a.src.types.includes(host.addrType(pkt.src, dev)) === a.src.invert) return false;
    if (a.dst && a.dst.types.includes(host.addrType(pkt.dst, dev)) === a.dst.invert) return false;
    return true;
  },
};
