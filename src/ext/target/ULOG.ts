import type { TargetExtension } from '../types.js';
import { fail, parseUInt, saveString } from '../helpers.js';

export interface UlogArgs {
  nlgroup: number;
  prefix: string;
  cprange: number;
  qthreshold: number;
}

/** libipt_ULOG (removed from iptables 1.6 and the kernel 3.17; still found in old dumps). */
export const ULOG: TargetExtension<UlogArgs> = {
  kind: 'target',
  name: 'ULOG',
  families: [4],
  options: [
    { name: 'ulog-nlgroup', args: 1 },
    { name: 'ulog-prefix', args: 1 },
    { name: 'ulog-cprange', args: 1 },
    { name: 'ulog-qthreshold', args: 1 },
  ],
  build(opts) {
    const a: UlogArgs = { nlgroup: 1, prefix: '', cprange: 0, qthreshold: 1 };
    for (const o of opts) {
      const v = o.values[0];
      if (o.name === 'ulog-nlgroup') {
        const g = parseUInt(v, 32, 'nlgroup');
        if (g < 1) fail('--ulog-nlgroup has to be between 1 and 32', undefined, o);
        a.nlgroup = g;
      } else if (o.name === 'ulog-prefix') {
        if (v.length > 31) fail('Maximum prefix length 31 for --ulog-prefix', undefined, o);
        a.prefix = v;
      } else if (o.name === 'ulog-cprange') a.cprange = parseUInt(v);
      else {
        a.qthreshold = parseUInt(v, 50, 'qthreshold');
        if (a.qthreshold < 1) fail('--ulog-qthreshold has to be between 1 and 50', undefined, o);
      }
    }
    return a;
  },
  save(a) {
    let s = '';
    if (a.prefix !== '') s += ' --ulog-prefix' + saveString(a.prefix);
    if (a.nlgroup !== 1) s += ` --ulog-nlgroup ${a.nlgroup}`;
    if (a.cprange) s += ` --ulog-cprange ${a.cprange}`;
    if (a.qthreshold !== 1) s += ` --ulog-qthreshold ${a.qthreshold}`;
    return s;
  },
  describe: (a) => `ulog to netlink group ${a.nlgroup}${a.prefix ? ` with prefix "${a.prefix}"` : ''}`,
  apply: (a) => ({ verdict: 'continue', effects: [{ kind: 'log', text: a.prefix }] }),
};
