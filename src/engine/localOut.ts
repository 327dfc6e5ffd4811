/**
 * Local output: the socket layer's route lookup with source address selection (ip_route_connect() /
 * ip_route_output_key_hash()), then NF_INET_LOCAL_OUT (raw, conntrack, mangle, nat, filter, security) with
 * re-routing when mangle or nat changed the packet (ip_route_me_harder()), then POSTROUTING.
 */
import { formatIpv4 } from '../model/addr.js';
import { packetSummary } from './format.js';
import { conntrackIn } from './conntrack.js';
import { describeRoute, describeRule, fibLookup, type FibHit, type FlowKey, routeSource } from './fib.js';
import { natHook } from './nat.js';
import { postrouting } from './postrouting.js';
import { emit, idx, choose, type Sim, type Skb } from './sim.js';
import type { Verdict } from './types.js';
import { dropped, ruleDropSite, tableStep, tableVerdict, unsupported } from './verdicts.js';
import type { Nexthop } from '../model/host.js';
import { confCombined } from './sysctl.js';
import { DEP, dep, depTest, fibDeps, fibDstSet } from './deps.js';
import { DIM_INDEX } from '../space/box.js';
import * as I from '../space/intervals.js';

const LOOPBACK_NET = I.prefix(0x7f000000, 8);

const ERRNO_COUNTER: Record<string, string | undefined> = { ENETUNREACH: 'IpOutNoRoutes' };

export interface OutputRoute {
  hit: FibHit;
  nh: Nexthop;
  dev: string;
  nexthop: number;
  src: number;
}

/** Pick one nexthop of a (possibly multipath) route; multipath is a weighted random branch in the kernel. */
export function pickNexthop(sim: Sim, hit: FibHit): Nexthop {
  const nhs = hit.nexthops;
  if (nhs.length <= 1) return nhs[0] ?? { flags: [] };
  const total = nhs.reduce((s, n) => s + (n.weight ?? 1), 0);
  let left = total;
  for (let i = 0; i < nhs.length - 1; i++) {
    const w = nhs[i].weight ?? 1;
    if (choose(sim, w / left, `multipath route ${describeRoute(hit.route)}: nexthop ${nhs[i].via ?? nhs[i].dev} (weight ${w}/${total}; the kernel hashes the flow with a per-boot seed)`)) return nhs[i];
    left -= w;
  }
  return nhs[nhs.length - 1];
}

export function routeOutput(sim: Sim, skb: Skb, chooseSource: boolean): OutputRoute | { error: string; detail: string } {
  const h = idx(sim, skb.host);
  if (!h.routesKnown) return { error: 'UNKNOWN', detail: `no ip-route dump for ${skb.host}: its routes are not known` };
  const p = skb.pkt;
  const flow: FlowKey = { dst: p.dst, src: chooseSource ? 0 : p.src, iif: 'lo', mark: p.mark, tos: p.tos, proto: p.proto, sport: p.sport, dport: p.dport, uid: skb.uid };
  let res = fibLookup(h, flow);
  if (sim.deps) {
    const set = fibDstSet(h, res);
    if (set) {
      depTest(sim, skb, DIM_INDEX.dst, set);
      dep(sim, skb, fibDeps(h) & ~DEP.dst);
    } else dep(sim, skb, DEP.src | DEP.dst | fibDeps(h));
  }
  if (!res.ok) return { error: res.error, detail: `output route lookup for ${formatIpv4(p.dst)} failed: ${res.error}${res.route ? ` (${describeRoute(res.route)})` : ''}` };
  let nh = pickNexthop(sim, res);
  let src = p.src;
  if (chooseSource) {
    // (routeSource() picks by route, device and gateway, not by the destination: no dependency to record)
    const s = routeSource(h, res, nh, p.dst);
    if (s === undefined) return { error: 'EADDRNOTAVAIL', detail: `no source address available toward ${formatIpv4(p.dst)}` };
    src = s;
    if (h.customRules) {
      // ip_route_connect(): a second lookup with the chosen source, so source-based rules apply.
      const again = fibLookup(h, { ...flow, src });
      if (!again.ok) return { error: again.error, detail: `output route lookup (with source ${formatIpv4(src)}) failed: ${again.error}` };
      res = again;
      nh = pickNexthop(sim, res);
    }
  }
  const dev = res.type === 'local' ? 'lo' : (nh.dev ?? '');
  // __mkroute_output(): a loopback source (127/8) cannot leave by a device that is not a loopback, unless
  // route_localnet is set on that device (IN_DEV_ROUTE_LOCALNET: all or the device): -EINVAL
  if (sim.deps && res.type !== 'local' && !chooseSource) depTest(sim, skb, DIM_INDEX.src, LOOPBACK_NET);
  if (res.type !== 'local' && dev !== 'lo' && src >>> 24 === 127 && !confCombined(h.host, dev, 'route_localnet').value) return { error: 'EINVAL', detail: `output route to ${formatIpv4(p.dst)} by ${dev} with the loopback source ${formatIpv4(src)} is refused (__mkroute_output())` };
  const gw = nh.via ? Number(nh.via.split('.').reduce((a, b) => a * 256 + Number(b), 0)) : p.dst;
  emit(sim, () => ({
    type: 'route',
    host: skb.host,
    direction: 'output',
    result: res.type === 'local' ? `local destination: loops back through lo (source ${formatIpv4(src)})` : `out ${dev}${nh.via ? ` via ${nh.via}` : ''}, source ${formatIpv4(src)}${chooseSource ? ' (chosen by the route)' : ''}`,
    route: describeRoute(res.route),
    routeLoc: res.route.loc,
    rule: describeRule(res.rule),
    table: res.table,
  }));
  return { hit: res, nh, dev, nexthop: gw, src };
}

