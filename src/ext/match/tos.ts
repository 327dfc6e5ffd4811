import type { MatchExtension } from '../types.js';
import { valuesWhere } from '../../space/helpers.js';
import { fail, parseUInt } from '../helpers.js';

export interface TosArgs {
  value: number;
  mask: number;
  invert: boolean;
}

/** libxt_tos symbolic names (mask 0x3f). */
export const TOS_NAMES: Record<string, number> = {
  'minimize-delay': 0x10, 'maximize-throughput': 0x08, 'maximize-reliability': 0x04, 'minimize-cost': 0x02, 'normal-service': 0x00,
};

export function parseTosValue(s: string, defMask: number): { value: number; mask: number } {
  const sym = TOS_NAMES[s.toLowerCase()];
  if (sym !== undefined) return { value: sym, mask: 0x3f };
  const i = s.indexOf('/');
  const value = parseUInt(i < 0 ? s : s.slice(0, i), 255, 'TOS value');
  const mask = i < 0 ? defMask : parseUInt(s.slice(i + 1), 255, 'TOS mask');
  return { value, mask };
}

const h2 = (n: number) => '0x' + n.toString(16).padStart(2, '0');

export const tos: MatchExtension<TosArgs> = {
  kind: 'match',
  name: 'tos',
  families: [4, 6],
  options: [{ name: 'tos', args: 1, invertible: true, required: true }],
  build(opts) {
    const o = opts[0];
    if (!o) fail('tos: --tos is required');
    return { ...parseTosValue(o.values[0], 0xff), invert: o.invert };
  },
  save: (a) => `${a.invert ? ' !' : ''} --tos ${h2(a.value)}/${h2(a.mask)}`,
  describe: (a) => `TOS & ${h2(a.mask)} ${a.invert ? '!=' : '=='} ${h2(a.value)}`,
  space: (a) => ({ constraint: { tos: valuesWhere(255, (v) => ((v & a.mask) === a.value) !== a.invert) }, exact: true }),
  match: (a, { pkt }) => ((pkt.tos & a.mask) === a.value) !== a.invert,
};
