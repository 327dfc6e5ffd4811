/**
 * The input routing decision, net/ipv4/route.c: ip_route_input_slow() with its martian checks, the
 * forwarding gate of the ingress interface, source validation (fib_frontend.c: fib_validate_source(),
 * rp_filter / accept_local) and ip_error() for packets without a usable route.
 */
import { formatIpv4 } from '../model/addr.js';
import { describeRoute, describeRule, fibLookup, type FibError, type FibHit, type FibResult } from './fib.js';
import type { HostIndex } from './hostIndex.js';
import { forward } from './forward.js';
import { localIn } from './localIn.js';
import { pickNexthop } from './localOut.js';
import { emit, idx, type Sim, type Skb } from './sim.js';
import { confCombined, type SysctlValue } from './sysctl.js';
import type { Verdict } from './types.js';
import { dropped, unsupported } from './verdicts.js';
import { sendIcmpError } from './icmp.js';
import { DEP, dep, depTest, fibDeps, fibDstSet, localAddrSet } from './deps.js';
import { DIM_INDEX } from '../space/box.js';
import * as I from '../space/intervals.js';

const D_SRC = DIM_INDEX.src;
const D_DST = DIM_INDEX.dst;
const MCAST_OR_LBCAST = I.union(I.prefix(0xe0000000, 4), I.single(0xffffffff));
const LBCAST = I.single(0xffffffff);
const ZERO = I.single(0);
const ZERONET = I.prefix(0, 8);
const LOOPBACK = I.prefix(0x7f000000, 8);

const isMulticast = (a: number) => a >>> 28 === 0xe;
const isLbcast = (a: number) => a === 0xffffffff;
const isZeronet = (a: number) => a >>> 24 === 0;
const isLoopback = (a: number) => a >>> 24 === 127;

function sysctlEvent(sim: Sim, host: string, parts: SysctlValue[], effect: string): void {
  for (const p of parts) emit(sim, () => ({ type: 'sysctl', host, key: p.key, value: String(p.value), source: p.source, loc: p.loc, effect }));
}

