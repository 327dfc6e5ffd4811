import type { TargetExtension } from '../types.js';
import { parseUInt, saveString } from '../helpers.js';

export interface NflogArgs {
  group: number;
  prefix: string;
  range?: number;
  size?: number;
  threshold?: number;
}

export const NFLOG: TargetExtension<NflogArgs> = {
  kind: 'target',
  name: 'NFLOG',
  families: [4, 6],
  options: [
    { name: 'nflog-group', args: 1 },
    { name: 'nflog-prefix', args: 1 },
    { name: 'nflog-range', args: 1, excludes: ['nflog-size'] },
    { name: 'nflog-size', args: 1, excludes: ['nflog-range'] },
    { name: 'nflog-threshold', args: 1 },
  ],
  build(opts) {
    const a: NflogArgs = { group: 0, prefix: '' };
    for (const o of opts) {
      const v = o.values[0];
      if (o.name === 'nflog-group') a.group = parseUInt(v, 0xffff, 'group');
      else if (o.name === 'nflog-prefix') {
        // iptables truncates the prefix to 63 characters (struct xt_nflog_info.prefix[64])
        a.prefix = v.length > 63 ? v.slice(0, 63) : v;
      } else if (o.name === 'nflog-range') a.range = parseUInt(v);
      else if (o.name === 'nflog-size') a.size = parseUInt(v);
      else a.threshold = parseUInt(v, 0xffff, 'threshold');
    }
    return a;
  },
  save(a) {
    let s = '';
    if (a.prefix !== '') s += ' --nflog-prefix' + saveString(a.prefix);
    if (a.group) s += ` --nflog-group ${a.group}`;
    if (a.size !== undefined) s += ` --nflog-size ${a.size}`;
    else if (a.range) s += ` --nflog-range ${a.range}`;
    if (a.threshold !== undefined) s += ` --nflog-threshold ${a.threshold}`;
    return s;
  },
  describe: (a) => `send to nflog group ${a.group}${a.prefix ? ` with prefix "${a.prefix}"` : ''}`,
  apply: (a) => ({ verdict: 'continue', effects: [{ kind: 'log', text: a.prefix }] }),
};
