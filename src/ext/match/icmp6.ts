import type { MatchExtension } from '../types.js';
import { requireProto } from '../ports.js';
import { icmpMatches, parseIcmpType } from './icmp.js';

export interface Icmp6Args {
  type: number;
  code: [number, number];
  invert: boolean;
}

/** libip6t_icmp6's icmpv6_codes. */
export const ICMP6_NAMES: [string, number, number, number][] = [
  ['destination-unreachable', 1, 0, 0xff], ['no-route', 1, 0, 0], ['communication-prohibited', 1, 1, 1],
  ['beyond-scope', 1, 2, 2], ['address-unreachable', 1, 3, 3], ['port-unreachable', 1, 4, 4],
  ['failed-policy', 1, 5, 5], ['reject-route', 1, 6, 6], ['packet-too-big', 2, 0, 0xff],
  ['time-exceeded', 3, 0, 0xff], ['ttl-exceeded', 3, 0, 0xff], ['ttl-zero-during-transit', 3, 0, 0],
  ['ttl-zero-during-reassembly', 3, 1, 1], ['parameter-problem', 4, 0, 0xff], ['bad-header', 4, 0, 0],
  ['unknown-header-type', 4, 1, 1], ['unknown-option', 4, 2, 2], ['echo-request', 128, 0, 0xff],
  ['ping', 128, 0, 0xff], ['echo-reply', 129, 0, 0xff], ['pong', 129, 0, 0xff],
  ['group-membership-query', 130, 0, 0xff], ['group-membership-report', 131, 0, 0xff],
  ['group-membership-reduction', 132, 0, 0xff], ['mld-listener-query', 130, 0, 0xff], ['mld-listener-report', 131, 0, 0xff],
  ['mld-listener-done', 132, 0, 0xff], ['mld-listener-reduction', 132, 0, 0xff], ['router-solicitation', 133, 0, 0xff],
  ['router-advertisement', 134, 0, 0xff], ['neighbour-solicitation', 135, 0, 0xff],
  ['neighbor-solicitation', 135, 0, 0xff], ['neighbour-advertisement', 136, 0, 0xff],
  ['neighbor-advertisement', 136, 0, 0xff], ['redirect', 137, 0, 0xff],
];

export const icmp6: MatchExtension<Icmp6Args> = {
  kind: 'match',
  name: 'icmp6',
  families: [6],
  options: [{ name: 'icmpv6-type', args: 1, invertible: true, required: true }],
  build(opts, ctx) {
    requireProto(ctx, ['ipv6-icmp'], 'icmp6 match');
    const o = opts.find((x) => x.name === 'icmpv6-type')!;
    return { ...parseIcmpType(o.values[0], ICMP6_NAMES, 'ICMPv6'), invert: o.invert };
  },
  save(a) {
    let s = `${a.invert ? ' !' : ''} --icmpv6-type ${a.type}`;
    if (a.code[0] !== 0 || a.code[1] !== 0xff) s += `/${a.code[0]}`;
    return s;
  },
  describe(a) {
    const n = ICMP6_NAMES.find(([, t, lo, hi]) => t === a.type && lo === a.code[0] && hi === a.code[1]);
    return `${a.invert ? 'not ' : ''}ICMPv6 ${n ? n[0] : `type ${a.type}`}`;
  },
  match(a, { pkt }) {
    if (pkt.proto !== 58) return false;
    return icmpMatches(a, pkt.icmp?.type, pkt.icmp?.code);
  },
};
