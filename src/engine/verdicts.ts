/** Building verdicts and turning a table's answer into the packet's fate. */
import type { Hook, TableName } from '../model/iptables.js';
import type { TableResult } from './chains.js';
import { runTable } from './chains.js';
import { idx, emit, type Sim, type Skb } from './sim.js';
import type { RuleRef, Verdict } from './types.js';
import { generateReject } from './icmp.js';

export function dropped(sim: Sim, skb: Skb, reason: string, at: string, detail: string, extra: { counter?: string; rule?: RuleRef } = {}): Verdict {
  return { fate: 'dropped', host: skb.host, reason, at, detail, ...extra, answers: sim.answers };
}

export function unsupported(sim: Sim, skb: Skb, reason: string, rule?: RuleRef): Verdict {
  return { fate: 'unsupported', host: skb.host, reason, rule, detail: `nfsim cannot tell what the kernel does here: ${reason}`, answers: sim.answers };
}

/**
 * Where the kernel frees a packet dropped by a rule: the nf_tables chain for iptables-nft, nf_hook_slow for legacy.
 * Also when a NAT target returns NF_DROP (MASQUERADE or REDIRECT without an address): nft_compat hands the
 * target's verdict to nft_do_chain(), which frees the packet there (checked on Linux 6.18).
 */
export function ruleDropSite(sim: Sim, skb: Skb): string {
  return idx(sim, skb.host).host.iptables?.backend === 'legacy' ? 'nf_hook_slow' : 'nft_do_chain';
}

/** Run a filter-style table (anything but nat) at a hook; undefined means the packet goes on. */
export function tableStep(sim: Sim, skb: Skb, table: TableName, hook: Hook, priority: number, inIface?: string, outIface?: string): Verdict | undefined {
  const h = idx(sim, skb.host);
  if (!h.chains.get(table)?.get(hook)) return undefined;
  if (sim.tracing) emitHook(sim, skb.host, hook, table, priority);
  const res = runTable(sim, skb, table, hook, inIface, outIface);
  return tableVerdict(sim, skb, res, table, hook);
}

// (a separate function: a closure in tableStep would cost an allocation per call even without a trace)
function emitHook(sim: Sim, host: string, hook: Hook, table: TableName, priority: number): void {
  emit(sim, () => ({ type: 'hook', host, hook, table, priority }));
}

export function tableVerdict(sim: Sim, skb: Skb, res: TableResult, table: TableName, hook: Hook): Verdict | undefined {
  if (res.verdict === 'accept') return undefined;
  if (res.verdict === 'unsupported') return unsupported(sim, skb, res.reason ?? 'unsupported rule', res.rule);
  if (res.reject && res.rule) {
    generateReject(sim, skb, res.reject, hook);
    return { fate: 'rejected', host: skb.host, with: res.reject, rule: res.rule, reason: 'NETFILTER_DROP', at: ruleDropSite(sim, skb), detail: `rejected by ${table} ${res.rule.chain} rule ${res.rule.index} (${res.reject}); the packet itself is dropped (NETFILTER_DROP)`, answers: sim.answers };
  }
  const by = res.rule ? `rule ${res.rule.index} of ${table} ${res.rule.chain}` : `the policy DROP of ${table} ${hook}`;
  return dropped(sim, skb, 'NETFILTER_DROP', ruleDropSite(sim, skb), `dropped by ${by}`, { rule: res.rule });
}
