/** Print a Route the way `ip route show table all` (iproute2 print_route) does, without trailing spaces. */
import type { IpNet } from '../model/addr.js';
import type { Nexthop, Route } from '../model/host.js';
import { parseAddr } from './inet.js';
import { ROUTE_METRICS } from './ipRoute.js';

function dstText(n: IpNet): string {
  if (n.len === 0 && (n.addr === '0.0.0.0' || n.addr === '::')) return 'default';
  return n.len === (n.family === 4 ? 32 : 128) ? n.addr : `${n.addr}/${n.len}`;
}

function viaText(via: string, family: number): string {
  const a = parseAddr(via);
  return a && a.family !== family ? `via ${a.family === 6 ? 'inet6' : 'inet'} ${via}` : `via ${via}`;
}

function nexthopLine(nh: Nexthop, family: number): string {
  const p = ['nexthop'];
  if (nh.via) p.push(viaText(nh.via, family));
  if (nh.dev) p.push(`dev ${nh.dev}`);
  if (nh.weight !== undefined) p.push(`weight ${nh.weight}`);
  if (nh.realms) p.push(`realms ${nh.realms}`);
  p.push(...nh.flags);
  return `\t${p.join(' ')}`;
}

/** One route as text; a multipath route spans several lines (`\tnexthop ...`). */
export function formatRoute(r: Route): string {
  const p: string[] = [];
  if (r.type !== 'unicast') p.push(r.type);
  p.push(dstText(r.dst));
  const ex = r.extra ?? {};
  if (ex.from !== undefined) p.push(`from ${ex.from}`);
  if (r.tos !== undefined) p.push(`tos 0x${r.tos.toString(16).padStart(2, '0')}`);
  const multipath = r.nexthops.length > 1 || (r.nexthops.length === 1 && r.nexthops[0].weight !== undefined);
  if (!multipath && r.nexthops.length === 1) {
    const nh = r.nexthops[0];
    if (nh.via) p.push(viaText(nh.via, r.family));
    if (nh.dev) p.push(`dev ${nh.dev}`);
    if (nh.realms) p.push(`realms ${nh.realms}`);
    p.push(...nh.flags);
  }
  if (r.table !== 'main') p.push(`table ${r.table}`);
  if (r.proto !== undefined) p.push(`proto ${r.proto}`);
  if (r.scope !== undefined) p.push(`scope ${r.scope}`);
  if (r.prefsrc !== undefined) p.push(`src ${r.prefsrc}`);
  if (r.metric !== undefined) p.push(`metric ${r.metric}`);
  p.push(...r.flags.filter((f) => f !== 'cache'));
  for (const k of ['nhid', 'mark', 'realms', 'realm'] as const) if (ex[k] !== undefined) p.push(`${k} ${ex[k]}`);
  if (r.expires !== undefined) p.push(`expires ${r.expires}`);
  for (const k of ROUTE_METRICS) {
    const v = k === 'mtu' ? r.mtu : k === 'advmss' ? r.advmss : ex[k];
    if (v === undefined) continue;
    p.push(r.locks?.includes(k) ? `${k} lock ${v}` : `${k} ${v}`);
  }
  for (const k of ['iif', 'error', 'ipid', 'used', 'age', 'users', 'ttl-propagate', 'as'] as const) if (ex[k] !== undefined) p.push(`${k} ${ex[k]}`);
  if (r.pref !== undefined) p.push(`pref ${r.pref}`);
  if (ex.encap !== undefined) p.push(`encap ${ex.encap}`);
  let out = p.join(' ');
  if (r.flags.includes('cache')) out += '\n    cache';
  if (multipath) for (const nh of r.nexthops) out += `\n${nexthopLine(nh, r.family)}`;
  return out;
}
