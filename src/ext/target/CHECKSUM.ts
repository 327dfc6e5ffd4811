import type { TargetExtension } from '../types.js';
import { fail } from '../helpers.js';

export const CHECKSUM: TargetExtension<{ fill: boolean }> = {
  kind: 'target',
  name: 'CHECKSUM',
  families: [4, 6],
  tables: ['mangle'],
  options: [{ name: 'checksum-fill', args: 0 }],
  build(opts) {
    if (!opts.length) fail('CHECKSUM target: Parameter --checksum-fill is required');
    return { fill: true };
  },
  save: () => ' --checksum-fill',
  describe: () => 'fill in the checksum',
  apply: () => ({ verdict: 'continue', effects: [{ kind: 'noop', why: 'checksum filled (no effect on the path)' }] }),
};
