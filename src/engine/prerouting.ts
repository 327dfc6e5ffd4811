/** NF_INET_PRE_ROUTING: raw (-300), conntrack (-200), mangle (-150), nat DST (-100). */
import { conntrackIn } from './conntrack.js';
import { natHook } from './nat.js';
import type { Sim, Skb } from './sim.js';
import type { Verdict } from './types.js';
import { dropped, ruleDropSite, tableStep, tableVerdict, unsupported } from './verdicts.js';

export function prerouting(sim: Sim, skb: Skb): Verdict | undefined {
  const inIf = skb.inIface;
  let v = tableStep(sim, skb, 'raw', 'PREROUTING', -300, inIf);
  if (v) return v;
  conntrackIn(sim, skb);
  v = tableStep(sim, skb, 'mangle', 'PREROUTING', -150, inIf);
  if (v) return v;
  // Packets looped back through lo keep their entry: nat PREROUTING is not consulted for them (§3.5).
  const n = natHook(sim, skb, 'PREROUTING', 'DST', inIf);
  if (!n.ok) return 'table' in n ? (tableVerdict(sim, skb, n.table, 'nat', 'PREROUTING') ?? unsupported(sim, skb, 'nat')) : dropped(sim, skb, 'NETFILTER_DROP', ruleDropSite(sim, skb), n.drop);
  return undefined;
}
