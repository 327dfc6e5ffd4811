/**
 * Receiving a packet: a bridge port hands the frame to its bridge (bridge.ts); otherwise ip_rcv() →
 * NF_INET_PRE_ROUTING (raw, conntrack, mangle, nat DST) → the input routing decision → local delivery,
 * forwarding or ip_error.
 */
import { bridgeInput } from './bridge.js';
import { prerouting } from './prerouting.js';
import { routeInputAndGo } from './routeInput.js';
import { idx, type Sim, type Skb } from './sim.js';
import type { Verdict } from './types.js';
import { dropped } from './verdicts.js';

export function receive(sim: Sim, skb: Skb): Verdict {
  const h = idx(sim, skb.host);
  const dev = h.ifaces.get(skb.inIface ?? '');
  if (dev?.master && !skb.bridged && skb.inIface !== 'lo') return bridgeInput(sim, skb, dev.master);
  if (skb.pkt.pktType === 'otherhost') return dropped(sim, skb, 'OTHERHOST', 'ip_rcv_core', 'the frame is addressed to another MAC (PACKET_OTHERHOST)');
  const v = prerouting(sim, skb);
  if (v) return v;
  return routeInputAndGo(sim, skb);
}
