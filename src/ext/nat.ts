/** NAT range parsing/printing shared by DNAT/SNAT/MASQUERADE/REDIRECT/NETMAP (libxt_DNAT.c etc.). */
import type { NatRange } from './types.js';
import { fail, parseAddr, parsePort } from './helpers.js';

export interface NatRangeText extends NatRange {
  /** Address texts as printed (IPv6 canonical). */
  minText?: string;
  maxText?: string;
  /** --to-destination a:p1-p2/base (rev 2 "port offset") */
  base?: number;
}

const PORT_PROTOS = ['tcp', 'udp', 'udplite', 'sctp', 'dccp'];

export function parsePorts(s: string, protocol: { value: string; invert: boolean } | undefined, what: string, allowZero = false): { min: number; max: number; base?: number } {
  if (!protocol || protocol.invert || !PORT_PROTOS.includes(protocol.value))
    fail(`${what}: Need TCP, UDP, SCTP or DCCP with port specification`, 'add -p tcp (or udp, sctp, dccp) to the rule');
  let base: number | undefined;
  let t = s;
  const slash = t.indexOf('/');
  if (slash >= 0) {
    if (allowZero) fail(`${what}: Shifted portmap ranges not supported with this kernel`, 'iptables 1.8.9 refuses /BASE here');
    base = parsePort(t.slice(slash + 1), protocol.value);
    t = t.slice(0, slash);
  }
  const whole = (() => { try { return parsePort(t, protocol.value); } catch { return undefined; } })();
  const [a, b] = whole !== undefined ? [t, undefined] : t.split('-');
  const min = whole ?? parsePort(a, protocol.value);
  const max = b === undefined ? min : parsePort(b, protocol.value);
  if (!allowZero && (min === 0 || max === 0 || base === 0)) fail(`Port \`0' not valid`);
  if (max < min) fail(`${what}: invalid port range "${s}"`);
  return { min, max, base };
}

export function parseNatRange(s: string, family: 4 | 6, protocol: { value: string; invert: boolean } | undefined, what: string): NatRangeText {
  const r: NatRangeText = {};
  let addrPart = s;
  let portPart: string | undefined;
  if (family === 6) {
    if (s.startsWith('[')) {
      const close = s.indexOf(']');
      if (close < 0) fail(`${what}: invalid address "${s}"`);
      addrPart = s.slice(1, close);
      const rest = s.slice(close + 1);
      if (rest.startsWith(':')) portPart = rest.slice(1);
      else if (rest !== '') fail(`${what}: invalid address "${s}"`);
    } else if (s.startsWith(':') && !s.startsWith('::')) {
      addrPart = '';
      portPart = s.slice(1);
    }
  } else {
    const c = s.indexOf(':');
    if (c >= 0) {
      addrPart = s.slice(0, c);
      portPart = s.slice(c + 1);
    }
  }
  if (addrPart !== '') {
    const d = family === 4 ? addrPart.indexOf('-') : addrPart.indexOf('-');
    const a = parseAddr(d < 0 ? addrPart : addrPart.slice(0, d), family);
    const b = d < 0 ? a : parseAddr(addrPart.slice(d + 1), family);
    r.minAddr = a.v4;
    r.maxAddr = b.v4;
    r.minText = a.text;
    r.maxText = b.text;
    if (family === 4 && b.v4! < a.v4!) fail(`${what}: bad address range "${addrPart}"`);
  }
  if (portPart !== undefined) {
    const p = parsePorts(portPart, protocol, what);
    r.minPort = p.min;
    r.maxPort = p.max;
    if (p.base !== undefined) r.base = p.base;
  }
  return r;
}

export function formatNatRange(r: NatRangeText, family: 4 | 6): string {
  let s = '';
  const hasPort = r.minPort !== undefined;
  if (r.minText !== undefined) {
    const a = r.minText + (r.maxText !== r.minText ? `-${r.maxText}` : '');
    s += family === 6 && hasPort ? `[${a}]` : a;
  }
  if (hasPort) {
    s += `:${r.minPort}`;
    if (r.maxPort !== r.minPort) s += `-${r.maxPort}`;
    if (r.base !== undefined) s += `/${r.base}`;
  }
  return s;
}
