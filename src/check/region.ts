/**
 * The class of an `allow` / `deny` / `nat` assertion as header-space boxes (src/space/box.ts): one box per
 * ingress point, source item, destination item and protocol, constrained on the universe of its ingress
 * point. Where packets enter (docs/check.md):
 * - `via HOST:IF` (or `via IF`): they arrive on that interface, whatever their source;
 * - else each `from` item says: `HOST` / `HOST:IF` are that host's own packets (`local HOST`, from those
 *   addresses); `any`, a prefix or a range are the local packets of every host owning such an address (with
 *   `any`, also unbound sockets), apart from the destination hosts' own, and packets arriving on the edge
 *   interfaces of the world (those the topology links to no modelled host) from the addresses the host
 *   routes out of that interface: where such senders live (spoofed sources are asserted with `via`).
 * Packets that arrive from `any` or a prefix come from outside the world: their sources leave out the
 * modelled hosts' own addresses (those are `local HOST` packets) and martian sources (names.ts).
 * Fields the policy leaves out take fixed values, so a class is made of ordinary connection openings:
 * TCP flags SYN alone, ICMP echo-request code 0, TTL 64, TOS 0, the usual length of such a packet.
 */
import type { World } from '../model/host.js';
import { InputError } from '../model/source.js';
import { constrain, disjoint, type Box, type Constraint } from '../space/box.js';
import { ingressPoints, ingressUniverse, type IngressPoint } from '../space/classes.js';
import * as I from '../space/intervals.js';
import { foreignSources, hostAddrs, isEdge, itemAddrSet, ownAddrs, routedVia, viaPoints } from './names.js';
import type { Assertion, HeaderOpts, PolicyItem } from './types.js';

export interface ClassRegion {
  points: IngressPoint[];
  boxes: Box[];
  /** Labels of the ingress points the region uses. */
  from: string[];
}

const ANY_ITEM = (a: Assertion): PolicyItem => ({ addr: { kind: 'any' }, loc: a.loc, text: 'any' });
const DEFAULT_LEN: Record<number, number> = { 6: 60, 17: 33, 1: 84 };

/** The fixed or given values of the header fields other than addresses and ports, for one protocol. */
export function headerConstraint(h: HeaderOpts, proto: number): Constraint {
  const c: Constraint = { proto: I.single(proto) };
  if (proto === 6) c.flags = h.flags ?? I.single(0x02);
  if (proto === 1) c.icmp = h.icmp ?? I.single(8 << 8);
  if (h.sport && proto !== 1) c.sport = h.sport;
  c.ttl = h.ttl ?? I.single(64);
  c.tos = h.tos ?? I.single(0);
  c.length = h.length ?? I.single(DEFAULT_LEN[proto] ?? 20);
  return c;
}

/** The host a `to` list names, when it names exactly one (for `via IF`). */
function destinationHost(to: PolicyItem[] | undefined): string | undefined {
  const hosts = new Set((to ?? []).flatMap((t) => (t.addr.kind === 'host' ? [t.addr.host] : [])));
  return hosts.size === 1 ? [...hosts][0] : undefined;
}

export function classRegion(world: World, a: Assertion & { kind: 'allow' | 'deny' | 'nat' }, ingressVia = a.kind !== 'nat'): ClassRegion {
  const points = ingressPoints([world]);
  const uni = ingressUniverse([world], points);
  const from = a.from?.length ? a.from : [ANY_ITEM(a)];
  const to = a.to?.length ? a.to : [ANY_ITEM(a)];
  const dstHosts = new Set(to.flatMap((t) => (t.addr.kind === 'host' ? [t.addr.host] : [])));
  const boxes: Box[] = [];
  const used = new Set<number>();
  // (ingress point, source addresses, source ports) triples
  // Packets arriving from `any` or a prefix come from outside the world: not from a modelled host's
  // address, nor from a martian one. A host named in `from` is taken as written.
  const foreign = foreignSources(world);
  const arriving = (f: PolicyItem) => (f.addr.kind === 'host' ? itemAddrSet(world, f) : I.intersect(itemAddrSet(world, f), foreign));
  const sources: { k: number; src: I.IntervalSet; sport?: I.IntervalSet }[] = [];
  if (ingressVia && a.via?.length) {
    const dst = destinationHost(a.to);
    const ks = new Set<number>();
    for (const v of a.via) for (const { host, ifaces } of viaPoints(world, points, v, dst, 'ingress')) for (const ifn of ifaces) ks.add(points.findIndex((p) => p.kind === 'arrive' && p.host === host && p.iface === ifn));
    for (const f of from) for (const k of ks) sources.push({ k, src: arriving(f), sport: f.ports });
  } else {
    for (const f of from) {
      if (f.addr.kind === 'host') {
        const k = points.findIndex((p) => p.kind === 'local' && p.host === (f.addr as { host: string }).host);
        sources.push({ k, src: I.fromValues(hostAddrs(world, f)), sport: f.ports });
        continue;
      }
      const set = itemAddrSet(world, f);
      points.forEach((p, k) => {
        if (p.kind === 'local') {
          if (dstHosts.has(p.host)) return;
          const own = I.fromValues(ownAddrs(world.hosts.find((h) => h.name === p.host)!));
          const src = I.union(I.intersect(own, set), f.addr.kind === 'any' ? I.single(0) : I.EMPTY);
          if (src.length) sources.push({ k, src, sport: f.ports });
        } else if (isEdge(world, p)) {
          const src = I.intersect(arriving(f), routedVia(world, p.host, p.iface!));
          if (src.length) sources.push({ k, src, sport: f.ports });
        }
      });
    }
  }
  for (const s of sources) {
    for (const t of to) {
      const dst = itemAddrSet(world, t);
      for (const proto of a.header.protos) {
        const c = headerConstraint(a.header, proto);
        c.src = s.src;
        if (proto !== 1) {
          if (s.sport) c.sport = c.sport ? I.intersect(c.sport, s.sport) : s.sport;
          if (t.ports) c.dport = t.ports;
        }
        c.dst = dst;
        const b = constrain(uni[s.k], c);
        if (b.some((x) => x.length === 0)) continue;
        boxes.push(b);
        used.add(s.k);
      }
    }
  }
  if (!boxes.length) {
    const edge = points.filter((p) => isEdge(world, p)).map((p) => p.label);
    throw new InputError([
      {
        severity: 'error',
        loc: (a.from ?? a.via ?? [])[0]?.loc ?? a.loc,
        text: a.text,
        message: 'no packet of this class can enter the world: no modelled host sends from these addresses' + (edge.length ? '' : ' and no interface is at the edge of the world'),
        hint: `say where the packets enter: \`from HOST\` for a host's own packets, \`via HOST:IF\` for packets arriving on an interface${edge.length ? ` (edge interfaces: ${edge.join(', ')})` : ''}`,
      },
    ]);
  }
  return { points, boxes: disjoint(boxes), from: [...used].sort((x, y) => x - y).map((k) => points[k].label) };
}
