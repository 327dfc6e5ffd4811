/**
 * `rp-filter-asymmetric`: strict reverse-path filtering (the effective value is max(conf.all, conf.IFACE),
 * include/linux/inetdevice.h IN_DEV_RPFILTER) on an interface while the routing tables send replies to some
 * sources out of another interface. A packet from such a source arriving on this interface fails
 * __fib_validate_source() (the reverse lookup's device is not the input device) and is dropped with
 * IP_RPFILTER in ip_rcv_finish_core() — tcpdump still shows it arriving.
 *
 * The source space is cut at every route prefix (and `ip rule ... to` prefix): within a piece the reverse
 * lookup (fib_lookup() with the source as destination, the host's address on the interface as source,
 * iif lo, mark 0) has one answer, computed with the engine's FIB. Sources on another interface's own link
 * are left out (dropping them there is the anti-spoofing rp_filter is for); sources behind a gateway of
 * another interface are reported.
 */
import { formatIpv4 } from '../../model/addr.js';
import type { Host, Route, World } from '../../model/host.js';
import { describeRoute, fibLookup } from '../../engine/fib.js';
import { hostIndex } from '../../engine/hostIndex.js';
import { sysctlView } from '../../engine/sysctl.js';
import * as I from '../../space/intervals.js';
import { toCidrs } from '../cidr.js';
import { ipInterfaces, primaryAddr } from '../hostFacts.js';
import type { Finding, LintCheck } from '../types.js';

/** Sources that can never be a valid packet source (martians: ip_route_input_slow() drops them first). */
const MARTIAN: I.IntervalSet = I.fromIntervals([...I.prefix(0, 8), ...I.prefix(0x7f000000, 8), ...I.prefix(0xe0000000, 3)]);

export interface RpfAsymmetry {
  iface: string;
  /** The route that wins the reverse lookup, the device it uses, and the sources it wins for. */
  byRoute: { route: Route; dev: string; sources: I.IntervalSet }[];
}

/** For one interface, the sources whose reverse route leaves through another interface via a gateway. */
export function rpfAsymmetry(host: Host, iface: string): RpfAsymmetry {
  const h = hostIndex(host);
  const local = primaryAddr(host, iface) ?? 0;
  const cuts = new Set<number>([0]);
  const addCut = (lo: number, hi: number) => {
    cuts.add(lo);
    if (hi < 0xffffffff) cuts.add(hi + 1);
  };
  for (const routes of h.tables.values()) for (const r of routes) for (const [lo, hi] of I.prefix(r.dst.v4 ?? 0, r.dst.len)) addCut(lo, hi);
  for (const r of h.rules) if (r.to && r.to.v4 !== undefined) for (const [lo, hi] of I.prefix(r.to.v4, r.to.len)) addCut(lo, hi);
  for (const [lo, hi] of MARTIAN) addCut(lo, hi);
  const starts = [...cuts].sort((a, b) => a - b);
  const groups = new Map<Route, { route: Route; dev: string; parts: [number, number][] }>();
  for (let k = 0; k < starts.length; k++) {
    const lo = starts[k];
    const hi = k + 1 < starts.length ? starts[k + 1] - 1 : 0xffffffff;
    if (I.contains(MARTIAN, lo)) continue;
    const rev = fibLookup(h, { dst: lo, src: local, iif: 'lo', mark: 0, tos: 0 });
    if (!rev.ok || rev.type !== 'unicast') continue;
    if (rev.nexthops.some((n) => n.dev === iface)) continue;
    const nh = rev.nexthops.find((n) => n.via) ;
    if (!nh || !nh.dev) continue; // another interface's own link: anti-spoofing, as intended
    let g = groups.get(rev.route);
    if (!g) groups.set(rev.route, (g = { route: rev.route, dev: nh.dev, parts: [] }));
    g.parts.push([lo, hi]);
  }
  const byRoute = [...groups.values()].map((g) => ({ route: g.route, dev: g.dev, sources: I.fromIntervals(g.parts) }));
  return { iface, byRoute };
}

/** A source set as CIDRs, or as the route's prefix minus exceptions when that is shorter. */
function sourcesText(route: Route, sources: I.IntervalSet): string {
  const list = (c: string[]) => (c.length <= 4 ? c.join(', ') : `${c.slice(0, 4).join(', ')} and ${c.length - 4} more`);
  const direct = toCidrs(sources);
  const all = I.subtract(I.prefix(route.dst.v4 ?? 0, route.dst.len), MARTIAN);
  const except = toCidrs(I.subtract(all, sources));
  const prefix = `${route.dst.addr}/${route.dst.len}`;
  if (except.length < direct.length) return `${prefix}${except.length ? ` except ${list(except)}` : ''}${I.equals(all, I.prefix(route.dst.v4 ?? 0, route.dst.len)) ? '' : ' (and martian sources)'}`;
  return list(direct);
}

