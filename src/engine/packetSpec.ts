/**
 * Packet specs as people type them (grammar/packet.peggy), validated into a PacketSpec:
 *   arrive HOST:IF tcp A:p > B:q flags S      local HOST udp 0.0.0.0:p > B:q      ... icmp A > B type echo-request id 1 seq 1
 */
import { parseIpv4 } from '../model/addr.js';
import { TCP_FLAGS, type Packet } from '../model/packet.js';
import { InputError, type InputIssue } from '../model/source.js';
import { parse as parseSpec, SyntaxError as PegSyntaxError } from '../parse/generated/packet.js';
import { protocolNumber } from './chains.js';
import { ICMP_TYPES } from './format.js';
import type { PacketSpec } from './types.js';

const FLAG_LETTERS: Record<string, number> = { S: TCP_FLAGS.SYN, F: TCP_FLAGS.FIN, R: TCP_FLAGS.RST, P: TCP_FLAGS.PSH, A: TCP_FLAGS.ACK, U: TCP_FLAGS.URG, E: TCP_FLAGS.ECE, W: TCP_FLAGS.CWR, C: TCP_FLAGS.CWR, '.': TCP_FLAGS.ACK };

function parseFlags(v: string): number | undefined {
  if (v.toLowerCase() === 'none') return 0;
  if (/^[A-Z]+$/i.test(v) && v.length > 3 && !v.includes(',')) {
    const n = (TCP_FLAGS as Record<string, number>)[v.toUpperCase()];
    if (n !== undefined) return n;
  }
  if (v.includes(',')) {
    let f = 0;
    for (const part of v.split(',')) {
      const n = (TCP_FLAGS as Record<string, number>)[part.toUpperCase()];
      if (n === undefined) return undefined;
      f |= n;
    }
    return f;
  }
  let f = 0;
  for (const c of v) {
    const n = FLAG_LETTERS[c.toUpperCase()] ?? FLAG_LETTERS[c];
    if (n === undefined) return undefined;
    f |= n;
  }
  return f;
}

function num(v: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(v)) return parseInt(v, 16);
  if (/^\d+$/.test(v)) return Number(v);
  return undefined;
}

