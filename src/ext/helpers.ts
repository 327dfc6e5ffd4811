/**
 * Shared value parsers/printers for extension modules, mirroring libxtables (xtables_strtoui,
 * xtables_parse_port, xtables_save_string, xtables_ipparse_any, ...).
 */
import { ExtensionError, type OptionValue } from './types.js';
import { SERVICES, PROTOCOLS } from './data/services.js';
import { parseIpv4, formatIpv4, parseIpv6, formatIpv6, maskToLen, prefixMask, type IpNet } from '../model/addr.js';

/** xtables_strtoul with base 0: decimal, 0x hex, leading-0 octal. */
export function parseUInt(s: string, max = 0xffffffff, what = 'value'): number {
  let n: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) n = parseInt(s.slice(2), 16);
  else if (/^0[0-7]+$/.test(s)) n = parseInt(s.slice(1), 8);
  else if (/^[0-9]+$/.test(s)) n = Number(s);
  else throw new ExtensionError(`${what} "${s}" is not a number`);
  if (!Number.isFinite(n) || n > max) throw new ExtensionError(`${what} "${s}" out of range (max ${max})`);
  return n;
}

/** Like parseUInt but returns undefined instead of throwing. */
export function tryUInt(s: string, max = 0xffffffff): number | undefined {
  try {
    return parseUInt(s, max);
  } catch {
    return undefined;
  }
}

export function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

/** value[/mask] as xtables_parse_mark_mask: mask defaults to 0xffffffff. */
export function parseMarkMask(s: string, what = 'mark'): { value: number; mask: number; hasMask: boolean } {
  const i = s.indexOf('/');
  if (i < 0) return { value: parseUInt(s, 0xffffffff, what), mask: 0xffffffff, hasMask: false };
  return { value: parseUInt(s.slice(0, i), 0xffffffff, what), mask: parseUInt(s.slice(i + 1), 0xffffffff, what + ' mask'), hasMask: true };
}

/** Port by number or service name (getservbyname for the given protocol). */
export function parsePort(s: string, proto?: string): number {
  if (/^[0-9]+$/.test(s)) {
    const n = Number(s);
    if (n > 65535) throw new ExtensionError(`invalid port "${s}"`, 'ports are 0..65535');
    return n;
  }
  const e = Object.prototype.hasOwnProperty.call(SERVICES, s) ? SERVICES[s] : undefined;
  if (e) {
    const p = proto === 'udp' || proto === 'udplite' ? e[1] : proto === 'tcp' || proto === 'sctp' || proto === 'dccp' ? e[0] : e[0] >= 0 ? e[0] : e[1];
    if (p >= 0) return p;
  }
  throw new ExtensionError(`invalid port/service "${s}" specified`, 'use a number 0..65535 or a name from /etc/services');
}

/** "a", "a:b", ":b", "a:", ":" as xtables_parse_port range: returns [min,max]. */
export function parsePortRange(s: string, proto?: string, allowReversed = false): [number, number] {
  const i = s.indexOf(':');
  if (i < 0) {
    const p = parsePort(s, proto);
    return [p, p];
  }
  const lo = i === 0 ? 0 : parsePort(s.slice(0, i), proto);
  const hiText = s.slice(i + 1);
  const hi = hiText === '' ? 65535 : parsePort(hiText, proto);
  if (lo > hi && !allowReversed) throw new ExtensionError(`invalid port range "${s}": start > end`);
  return [lo, hi];
}

export function formatPortRange(r: [number, number]): string {
  return r[0] === r[1] ? `${r[0]}` : `${r[0]}:${r[1]}`;
}

