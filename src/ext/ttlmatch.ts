/** Shared by the ttl (IPv4) and hl (IPv6) matches. */
import type { MatchExtension, OptionValue } from './types.js';
import { valuesWhere } from '../space/helpers.js';
import { fail, parseUInt } from './helpers.js';

export interface TtlArgs {
  op: 'eq' | 'ne' | 'lt' | 'gt';
  value: number;
}

export function ttlLike(name: 'ttl' | 'hl', families: (4 | 6)[]): MatchExtension<TtlArgs> {
  const eq = `${name}-eq`, lt = `${name}-lt`, gt = `${name}-gt`;
  return {
    kind: 'match',
    name,
    families,
    options: [
      { name: eq, args: 1, invertible: true, excludes: [lt, gt] },
      { name: lt, args: 1, excludes: [eq, gt] },
      { name: gt, args: 1, excludes: [eq, lt] },
    ],
    build(opts: OptionValue[]) {
      const o = opts[0];
      if (!o) fail(`${name}: one of --${eq}, --${lt}, --${gt} is required`);
      const value = parseUInt(o.values[0], 255, name.toUpperCase());
      const op = o.name === eq ? (o.invert ? 'ne' : 'eq') : o.name === lt ? 'lt' : 'gt';
      return { op, value };
    },
    save: (a) => (a.op === 'eq' ? ` --${eq} ${a.value}` : a.op === 'ne' ? ` ! --${eq} ${a.value}` : ` --${name}-${a.op} ${a.value}`),
    describe: (a) => `${name.toUpperCase()} ${{ eq: '==', ne: '!=', lt: '<', gt: '>' }[a.op]} ${a.value}`,
    space: (a: TtlArgs) => ({ constraint: { ttl: valuesWhere(255, (t) => ttlTest(a, t)) }, exact: true }),
    match(a, { pkt }) {
      const t = pkt.ttl;
      return a.op === 'eq' ? t === a.value : a.op === 'ne' ? t !== a.value : a.op === 'lt' ? t < a.value : t > a.value;
    },
  };
}

function ttlTest(a: TtlArgs, t: number): boolean {
  return a.op === 'eq' ? t === a.value : a.op === 'ne' ? t !== a.value : a.op === 'lt' ? t < a.value : t > a.value;
}
