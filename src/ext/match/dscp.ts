import type { MatchExtension } from '../types.js';
import { valuesWhere } from '../../space/helpers.js';
import { fail, parseUInt } from '../helpers.js';

export interface DscpArgs {
  dscp: number;
  invert: boolean;
}

/** DiffServ class names (libxt_dscp_helper.c). */
export const DSCP_CLASSES: Record<string, number> = {
  CS0: 0x00, CS1: 0x08, CS2: 0x10, CS3: 0x18, CS4: 0x20, CS5: 0x28, CS6: 0x30, CS7: 0x38, BE: 0x00,
  AF11: 0x0a, AF12: 0x0c, AF13: 0x0e, AF21: 0x12, AF22: 0x14, AF23: 0x16, AF31: 0x1a, AF32: 0x1c, AF33: 0x1e,
  AF41: 0x22, AF42: 0x24, AF43: 0x26, EF: 0x2e,
};

export function dscpClass(s: string): number {
  const v = DSCP_CLASSES[s.toUpperCase()];
  if (v === undefined) fail(`Invalid DSCP class value "${s}"`, `one of ${Object.keys(DSCP_CLASSES).join(', ')}`);
  return v;
}

export const dscp: MatchExtension<DscpArgs> = {
  kind: 'match',
  name: 'dscp',
  families: [4, 6],
  options: [
    { name: 'dscp', args: 1, invertible: true, excludes: ['dscp-class'] },
    { name: 'dscp-class', args: 1, invertible: true, excludes: ['dscp'] },
  ],
  build(opts) {
    const o = opts[0];
    if (!o) fail('DSCP match: Parameter --dscp is required');
    const v = o.name === 'dscp' ? parseUInt(o.values[0], 63, 'DSCP') : dscpClass(o.values[0]);
    return { dscp: v, invert: o.invert };
  },
  save: (a) => `${a.invert ? ' !' : ''} --dscp 0x${a.dscp.toString(16).padStart(2, '0')}`,
  describe: (a) => `DSCP ${a.invert ? '!=' : '=='} ${a.dscp}`,
  space: (a) => ({ constraint: { tos: valuesWhere(255, (v) => (v >> 2 === a.dscp) !== a.invert) }, exact: true }),
  match: (a, { pkt }) => ((pkt.tos >> 2) === a.dscp) !== a.invert,
};
