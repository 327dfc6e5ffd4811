/** Small facts about a host the checks share: its IP-level interfaces, its DNAT rules, its uplink. */
import { formatIpv4, inNet4 } from '../model/addr.js';
import type { Host, Interface, Route } from '../model/host.js';
import type { Negatable, Rule } from '../model/iptables.js';
import type { DnatArgs } from '../ext/target/DNAT.js';
import { addrType } from '../engine/fib.js';
import { hostIndex } from '../engine/hostIndex.js';
import { chainGraph } from './chainGraph.js';

/** Does an `-i`/`-o` selector admit interface `name` (ip_packet_match(): `+` ends a prefix)? */
export function ifaceAdmits(sel: Negatable<string> | undefined, name: string): boolean {
  if (!sel) return true;
  const hit = sel.value.endsWith('+') ? name.startsWith(sel.value.slice(0, -1)) : name === sel.value;
  return hit !== sel.invert;
}

/** Interfaces where IPv4 input happens: not loopback, not a port of a bridge or bond (the master receives). */
export function ipInterfaces(host: Host): Interface[] {
  return host.interfaces.filter((i) => i.name !== 'lo' && i.kind !== 'loopback' && !i.master);
}

export interface DnatRule {
  rule: Rule;
  chain: string;
  /** First address of the --to-destination range (absent: the port is changed, not the address). */
  to?: number;
  toText: string;
  /** The address is one of this host's (addrtype LOCAL): no forwarding follows. */
  local: boolean;
}

/** DNAT rules a packet arriving from outside can meet: nat chains reachable from PREROUTING. */
export function preroutingDnats(host: Host): DnatRule[] {
  const nat = host.iptables?.tables.find((t) => t.name === 'nat');
  if (!nat) return [];
  const g = chainGraph(nat);
  const h = hostIndex(host);
  const out: DnatRule[] = [];
  for (const c of nat.chains) {
    if (!g.hooks.get(c.name)?.has('PREROUTING')) continue;
    for (const r of c.rules) {
      const t = r.target;
      if (t?.kind !== 'extension' || t.name !== 'DNAT' || t.unsupported) continue;
      const range = (t.args as DnatArgs).ranges[0];
      const to = range?.minAddr;
      const port = range?.minPort !== undefined ? `:${range.minPort}${range.maxPort !== range.minPort ? `-${range.maxPort}` : ''}` : '';
      out.push({ rule: r, chain: c.name, to, toText: `${to !== undefined ? formatIpv4(to) : '(same address)'}${port}`, local: to === undefined || addrType(h, to) === 'LOCAL' });
    }
  }
  return out;
}

/** The main table's default route, when there is one (the lowest metric). */
export function defaultRoute(host: Host): Route | undefined {
  const main = hostIndex(host).tables.get('main') ?? [];
  return main.filter((r) => r.dst.len === 0 && r.type === 'unicast' && r.nexthops[0]?.dev).sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0))[0];
}

/** The primary IPv4 address of an interface. */
export function primaryAddr(host: Host, iface: string): number | undefined {
  return hostIndex(host).addrsByIface.get(iface)?.find((a) => !a.secondary)?.addr;
}

/** A documentation address (TEST-NET-3, then TEST-NET-2, TEST-NET-1) that no connected route of the host covers. */
export function outsideAddress(host: Host): number | undefined {
  const h = hostIndex(host);
  const candidates = [0xcb00710a /* 203.0.113.10 */, 0xc633640a /* 198.51.100.10 */, 0xc000020a /* 192.0.2.10 */];
  const connected = [...h.tables.values()].flat().filter((r) => r.nexthops.every((n) => !n.via) && r.dst.len > 0);
  return candidates.find((a) => !h.localAddrs.has(a) && !connected.some((r) => inNet4(a, r.dst)));
}
