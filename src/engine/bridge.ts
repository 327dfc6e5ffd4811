/**
 * A frame arriving on a Linux bridge port (net/bridge/br_input.c). Frames for the bridge's own addresses go
 * up the stack as received on the bridge device. Frames for another port are bridged; with br_netfilter and
 * bridge-nf-call-iptables=1 they meet the IPv4 PREROUTING, FORWARD and POSTROUTING hooks
 * (br_netfilter_hooks.c), never INPUT/OUTPUT; a DNAT in PREROUTING that sends them elsewhere makes them routed.
 */
import { formatIpv4 } from '../model/addr.js';
import { transmit, portToward, bridgePorts, linkPeer } from './link.js';
import { packetSummary } from './format.js';
import { prerouting } from './prerouting.js';
import { receive } from './receive.js';
import { routeInputAndGo } from './routeInput.js';
import { emit, idx, type Sim, type Skb } from './sim.js';
import { confCombined, sysctlView } from './sysctl.js';
import type { Verdict } from './types.js';
import { postrouting } from './postrouting.js';
import { dropped, tableStep } from './verdicts.js';
import { depField } from './deps.js';
import { DIM_INDEX } from '../space/box.js';

export function bridgeInput(sim: Sim, skb: Skb, bridge: string): Verdict {
  const h = idx(sim, skb.host);
  const port = skb.inIface!;
  const l2 = skb.nexthop ?? skb.pkt.dst;
  // The bridge looks at the frame's destination: the packet's, unless the sender resolved a gateway.
  if (sim.deps && l2 === skb.pkt.dst) depField(sim, skb, DIM_INDEX.dst);
  const brnf = sysctlView(h.host).bridgeNfCallIptables();
  const hooks = brnf.value === 1;
  if (skb.nexthop !== undefined && !h.localAddrs.has(l2) && !portToward(sim, skb.host, bridge, l2)) {
    // The sender resolved a next hop that is neither the bridge nor a modelled host behind it: the frame
    // leaves through a port whose far end is not modelled.
    const open = bridgePorts(sim, skb.host, bridge).filter((p) => p !== port && !linkPeer(sim, skb.host, p));
    if (open.length > 0) {
      return { fate: 'forwarded', host: skb.host, iface: open.join(','), packet: packetSummary(skb.pkt), detail: `bridge ${bridge} sends the frame for ${formatIpv4(l2)} out of port${open.length > 1 ? 's' : ''} ${open.join(', ')}, beyond the modelled world`, answers: sim.answers };
    }
  }
  if (h.localAddrs.has(l2) || !portToward(sim, skb.host, bridge, l2)) {
    if (!h.localAddrs.has(l2)) {
      emit(sim, () => ({ type: 'note', host: skb.host, text: `the frame's destination MAC is not given and no modelled host behind ${bridge} owns ${formatIpv4(l2)}: it is taken to be addressed to ${bridge} itself (the sender's gateway)` }));
    }
    emit(sim, () => ({ type: 'note', host: skb.host, text: `frame from port ${port} is addressed to bridge ${bridge} itself: it is received on ${bridge}` }));
    const up: Skb = { ...skb, inIface: bridge, physIn: hooks ? port : undefined, bridged: false };
    if (!hooks) return receive(sim, up);
    // br_nf_pre_routing() runs PREROUTING at the port for every IPv4 frame, also those for the bridge itself
    // (ip_sabotage_in() keeps ip_rcv() from running it again); a DNAT is then handled as for bridged frames.
    const dstBefore = up.pkt.dst;
    const v = prerouting(sim, up);
    if (v) return v;
    if (up.pkt.dst !== dstBefore) return bridgedDnat(sim, up, bridge, port);
    return routeInputAndGo(sim, up);
  }
  const outPort = portToward(sim, skb.host, bridge, l2)!;
  emit(sim, () => ({ type: 'note', host: skb.host, text: `bridge ${bridge} forwards the frame at layer 2 from port ${port} to port ${outPort}` }));
  if (!hooks) {
    emit(sim, () => ({
      type: 'sysctl',
      host: skb.host,
      key: brnf.key,
      value: String(brnf.value),
      source: brnf.source,
      loc: brnf.loc,
      effect: `bridged IPv4 frames bypass iptables${brnf.note ? ` (${brnf.note})` : ''}`,
    }));
    const out: Skb = { ...skb, outIface: bridge, physOut: outPort, bridged: true };
    return transmit(sim, out);
  }
  emit(sim, () => ({ type: 'sysctl', host: skb.host, key: brnf.key, value: '1', source: brnf.source, loc: brnf.loc, effect: `bridged IPv4 frames meet PREROUTING, FORWARD and POSTROUTING (br_netfilter)${brnf.note ? `; ${brnf.note}` : ''}` }));
  const b: Skb = { ...skb, inIface: bridge, physIn: port, bridged: true };
  const dstBefore = b.pkt.dst;
  const v = prerouting(sim, b);
  if (v) return v;
  if (b.pkt.dst !== dstBefore) return bridgedDnat(sim, b, bridge, port);
  return bridgeForward(sim, b, bridge, port, outPort);
}

