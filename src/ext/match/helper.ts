import type { MatchExtension } from '../types.js';
import { fail, saveString } from '../helpers.js';

export interface HelperArgs {
  name: string;
  invert: boolean;
}

export const helper: MatchExtension<HelperArgs> = {
  kind: 'match',
  name: 'helper',
  families: [4, 6],
  options: [{ name: 'helper', args: 1, invertible: true, required: true }],
  build(opts) {
    if (opts[0].values[0].length > 29) fail('helper name too long', undefined, opts[0]);
    return { name: opts[0].values[0], invert: opts[0].invert };
  },
  save: (a) => `${a.invert ? ' !' : ''} --helper` + saveString(a.name),
  describe: (a) => `${a.invert ? 'not ' : ''}related to conntrack helper "${a.name}"`,
  reads: () => [],
  match(a, { ct }) {
    // no helper is modelled: a connection has no helper (empty name matches "")
    if (ct.state === 'INVALID' || ct.state === 'UNTRACKED') return false;
    return (a.name === '') !== a.invert;
  },
};
