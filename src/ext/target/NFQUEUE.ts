import type { TargetExtension } from '../types.js';
import { fail, parseUInt } from '../helpers.js';

export interface NfqueueArgs {
  num: number;
  total: number;
  bypass: boolean;
  cpuFanout: boolean;
}

export const NFQUEUE: TargetExtension<NfqueueArgs> = {
  kind: 'target',
  name: 'NFQUEUE',
  families: [4, 6],
  options: [
    { name: 'queue-num', args: 1, excludes: ['queue-balance'] },
    { name: 'queue-balance', args: 1, excludes: ['queue-num'] },
    { name: 'queue-bypass', args: 0 },
    { name: 'queue-cpu-fanout', args: 0 },
  ],
  build(opts) {
    const a: NfqueueArgs = { num: 0, total: 1, bypass: false, cpuFanout: false };
    for (const o of opts) {
      if (o.name === 'queue-num') a.num = parseUInt(o.values[0], 65535, 'queue number');
      else if (o.name === 'queue-balance') {
        const [lo, hi] = o.values[0].split(':');
        if (hi === undefined) fail('--queue-balance needs FIRST:LAST', undefined, o);
        const l = lo === '' ? 0 : parseUInt(lo, 65535, 'queue'), h = hi === '' ? 65534 : parseUInt(hi, 65534, 'queue');
        if (l >= h) fail(`${l} should be less than ${h}`, '--queue-balance FIRST:LAST needs FIRST < LAST', o);
        a.num = l;
        a.total = h - l + 1;
      } else if (o.name === 'queue-bypass') a.bypass = true;
      else a.cpuFanout = true;
    }
    if (a.cpuFanout && a.total <= 1) fail('--queue-cpu-fanout requires --queue-balance');
    return a;
  },
  save(a) {
    let s = a.total > 1 ? ` --queue-balance ${a.num}:${a.num + a.total - 1}` : ` --queue-num ${a.num}`;
    if (a.bypass) s += ' --queue-bypass';
    if (a.cpuFanout) s += ' --queue-cpu-fanout';
    return s;
  },
  describe: (a) => `hand to userspace queue ${a.num}${a.total > 1 ? `..${a.num + a.total - 1}` : ''}${a.bypass ? ' (accept if no listener)' : ''}`,
  apply: (a) => ({ verdict: 'queue', effects: [], unsupported: `NFQUEUE ${a.num}: the userspace verdict is unknown` }),
};
