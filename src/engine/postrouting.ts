/**
 * NF_INET_POST_ROUTING: mangle, nat (SRC manip: SNAT/MASQUERADE, and un-DNAT of replies), conntrack confirm;
 * then the packet is handed to the egress device (link.ts).
 */
import { conntrackConfirm, removeEntry } from './conntrack.js';
import { transmit } from './link.js';
import { natHook } from './nat.js';
import { emit, type Sim, type Skb } from './sim.js';
import type { Verdict } from './types.js';
import { dropped, ruleDropSite, tableStep, tableVerdict, unsupported } from './verdicts.js';

export function postrouting(sim: Sim, skb: Skb): Verdict {
  const out = skb.outIface;
  const v = tableStep(sim, skb, 'mangle', 'POSTROUTING', -150, skb.bridged ? skb.inIface : undefined, out);
  if (v) return v;
  const ct = skb.ct;
  if (ct && ct.dir === 'orig' && ct.entry.masqIface && out && out !== ct.entry.masqIface && out !== 'lo') {
    // nf_nat_oif_changed(): a masqueraded connection now routed out another interface is killed.
    removeEntry(sim, skb.host, ct.entry);
    return dropped(sim, skb, 'NETFILTER_DROP', 'nf_hook_slow', `the connection was masqueraded out ${ct.entry.masqIface} but this packet is routed out ${out}: the NAT engine deletes the entry and drops the packet (nf_nat_oif_changed())`);
  }
  const n = natHook(sim, skb, 'POSTROUTING', 'SRC', skb.bridged ? skb.inIface : undefined, out);
  if (!n.ok) return 'table' in n ? (tableVerdict(sim, skb, n.table, 'nat', 'POSTROUTING') ?? unsupported(sim, skb, 'nat')) : dropped(sim, skb, 'NETFILTER_DROP', ruleDropSite(sim, skb), n.drop);
  conntrackConfirm(sim, skb);
  if (!out) {
    emit(sim, () => ({ type: 'note', host: skb.host, text: 'no egress device' }));
    return unsupported(sim, skb, 'the packet has no egress device');
  }
  return transmit(sim, skb);
}
