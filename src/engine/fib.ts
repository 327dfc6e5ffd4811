/**
 * The FIB: policy rules + routing tables (net/ipv4/fib_rules.c, fib_trie.c), source address selection
 * (devinet.c: inet_select_addr()) and address types (fib_frontend.c: __inet_dev_addr_type()).
 */
import { formatIpv4, inNet4, parseIpv4 } from '../model/addr.js';
import type { IpRule, Nexthop, Route, RouteType } from '../model/host.js';
import { canonicalTable, type HostIndex, scopeNumber } from './hostIndex.js';

export interface FlowKey {
  dst: number;
  /** 0 when not chosen yet (unbound local socket). */
  src: number;
  /** Input device; locally generated flows use 'lo' (flowi4_iif = LOOPBACK_IFINDEX). */
  iif: string;
  oif?: string;
  mark: number;
  tos: number;
  proto?: number;
  sport?: number;
  dport?: number;
  uid?: number;
}

export type FibError = 'ENETUNREACH' | 'EHOSTUNREACH' | 'EACCES' | 'EINVAL';

export interface FibHit {
  ok: true;
  type: RouteType;
  route: Route;
  table: string;
  rule: IpRule;
  /** Candidate nexthops (several for a multipath route, with weights). */
  nexthops: Nexthop[];
}

export interface FibMiss {
  ok: false;
  error: FibError;
  route?: Route;
  rule?: IpRule;
  table?: string;
}

export type FibResult = FibHit | FibMiss;

const TYPE_ERROR: Partial<Record<RouteType, FibError | 'EAGAIN'>> = {
  blackhole: 'EINVAL',
  unreachable: 'EHOSTUNREACH',
  prohibit: 'EACCES',
  throw: 'EAGAIN',
};

/** Longest-prefix match within one table: prefix length, then TOS, then lowest metric (fib_table_lookup). */
export function tableLookup(routes: readonly Route[] | undefined, dst: number, tos: number): Route | undefined {
  if (!routes) return undefined;
  let best: Route | undefined;
  for (const r of routes) {
    if (r.flags.includes('dead')) continue;
    if (!inNet4(dst, r.dst)) continue;
    if (r.tos && r.tos !== (tos & 0x1e)) continue;
    if (!best) {
      best = r;
      continue;
    }
    if (r.dst.len !== best.dst.len) {
      if (r.dst.len > best.dst.len) best = r;
      continue;
    }
    if (Boolean(r.tos) !== Boolean(best.tos)) {
      if (r.tos) best = r;
      continue;
    }
    if ((r.metric ?? 0) < (best.metric ?? 0)) best = r;
  }
  return best;
}

function ruleMatches(r: IpRule, f: FlowKey): boolean {
  let m = true;
  if (r.from && !(r.from.len === 0 || inNet4(f.src, r.from))) m = false;
  if (m && r.to && !(r.to.len === 0 || inNet4(f.dst, r.to))) m = false;
  if (m && r.iif && r.iif !== f.iif) m = false;
  if (m && r.oif && r.oif !== f.oif) m = false;
  if (m && r.fwmark && ((f.mark ^ r.fwmark.value) & r.fwmark.mask) >>> 0 !== 0) m = false;
  if (m && r.tos !== undefined && r.tos !== 0 && r.tos !== f.tos) m = false;
  if (m && r.ipproto !== undefined && r.ipproto !== f.proto) m = false;
  if (m && r.sport && (f.sport === undefined || f.sport < r.sport[0] || f.sport > r.sport[1])) m = false;
  if (m && r.dport && (f.dport === undefined || f.dport < r.dport[0] || f.dport > r.dport[1])) m = false;
  if (m && r.uidrange && (f.uid === undefined || f.uid < r.uidrange[0] || f.uid > r.uidrange[1])) m = false;
  return r.not ? !m : m;
}

/** fib_lookup(): walk the policy rules in priority order. */
export function fibLookup(h: HostIndex, f: FlowKey): FibResult {
  const rules = h.rules;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (!ruleMatches(r, f)) continue;
    switch (r.action) {
      case 'nop':
        continue;
      case 'goto': {
        const j = rules.findIndex((x) => x.priority >= (r.gotoPriority ?? Infinity));
        if (j < 0) return { ok: false, error: 'ENETUNREACH', rule: r };
        i = j - 1;
        continue;
      }
      case 'blackhole':
        return { ok: false, error: 'EINVAL', rule: r };
      case 'unreachable':
        return { ok: false, error: 'EHOSTUNREACH', rule: r };
      case 'prohibit':
        return { ok: false, error: 'EACCES', rule: r };
      case 'lookup': {
        const table = canonicalTable(r.table);
        const route = tableLookup(h.tables.get(table), f.dst, f.tos);
        if (!route) continue;
        const err = TYPE_ERROR[route.type];
        if (err === 'EAGAIN') continue; // throw: go on with the next rule
        if (r.suppressPrefixLength !== undefined && route.dst.len <= r.suppressPrefixLength) continue;
        if (err) return { ok: false, error: err, route, rule: r, table };
        return { ok: true, type: route.type, route, table, rule: r, nexthops: route.nexthops };
      }
    }
  }
  return { ok: false, error: 'ENETUNREACH' };
}

