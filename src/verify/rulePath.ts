/**
 * Rule paths: which rules and policies each packet went through, per host — the kernel's from its nftables
 * trace (scripts/lab/lab.py rule_path(): `xtables-monitor --trace`, enabled by a separate `ip nfsim_trace`
 * table), nfsim's from the engine's trace events — and their comparison.
 *
 * A step is a rule (table, chain, 1-based position) or a chain's policy. The end of a user chain is not a step
 * (nft_do_chain() traces no implicit return; an explicit `-j RETURN` is a rule). Per host, the packets are
 * compared as a multiset of step sequences: the order inside a packet's path counts, the order between packets
 * does not (the kernel reports a REJECT's verdict after the ICMP error it sent; nfsim lists the answer after).
 */
import type { Outcome, TraceEvent } from '../engine/types.js';

export interface PathStep {
  table: string;
  chain: string;
  /** Position of the rule in its chain (1-based); absent for a policy, null when the kernel's handle was unknown. */
  rule?: number | null;
  /** The policy that decided (`ACCEPT`, `DROP`). */
  policy?: string;
  /** Kernel: the nftables verdict (CONTINUE, ACCEPT, DROP, JUMP:CHAIN...); nfsim: the rule's target. */
  verdict?: string;
  /** The rule as iptables-save prints it (kernel) or as the dump wrote it (nfsim). */
  text?: string;
}

export interface PathPacket {
  /** The packet where the host first saw it. */
  packet: string;
  /** Kernel: TCP flag letters of the packet (S, SA, A, RA...). */
  flags?: string;
  steps: PathStep[];
  /** Kernel: an `arrive` packet leaving the modelled neighbour whose socket sent it (not part of the simulated path). */
  senderOutput?: boolean;
}

/** Per host. */
export type RulePaths = Record<string, PathPacket[]>;

export interface RulePathDifference {
  host: string;
  nfsim: PathPacket[];
  kernel: PathPacket[];
}

function stepOf(e: TraceEvent): PathStep | undefined {
  if (e.type === 'rule') return { table: e.rule.table, chain: e.rule.chain, rule: e.rule.index, verdict: e.target, text: e.rule.text };
  if (e.type === 'policy') return { table: e.table, chain: e.chain, policy: e.policy };
  return undefined;
}

/**
 * nfsim's rule paths of a simulated exchange: the packet, every packet sent in answer (recursively) and the
 * sender's own later packets (`more`, e.g. a connected probe's ACK and RST). A packet's path in a host runs from
 * where it enters the host to where it leaves it (a `link` event, or the end of its trace).
 */
export function simRulePaths(outcomes: Outcome[]): RulePaths {
  const out: RulePaths = {};
  const walk = (o: Outcome) => {
    let cur: PathPacket | undefined;
    let curHost: string | undefined;
    for (const e of o.trace) {
      if (e.type === 'link') {
        cur = undefined;
        curHost = undefined;
        continue;
      }
      if (e.type === 'start' || e.host !== curHost) {
        curHost = e.host;
        cur = { packet: e.type === 'start' ? e.summary : o.packet, steps: [] };
        (out[e.host] ??= []).push(cur);
      }
      const s = stepOf(e);
      if (s && cur) cur.steps.push(s);
    }
    for (const a of o.verdict.answers) walk(a);
  };
  for (const o of outcomes) walk(o);
  for (const h of Object.keys(out)) out[h] = out[h].filter((p) => p.steps.length > 0);
  return out;
}

const stepKey = (s: PathStep) => (s.policy !== undefined ? `${s.table} ${s.chain} policy ${s.policy}` : `${s.table} ${s.chain} #${s.rule ?? `?${s.text ?? ''}`}`);
const packetKey = (p: PathPacket) => p.steps.map(stepKey).join(' → ');

/**
 * The kernel's packets that belong to the simulated exchange. Without simulated follow-ups, a TCP probe's own
 * completion of the handshake is left out: in each host, a TCP packet without SYN that comes after a SYN/ACK
 * (the client's ACK, the abortive close's RST|ACK). A packet leaving the modelled sender of an `arrive` packet
 * is never part of it.
 */
export function kernelExchange(packets: PathPacket[], followUpsSimulated: boolean): PathPacket[] {
  const out: PathPacket[] = [];
  let synAck = false;
  for (const p of packets) {
    if (p.senderOutput) continue;
    const f = p.flags ?? '';
    if (!followUpsSimulated && synAck && f && !f.includes('S')) continue;
    if (f.includes('S') && f.includes('A')) synAck = true;
    if (p.steps.length) out.push(p);
  }
  return out;
}

/** Hosts whose rule paths differ (hosts the kernel did not trace are not compared). */
export function compareRulePaths(sim: RulePaths, kernel: RulePaths, followUpsSimulated: boolean): RulePathDifference[] {
  const diffs: RulePathDifference[] = [];
  for (const host of Object.keys(kernel).sort()) {
    const k = kernelExchange(kernel[host], followUpsSimulated);
    const s = sim[host] ?? [];
    const ks = k.map(packetKey).sort();
    const ss = s.map(packetKey).sort();
    if (ks.length !== ss.length || ks.some((x, i) => x !== ss[i])) diffs.push({ host, nfsim: s, kernel: k });
  }
  return diffs;
}

/** One step as a line: `filter FORWARD #2 -A FORWARD -i eth0 -j FWD-IN → JUMP:FWD-IN` or `filter FORWARD policy DROP`. */
export function formatStep(s: PathStep): string {
  if (s.policy !== undefined) return `${s.table} ${s.chain} policy ${s.policy}`;
  return `${s.table} ${s.chain} #${s.rule ?? '?'} ${s.text ?? ''}${s.verdict ? ` → ${s.verdict}` : ''}`;
}

/** The two sides of a difference as text columns (packets one under the other, steps indented). */
export function formatRulePathDifference(d: RulePathDifference, indent = '       '): string {
  const side = (ps: PathPacket[]) => (ps.length ? ps.flatMap((p) => [p.packet, ...p.steps.map((s) => `  ${formatStep(s)}`)]) : ['(no rule or policy)']);
  const a = ['nfsim:', ...side(d.nfsim)];
  const b = ['kernel:', ...side(d.kernel)];
  const w = Math.min(100, Math.max(...a.map((x) => x.length)));
  const rows: string[] = [`${indent}rule path on ${d.host} differs:`];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const l = a[i] ?? '';
    rows.push(`${indent}  ${l.length > w ? `${l.slice(0, w - 1)}…` : l.padEnd(w)} │ ${b[i] ?? ''}`);
  }
  return rows.join('\n') + '\n';
}
