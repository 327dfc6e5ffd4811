/**
 * `nstat` counter deltas per host over one query (recorded by scripts/lab/lab.py: the IPv4, ICMP, TCP and UDP
 * counters that changed), the ones worth showing beside a packet's fate, and the check of the counters nfsim
 * names: a verdict carrying a MIB counter (UdpNoPorts for a UDP NO_SOCKET drop, IpInAddrErrors, IpOutNoRoutes,
 * TcpOutRsts...) must find it increased on that host.
 */
import type { Verdict } from '../engine/types.js';

/** Per host: counter name → delta. */
export type NstatDeltas = Record<string, Record<string, number>>;

export interface NstatDifference {
  host: string;
  counter: string;
  /** What nfsim's verdict said about the packet. */
  why: string;
  kernel: number;
}

/** Counters that tell where or why a packet stopped (errors, drops, unreachables, resets, no route/port). */
const PATH_COUNTER = /(Err|NoPorts|NoRoutes|Drop|Discard|Fail|Unreach|Rsts|Reset|Csum|ReversePath|TimeExcd|Overflow|Prohib|Redirect|Unknown|Truncated|Invalid)/;

export function pathCounters(d: Record<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(d ?? {}).sort()) if (PATH_COUNTER.test(k) && d![k]) out[k] = d![k];
  return out;
}

/** Counters nfsim's verdicts (and their answers') name, per host. */
function simCounters(v: Verdict, out: { host: string; counter: string; why: string }[] = []) {
  const c = 'counter' in v ? v.counter : undefined;
  if (c) out.push({ host: v.host, counter: c, why: `${v.fate}${v.fate === 'dropped' ? ` ${v.reason}` : v.fate === 'send-error' ? ` ${v.errno}` : ''} on ${v.host}` });
  for (const a of v.answers) simCounters(a.verdict, out);
  return out;
}

/** Counters nfsim expects to move that did not move on the kernel (hosts without a record are not compared). */
export function compareNstat(verdicts: Verdict[], kernel: NstatDeltas | undefined): NstatDifference[] {
  if (!kernel) return [];
  const diffs: NstatDifference[] = [];
  const seen = new Set<string>();
  for (const v of verdicts) {
    for (const e of simCounters(v)) {
      const key = `${e.host}\0${e.counter}`;
      if (seen.has(key) || !kernel[e.host]) continue;
      seen.add(key);
      const k = kernel[e.host][e.counter] ?? 0;
      if (k < 1) diffs.push({ host: e.host, counter: e.counter, why: e.why, kernel: k });
    }
  }
  return diffs;
}