export function parsePacketSpec(text: string, file = '(packet)', line = 1): PacketSpec {
  const issues: InputIssue[] = [];
  const at = (col: number, t: string, message: string, hint?: string) => issues.push({ severity: 'error', loc: { file, line, col }, text: t, message, hint });
  let raw: any;
  try {
    raw = parseSpec(text.trim() === text ? text : text.replace(/\s+$/, ''));
  } catch (e) {
    if (e instanceof PegSyntaxError) {
      const col = e.location.start.column;
      throw new InputError([
        {
          severity: 'error',
          loc: { file, line, col },
          text,
          message: `packet spec: ${e.message}`,
          hint: "write e.g. `arrive HOST:IF tcp 10.0.0.1:1234 > 10.0.0.2:80 flags S`, `local HOST udp 0.0.0.0:40000 > 10.0.0.2:53` or `local HOST icmp 10.0.0.1 > 10.0.0.2 type echo-request id 1 seq 1`",
        },
      ]);
    }
    throw e;
  }
  const protoText: string = raw.proto.text.toLowerCase();
  const proto = protocolNumber(protoText);
  if (proto === undefined || proto === 0) at(raw.proto.loc.col, raw.proto.text, `unknown protocol '${raw.proto.text}'`, 'use tcp, udp, icmp or a protocol number');
  const src = parseIpv4(raw.src.addr);
  const dst = parseIpv4(raw.dst.addr);
  if (src === undefined) at(raw.src.loc.col, raw.src.addr, 'source is not an IPv4 address');
  if (dst === undefined) at(raw.dst.loc.col, raw.dst.addr, 'destination is not an IPv4 address');
  const ported = proto === 6 || proto === 17 || proto === 132 || proto === 136;
  if (ported && (raw.src.port === undefined || raw.dst.port === undefined)) at(raw.src.loc.col, text, `${protoText} needs ports: A:p > B:q`);
  if (!ported && (raw.src.port !== undefined || raw.dst.port !== undefined)) at(raw.src.loc.col, text, `${protoText} has no ports`);
  for (const e of [raw.src, raw.dst]) if (e.port !== undefined && (e.port < 0 || e.port > 65535)) at(e.loc.col, String(e.port), 'port out of range 0..65535');
  const pkt: Packet = { src: src ?? 0, dst: dst ?? 0, proto: proto ?? 0, ttl: 64, tos: 0, length: 0, df: proto === 6, mark: 0 };
  if (ported) {
    pkt.sport = raw.src.port;
    pkt.dport = raw.dst.port;
  }
  let flagsGiven = false;
  let len: number | undefined;
  let pktinfo = false;
  let rawSock = false;
  let dfGiven = false;
  let uid: number | undefined;
  let gid: number | undefined;
  const icmp = { type: -1, code: 0, id: undefined as number | undefined, seq: undefined as number | undefined };
  for (const o of raw.opts as { key: string; value: string; loc: { col: number } }[]) {
    const bad = (msg: string, hint?: string) => at(o.loc.col, `${o.key} ${o.value}`.trim(), msg, hint);
    switch (o.key) {
      case 'flags': {
        if (proto !== 6) bad('flags only apply to tcp');
        const f = parseFlags(o.value);
        if (f === undefined) bad(`bad TCP flags '${o.value}'`, 'letters S F R P A U E W (e.g. S, SA, PA) or names SYN,ACK');
        else pkt.tcpFlags = f;
        flagsGiven = true;
        break;
      }
      case 'ttl': {
        const n = num(o.value);
        if (n === undefined || n > 255) bad('ttl must be 0..255');
        else pkt.ttl = n;
        break;
      }
      case 'len':
      case 'length': {
        const n = num(o.value);
        if (n === undefined || n < 20 || n > 65535) bad('len must be 20..65535 (the IP total length)');
        else len = n;
        break;
      }
      case 'mark': {
        const n = num(o.value);
        if (n === undefined || n > 0xffffffff) bad('mark must be a 32-bit number (0x.. or decimal)');
        else pkt.mark = n >>> 0;
        break;
      }
      case 'tos': {
        const n = num(o.value);
        if (n === undefined || n > 255) bad('tos must be 0..255');
        else pkt.tos = n;
        break;
      }
      case 'type': {
        if (proto !== 1) bad('type only applies to icmp');
        const n = num(o.value) ?? ICMP_TYPES[o.value.toLowerCase()];
        if (n === undefined || n > 255) bad(`unknown ICMP type '${o.value}'`, `use a number or one of ${Object.keys(ICMP_TYPES).join(', ')}`);
        else icmp.type = n;
        break;
      }
      case 'code': {
        const n = num(o.value);
        if (n === undefined || n > 255) bad('code must be 0..255');
        else icmp.code = n;
        break;
      }
      case 'id':
      case 'seq': {
        const n = num(o.value);
        if (n === undefined || n > 65535) bad(`${o.key} must be 0..65535`);
        else icmp[o.key] = n;
        break;
      }
      case 'mac':
        pkt.srcMac = o.value.toLowerCase();
        break;
      case 'payload':
        pkt.payload = o.value;
        break;
      case 'uid':
      case 'gid': {
        const n = num(o.value);
        if (n === undefined) bad(`${o.key} must be a number`);
        else if (o.key === 'uid') uid = n;
        else gid = n;
        break;
      }
      case 'df':
        pkt.df = true;
        dfGiven = true;
        break;
      case 'pktinfo':
        pktinfo = true;
        break;
      case 'raw':
        rawSock = true;
        break;
      default:
        bad(`option '${o.key}' does not apply here`);
    }
  }
  if (proto === 6 && !flagsGiven) pkt.tcpFlags = TCP_FLAGS.SYN;
  if (proto === 1) {
    if (icmp.type < 0) icmp.type = 8;
    pkt.icmp = { type: icmp.type, code: icmp.code, id: icmp.id ?? (icmp.type === 8 || icmp.type === 0 ? 1 : undefined), seq: icmp.seq ?? (icmp.type === 8 || icmp.type === 0 ? 1 : undefined) };
  }
  const payloadLen = pkt.payload?.length ?? 0;
  pkt.length = len ?? (proto === 6 ? (pkt.tcpFlags! & TCP_FLAGS.SYN ? 60 : 52) + payloadLen : proto === 17 ? 28 + (payloadLen || 5) : proto === 1 ? 84 : 20 + payloadLen);
  if (issues.length) throw new InputError(issues);
  const origin = raw.origin.kind === 'arrive' ? { kind: 'arrive' as const, host: raw.origin.host, iface: raw.origin.iface } : { kind: 'local' as const, host: raw.origin.host };
  return { origin, packet: pkt, unboundSource: origin.kind === 'local' && pkt.src === 0, pktinfo, raw: rawSock, uid, gid, ...(dfGiven ? { dfGiven } : {}), text: text.trim() };
}
