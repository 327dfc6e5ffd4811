import type { TargetExtension } from '../types.js';
import { fail, parseUInt } from '../helpers.js';
import { dscpClass } from '../match/dscp.js';

export const DSCP: TargetExtension<{ dscp: number }> = {
  kind: 'target',
  name: 'DSCP',
  families: [4, 6],
  tables: ['mangle'],
  options: [
    { name: 'set-dscp', args: 1, excludes: ['set-dscp-class'] },
    { name: 'set-dscp-class', args: 1, excludes: ['set-dscp'] },
  ],
  build(opts) {
    const o = opts[0];
    if (!o) fail('DSCP target: Parameter --set-dscp is required');
    return { dscp: o.name === 'set-dscp' ? parseUInt(o.values[0], 63, 'DSCP') : dscpClass(o.values[0]) };
  },
  save: (a) => ` --set-dscp 0x${a.dscp.toString(16).padStart(2, '0')}`,
  describe: (a) => `set DSCP to ${a.dscp}`,
  apply: (a) => ({ verdict: 'continue', effects: [{ kind: 'tos', value: a.dscp << 2, mask: 0xfc }] }),
};
