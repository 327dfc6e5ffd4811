/**
 * fib_valid_prefsrc (net/ipv4/fib_semantics.c): a route's preferred source must be a local address — its
 * lookup in the route's table (main is looked up in local), then in local, must hit a `local` route. The
 * lookup (inet_addr_type_table) takes the longest prefix and, for one prefix, the first route listed: a
 * `broadcast` route for the address listed before its `local` route hides it. A local route for the
 * address itself needs no check.
 */
import type { Host, Route } from '../model/host.js';
import { inNet4, parseIpv4 } from '../model/addr.js';

function typeIn(routes: readonly Route[], table: string, addr: number): Route['type'] | undefined {
  let best: Route | undefined;
  for (const r of routes) {
    if (r.family !== 4 || r.table !== table || !inNet4(addr, r.dst)) continue;
    if (!best || r.dst.len > best.dst.len) best = r;
  }
  return best?.type;
}

export function validPrefsrc(host: Host, r: Pick<Route, 'type' | 'table' | 'dst'>, prefsrc: string): boolean {
  if (r.type === 'local' && r.dst.len === 32 && r.dst.addr === prefsrc) return true;
  const a = parseIpv4(prefsrc);
  if (a === undefined) return false;
  const tb = r.table === 'main' ? 'local' : r.table;
  let t = typeIn(host.routes, tb, a);
  if (t !== 'local' && tb !== 'local') t = typeIn(host.routes, 'local', a);
  return t === 'local';
}
