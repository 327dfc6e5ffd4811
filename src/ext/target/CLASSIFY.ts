import type { TargetExtension } from '../types.js';
import { fail } from '../helpers.js';

export interface ClassifyArgs {
  major: number;
  minor: number;
}

export const CLASSIFY: TargetExtension<ClassifyArgs> = {
  kind: 'target',
  name: 'CLASSIFY',
  families: [4, 6],
  tables: ['mangle'],
  hooks: ['POSTROUTING', 'FORWARD', 'OUTPUT'],
  options: [{ name: 'set-class', args: 1, required: true }],
  build(opts) {
    const m = /^([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})$/.exec(opts[0].values[0]);
    if (!m) fail(`Bad class value "${opts[0].values[0]}"`, 'MAJOR:MINOR in hex', opts[0]);
    return { major: parseInt(m[1], 16), minor: parseInt(m[2], 16) };
  },
  save: (a) => ` --set-class ${a.major.toString(16).padStart(4, '0')}:${a.minor.toString(16).padStart(4, '0')}`,
  describe: (a) => `set traffic class ${a.major.toString(16)}:${a.minor.toString(16)}`,
  apply: () => ({ verdict: 'continue', effects: [{ kind: 'noop', why: 'skb->priority set (qdisc class; no effect on the path)' }] }),
};
