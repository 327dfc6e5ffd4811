/** Address text parsing shared by the ip(8) / ss / conntrack loaders: IPv4 and IPv6 (canonical RFC 5952). */
import { formatIpv6, parseIpv4, parseIpv6, prefixMask, type Family, type IpNet } from '../model/addr.js';

export interface ParsedAddr {
  family: Family;
  /** Canonical text. */
  addr: string;
  v4?: number;
}

/** Parse a bare address (no prefix). */
export function parseAddr(text: string): ParsedAddr | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, addr: text, v4 };
  if (text.includes(':')) {
    const v6 = parseIpv6(text);
    if (v6 !== undefined) return { family: 6, addr: formatIpv6(v6) };
  }
  return undefined;
}

/** Parse `addr[/len]`; without /len the prefix is the full length. Returns an error message on failure. */
export function parseNet(text: string, family?: Family): IpNet | string {
  const slash = text.indexOf('/');
  const a = parseAddr(slash >= 0 ? text.slice(0, slash) : text);
  if (!a) return `'${slash >= 0 ? text.slice(0, slash) : text}' is not an IPv4 or IPv6 address`;
  if (family && a.family !== family) return `'${text}' is an IPv${a.family} address where IPv${family} was expected`;
  const max = a.family === 4 ? 32 : 128;
  let len = max;
  if (slash >= 0) {
    const l = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(l) || Number(l) > max) return `prefix length '/${l}' is not in 0..${max}`;
    len = Number(l);
  }
  if (a.family === 4) return { family: 4, addr: a.addr, len, v4: a.v4, maskBits: prefixMask(len) };
  return { family: 6, addr: a.addr, len };
}

/** The all-addresses prefix of a family (`default`, `all`). */
export function anyNet(family: Family): IpNet {
  return family === 4 ? { family: 4, addr: '0.0.0.0', len: 0, v4: 0, maskBits: 0 } : { family: 6, addr: '::', len: 0 };
}

/** 'XX:XX:XX:XX:XX:XX'-style censored hardware address. */
export function isRedactedMac(text: string): boolean {
  return /^(?:[xX]{1,2}:)+[xX]{1,2}$/.test(text);
}