/** Is there a sign that packets from beyond a router arrive on `iface`? */
function evidence(world: World, host: Host, iface: string): string | undefined {
  const h = hostIndex(host);
  const gw = [...h.tables.values()].flat().find((r) => r.type === 'unicast' && r.nexthops.some((n) => n.dev === iface && n.via));
  if (gw) return `${iface} has a gateway route (${describeRoute(gw)})`;
  if (h.customRules) return 'the host uses policy routing (ip rule)';
  const ports = new Set([iface, ...host.interfaces.filter((i) => i.master === iface).map((i) => i.name)]);
  for (const l of world.links) {
    for (const [me, peer] of [[l.a, l.b], [l.b, l.a]] as const) {
      if (me.host !== host.name || !ports.has(me.iface)) continue;
      const ph = world.hosts.find((x) => x.name === peer.host);
      if (ph && sysctlView(ph).confValue(peer.iface, 'forwarding').value === 1) return `${peer.host}, linked to ${me.iface}, forwards packets (a router on this link)`;
    }
  }
  return undefined;
}

export function rpFilterFindings(world: World, host: Host): Finding[] {
  if (host.inputs['ip-route'] === undefined) return [];
  const view = sysctlView(host);
  const out: Finding[] = [];
  for (const i of ipInterfaces(host)) {
    if (primaryAddr(host, i.name) === undefined) continue;
    const rpf = view.confValue(i.name, 'rp_filter');
    if (rpf.value !== 1) continue;
    const asym = rpfAsymmetry(host, i.name);
    if (!asym.byRoute.length) continue;
    const why = evidence(world, host, i.name);
    const lines = asym.byRoute.map((b) => `from ${sourcesText(b.route, b.sources)}: the reverse lookup picks \`${describeRoute(b.route)}\` (out of ${b.dev})`);
    // Sources behind another interface's default route are the asymmetric case; a specific route elsewhere
    // mostly means those sources should not arrive here at all (anti-spoofing): info only.
    const viaDefault = asym.byRoute.some((b) => b.route.dst.len === 0);
    const gwOnI = [...hostIndex(host).tables.values()].flat().flatMap((r) => r.nexthops).find((n) => n.dev === i.name && n.via)?.via;
    const first = asym.byRoute[0].sources;
    const example = [0xcb00710a /* 203.0.113.10 */, 0xc633640a /* 198.51.100.10 */].find((a) => I.contains(first, a)) ?? first[0][0];
    out.push({
      check: 'rp-filter-asymmetric',
      severity: why && viaDefault ? 'warning' : 'info',
      host: host.name,
      loc: rpf.loc,
      subject: `rp_filter = 1 on ${i.name} (${rpf.note ?? rpf.key})${rpf.source === 'default' ? ' [no sysctl in the dump: fresh-namespace default]' : ''}`,
      message:
        `strict reverse-path filtering on ${i.name}, but replies to these sources leave through another interface, so packets from them arriving on ${i.name} are dropped (IP_RPFILTER at ip_rcv_finish_core, counted in TcpExtIPReversePathFilter; tcpdump still shows them):\n` +
        lines.map((l) => `  ${l}`).join('\n') +
        `\n${
          !viaDefault
            ? `These sources have their own route through another interface: they arrive on ${i.name} only over an asymmetric path (or spoofed, which is what strict mode is for).`
            : why
              ? `Such packets are to be expected: ${why}.`
              : `This matters only if packets from beyond a router arrive on ${i.name}; nothing in the world shows one.`
        }` +
        ` Check with \`ip route get ${formatIpv4(example)} from ${formatIpv4(primaryAddr(host, i.name)!)}\`.`,
      related: asym.byRoute.map((b) => ({ what: 'wins the reverse lookup', loc: b.route.loc, text: describeRoute(b.route) })),
      fix: `sysctl -w net.ipv4.conf.${i.name.replace(/\./g, '/')}.rp_filter=2   # loose mode: max(all, ${i.name}) = 2; or route the sources back through ${i.name}: ip route add PREFIX via ${gwOnI ?? 'GATEWAY'} dev ${i.name}`,
    });
  }
  return out;
}

export const rpFilterAsymmetric: LintCheck = {
  id: 'rp-filter-asymmetric',
  summary: 'strict rp_filter on an interface while replies to some sources leave through another one',
  run: (world: World) => world.hosts.flatMap((h) => rpFilterFindings(world, h)),
};