/**
 * br_nf_pre_routing_finish(): PREROUTING changed the destination, so the packet is routed at once with
 * ip_route_input() on the bridge. A refusal there (martian, reverse-path filter...) frees it in this function
 * with the route's drop reason; a route out of the bridge itself keeps it bridged (bridged_dnat), re-addressed
 * to the new destination's neighbour (br_nf_pre_routing_finish_bridge()), toward that neighbour's port; any
 * other route sends it up the stack (ip_rcv() with that route: forwarded, delivered, or ip_error()).
 */
function bridgedDnat(sim: Sim, skb: Skb, bridge: string, inPort: string): Verdict {
  const routed: Skb = { ...skb, inIface: bridge, bridged: false, routeInputBy: 'br_nf_pre_routing_finish' };
  return routeInputAndGo(sim, routed, (out, via) => {
    const to = out === bridge ? portToward(sim, skb.host, bridge, via ?? routed.pkt.dst) : undefined;
    if (!to) {
      emit(sim, () => ({ type: 'note', host: skb.host, text: 'DNAT sent the frame elsewhere: it is now routed (br_nf_pre_routing_finish())' }));
      return undefined;
    }
    emit(sim, () => ({ type: 'note', host: skb.host, text: `the route to the new destination leads out of ${bridge}: the frame stays bridged (bridged_dnat), toward port ${to}` }));
    return bridgeForward(sim, { ...routed, bridged: true, outIface: undefined, nexthop: via }, bridge, inPort, to);
  });
}

/** br_handle_frame_finish() → br_forward(): the frame leaves by `toPort` through FORWARD and POSTROUTING (br_netfilter). */
function bridgeForward(sim: Sim, b: Skb, bridge: string, inPort: string, toPort: string): Verdict {
  const h = idx(sim, b.host);
  if (toPort === inPort) {
    // should_deliver(): never back out the port the frame came in on, unless that port is in hairpin mode.
    const dev = h.ifaces.get(inPort);
    if (!dev?.hairpin) {
      const known = dev?.hairpin !== undefined;
      emit(sim, () => ({ type: 'note', host: b.host, text: `the frame's new destination is behind port ${inPort}, where it came in: ${known ? 'hairpin mode is off' : 'hairpin mode is not known (no `ip -d link` detail): the kernel default, off, is assumed'}` }));
      return dropped(sim, b, 'NOT_SPECIFIED', 'br_handle_frame_finish', `bridge ${bridge} does not send a frame back out port ${inPort}, where it came in (should_deliver(): hairpin off)`);
    }
    emit(sim, () => ({ type: 'note', host: b.host, text: `port ${inPort} is in hairpin mode: the frame goes back out the port it came in on` }));
  }
  b.outIface = bridge;
  b.physOut = toPort;
  const f = tableStep(sim, b, 'mangle', 'FORWARD', -150, bridge, bridge);
  if (f) return f;
  const g = tableStep(sim, b, 'filter', 'FORWARD', 0, bridge, bridge);
  if (g) return g;
  const s = tableStep(sim, b, 'security', 'FORWARD', h.securityPriority, bridge, bridge);
  if (s) return s;
  return postrouting(sim, b);
}
