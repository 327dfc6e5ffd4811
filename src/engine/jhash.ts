/** include/linux/jhash.h: jhash2(), used by NAT to spread connections over an address range (deterministic). */
const INIT = 0xdeadbeef;

function rol(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export function jhash2(k: number[], initval: number): number {
  let len = k.length;
  let a = (INIT + (len << 2) + initval) >>> 0;
  let b = a;
  let c = a;
  let i = 0;
  while (len > 3) {
    a = (a + k[i]) >>> 0;
    b = (b + k[i + 1]) >>> 0;
    c = (c + k[i + 2]) >>> 0;
    // __jhash_mix
    a = (a - c) >>> 0; a = (a ^ rol(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rol(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol(b, 4)) >>> 0; b = (b + a) >>> 0;
    len -= 3;
    i += 3;
  }
  if (len >= 1) {
    if (len === 3) c = (c + k[i + 2]) >>> 0;
    if (len >= 2) b = (b + k[i + 1]) >>> 0;
    a = (a + k[i]) >>> 0;
      // __jhash_final
      c = (c ^ b) >>> 0; c = (c - rol(b, 14)) >>> 0;
      a = (a ^ c) >>> 0; a = (a - rol(c, 11)) >>> 0;
      b = (b ^ a) >>> 0; b = (b - rol(a, 25)) >>> 0;
      c = (c ^ b) >>> 0; c = (c - rol(b, 16)) >>> 0;
      a = (a ^ c) >>> 0; a = (a - rol(c, 4)) >>> 0;
      b = (b ^ a) >>> 0; b = (b - rol(a, 14)) >>> 0;
      c = (c ^ b) >>> 0; c = (c - rol(b, 24)) >>> 0;
  }
  return c >>> 0;
}

/** reciprocal_scale(val, ep_ro) = (u32)(((u64)val * ep_ro) >> 32) */
export function reciprocalScale(val: number, range: number): number {
  return Number((BigInt(val >>> 0) * BigInt(range >>> 0)) >> 32n);
}

/** An IPv4 address as the kernel reads the network-order bytes into a u32 on a little-endian machine. */
export function toWireU32(addr: number): number {
  return (((addr & 0xff) << 24) | (((addr >>> 8) & 0xff) << 16) | (((addr >>> 16) & 0xff) << 8) | ((addr >>> 24) & 0xff)) >>> 0;
}
