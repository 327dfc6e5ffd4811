/**
 * What counts as "the same fate" for diff: the verdict (fate, host, drop reason and location, rejecting
 * rule by table/chain/text, egress interface and the packet as it leaves, receiving socket and the packet as it
 * arrives there, errno), the
 * answers the kernel sends (each as sent: a NAT that changed the first packet's addresses shows in them) and
 * what becomes of them, and each random branch's probability. Rule positions
 * and source locations are left out: inserting a rule above another must not make the other "changed".
 */
import type { Outcome, RuleRef, Verdict } from '../engine/types.js';

const ruleSig = (r: RuleRef | undefined) => (r ? `${r.table}/${r.chain}/${r.text}` : '');

export function verdictSig(v: Verdict): string {
  const base = (() => {
    switch (v.fate) {
      case 'delivered':
        return `delivered|${v.host}|${v.socket ?? ''}|${v.packet ?? ''}`;
      case 'dropped':
        return `dropped|${v.host}|${v.reason}|${v.at}|${ruleSig(v.rule)}`;
      case 'rejected':
        return `rejected|${v.host}|${v.with}|${ruleSig(v.rule)}`;
      case 'forwarded':
        return `forwarded|${v.host}|${v.iface}|${v.packet}`;
      case 'send-error':
        return `send-error|${v.host}|${v.errno}`;
      case 'unsupported':
        return `unsupported|${v.host}|${v.reason}`;
    }
  })();
  return `${base}[${v.answers.map((a) => `${a.packet}=>${outcomeSig(a)}`).join(';')}]`;
}

export function outcomeSig(o: Outcome): string {
  return `${o.probability.toFixed(6)}:${verdictSig(o.verdict)}`;
}

export function outcomesSig(list: readonly Outcome[], absent?: string): string {
  if (absent) return `absent:${absent}`;
  return list.map(outcomeSig).sort().join('||');
}
