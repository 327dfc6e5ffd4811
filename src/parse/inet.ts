/** Address text parsing shared by the ip(8) / ss / conntrack loaders: IPv4 and IPv6 (canonical RFC 5952). */
import { parseIpv4, prefixMask, type Family, type IpNet } from '../model/addr.js';

/** Parse IPv6 text into a 128-bit bigint, or undefined. Accepts embedded IPv4 tails and a %zone is NOT
 * accepted (callers strip it). */
export function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length > 45) return undefined;
  let s = text;
  if (s.includes('.')) {
    const lastColon = s.lastIndexOf(':');
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${((v4 >>> 16) & 0xffff).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const dbl = s.indexOf('::');
  if (dbl !== s.lastIndexOf('::')) return undefined;
  const parseGroups = (p: string): number[] | undefined => {
    if (p === '') return [];
    const out: number[] = [];
    for (const g of p.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const head = parseGroups(s.slice(0, dbl));
    const rest = parseGroups(s.slice(dbl + 2));
    if (!head || !rest) return undefined;
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return undefined;
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  } else {
    const all = parseGroups(s);
    if (!all) return undefined;
    groups = all;
    if (groups.length !== 8) return undefined;
  }
  if (groups.length !== 8) return undefined;
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(g);
  return n;
}

/** RFC 5952 text: lower case, longest run (>1) of zero groups compressed, first one on ties. */
export function formatIpv6(n: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestLen = j - i;
      bestStart = i;
    }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

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