/** xtables_save_string. */
export function saveString(v: string): string {
  if (v.length > 0 && /^[_\-0-9a-zA-Z]+$/.test(v)) return ' ' + v;
  return ' "' + v.replace(/["\\']/g, (c) => '\\' + c) + '"';
}

// ---- protocols --------------------------------------------------------------------------------------

const PROTO_BY_NUM = new Map<number, string>();
for (const [name, num] of Object.entries(PROTOCOLS)) if (!PROTO_BY_NUM.has(num) && num !== 0) PROTO_BY_NUM.set(num, name);

/** Protocol text (name or number) → number, as xtables_parse_protocol. undefined when unknown. */
export function protoNumber(s: string): number | undefined {
  const l = s.toLowerCase();
  if (/^[0-9]+$/.test(l)) {
    const n = Number(l);
    return n <= 255 ? n : undefined;
  }
  if (l === 'all') return 0;
  if (l === 'icmpv6') return 58;
  if (Object.prototype.hasOwnProperty.call(PROTOCOLS, l)) return PROTOCOLS[l];
  return undefined;
}

/** Protocol number → save text. */
export function protoName(n: number): string {
  return PROTO_BY_NUM.get(n) ?? String(n);
}

// ---- addresses ---------------------------------------------------------------------------------------

function maskGroups(len: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 8; i++) {
    const bits = Math.max(0, Math.min(16, len - i * 16));
    out.push(bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff);
  }
  return out;
}

/** Parse "addr[/len|/mask]" as iptables -s/-d does (host bits are cleared on save). Redacted forms are refused. */
export function parseNet(text: string, family: 4 | 6): IpNet {
  const i = text.indexOf('/');
  const a = i < 0 ? text : text.slice(0, i);
  const m = i < 0 ? undefined : text.slice(i + 1);
  if (family === 4) {
    const v = parseIpv4(a);
    if (v === undefined) {
      if (/^[a-zA-Z][-a-zA-Z0-9.]*$/.test(a)) throw new ExtensionError(`host name "${a}" cannot be resolved offline`, 'iptables resolves names at load time; iptables-save always prints addresses');
      throw new ExtensionError(`invalid IPv4 address "${a}"`);
    }
    let len = 32;
    let maskBits = 0xffffffff;
    if (m !== undefined) {
      if (/^[0-9]+$/.test(m)) {
        len = Number(m);
        if (len > 32) throw new ExtensionError(`invalid mask "${m}"`, 'prefix length 0..32');
        maskBits = prefixMask(len);
      } else {
        const mb = parseIpv4(m);
        if (mb === undefined) throw new ExtensionError(`invalid mask "${m}"`);
        maskBits = mb;
        len = maskToLen(mb);
      }
    }
    const v4 = (v & maskBits) >>> 0;
    return { family: 4, addr: formatIpv4(v4), len, v4, maskBits };
  }
  const g = parseIpv6(a);
  if (!g) throw new ExtensionError(`invalid IPv6 address "${a}"`);
  let len = 128;
  if (m !== undefined) {
    if (/^[0-9]+$/.test(m)) {
      len = Number(m);
      if (len > 128) throw new ExtensionError(`invalid mask "${m}"`, 'prefix length 0..128');
    } else {
      const mg = parseIpv6(m);
      if (!mg) throw new ExtensionError(`invalid mask "${m}"`);
      // contiguous only
      let l = 0;
      for (const x of mg) for (let b = 15; b >= 0; b--) if (x & (1 << b)) l++;
      if (maskGroups(l).some((x, k) => x !== mg[k])) throw new ExtensionError(`non-contiguous IPv6 mask "${m}" is not supported`);
      len = l;
    }
  }
  const mk = maskGroups(len);
  return { family: 6, addr: formatIpv6(g.map((x, k) => x & mk[k])), len };
}

export function formatNetSave(n: IpNet): string {
  if (n.family === 4 && n.len === -1) return `${n.addr}/${formatIpv4(n.maskBits ?? 0)}`;
  return `${n.addr}/${n.len}`;
}

/** A single address (no mask) for the family: IPv4 as number, IPv6 as canonical text. */
export function parseAddr(text: string, family: 4 | 6): { v4?: number; text: string } {
  if (family === 4) {
    const v = parseIpv4(text);
    if (v === undefined) throw new ExtensionError(`invalid IPv4 address "${text}"`);
    return { v4: v, text: formatIpv4(v) };
  }
  const g = parseIpv6(text);
  if (!g) throw new ExtensionError(`invalid IPv6 address "${text}"`);
  return { text: formatIpv6(g) };
}

// ---- option helpers ---------------------------------------------------------------------------------

/** Last occurrence of an option (or any of its names). */
export function opt(opts: OptionValue[], name: string): OptionValue | undefined {
  for (let i = opts.length - 1; i >= 0; i--) if (opts[i].name === name) return opts[i];
  return undefined;
}

export function inv(o: { invert: boolean } | undefined): string {
  return o && o.invert ? ' !' : '';
}

export function refuseInvert(o: OptionValue): void {
  if (o.invert) throw new ExtensionError(`unexpected "!" with --${o.name}`, 'this option cannot be negated', o);
}

/** Parse a comma-separated list of flag names against a table; returns the bitmask. */
export function parseFlagList(s: string, table: Record<string, number>, what: string, ignoreCase = true): number {
  let bits = 0;
  for (const raw of s.split(',')) {
    const k = ignoreCase ? raw.toUpperCase() : raw;
    const v = Object.prototype.hasOwnProperty.call(table, k) ? table[k] : undefined;
    if (v === undefined) throw new ExtensionError(`unknown ${what} "${raw}"`, `one of ${Object.keys(table).join(', ')}`);
    bits |= v;
  }
  return bits;
}

export function formatFlagList(bits: number, order: [string, number][]): string {
  const out: string[] = [];
  for (const [n, v] of order) if ((bits & v) === v && v !== 0) out.push(n);
  return out.join(',');
}

export function fail(msg: string, hint?: string, o?: OptionValue): never {
  throw new ExtensionError(msg, hint, o);
}

/** Dotted IPv4 → number or throw. */
export function v4(text: string): number {
  const n = parseIpv4(text);
  if (n === undefined) throw new ExtensionError(`invalid IPv4 address "${text}"`);
  return n;
}
