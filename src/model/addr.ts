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