export interface LocalOutOptions {
  routeSource: boolean;
  generated: boolean;
  /** How the kernel frees a generated packet that cannot be routed, when it has already built it (nf_send_reset()). */
  unroutable?: { reason: string; at: string };
}

export function localOut(sim: Sim, skb: Skb, opts: LocalOutOptions): Verdict {
  const h = idx(sim, skb.host);
  const r = routeOutput(sim, skb, opts.routeSource);
  if ('error' in r) {
    if (r.error === 'UNKNOWN') return unsupported(sim, skb, r.detail);
    if (opts.generated) {
      emit(sim, () => ({ type: 'note', host: skb.host, text: `the generated packet cannot be routed (${r.error}); it is not sent` }));
      return dropped(sim, skb, opts.unroutable?.reason ?? 'IP_OUTNOROUTES', opts.unroutable?.at ?? 'icmp_route_lookup', r.detail);
    }
    return { fate: 'send-error', host: skb.host, errno: r.error, counter: ERRNO_COUNTER[r.error], detail: `${r.detail}: the system call fails with ${r.error}; no packet is sent`, answers: sim.answers };
  }
  skb.pkt.src = r.src;
  if (skb.dfFromRoute) {
    // __ip_make_skb() under a socket's default IP_PMTUDISC_WANT: DF when the datagram fits the route's MTU
    // (dst_mtu()) and that MTU is not locked (ip_dont_fragment()); a larger one is fragmented here, without DF.
    const mtu = r.hit.route.mtu ?? h.ifaces.get(r.dev)?.mtu;
    const locked = r.hit.route.locks?.includes('mtu') ?? false;
    const fits = mtu === undefined || (sim.deps ? depTest(sim, skb, DIM_INDEX.length, I.range(20, mtu)) : skb.pkt.length <= mtu);
    skb.pkt = { ...skb.pkt, df: !locked && fits };
    skb.dfFromRoute = undefined;
  }
  skb.sentAs = packetSummary(skb.pkt);
  skb.outIface = r.dev;
  skb.nexthop = r.nexthop;
  if (r.hit.type === 'local') skb.routedLocal = true;
  const out = r.dev;
  // NF_INET_LOCAL_OUT
  let v = tableStep(sim, skb, 'raw', 'OUTPUT', -300, undefined, out);
  if (v) return v;
  conntrackIn(sim, skb);
  const before = { src: skb.pkt.src, dst: skb.pkt.dst, mark: skb.pkt.mark, tos: skb.pkt.tos };
  v = tableStep(sim, skb, 'mangle', 'OUTPUT', -150, undefined, out);
  if (v) return v;
  if (skb.pkt.src !== before.src || skb.pkt.dst !== before.dst || skb.pkt.mark !== before.mark || skb.pkt.tos !== before.tos) {
    const rr = reroute(sim, skb, 'mangle OUTPUT changed the packet');
    if (rr) return rr;
  }
  const dstBefore = skb.pkt.dst;
  // nf_hook() in __ip_local_out() takes the output device once (skb_dst(skb)->dev) for the whole LOCAL_OUT
  // traversal: after a re-route by mangle or nat OUTPUT, the later tables still see the first device in `-o`
  // (state->out); POSTROUTING, a new hook call, sees the new one.
  const n = natHook(sim, skb, 'OUTPUT', 'DST', undefined, out);
  if (!n.ok) return 'table' in n ? (tableVerdict(sim, skb, n.table, 'nat', 'OUTPUT') ?? unsupported(sim, skb, 'nat')) : dropped(sim, skb, 'NETFILTER_DROP', ruleDropSite(sim, skb), n.drop);
  if (skb.pkt.dst !== dstBefore) {
    const rr = reroute(sim, skb, 'nat OUTPUT changed the destination');
    if (rr) return rr;
  }
  v = tableStep(sim, skb, 'filter', 'OUTPUT', 0, undefined, out);
  if (v) return v;
  v = tableStep(sim, skb, 'security', 'OUTPUT', h.securityPriority, undefined, out);
  if (v) return v;
  return postrouting(sim, skb);
}

/** ip_route_me_harder(): route again, keeping the source address. */
function reroute(sim: Sim, skb: Skb, why: string): Verdict | undefined {
  const r = routeOutput(sim, skb, false);
  if ('error' in r) {
    if (r.error === 'UNKNOWN') return unsupported(sim, skb, r.detail);
    return dropped(sim, skb, 'NETFILTER_DROP', 'nf_hook_slow', `re-routing after ${why} failed (${r.error}): ip_route_me_harder() drops the packet`);
  }
  emit(sim, () => ({ type: 'route', host: skb.host, direction: 'reroute', result: `${why}: now out ${r.dev}${r.nh.via ? ` via ${r.nh.via}` : ''} (source kept: ${formatIpv4(skb.pkt.src)})`, route: describeRoute(r.hit.route), routeLoc: r.hit.route.loc, rule: describeRule(r.hit.rule), table: r.hit.table }));
  skb.outIface = r.dev;
  skb.nexthop = r.nexthop;
  skb.routedLocal = r.hit.type === 'local';
  return undefined;
}