export function routeInputAndGo(sim: Sim, skb: Skb, bridgedDnat?: BridgedDnat): Verdict {
  const h = idx(sim, skb.host);
  const p = skb.pkt;
  const dev = skb.inIface ?? '';
  if (dev === 'lo' || skb.local) {
    // Looped back: the output route already said "local".
    skb.routedLocal = true;
    return localIn(sim, skb);
  }
  const rec = sim.deps !== undefined;
  if (rec) {
    // The martian tests below, in their order, as header-space tests (deps.ts).
    if (depTest(sim, skb, D_SRC, MCAST_OR_LBCAST)) return martianSrcDrop(sim, skb, dev);
    depTest(sim, skb, D_DST, LBCAST);
    depTest(sim, skb, D_SRC, ZERO) && depTest(sim, skb, D_DST, ZERO);
    if (!(isLbcast(p.dst) || (p.src === 0 && p.dst === 0))) {
      if (!depTest(sim, skb, D_SRC, ZERONET) && !depTest(sim, skb, D_DST, ZERONET)) {
        depTest(sim, skb, D_DST, LOOPBACK);
        depTest(sim, skb, D_SRC, LOOPBACK);
      }
    }
  }
  const martianSrc = (reason: string, why: string) => dropped(sim, skb, reason, skb.routeInputBy ?? 'ip_rcv_finish_core', `martian source ${formatIpv4(p.src)} on ${dev}: ${why}`);
  if (isMulticast(p.src) || isLbcast(p.src)) return martianSrc('IP_INVALID_SOURCE', 'a multicast or broadcast source');
  if (isLbcast(p.dst) || (p.src === 0 && p.dst === 0)) {
    skb.routedLocal = true;
    emit(sim, () => ({ type: 'route', host: skb.host, direction: 'input', result: 'limited broadcast: local input' }));
    return localIn(sim, skb);
  }
  if (isZeronet(p.src)) return martianSrc('IP_INVALID_SOURCE', 'source in 0.0.0.0/8');
  if (isZeronet(p.dst)) return dropped(sim, skb, 'IP_INVALID_DEST', skb.routeInputBy ?? 'ip_rcv_finish_core', 'destination in 0.0.0.0/8');
  if (isLoopback(p.dst) || isLoopback(p.src)) {
    const rl = confCombined(h.host, dev, 'route_localnet');
    sysctlEvent(sim, skb.host, rl.parts, rl.value ? '127.0.0.0/8 is routable on this interface' : '127.0.0.0/8 addresses are martian on a non-loopback interface');
    if (!rl.value) return dropped(sim, skb, 'IP_LOCALNET', skb.routeInputBy ?? 'ip_rcv_finish_core', `${isLoopback(p.dst) ? 'destination' : 'source'} in 127.0.0.0/8 arrived on ${dev} and route_localnet is off`);
  }
  if (!h.routesKnown) return unsupported(sim, skb, `no ip-route dump for ${skb.host}: its routes are not known`);
  if (h.localTableDerived) emit(sim, () => ({ type: 'note', host: skb.host, text: 'the dump has no `table local` routes: they were derived from the interface addresses (as fib_add_ifaddr() creates them)' }));
  const fwd = confCombined(h.host, dev, 'forwarding');
  const res = fibLookup(h, { dst: p.dst, src: p.src, iif: dev, mark: p.mark, tos: p.tos, proto: p.proto, sport: p.sport, dport: p.dport });
  if (rec) recordFib(sim, skb, h, res, D_DST);
  if (!res.ok) {
    emit(sim, () => ({ type: 'route', host: skb.host, direction: 'input', result: `no usable route to ${formatIpv4(p.dst)} (${res.error})`, route: res.route ? describeRoute(res.route) : undefined, routeLoc: res.route?.loc, rule: res.rule ? describeRule(res.rule) : undefined, table: res.table }));
    if (!fwd.value) {
      sysctlEvent(sim, skb.host, fwd.parts, `forwarding is off on ${dev}: a packet that is not for this host is refused`);
      return ipError(sim, skb, 'EHOSTUNREACH', false);
    }
    return ipError(sim, skb, res.error, true);
  }
  emit(sim, () => ({ type: 'route', host: skb.host, direction: 'input', result: routeResultText(res, dev), route: describeRoute(res.route), routeLoc: res.route.loc, rule: describeRule(res.rule), table: res.table }));
  if (res.type === 'broadcast') {
    skb.routedLocal = true;
    if (p.src !== 0) {
      const bad = validateSource(sim, skb, 0);
      if (bad) return bad;
    }
    return localIn(sim, skb);
  }
  if (res.type === 'local') {
    const bad = validateSource(sim, skb, 0);
    if (bad) return bad;
    skb.routedLocal = true;
    return localIn(sim, skb);
  }
  sysctlEvent(sim, skb.host, fwd.parts, fwd.value ? `forwarding is on for packets arriving on ${dev}` : `forwarding is off on ${dev} (the ingress interface decides): a packet that is not for this host is refused`);
  if (!fwd.value) return ipError(sim, skb, 'EHOSTUNREACH', false);
  if (res.type !== 'unicast') return dropped(sim, skb, 'IP_INVALID_DEST', skb.routeInputBy ?? 'ip_rcv_finish_core', `route type ${res.type} cannot be forwarded`);
  const nh = pickNexthop(sim, res);
  const out = nh.dev ?? '';
  const bad = validateSource(sim, skb, out);
  if (bad) return bad;
  if (bridgedDnat) {
    const v = bridgedDnat(out, nh.via ? ipNum(nh.via) : undefined);
    if (v) return v;
  }
  skb.outIface = out;
  skb.nexthop = nh.via ? ipNum(nh.via) : p.dst;
  return forward(sim, skb, res);
}

/** br_nf_pre_routing_finish(): given the forwarding route's device and gateway, keep a DNATed frame bridged
 * (its verdict) or let it be IP-forwarded (undefined). */
export type BridgedDnat = (outDev: string, via: number | undefined) => Verdict | undefined;

function ipNum(t: string): number {
  return t.split('.').reduce((a, b) => a * 256 + Number(b), 0) >>> 0;
}

function routeResultText(res: FibHit, dev: string): string {
  if (res.type === 'local') return `local delivery (the destination is an address of this host)`;
  if (res.type === 'broadcast') return 'broadcast: local input';
  const nh = res.nexthops[0];
  return `forward: in ${dev}, out ${nh?.dev ?? '?'}${nh?.via ? ` via ${nh.via}` : ' (directly connected)'}`;
}

