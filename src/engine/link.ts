/**
 * Leaving a host: loopback, a bridge's ports, or a link (veth pair / cable) to another host of the world.
 * Crossing into another namespace scrubs the packet: route, conntrack reference and mark are cleared
 * (veth_xmit() → __dev_forward_skb() → skb_scrub_packet()).
 */
import { formatIpv4 } from '../model/addr.js';
import { packetSummary } from './format.js';
import { receive } from './receive.js';
import { emit, hostByName, idx, newSkb, type Sim, type Skb } from './sim.js';
import type { Verdict } from './types.js';
import { dropped, unsupported } from './verdicts.js';
import { sendIcmpError } from './icmp.js';
import { confCombined } from './sysctl.js';
import { fibLookup } from './fib.js';
import { depField } from './deps.js';
import { DIM_INDEX } from '../space/box.js';

/** Does a host on the far end answer ARP for `addr`? (arp_ignore=0: any local address, on any interface.) */
function l2Reachable(sim: Sim, host: string, iface: string, addr: number): boolean {
  const h = idx(sim, host);
  if (h.localAddrs.has(addr)) return true;
  // arp_process(): with forwarding and proxy_arp on the receiving device, the host answers for a target
  // it routes through another device (arp_fwd_proxy()).
  if (confCombined(h.host, iface, 'forwarding').value && confCombined(h.host, iface, 'proxy_arp').value) {
    const r = fibLookup(h, { dst: addr, src: 0, iif: iface, mark: 0, tos: 0 });
    if (r.ok && r.type === 'unicast' && r.nexthops.every((n) => n.dev !== iface)) return true;
  }
  const dev = h.ifaces.get(iface);
  if (dev?.master) return portToward(sim, host, dev.master, addr) !== undefined || bridgePorts(sim, host, dev.master).some((p) => p !== iface && !linkPeer(sim, host, p));
  return false;
}

/** The other end of HOST:IF, when the world models it. */
export function linkPeer(sim: Sim, host: string, iface: string): { host: string; iface: string; kind: string } | undefined {
  for (const l of sim.world.links) {
    if (l.a.host === host && l.a.iface === iface) return { ...l.b, kind: l.kind };
    if (l.b.host === host && l.b.iface === iface) return { ...l.a, kind: l.kind };
  }
  return undefined;
}

/** Bridge ports of `bridge` on `host` (interfaces whose master is the bridge). */
export function bridgePorts(sim: Sim, host: string, bridge: string): string[] {
  return idx(sim, host).host.interfaces.filter((i) => i.master === bridge).map((i) => i.name);
}

/** Which port of the bridge leads to the owner of `addr` (the L2 next hop), if the world says. */
export function portToward(sim: Sim, host: string, bridge: string, addr: number): string | undefined {
  for (const port of bridgePorts(sim, host, bridge)) {
    const peer = linkPeer(sim, host, port);
    if (!peer) continue;
    const ph = hostByName(sim, peer.host);
    if (!ph) continue;
    if (idx(sim, peer.host).localAddrs.has(addr)) return port;
  }
  return undefined;
}

export function transmit(sim: Sim, skb: Skb): Verdict {
  const out = skb.outIface!;
  // Neighbour resolution and the bridge port toward the next hop depend on the destination when the
  // next hop is the destination itself (a gateway was chosen by routing, which recorded its own tests).
  // (An interface with no modelled host or bridge port behind it sends everything out of the world alike.)
  if (sim.deps && (skb.nexthop ?? skb.pkt.dst) === skb.pkt.dst && (out === 'lo' || linkPeer(sim, skb.host, out) || bridgePorts(sim, skb.host, out).length > 0)) depField(sim, skb, DIM_INDEX.dst);
  if (out === 'lo') {
    emit(sim, () => ({ type: 'link', from: `${skb.host}:lo`, to: `${skb.host}:lo`, kind: 'loopback' }));
    const back: Skb = { ...skb, pkt: { ...skb.pkt }, inIface: 'lo', outIface: undefined, local: false, routedLocal: undefined, routeInputBy: undefined };
    return receive(sim, back);
  }
  let port = out;
  const isBridge = bridgePorts(sim, skb.host, out).length > 0 && !skb.physOut;
  if (skb.physOut) port = skb.physOut;
  else if (isBridge) {
    const nh = skb.nexthop ?? skb.pkt.dst;
    const p = portToward(sim, skb.host, out, nh);
    if (!p) {
      const ports = bridgePorts(sim, skb.host, out);
      if (ports.length === 1) port = ports[0];
      else {
        return { fate: 'forwarded', host: skb.host, iface: out, packet: packetSummary(skb.pkt), detail: `sent out bridge ${out} toward ${formatIpv4(nh)}, which no modelled host on its ports owns`, answers: sim.answers };
      }
    } else port = p;
    emit(sim, () => ({ type: 'note', host: skb.host, text: `bridge ${out} delivers the frame on port ${port} (toward ${formatIpv4(nh)})` }));
  }
  const peer = linkPeer(sim, skb.host, port);
  if (!peer) {
    return { fate: 'forwarded', host: skb.host, iface: port, packet: packetSummary(skb.pkt), detail: `left ${skb.host} on ${port}${skb.nexthop !== undefined ? ` toward ${formatIpv4(skb.nexthop)}` : ''}: beyond the modelled world`, answers: sim.answers };
  }
  if (!hostByName(sim, peer.host)) return unsupported(sim, skb, `link to unknown host ${peer.host}`);
  const nh = skb.nexthop ?? skb.pkt.dst;
  if (idx(sim, peer.host).host.inputs['ip-addr'] === undefined && idx(sim, peer.host).host.inputs['ip-link'] === undefined) {
    return unsupported(sim, skb, `the addresses of ${peer.host} are not known (no ip-addr dump): nfsim cannot tell whether it answers ARP for ${formatIpv4(nh)}`);
  }
  if (!l2Reachable(sim, peer.host, peer.iface, nh)) {
    // Nobody on the link answers ARP for the next hop: neigh_invalidate() drops the queued packets.
    emit(sim, () => ({ type: 'note', host: skb.host, text: `no host on the link ${skb.host}:${port} — ${peer.host}:${peer.iface} owns ${formatIpv4(nh)}: ARP gets no answer` }));
    if (!skb.local) sendIcmpError(sim, skb, 3, 1, 'neighbour resolution failed: ICMP host unreachable', false);
    return dropped(sim, skb, 'NEIGH_FAILED', 'neigh_invalidate', `ARP for the next hop ${formatIpv4(nh)} on ${port} gets no answer (about 3 s of probes), so the packet is dropped${skb.local ? '; the sending socket sees EHOSTUNREACH' : ''}`);
  }
  emit(sim, () => ({ type: 'link', from: `${skb.host}:${port}`, to: `${peer.host}:${peer.iface}`, kind: peer.kind }));
  const next = newSkb(peer.host, { ...skb.pkt, mark: 0 }, false, skb.depth);
  next.inIface = peer.iface;
  next.nexthop = skb.nexthop;
  return receive(sim, next);
}
