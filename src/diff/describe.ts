/** Header-space boxes in words: only the dimensions a class restricts are named. */
import { formatIpv4 } from '../model/addr.js';
import { DIM_INDEX, DIM_RANGE, type Box, type Dim } from '../space/box.js';
import type { IngressPoint } from '../space/classes.js';
import { PORTED } from '../space/classes.js';
import * as I from '../space/intervals.js';

function isFull(d: Dim, s: I.IntervalSet): boolean {
  const [lo, hi] = DIM_RANGE[d];
  return s.length === 1 && s[0][0] <= lo && s[0][1] >= hi;
}

/** An address interval as a prefix when it is one, else a range. */
function addrInterval([a, b]: I.Interval): string {
  if (a === b) return formatIpv4(a);
  const size = b - a + 1;
  const len = 32 - Math.log2(size);
  if (Number.isInteger(len) && a % size === 0) return `${formatIpv4(a)}/${len}`;
  return `${formatIpv4(a)}-${formatIpv4(b)}`;
}

function listText(s: I.IntervalSet, one: (x: I.Interval) => string, max = 4): string {
  const parts = s.slice(0, max).map(one);
  return parts.join(', ') + (s.length > max ? `, … (${s.length} ranges)` : '');
}

/** A set, or "any except …" when the complement is shorter. */
function setText(d: Dim, s: I.IntervalSet, one: (x: I.Interval) => string): string {
  const [lo, hi] = DIM_RANGE[d];
  const comp = I.subtract(I.range(lo, hi), s);
  if (comp.length < s.length || (comp.length === s.length && I.size(comp) < I.size(s) && comp.length <= 2)) return `any except ${listText(comp, one)}`;
  return listText(s, one);
}

const num = ([a, b]: I.Interval) => (a === b ? `${a}` : `${a}-${b}`);
const PROTO_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 132: 'sctp', 136: 'udplite', 47: 'gre', 50: 'esp', 51: 'ah' };
const protoInterval = ([a, b]: I.Interval) => (a === b ? (PROTO_NAMES[a] ?? `proto ${a}`) : `protocols ${a}-${b}`);

const FLAG_BITS: [number, string][] = [[0x02, 'SYN'], [0x10, 'ACK'], [0x01, 'FIN'], [0x04, 'RST'], [0x08, 'PSH'], [0x20, 'URG'], [0x40, 'ECE'], [0x80, 'CWR']];

/** TCP flags as "bits set / bits clear" when the set is such a cube, else a count. */
function flagsText(s: I.IntervalSet): string {
  const vals: number[] = [];
  for (const [a, b] of s) for (let v = a; v <= b; v++) vals.push(v);
  const set: string[] = [];
  const clear: string[] = [];
  let free = 0;
  for (const [bit, name] of FLAG_BITS) {
    const on = vals.filter((v) => v & bit).length;
    if (on === vals.length) set.push(name);
    else if (on === 0) clear.push(name);
    else free++;
  }
  // a cube has 2^free members
  if (vals.length === 1 << free) {
    const parts = [];
    if (set.length) parts.push(`${set.join('+')} set`);
    if (clear.length) parts.push(`${clear.join(', ')} clear`);
    return `flags ${parts.join(', ') || 'any'}`;
  }
  return `flags in {${vals.slice(0, 6).map((v) => FLAG_BITS.filter(([b]) => v & b).map(([, n]) => n).join('+') || 'none').join(' | ')}${vals.length > 6 ? ` | … ${vals.length} combinations` : ''}}`;
}

function icmpText(s: I.IntervalSet): string {
  return listText(s, ([a, b]) => {
    const t1 = a >> 8;
    const t2 = b >> 8;
    if ((a & 0xff) === 0 && (b & 0xff) === 0xff) return t1 === t2 ? `type ${t1}` : `types ${t1}-${t2}`;
    if (t1 === t2) return `type ${t1} code ${(a & 0xff) === (b & 0xff) ? a & 0xff : `${a & 0xff}-${b & 0xff}`}`;
    return `type/code ${t1}/${a & 0xff}-${t2}/${b & 0xff}`;
  });
}

export function describeBox(b: Box, points: readonly IngressPoint[]): string {
  const g = (d: Dim) => b[DIM_INDEX[d]];
  const where = g('ingress').map(([a, c]) => points.slice(a, c + 1).map((p) => p.label).join(', ')).join(', ');
  const protos = g('proto');
  const parts: string[] = [isFull('proto', protos) ? 'any protocol' : setText('proto', protos, protoInterval)];
  const single = protos.length === 1 && protos[0][0] === protos[0][1] ? protos[0][0] : undefined;
  const src = g('src');
  const dst = g('dst');
  const local = points[g('ingress')[0][0]]?.kind === 'local';
  parts.push(`from ${isFull('src', src) ? 'any' : local && src.length === 1 && src[0][0] === 0 && src[0][1] === 0 ? 'an unbound socket' : setText('src', src, addrInterval)}`);
  parts.push(`to ${isFull('dst', dst) ? 'any' : setText('dst', dst, addrInterval)}`);
  const ported = single === undefined || PORTED.has(single);
  if (ported) {
    if (!isFull('sport', g('sport'))) parts.push(`sport ${setText('sport', g('sport'), num)}`);
    if (!isFull('dport', g('dport'))) parts.push(`dport ${setText('dport', g('dport'), num)}`);
  }
  if ((single === undefined || single === 6) && !isFull('flags', g('flags'))) parts.push(flagsText(g('flags')));
  if ((single === undefined || single === 1) && !isFull('icmp', g('icmp'))) parts.push(`ICMP ${icmpText(g('icmp'))}`);
  if (!isFull('ttl', g('ttl'))) parts.push(`ttl ${setText('ttl', g('ttl'), num)}`);
  if (!isFull('length', g('length'))) parts.push(`length ${setText('length', g('length'), num)}`);
  if (!isFull('tos', g('tos'))) parts.push(`tos ${setText('tos', g('tos'), num)}`);
  return `${parts.join(' ')} (${where})`;
}
