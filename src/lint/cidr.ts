/** IPv4 interval sets written as CIDR prefixes (the smallest list of aligned blocks covering exactly the set). */
import { formatIpv4 } from '../model/addr.js';
import type { IntervalSet } from '../space/intervals.js';

export function toCidrs(set: IntervalSet): string[] {
  const out: string[] = [];
  for (const [lo0, hi] of set) {
    let lo = lo0;
    while (lo <= hi) {
      // Largest aligned block starting at lo that fits in [lo, hi].
      let len = 32;
      while (len > 0) {
        const size = 2 ** (32 - (len - 1));
        if (lo % size !== 0 || lo + size - 1 > hi) break;
        len--;
      }
      out.push(`${formatIpv4(lo)}/${len}`);
      lo += 2 ** (32 - len);
    }
  }
  return out;
}
