/**
 * Packets generated in answer (ICMP errors, resets, SYN/ACKs, echo replies) that came back to whoever sent the
 * packet in the lab, nfsim's against the kernel's (scripts/lab/lab.py: IPv4 packets received by the sender on
 * the interface the probe left through, after it left).
 *
 * - A socket sender (a `local` packet, or an `arrive` packet from the modelled neighbour owning its source):
 *   nfsim's answers that end on that host after passing another one, as they arrive there (after the other
 *   hosts' translations).
 * - The outside helper of an interface with no link: what nfsim sends out of that interface — answers, and the
 *   packet itself when it is routed back out the way it came.
 * Frames sent from a modelled neighbour that does not own their source are not compared (its stack handles
 * the answers as packets for someone else).
 */
import { normalizeAnswer } from '../conformance/compare.js';
import type { Outcome, Verdict } from '../engine/types.js';

export interface AnswerDifference {
  /** Where the answers were captured: the sending host or the outside helper. */
  at: string;
  nfsim: string[];
  kernel: string[];
}

/** How the lab sent the packet: from a host's socket, or from the outside helper of HOST:IF. */
export type LabSender = { kind: 'socket'; host: string } | { kind: 'outside'; host: string; iface: string } | { kind: 'frame' };

function atSocket(v: Verdict, sender: string): string[] {
  const elsewhere = (a: Outcome) => a.trace.some((e) => 'host' in e && e.host !== undefined && e.host !== sender);
  const arriving = (a: Outcome) => a.trace.reduce((p, e) => (e.type === 'nat' && e.host !== sender ? e.after : p), a.packet);
  return v.answers.filter((a) => a.verdict.host === sender && elsewhere(a)).map((a) => normalizeAnswer(arriving(a)));
}

function outOf(v: Verdict, host: string, iface: string, self: boolean): string[] {
  const out: string[] = [];
  if (self && v.fate === 'forwarded' && v.host === host && v.iface === iface) out.push(normalizeAnswer(v.packet));
  for (const a of v.answers) if (a.verdict.fate === 'forwarded' && a.verdict.host === host && a.verdict.iface === iface) out.push(normalizeAnswer(a.verdict.packet));
  return out;
}

/** Undefined when they agree or are not comparable. */
export function compareAnswers(
  v: Verdict,
  sender: LabSender,
  k: { answers?: string[]; seen?: { host: string; iface: string; dir: string }[] } | undefined,
): AnswerDifference | undefined {
  if (!k?.answers || sender.kind === 'frame') return undefined;
  let want: string[];
  let at: string;
  if (sender.kind === 'outside') {
    want = outOf(v, sender.host, sender.iface, true);
    at = `outside ${sender.host}:${sender.iface}`;
  } else {
    // a packet to the sender itself goes over lo: its answers are its own packets there
    const firstOut = k.seen?.find((s) => s.host === sender.host && s.dir === 'out');
    if (!firstOut || firstOut.iface === 'lo') return undefined;
    want = atSocket(v, sender.host);
    at = sender.host;
  }
  const got = k.answers.map(normalizeAnswer).sort();
  want.sort();
  return want.join('|') === got.join('|') ? undefined : { at, nfsim: want, kernel: got };
}
