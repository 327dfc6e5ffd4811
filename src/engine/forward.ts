/**
 * Forwarding, net/ipv4/ip_forward.c: ip_forward(): TTL, MTU with DF, TTL decrement, then NF_INET_FORWARD
 * (mangle, filter, security) and POSTROUTING.
 */
import type { FibHit } from './fib.js';
import { sendIcmpError } from './icmp.js';
import { postrouting } from './postrouting.js';
import { emit, idx, type Sim, type Skb } from './sim.js';
import type { Verdict } from './types.js';
import { dropped, tableStep } from './verdicts.js';
import { depTest } from './deps.js';
import { DIM_INDEX } from '../space/box.js';
import * as I from '../space/intervals.js';

const TTL_EXPIRES = I.range(0, 1);

export function forward(sim: Sim, skb: Skb, route: FibHit): Verdict {
  const h = idx(sim, skb.host);
  const p = skb.pkt;
  if (sim.deps) depTest(sim, skb, DIM_INDEX.ttl, TTL_EXPIRES);
  if (p.ttl <= 1) {
    sendIcmpError(sim, skb, 11, 0, 'TTL exceeded in transit', false);
    return dropped(sim, skb, 'IP_INHDR', 'ip_forward', `TTL ${p.ttl} would reach 0 on this hop: ICMP time exceeded to the sender`, { counter: 'IpInHdrErrors' });
  }
  const out = skb.outIface ?? '';
  const mtu = route.route.mtu ?? h.ifaces.get(out)?.mtu;
  if (sim.deps && mtu !== undefined) depTest(sim, skb, DIM_INDEX.length, I.range(20, mtu));
  if (mtu !== undefined && p.length > mtu) {
    if (p.df) {
      sendIcmpError(sim, skb, 3, 4, `fragmentation needed (next-hop MTU ${mtu})`, false, mtu);
      return dropped(sim, skb, 'PKT_TOO_BIG', 'ip_forward', `${p.length} bytes with DF set do not fit the MTU ${mtu} of ${out}`, { counter: 'IpFragFails' });
    }
    emit(sim, () => ({ type: 'note', host: skb.host, text: `${p.length} bytes exceed the MTU ${mtu} of ${out}: the kernel fragments after POSTROUTING (nfsim follows the packet as one)` }));
  }
  skb.pkt = { ...p, ttl: p.ttl - 1 };
  emit(sim, () => ({ type: 'rewrite', host: skb.host, what: 'ttl', before: String(p.ttl), after: String(p.ttl - 1) }));
  const inIf = skb.inIface;
  let v = tableStep(sim, skb, 'mangle', 'FORWARD', -150, inIf, out);
  if (v) return v;
  v = tableStep(sim, skb, 'filter', 'FORWARD', 0, inIf, out);
  if (v) return v;
  v = tableStep(sim, skb, 'security', 'FORWARD', h.securityPriority, inIf, out);
  if (v) return v;
  return postrouting(sim, skb);
}
