/**
 * Names of a policy against a world: a host's addresses (`HOST`: every IPv4 address of its interfaces but
 * the loopback ones; `HOST:IF`: that interface's), interfaces named by `via`, and the world's edge (the
 * interfaces the topology connects to no modelled host: where packets from outside the world arrive).
 * An unknown name is an input error at the name, with the names the world has.
 */
import type { Host, World } from '../model/host.js';
import { InputError } from '../model/source.js';
import { hostIndex } from '../engine/hostIndex.js';
import { fibLookup } from '../engine/fib.js';
import type { IngressPoint } from '../space/classes.js';
import * as I from '../space/intervals.js';
import type { PolicyItem } from './types.js';

function fail(it: PolicyItem, message: string, hint?: string): never {
  throw new InputError([{ severity: 'error', loc: it.loc, text: it.text, message, hint }]);
}

export function findHost(world: World, it: PolicyItem, name: string): Host {
  const h = world.hosts.find((x) => x.name === name);
  if (!h) fail(it, `no host '${name}' in the world`, `hosts: ${world.hosts.map((x) => x.name).join(', ')}; addresses are written 10.0.0.1, 10.0.0.0/8 or 10.0.0.1-10.0.0.9`);
  return h;
}

const isLoopback = (a: number) => a >>> 24 === 127;

/** A host's IPv4 addresses outside loopback. */
export function ownAddrs(h: Host): number[] {
  return hostIndex(h).addrs.filter((a) => a.iface !== 'lo' && !isLoopback(a.addr)).map((a) => a.addr);
}

/** The addresses of HOST (no loopback) or HOST:IF, in `ip addr` order (primaries first). */
export function hostAddrs(world: World, it: PolicyItem): number[] {
  if (it.addr.kind !== 'host') return [];
  const h = findHost(world, it, it.addr.host);
  const x = hostIndex(h);
  const ifn = it.addr.iface;
  if (ifn !== undefined) {
    if (!h.interfaces.some((i) => i.name === ifn)) fail(it, `host ${h.name} has no interface '${ifn}'`, `interfaces of ${h.name}: ${h.interfaces.map((i) => i.name).join(', ')}`);
    const list = x.addrs.filter((a) => a.iface === ifn).map((a) => a.addr);
    if (!list.length) fail(it, `${h.name}:${ifn} has no IPv4 address`, 'name another interface, or write the address');
    return list;
  }
  const list = ownAddrs(h);
  if (!list.length) fail(it, `host ${h.name} has no IPv4 address outside loopback`, 'write the address, or HOST:lo for the loopback ones');
  return list;
}

/** The address set of an item (`any` is the whole space). */
export function itemAddrSet(world: World, it: PolicyItem): I.IntervalSet {
  if (it.addr.kind === 'any') return I.range(0, 0xffffffff);
  if (it.addr.kind === 'set') return it.addr.set;
  return I.fromValues(hostAddrs(world, it));
}

/** Every address some modelled host owns (loopback apart): packets to them should be delivered, not leave. */
export function ownedAddrs(world: World): I.IntervalSet {
  const all: number[] = [];
  for (const h of world.hosts) for (const a of hostIndex(h).addrs) if (!isLoopback(a.addr)) all.push(a.addr);
  return I.fromValues(all);
}

/** Sources no packet from outside the world can carry (ip_route_input_slow() and fib_validate_source()
 * drop them as martian or local): 0/8, 127/8, multicast and class E, the limited broadcast; and the
 * modelled hosts' own addresses and their subnets' broadcast addresses (their packets are `local HOST`). */
export function foreignSources(world: World): I.IntervalSet {
  const out: I.Interval[] = [[0x00000000, 0x00ffffff], [0x7f000000, 0x7fffffff], [0xe0000000, 0xffffffff]];
  for (const h of world.hosts)
    for (const a of hostIndex(h).addrs) {
      out.push([a.addr, a.addr]);
      if (a.len < 31) {
        const bcast = (a.addr | (~a.mask >>> 0)) >>> 0;
        out.push([bcast, bcast]);
      }
    }
  return I.subtract(I.range(0, 0xffffffff), I.fromIntervals(out));
}

/**
 * The addresses whose packets arrive on HOST:IF: those the host routes out of IF (or out of the bridge IF
 * is a port of), the way reverse-path filtering reads it (fib_validate_source() looks the source up as a
 * destination). The address space is cut at every route and policy-rule prefix of the host; one lookup per
 * piece (fib_lookup() is uniform within it).
 */
