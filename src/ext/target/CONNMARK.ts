import type { TargetExtension } from '../types.js';
import { fail, hex, parseUInt } from '../helpers.js';
import { parseXmark } from './MARK.js';

export interface ConnmarkTargetArgs {
  mode: 'set' | 'save' | 'restore';
  /** set: ctmark = (ctmark & ~ctmask) ^ value */
  value: number;
  ctmask: number;
  nfmask: number;
}

const SET_OPS = ['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark'];
const MODES = [...SET_OPS, 'save-mark', 'restore-mark'];

export const CONNMARK: TargetExtension<ConnmarkTargetArgs> = {
  kind: 'target',
  name: 'CONNMARK',
  families: [4, 6],
  options: [
    ...MODES.map((n) => ({ name: n, args: (SET_OPS.includes(n) ? 1 : 0) as 0 | 1, excludes: MODES.filter((x) => x !== n) })),
    { name: 'mask', args: 1, excludes: ['ctmask', 'nfmask'] },
    { name: 'ctmask', args: 1, excludes: ['mask'] },
    { name: 'nfmask', args: 1, excludes: ['mask'] },
  ],
  build(opts) {
    const m = opts.find((o) => MODES.includes(o.name));
    if (!m) fail('CONNMARK target: No operation specified');
    let a: ConnmarkTargetArgs;
    if (SET_OPS.includes(m.name)) {
      const x = parseXmark(m);
      a = { mode: 'set', value: x.value, ctmask: x.mask, nfmask: 0 };
    } else a = { mode: m.name === 'save-mark' ? 'save' : 'restore', value: 0, ctmask: 0xffffffff, nfmask: 0xffffffff };
    for (const o of opts) {
      if (o.name === 'mask') {
        if (a.mode === 'set') fail('CONNMARK: --mask only goes with --save-mark/--restore-mark', undefined, o);
        a.ctmask = a.nfmask = parseUInt(o.values[0], 0xffffffff, 'mask');
      } else if (o.name === 'ctmask' || o.name === 'nfmask') {
        if (a.mode === 'set') fail(`CONNMARK: --${o.name} only goes with --save-mark/--restore-mark`, undefined, o);
        a[o.name] = parseUInt(o.values[0], 0xffffffff, o.name);
      }
    }
    return a;
  },
  save(a) {
    if (a.mode === 'set') return ` --set-xmark ${hex(a.value)}/${hex(a.ctmask)}`;
    return ` --${a.mode}-mark --nfmask ${hex(a.nfmask)} --ctmask ${hex(a.ctmask)}`;
  },
  describe(a) {
    if (a.mode === 'set') return `set connection mark to (ctmark & ~${hex(a.ctmask)}) ^ ${hex(a.value)}`;
    if (a.mode === 'save') return `save packet mark (& ${hex(a.nfmask)}) into the connection mark (mask ${hex(a.ctmask)})`;
    return `restore packet mark from the connection mark (& ${hex(a.ctmask)}, mask ${hex(a.nfmask)})`;
  },
  apply: (a) => ({
    verdict: 'continue',
    effects: [{ kind: 'connmark', op: a.mode, value: a.value, mask: a.ctmask, ctmask: a.ctmask, nfmask: a.nfmask }],
  }),
};