/** inet_select_addr(dev, dst, scope): the source address the kernel picks on `dev` toward `dst`. */
export function inetSelectAddr(h: HostIndex, dev: string, dst: number, scope: number): number | undefined {
  let addr: number | undefined;
  for (const a of h.addrsByIface.get(dev) ?? []) {
    if (a.secondary) continue;
    if (a.scope > scope) continue;
    if (!dst || ((dst & a.mask) >>> 0) === ((a.addr & a.mask) >>> 0)) return a.addr;
    if (addr === undefined) addr = a.addr;
  }
  if (addr !== undefined) return addr;
  // Other devices, loopback first: a primary address whose scope is not link and is wide enough.
  const order = [...h.addrsByIface.keys()].sort((x, y) => Number(y === 'lo') - Number(x === 'lo'));
  for (const d of order) {
    for (const a of h.addrsByIface.get(d) ?? []) {
      if (a.secondary) continue;
      if (a.scope !== 253 && a.scope <= scope) return a.addr;
    }
  }
  return undefined;
}

/** The source a route gives a locally generated packet: prefsrc, else inet_select_addr on the nexthop device. */
export function routeSource(h: HostIndex, hit: FibHit, nh: Nexthop, dst: number): number | undefined {
  if (hit.route.prefsrc) return parseIpv4(hit.route.prefsrc);
  if (hit.type === 'local') return dst;
  if (!nh.dev) return undefined;
  const gw = nh.via ? (parseIpv4(nh.via) ?? 0) : 0;
  return inetSelectAddr(h, nh.dev, gw, scopeNumber(hit.route.scope ?? (nh.via ? 'global' : 'link')));
}

/** __inet_dev_addr_type(): the address type as seen through the local table, optionally for one device. */
export function addrType(h: HostIndex, addr: number, dev?: string): string {
  if (addr >>> 24 === 0 || addr === 0xffffffff) return 'BROADCAST';
  if (addr >>> 28 === 0xe) return 'MULTICAST';
  const r = tableLookup(h.tables.get('local'), addr, 0);
  if (!r) return 'UNICAST';
  if (dev && r.nexthops[0]?.dev !== dev) return 'UNICAST';
  return r.type.toUpperCase();
}

export function describeRoute(r: Route): string {
  const parts: string[] = [];
  if (r.type !== 'unicast') parts.push(r.type);
  parts.push(r.dst.len === 0 ? 'default' : r.dst.len === 32 ? r.dst.addr : `${r.dst.addr}/${r.dst.len}`);
  if (r.nexthops.length === 1) {
    const n = r.nexthops[0];
    if (n.via) parts.push(`via ${n.via}`);
    if (n.dev) parts.push(`dev ${n.dev}`);
  } else {
    for (const n of r.nexthops) parts.push(`nexthop${n.via ? ` via ${n.via}` : ''}${n.dev ? ` dev ${n.dev}` : ''}${n.weight ? ` weight ${n.weight}` : ''}`);
  }
  const t = canonicalTable(r.table);
  if (t !== 'main') parts.push(`table ${t}`);
  if (r.proto) parts.push(`proto ${r.proto}`);
  if (r.scope) parts.push(`scope ${r.scope}`);
  if (r.prefsrc) parts.push(`src ${r.prefsrc}`);
  if (r.metric !== undefined) parts.push(`metric ${r.metric}`);
  return parts.join(' ');
}

export function describeRule(r: IpRule): string {
  const sel: string[] = [];
  if (r.not) sel.push('not');
  sel.push(r.from ? `from ${r.from.len === 32 ? r.from.addr : `${r.from.addr}/${r.from.len}`}` : 'from all');
  if (r.to) sel.push(`to ${r.to.addr}/${r.to.len}`);
  if (r.fwmark) sel.push(`fwmark 0x${r.fwmark.value.toString(16)}/0x${r.fwmark.mask.toString(16)}`);
  if (r.iif) sel.push(`iif ${r.iif}`);
  if (r.oif) sel.push(`oif ${r.oif}`);
  const act = r.action === 'lookup' ? `lookup ${canonicalTable(r.table)}` : r.action === 'goto' ? `goto ${r.gotoPriority}` : r.action;
  return `${r.priority}:\t${sel.join(' ')} ${act}`;
}

export function ip(n: number): string {
  return formatIpv4(n);
}