export function routedVia(world: World, host: string, iface: string): I.IntervalSet {
  const h = world.hosts.find((x) => x.name === host)!;
  const x = hostIndex(h);
  const devs = new Set([iface, ...(x.ifaces.get(iface)?.master ? [x.ifaces.get(iface)!.master!] : [])]);
  const cuts = new Set<number>([0]);
  const cut = (v: number | undefined, len: number) => {
    if (v === undefined || len < 0) return;
    const [[lo, hi]] = I.prefix(v, len);
    cuts.add(lo);
    if (hi < 0xffffffff) cuts.add(hi + 1);
  };
  for (const rs of x.tables.values()) for (const r of rs) if (r.family === 4) cut(r.dst.v4, r.dst.len < 0 ? 32 : r.dst.len);
  for (const r of x.rules) if (r.family === 4 && r.to) cut(r.to.v4, r.to.len);
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: I.Interval[] = [];
  sorted.forEach((lo, i) => {
    const hi = i + 1 < sorted.length ? sorted[i + 1] - 1 : 0xffffffff;
    const r = fibLookup(x, { dst: lo, src: 0, iif: 'lo', mark: 0, tos: 0 });
    if (r.ok && r.type === 'unicast' && r.nexthops.some((n) => n.dev !== undefined && devs.has(n.dev))) out.push([lo, hi]);
  });
  return I.fromIntervals(out);
}

/** Interfaces the topology links to no modelled host (loopback and bridges apart: frames enter through ports). */
export function isEdge(world: World, p: IngressPoint): boolean {
  if (p.kind !== 'arrive') return false;
  return !world.links.some((l) => (l.a.host === p.host && l.a.iface === p.iface) || (l.b.host === p.host && l.b.iface === p.iface));
}

/**
 * The ingress points a `via` item names: `via HOST:IF`, or `via IF` on the assertion's destination host
 * (`defaultHost`), or on the one host that has an interface IF; for `every-egress` (nat), `via IF` is the
 * interface IF of every host that has one. A bridge stands for its ports.
 */
export function viaPoints(world: World, points: readonly IngressPoint[], it: PolicyItem, defaultHost: string | undefined, role: 'ingress' | 'egress' | 'every-egress'): { host: string; ifaces: string[] }[] {
  if (it.addr.kind !== 'host') fail(it, 'via names an interface');
  if (role === 'every-egress' && it.addr.iface === undefined) {
    // nat: `via IF` is interface IF of whichever host forwards the packet out of it.
    const ifn = it.addr.host;
    const owners = world.hosts.filter((h) => h.interfaces.some((i) => i.name === ifn));
    if (!owners.length) fail(it, `no host has an interface '${ifn}'`, `write via HOST:IF; hosts: ${world.hosts.map((h) => h.name).join(', ')}`);
    return owners.map((h) => ({ host: h.name, ifaces: [ifn, ...h.interfaces.filter((i) => i.master === ifn).map((i) => i.name)] }));
  }
  let host: string;
  let ifn: string;
  if (it.addr.iface !== undefined) {
    host = findHost(world, it, it.addr.host).name;
    ifn = it.addr.iface;
  } else {
    ifn = it.addr.host;
    const owners = world.hosts.filter((h) => h.interfaces.some((i) => i.name === ifn));
    if (defaultHost && owners.some((h) => h.name === defaultHost)) host = defaultHost;
    else if (owners.length === 1) host = owners[0].name;
    else if (!owners.length) fail(it, `no host has an interface '${ifn}'`, `write via HOST:IF; hosts: ${world.hosts.map((h) => h.name).join(', ')}`);
    else fail(it, `'via ${ifn}' is ambiguous: ${owners.length} hosts have an interface ${ifn}${defaultHost ? ` and the destination host ${defaultHost} has none` : ''}`, `write one of ${owners.map((h) => `via ${h.name}:${ifn}`).join(', ')}`);
  }
  const h = world.hosts.find((x) => x.name === host)!;
  const dev = h.interfaces.find((i) => i.name === ifn);
  if (!dev) fail(it, `host ${host} has no interface '${ifn}'`, `interfaces of ${host}: ${h.interfaces.map((i) => i.name).join(', ')}`);
  const ports = h.interfaces.filter((i) => i.master === ifn).map((i) => i.name);
  const ifaces = ports.length ? [ifn, ...ports] : [ifn];
  if (role === 'ingress') {
    const named = points.filter((p) => p.kind === 'arrive' && p.host === host && ifaces.includes(p.iface!));
    if (!named.length) fail(it, `packets cannot arrive on ${host}:${ifn}`, ifn === 'lo' ? 'loopback traffic is a local sender: write `from HOST`' : 'name an interface that is not loopback');
    return [{ host, ifaces: named.map((p) => p.iface!) }];
  }
  return [{ host, ifaces }];
}
