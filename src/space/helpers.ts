/** Small constructors extensions use to describe their matches in header space. */
import * as I from './intervals.js';
import type { IntervalSet } from './intervals.js';
import type { IpNet } from '../model/addr.js';

/** A port selection (`--dport 80:90`, `! --sport 53`). */
export function portSet(range: readonly [number, number], invert: boolean): IntervalSet {
  const s = I.range(range[0], range[1]);
  return invert ? I.subtract(I.range(0, 65535), s) : s;
}

/** The values 0..max for which `pred` holds. */
export function valuesWhere(max: number, pred: (v: number) => boolean): IntervalSet {
  const out: [number, number][] = [];
  for (let v = 0; v <= max; v++) {
    if (!pred(v)) continue;
    const last = out[out.length - 1];
    if (last && last[1] === v - 1) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}

export function maybeInvert(s: IntervalSet, invert: boolean, lo: number, hi: number): IntervalSet {
  return invert ? I.subtract(I.range(lo, hi), s) : s;
}

/** The addresses of an iptables address selector (a prefix, or a non-contiguous mask: then the covering set). */
export function netSet(n: IpNet): { set: IntervalSet; exact: boolean } {
  if (n.family !== 4) return { set: I.range(0, 0xffffffff), exact: false };
  if (n.len >= 0) return { set: I.prefix(n.v4 ?? 0, n.len), exact: true };
  // Non-contiguous mask: the prefix of its leading ones covers it.
  const m = n.maskBits ?? 0;
  let len = 0;
  while (len < 32 && (m >>> (31 - len)) & 1) len++;
  return { set: I.prefix(n.v4 ?? 0, len), exact: false };
}

