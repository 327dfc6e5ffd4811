import type { MatchExtension } from '../types.js';
import { fail } from '../helpers.js';

export interface U32Args {
  /** The test expression as written (decoded only far enough to check its shape). */
  tests: string;
  invert: boolean;
}

export const u32: MatchExtension<U32Args> = {
  kind: 'match',
  name: 'u32',
  families: [4, 6],
  options: [{ name: 'u32', args: 1, invertible: true, required: true }],
  build(opts) {
    const t = opts[0].values[0];
    if (!/^[0-9a-fA-FxX&<>@^=:,\s]+$/.test(t)) fail(`u32: unexpected character in "${t}"`, undefined, opts[0]);
    if (!t.includes('=')) fail('u32: missing "=" in test', undefined, opts[0]);
    return { tests: t, invert: opts[0].invert };
  },
  save: (a) => `${a.invert ? ' !' : ''} --u32 "${a.tests}"`,
  describe: (a) => `${a.invert ? 'not ' : ''}u32 test ${a.tests}`,
  match: () => ({ unsupported: 'u32 byte tests are not evaluated' }),
};
