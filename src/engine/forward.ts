/**
 * Forwarding, net/ipv4/ip_forward.c: ip_forward(): TTL, MTU with DF, TTL decrement, then NF_INET_FORWARD
 * (mangle, filter, security) and POSTROUTING.
 */
import type { FibHit } from './fib.js';
import { sendIcmpError } from './icmp.js';
import { postrouting } from './postrouting.js';
import { emit, idx, type Sim, type Skb } from './sim.js';
import { confCombined } from './sysctl.js';
import { formatIpv4 } from '../model/addr.js';
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
  noteRedirect(sim, skb);
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

/**
 * __mkroute_input() marks a packet that leaves by the interface it came in on, from a source on that link, with
 * IPSKB_DOREDIRECT when send_redirects is on; ip_forward() then sends the sender an ICMP redirect before the
 * FORWARD hook (ip_rt_send_redirect(), rate limited per source). Neither the redirect nor the route exception a
 * sender that accepts it installs is simulated: the trace says so.
 */
function noteRedirect(sim: Sim, skb: Skb): void {
  const dev = skb.inIface;
  if (!dev || dev !== skb.outIface || skb.bridged) return;
  const h = idx(sim, skb.host);
  const tx = confCombined(h.host, dev, 'send_redirects');
  if (!tx.value) return;
  const src = skb.pkt.src;
  const onLink = (h.addrsByIface.get(dev) ?? []).some((a) => ((src ^ a.addr) & a.mask) === 0);
  if (!onLink) return;
  emit(sim, () => ({
    type: 'note',
    host: skb.host,
    text: `the packet leaves by ${dev}, where it came in, from a source on that link: the kernel also sends ${formatIpv4(src)} an ICMP redirect (send_redirects=1) — nfsim does not simulate redirects nor the route a sender that accepts one would use next`,
  }));
}