/** fib_validate_source(): rp_filter and local-source checks. `oif` is the egress device when forwarding (0 = local). */
function validateSource(sim: Sim, skb: Skb, oif: string | 0): Verdict | undefined {
  const h = idx(sim, skb.host);
  const p = skb.pkt;
  const dev = skb.inIface ?? '';
  const rpf = confCombined(h.host, dev, 'rp_filter');
  const acceptLocal = confCombined(h.host, dev, 'accept_local');
  const txRedirects = confCombined(h.host, dev, 'send_redirects');
  const fast = !rpf.value && (dev !== oif || !txRedirects.value);
  if (fast) {
    if (acceptLocal.value) return undefined;
    if (!h.customRules) {
      if (sim.deps ? depTest(sim, skb, D_SRC, localAddrSet(h)) : h.localAddrs.has(p.src)) {
        sysctlEvent(sim, skb.host, acceptLocal.parts, 'a packet from one of our own addresses is refused');
        return dropped(sim, skb, 'IP_LOCAL_SOURCE', skb.routeInputBy ?? 'ip_rcv_finish_core', `martian source: ${formatIpv4(p.src)} is an address of this host`);
      }
      return undefined;
    }
  }
  // __fib_validate_source(): reverse lookup of the source (flowi4_iif = oif or lo, mark only with src_valid_mark).
  const svm = confCombined(h.host, dev, 'src_valid_mark');
  const rev = fibLookup(h, { dst: p.src, src: p.dst, iif: oif || 'lo', mark: svm.value ? p.mark : 0, tos: p.tos });
  // The reverse lookup routes the source.
  if (sim.deps) recordFib(sim, skb, h, rev, D_SRC);
  const noAddr = (h.addrsByIface.get(dev) ?? []).length === 0;
  const fail = (why: string): Verdict => {
    sysctlEvent(sim, skb.host, rpf.parts, rpf.value === 1 ? 'strict reverse-path filtering' : 'loose reverse-path filtering');
    return dropped(sim, skb, 'IP_RPFILTER', skb.routeInputBy ?? 'ip_rcv_finish_core', `reverse-path filter: ${why}`, { counter: 'TcpExtIPReversePathFilter' });
  };
  if (!rev.ok) {
    if (rpf.value) return fail(`no route back to ${formatIpv4(p.src)}`);
    return undefined;
  }
  if (rev.type !== 'unicast' && !(rev.type === 'local' && acceptLocal.value)) {
    sysctlEvent(sim, skb.host, acceptLocal.parts, 'a packet from one of our own addresses is refused');
    return dropped(sim, skb, 'IP_LOCAL_SOURCE', skb.routeInputBy ?? 'ip_rcv_finish_core', `martian source: the route back to ${formatIpv4(p.src)} is of type ${rev.type}`);
  }
  const devMatch = rev.nexthops.some((n) => n.dev === dev) || (rev.type === 'local' && dev === 'lo');
  if (devMatch) {
    if (rpf.value) sysctlEvent(sim, skb.host, rpf.parts, `reverse-path check passed: the route back to ${formatIpv4(p.src)} uses ${dev}`);
    return undefined;
  }
  if (noAddr) return rpf.value ? fail(`${dev} has no address`) : undefined;
  if (rpf.value === 1) return fail(`the route back to ${formatIpv4(p.src)} (${describeRoute(rev.route)}) does not use ${dev}`);
  if (rpf.value) sysctlEvent(sim, skb.host, rpf.parts, `loose reverse-path check passed: ${formatIpv4(p.src)} is routable`);
  return undefined;
}

/** ip_error(): the input route is an error route. `fwdOn` = forwarding enabled on the ingress device. */
function ipError(sim: Sim, skb: Skb, err: FibError, fwdOn: boolean): Verdict {
  if (!fwdOn) {
    return dropped(sim, skb, 'IP_INADDRERRORS', 'ip_error', `${formatIpv4(skb.pkt.dst)} is not an address of ${skb.host} and forwarding is off on ${skb.inIface}: dropped silently (no ICMP)`, { counter: 'IpInAddrErrors' });
  }
  switch (err) {
    case 'ENETUNREACH':
      sendIcmpError(sim, skb, 3, 0, 'no route: ICMP net unreachable from ip_error()', false);
      return dropped(sim, skb, 'IP_INNOROUTES', 'ip_error', `no route to ${formatIpv4(skb.pkt.dst)}`, { counter: 'IpExtInNoRoutes' });
    case 'EHOSTUNREACH':
      sendIcmpError(sim, skb, 3, 1, 'unreachable route: ICMP host unreachable from ip_error()', false);
      return dropped(sim, skb, 'NOT_SPECIFIED', 'ip_error', `the route to ${formatIpv4(skb.pkt.dst)} is of type unreachable`);
    case 'EACCES':
      sendIcmpError(sim, skb, 3, 13, 'prohibit route: ICMP administratively prohibited from ip_error()', false);
      return dropped(sim, skb, 'NOT_SPECIFIED', 'ip_error', `the route to ${formatIpv4(skb.pkt.dst)} is of type prohibit`);
    case 'EINVAL':
      return dropped(sim, skb, 'NOT_SPECIFIED', 'ip_error', `the route to ${formatIpv4(skb.pkt.dst)} is a blackhole: dropped silently`);
  }
}

function martianSrcDrop(sim: Sim, skb: Skb, dev: string): Verdict {
  return dropped(sim, skb, 'IP_INVALID_SOURCE', skb.routeInputBy ?? 'ip_rcv_finish_core', `martian source ${formatIpv4(skb.pkt.src)} on ${dev}: a multicast or broadcast source`);
}

/** A FIB lookup's dependency: the set of destinations (here `dim`) with the same result, else the atom. */
function recordFib(sim: Sim, skb: Skb, h: HostIndex, res: FibResult, dim: number): void {
  const set = fibDstSet(h, res);
  if (set) {
    depTest(sim, skb, dim, set);
    dep(sim, skb, fibDeps(h) & ~DEP.dst);
  } else dep(sim, skb, DEP.src | DEP.dst | fibDeps(h));
}
