/**
 * Local delivery, net/ipv4/ip_input.c: ip_local_deliver() → NF_INET_LOCAL_IN (mangle -150, filter 0,
 * security 50 legacy, nat SRC 100, security 150 iptables-nft, conntrack confirm) → the protocol handler.
 */
import { conntrackConfirm } from './conntrack.js';
import { natHook } from './nat.js';
import { socketDeliver } from './socketLookup.js';
import { idx, type Sim, type Skb } from './sim.js';
import type { Verdict } from './types.js';
import { dropped, ruleDropSite, tableStep, tableVerdict, unsupported } from './verdicts.js';

export function localIn(sim: Sim, skb: Skb): Verdict {
  const h = idx(sim, skb.host);
  const inIf = skb.inIface;
  let v = tableStep(sim, skb, 'mangle', 'INPUT', -150, inIf);
  if (v) return v;
  v = tableStep(sim, skb, 'filter', 'INPUT', 0, inIf);
  if (v) return v;
  if (h.securityPriority < 100) {
    v = tableStep(sim, skb, 'security', 'INPUT', h.securityPriority, inIf);
    if (v) return v;
  }
  const n = natHook(sim, skb, 'INPUT', 'SRC', inIf);
  if (!n.ok) return 'table' in n ? (tableVerdict(sim, skb, n.table, 'nat', 'INPUT') ?? unsupported(sim, skb, 'nat')) : dropped(sim, skb, 'NETFILTER_DROP', ruleDropSite(sim, skb), n.drop);
  if (h.securityPriority > 100) {
    v = tableStep(sim, skb, 'security', 'INPUT', h.securityPriority, inIf);
    if (v) return v;
  }
  conntrackConfirm(sim, skb);
  return socketDeliver(sim, skb);
}
