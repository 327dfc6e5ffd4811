/**
 * Addresses in the model. IPv4 addresses are kept as their dotted text *and* a uint32 number so the
 * engine can match fast; IPv6 keeps canonical text (the engine models IPv4 only for now).
 */
export type Family = 4 | 6;

/** An address with a mask, as iptables and ip(8) print it. `mask` is the prefix length when the mask is
 * contiguous; `maskText` keeps a non-contiguous dotted mask (iptables allows `-s a.b.c.d/255.0.255.0`). */
export interface IpNet {
  family: Family;
  /** Canonical address text (IPv4 dotted quad, IPv6 RFC 5952). For IPv4 the host bits are as written. */
  addr: string;
  /** Prefix length (0..32 / 0..128). For a non-contiguous IPv4 mask: -1, see maskBits. */
  len: number;
  /** IPv4 only: address as unsigned 32-bit number. */
  v4?: number;
  /** IPv4 only: mask as unsigned 32-bit number. */
  maskBits?: number;
}

export function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const b = Number(m[i]);
    if (b > 255) return undefined;
    n = n * 256 + b;
  }
  return n >>> 0;
}

export function formatIpv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function prefixMask(len: number): number {
  return len <= 0 ? 0 : len >= 32 ? 0xffffffff : (0xffffffff << (32 - len)) >>> 0;
}

/** Prefix length of a contiguous mask, or -1. */
export function maskToLen(mask: number): number {
  for (let l = 0; l <= 32; l++) if (prefixMask(l) === mask >>> 0) return l;
  return -1;
}

export function ipv4Net(addr: number, len: number): IpNet {
  return { family: 4, addr: formatIpv4(addr), len, v4: addr >>> 0, maskBits: prefixMask(len) };
}

/** True when `a` (uint32) lies in `net` (IPv4). */
export function inNet4(a: number, net: IpNet): boolean {
  const m = net.maskBits ?? prefixMask(net.len);
  return ((a & m) >>> 0) === (((net.v4 ?? 0) & m) >>> 0);
}

export function formatNet(n: IpNet): string {
  if (n.family === 4 && n.len === -1) return `${n.addr}/${formatIpv4(n.maskBits ?? 0)}`;
  return `${n.addr}/${n.len}`;
}

/** IPv6 text (with an optional dotted IPv4 tail; no %zone) → its 8 16-bit groups, or undefined. */
export function parseIpv6(text: string): number[] | undefined {
  let s = text;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = parseIpv4(v4[1]);
    if (n === undefined) return undefined;
    tail = [n >>> 16, n & 0xffff];
    s = s.slice(0, s.length - v4[1].length);
    if (!s.endsWith('::')) {
      if (!s.endsWith(':')) return undefined;
      s = s.slice(0, -1);
    }
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
    const a = parseGroups(s.slice(0, dbl));
    const b = parseGroups(s.slice(dbl + 2));
    if (!a || !b) return undefined;
    const fill = 8 - a.length - b.length - tail.length;
    if (fill < 1) return undefined;
    groups = [...a, ...new Array(fill).fill(0), ...b, ...tail];
  } else {
    const a = parseGroups(s);
    if (!a) return undefined;
    groups = [...a, ...tail];
  }
  return groups.length === 8 ? groups : undefined;
}

/** RFC 5952 text (inet_ntop), including ::ffff:a.b.c.d forms as glibc prints them. */
export function formatIpv6(g: number[]): string {
  // glibc inet_ntop prints IPv4-mapped/compatible with dotted tail
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && (g[5] === 0xffff || (g[5] === 0 && g[6] !== 0))) {
    if (g[5] === 0xffff || g[6] !== 0 || g[7] > 1) {
      const v4 = formatIpv4(((g[6] << 16) | g[7]) >>> 0);
      return g[5] === 0xffff ? `::ffff:${v4}` : `::${v4}`;
    }
  }
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const h = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return h(g);
  return h(g.slice(0, bestStart)) + '::' + h(g.slice(bestStart + bestLen));
}
