/**
 * What "allowed" and "denied" mean for one outcome of a first packet (docs/check.md). Only the packet's own
 * fate counts, never the answers it provokes (a REJECT's ICMP error or a RST reaching the sender is not the
 * packet getting through).
 * - reached: delivered on a host of the world (to a socket, to ICMP, or to the TCP/UDP layer of a host
 *   whose socket table is not known), or forwarded out of the world toward an address no modelled host owns;
 * - not reached: dropped, rejected, not sent (a send error), or forwarded out of the world toward an address
 *   a modelled host owns (it went the wrong way);
 * - unknown: the engine answered `unsupported`.
 */
import { parseIpv4 } from '../model/addr.js';
import type { Outcome } from '../engine/types.js';
import { verdictLine } from '../report/traceText.js';
import * as I from '../space/intervals.js';

export type Reached = 'yes' | 'no' | 'unknown';

/** The source and destination of a packet as src/engine/format.ts packetSummary() prints it. */
export function summaryAddrs(summary: string): { src: number; dst: number } | undefined {
  const m = /^\S+ (\d+\.\d+\.\d+\.\d+)(?::\d+)? > (\d+\.\d+\.\d+\.\d+)/.exec(summary);
  if (!m) return undefined;
  const src = parseIpv4(m[1]);
  const dst = parseIpv4(m[2]);
  return src === undefined || dst === undefined ? undefined : { src, dst };
}

export function reached(o: Outcome, owned: I.IntervalSet): Reached {
  const v = o.verdict;
  switch (v.fate) {
    case 'delivered':
      return 'yes';
    case 'forwarded': {
      const a = summaryAddrs(v.packet);
      if (!a) return 'unknown';
      return I.contains(owned, a.dst) ? 'no' : 'yes';
    }
    case 'unsupported':
      return 'unknown';
    default:
      return 'no';
  }
}

/** One line on an outcome's fate, with the probability when the kernel decides at random. */
export function fateText(o: Outcome, owned: I.IntervalSet): string {
  const v = o.verdict;
  let t = verdictLine(v);
  if (v.fate === 'forwarded' && reached(o, owned) === 'no') t += ` (its destination belongs to a modelled host: it left the world the wrong way)`;
  if (o.probability < 1) t += ` (probability ${(o.probability * 100).toFixed(2)}%)`;
  return t;
}

export interface ClassFate {
  /** Outcomes that reached / did not / are undecided. */
  yes: Outcome[];
  no: Outcome[];
  unknown: Outcome[];
}

export function classFate(outcomes: readonly Outcome[], owned: I.IntervalSet): ClassFate {
  const f: ClassFate = { yes: [], no: [], unknown: [] };
  for (const o of outcomes) f[reached(o, owned)].push(o);
  return f;
}
