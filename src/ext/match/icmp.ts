import type { MatchExtension } from '../types.js';
import { maybeInvert } from '../../space/helpers.js';
import * as I from '../../space/intervals.js';
import { fail, parseUInt } from '../helpers.js';
import { requireProto } from '../ports.js';

export interface IcmpArgs {
  /** 0xFF = any */
  type: number;
  code: [number, number];
  invert: boolean;
}

/** libipt_icmp's icmp_codes table: name, type, code min, code max. */
export const ICMP_NAMES: [string, number, number, number][] = [
  ['any', 0xff, 0, 0xff], ['echo-reply', 0, 0, 0xff], ['destination-unreachable', 3, 0, 0xff],
  ['network-unreachable', 3, 0, 0], ['host-unreachable', 3, 1, 1], ['protocol-unreachable', 3, 2, 2],
  ['port-unreachable', 3, 3, 3], ['fragmentation-needed', 3, 4, 4], ['source-route-failed', 3, 5, 5],
  ['network-unknown', 3, 6, 6], ['host-unknown', 3, 7, 7], ['network-prohibited', 3, 9, 9],
  ['host-prohibited', 3, 10, 10], ['TOS-network-unreachable', 3, 11, 11], ['TOS-host-unreachable', 3, 12, 12],
  ['communication-prohibited', 3, 13, 13], ['host-precedence-violation', 3, 14, 14], ['precedence-cutoff', 3, 15, 15],
  ['source-quench', 4, 0, 0xff], ['redirect', 5, 0, 0xff], ['network-redirect', 5, 0, 0], ['host-redirect', 5, 1, 1],
  ['TOS-network-redirect', 5, 2, 2], ['TOS-host-redirect', 5, 3, 3], ['echo-request', 8, 0, 0xff],
  ['router-advertisement', 9, 0, 0xff], ['router-solicitation', 10, 0, 0xff], ['time-exceeded', 11, 0, 0xff],
  ['ttl-zero-during-transit', 11, 0, 0], ['ttl-zero-during-reassembly', 11, 1, 1], ['parameter-problem', 12, 0, 0xff],
  ['ip-header-bad', 12, 0, 0], ['required-option-missing', 12, 1, 1], ['timestamp-request', 13, 0, 0xff],
  ['timestamp-reply', 14, 0, 0xff], ['address-mask-request', 17, 0, 0xff], ['address-mask-reply', 18, 0, 0xff],
];

/** Parse `type[/code]` or a name (unique prefix allowed, like xtables' icmp parser). */
export function parseIcmpType(s: string, names: [string, number, number, number][], what: string): { type: number; code: [number, number] } {
  if (/^[0-9]/.test(s)) {
    const [t, c] = s.split('/');
    const type = parseUInt(t, 255, `${what} type`);
    if (c === undefined) return { type, code: [0, 0xff] };
    const [c1, c2] = c.split(':');
    const code = parseUInt(c1, 255, `${what} code`);
    const code2 = c2 === undefined ? code : parseUInt(c2, 255, `${what} code`);
    return { type, code: [code, code2] };
  }
  const exact = names.find(([n]) => n.toLowerCase() === s.toLowerCase());
  if (exact) return { type: exact[1], code: [exact[2], exact[3]] };
  const pre = names.filter(([n]) => n.toLowerCase().startsWith(s.toLowerCase()));
  if (pre.length > 1) fail(`Ambiguous ${what} type \`${s}': \`${pre[0][0]}' or \`${pre[1][0]}'?`);
  if (pre.length === 0) fail(`Invalid ${what} type \`${s}'`, `a number or one of ${names.map((n) => n[0]).slice(0, 8).join(', ')}, ...`);
  return { type: pre[0][1], code: [pre[0][2], pre[0][3]] };
}

export function icmpMatches(a: { type: number; code: [number, number]; invert: boolean }, type?: number, code?: number): boolean {
  if (type === undefined || code === undefined) return false;
  const hit = a.type === 0xff || (type === a.type && code >= a.code[0] && code <= a.code[1]);
  return hit !== a.invert;
}

export const icmp: MatchExtension<IcmpArgs> = {
  kind: 'match',
  name: 'icmp',
  families: [4],
  options: [{ name: 'icmp-type', args: 1, invertible: true, required: true }],
  build(opts, ctx) {
    requireProto(ctx, ['icmp'], 'icmp match');
    const o = opts.find((x) => x.name === 'icmp-type');
    if (!o) return { type: 0xff, code: [0, 0xff], invert: false };
    return { ...parseIcmpType(o.values[0], ICMP_NAMES, 'ICMP'), invert: o.invert };
  },
  save(a) {
    let s = `${a.invert ? ' !' : ''} --icmp-type ${a.type === 0xff ? 'any' : a.type}`;
    if (a.type !== 0xff && (a.code[0] !== 0 || a.code[1] !== 0xff)) s += `/${a.code[0]}`;
    return s;
  },
  describe(a) {
    const n = ICMP_NAMES.find(([, t, lo, hi]) => t === a.type && lo === a.code[0] && hi === a.code[1]);
    return `${a.invert ? 'not ' : ''}ICMP ${n ? n[0] : `type ${a.type}`}`;
  },
  space(a) {
    const any = a.type === 0xff;
    const set = any ? I.range(0, 0xffff) : I.range((a.type << 8) | a.code[0], (a.type << 8) | a.code[1]);
    return { constraint: { proto: I.single(1), icmp: maybeInvert(set, a.invert, 0, 0xffff) }, exact: true };
  },
  match(a, { pkt }) {
    if (pkt.proto !== 1) return false;
    return icmpMatches(a, pkt.icmp?.type, pkt.icmp?.code);
  },
};
