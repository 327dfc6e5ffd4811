/** Short, tcpdump-like text for packets and tuples, used in traces and verdicts. */
import { formatIpv4 } from '../model/addr.js';
import { TCP_FLAGS, type Packet } from '../model/packet.js';
import type { CtEntry, CtTupleN } from './types.js';

const PROTO_NAMES: Record<number, string> = { 1: 'icmp', 2: 'igmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp', 51: 'ah', 132: 'sctp', 136: 'udplite' };

export const ICMP_TYPES: Record<string, number> = {
  'echo-reply': 0,
  'destination-unreachable': 3,
  'source-quench': 4,
  redirect: 5,
  'echo-request': 8,
  'router-advertisement': 9,
  'router-solicitation': 10,
  'time-exceeded': 11,
  'parameter-problem': 12,
  'timestamp-request': 13,
  'timestamp-reply': 14,
  'address-mask-request': 17,
  'address-mask-reply': 18,
};

export function protoName(p: number): string {
  return PROTO_NAMES[p] ?? String(p);
}

const FLAG_LETTERS: readonly [number, string][] = (
  [
    ['SYN', 'S'],
    ['FIN', 'F'],
    ['RST', 'R'],
    ['PSH', 'P'],
    ['ACK', 'A'],
    ['URG', 'U'],
    ['ECE', 'E'],
    ['CWR', 'W'],
  ] as [keyof typeof TCP_FLAGS, string][]
).map(([n, c]) => [TCP_FLAGS[n], c]);

export function tcpFlagsText(f: number): string {
  let out = '';
  for (const [bit, c] of FLAG_LETTERS) if (f & bit) out += c;
  return out || 'none';
}

export function packetSummary(p: Packet): string {
  const s = formatIpv4(p.src);
  const d = formatIpv4(p.dst);
  if (p.proto === 6 || p.proto === 17 || p.proto === 132 || p.proto === 136) {
    const flags = p.proto === 6 && p.tcpFlags !== undefined ? ` flags ${tcpFlagsText(p.tcpFlags)}` : '';
    return `${protoName(p.proto)} ${s}:${p.sport ?? 0} > ${d}:${p.dport ?? 0}${flags}`;
  }
  if (p.proto === 1 && p.icmp) {
    const name = Object.entries(ICMP_TYPES).find(([, v]) => v === p.icmp!.type)?.[0];
    const id = p.icmp.id !== undefined ? ` id ${p.icmp.id}` : '';
    const seq = p.icmp.seq !== undefined ? ` seq ${p.icmp.seq}` : '';
    const inner = p.icmp.inner ? ` (about ${packetSummary(p.icmp.inner)})` : '';
    return `icmp ${s} > ${d} type ${p.icmp.type}${name ? ` (${name})` : ''} code ${p.icmp.code}${id}${seq}${inner}`;
  }
  return `${protoName(p.proto)} ${s} > ${d}`;
}

export function tupleText(t: CtTupleN): string {
  const s = formatIpv4(t.src);
  const d = formatIpv4(t.dst);
  if (t.proto === 1) return `icmp src=${s} dst=${d} type=${t.dport} id=${t.sport}`;
  if (t.proto === 6 || t.proto === 17 || t.proto === 132) return `${protoName(t.proto)} src=${s} dst=${d} sport=${t.sport} dport=${t.dport}`;
  return `${protoName(t.proto)} src=${s} dst=${d}`;
}

/** As `conntrack -L` prints an entry. */
export function entryText(e: CtEntry): string {
  const st = e.protoState && e.orig.proto === 6 ? ` ${e.protoState}` : '';
  const unrep = e.status.includes('SEEN_REPLY') ? '' : ' [UNREPLIED]';
  const assured = e.status.includes('ASSURED') ? ' [ASSURED]' : '';
  const zone = e.zone ? ` zone=${e.zone}` : '';
  return `${protoName(e.orig.proto)}${st} ${tupleText(e.orig).replace(/^\S+ /, '')}${unrep} ${tupleText(e.reply).replace(/^\S+ /, '')}${assured} mark=${e.mark}${zone}`;
}
