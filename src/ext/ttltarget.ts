/** TTL (IPv4) and HL (IPv6) targets. */
import type { TargetExtension } from './types.js';
import { fail, parseUInt } from './helpers.js';

export interface TtlTargetArgs {
  op: 'set' | 'dec' | 'inc';
  value: number;
}

export function ttlTarget(name: 'TTL' | 'HL', families: (4 | 6)[]): TargetExtension<TtlTargetArgs> {
  const p = name.toLowerCase();
  const ops = ['set', 'dec', 'inc'].map((o) => `${p}-${o}`);
  return {
    kind: 'target',
    name,
    families,
    tables: ['mangle'],
    options: ops.map((n) => ({ name: n, args: 1 as const, excludes: ops.filter((x) => x !== n) })),
    build(opts) {
      const o = opts[0];
      if (!o) fail(`${name}: You must specify an action`);
      const op = o.name.slice(p.length + 1) as TtlTargetArgs['op'];
      const value = parseUInt(o.values[0], 255, name);
      if (op !== 'set' && value === 0) fail(`${name}: increasing/decreasing by 0?`, undefined, o);
      return { op, value };
    },
    save: (a) => ` --${p}-${a.op} ${a.value}`,
    describe: (a) => `${a.op} ${name} ${a.op === 'set' ? 'to' : 'by'} ${a.value}`,
    apply: (a) => ({ verdict: 'continue', effects: [{ kind: 'ttl', op: a.op, value: a.value }] }),
  };
}
