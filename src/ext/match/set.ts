import type { MatchExtension } from '../types.js';
import { fail, parseUInt } from '../helpers.js';

export interface SetArgs {
  name: string;
  dirs: ('src' | 'dst')[];
  invert: boolean;
  returnNomatch: boolean;
  noUpdateCounters: boolean;
  noUpdateSubcounters: boolean;
  packetsCmp?: { op: 'eq' | 'lt' | 'gt'; value: number; invert: boolean };
  bytesCmp?: { op: 'eq' | 'lt' | 'gt'; value: number; invert: boolean };
}

export const set: MatchExtension<SetArgs> = {
  kind: 'match',
  name: 'set',
  families: [4, 6],
  options: [
    { name: 'match-set', aliases: ['set'], args: 2, invertible: true, required: true },
    { name: 'return-nomatch', args: 0 },
    { name: 'update-counters', args: 0, invertible: true },
    { name: 'update-subcounters', args: 0, invertible: true },
    { name: 'packets-eq', args: 1, invertible: true },
    { name: 'packets-lt', args: 1 },
    { name: 'packets-gt', args: 1 },
    { name: 'bytes-eq', args: 1, invertible: true },
    { name: 'bytes-lt', args: 1 },
    { name: 'bytes-gt', args: 1 },
  ],
  build(opts) {
    const a: SetArgs = { name: '', dirs: [], invert: false, returnNomatch: false, noUpdateCounters: false, noUpdateSubcounters: false };
    for (const o of opts) {
      if (o.name === 'match-set') {
        a.name = o.values[0];
        if (a.name.length > 31) fail('setname too long', 'at most 31 characters', o);
        const dirs = o.values[1].split(',');
        if (dirs.length > 6 || dirs.some((d) => d !== 'src' && d !== 'dst')) fail(`invalid direction flags "${o.values[1]}"`, 'a comma list of src and dst', o);
        a.dirs = dirs as SetArgs['dirs'];
        a.invert = o.invert;
      } else if (o.name === 'return-nomatch') a.returnNomatch = true;
      else if (o.name === 'update-counters') {
        if (!o.invert) fail('--update-counters is the default; only ! --update-counters is accepted', undefined, o);
        a.noUpdateCounters = true;
      } else if (o.name === 'update-subcounters') {
        if (!o.invert) fail('only ! --update-subcounters is accepted', undefined, o);
        a.noUpdateSubcounters = true;
      } else {
        const [kind, op] = o.name.split('-') as ['packets' | 'bytes', 'eq' | 'lt' | 'gt'];
        const c = { op, value: parseUInt(o.values[0], Number.MAX_SAFE_INTEGER, o.name), invert: o.invert };
        if (kind === 'packets') a.packetsCmp = c;
        else a.bytesCmp = c;
      }
    }
    return a;
  },
  save(a) {
    let s = `${a.invert ? ' !' : ''} --match-set ${a.name} ${a.dirs.join(',')}`;
    if (a.returnNomatch) s += ' --return-nomatch';
    if (a.noUpdateCounters) s += ' ! --update-counters';
    if (a.noUpdateSubcounters) s += ' ! --update-subcounters';
    if (a.packetsCmp) s += `${a.packetsCmp.invert ? ' !' : ''} --packets-${a.packetsCmp.op} ${a.packetsCmp.value}`;
    if (a.bytesCmp) s += `${a.bytesCmp.invert ? ' !' : ''} --bytes-${a.bytesCmp.op} ${a.bytesCmp.value}`;
    return s;
  },
  describe: (a) => `${a.dirs.join(',')} ${a.invert ? 'not ' : ''}in ipset ${a.name}`,
  reads: () => ['proto', 'src', 'dst', 'sport', 'dport'],
  match(a, { host, pkt }) {
    const s = host.ipset(a.name);
    if (!s) return { unsupported: `ipset ${a.name} is unknown (no ipset save input, or no such set)` };
    if (a.packetsCmp || a.bytesCmp) return { unsupported: 'ipset counters are not modelled' };
    const addr = a.dirs[0] === 'src' ? pkt.src : pkt.dst;
    const port = a.dirs[1] === undefined ? undefined : a.dirs[1] === 'src' ? pkt.sport : pkt.dport;
    return s.has(addr, port, pkt.proto) !== a.invert;
  },
};
