/**
 * Where the kernel lists a route in `ip route show table all`: tables in fib_table_hash order (bucket =
 * id & 255, so 100 < main (254) < local (255)), then the trie walk of the table: ascending destination
 * address, for one address the longer prefix first (fib_insert_alias keeps aliases by fa_slen), then by
 * TOS (descending) and metric (ascending) as fib_find_alias orders them.
 */
import type { Route } from '../model/host.js';
import { parseIpv4 } from '../model/addr.js';

const TABLE_IDS: Record<string, number> = { default: 253, main: 254, local: 255 };

export function tableId(t: string): number | undefined {
  if (t in TABLE_IDS) return TABLE_IDS[t];
  return /^[0-9]+$/.test(t) ? Number(t) : undefined;
}

function bucket(t: string): number {
  const id = tableId(t);
  return id === undefined ? 256 : id & 255;
}

/** < 0 when `a` is listed before `b` (IPv4 routes). */
export function compareRoutes(a: Route, b: Route): number {
  return (
    bucket(a.table) - bucket(b.table) ||
    (a.table === b.table ? 0 : a.table < b.table ? -1 : 1) ||
    (parseIpv4(a.dst.addr) ?? 0) - (parseIpv4(b.dst.addr) ?? 0) ||
    b.dst.len - a.dst.len ||
    (b.tos ?? 0) - (a.tos ?? 0) ||
    (a.metric ?? 0) - (b.metric ?? 0)
  );
}

/** Insert an IPv4 route where the kernel lists it; `after` puts it behind routes with the same key
 * (NLM_F_APPEND), otherwise in front of them. Returns the index. */
export function insertRoute(routes: Route[], r: Route, after = true): number {
  let lastV4 = -1;
  let at = -1;
  for (let i = 0; i < routes.length; i++) {
    if (routes[i].family !== 4) continue;
    lastV4 = i;
    const c = compareRoutes(r, routes[i]);
    if (c < 0 || (c === 0 && !after)) {
      at = i;
      break;
    }
  }
  if (at < 0) at = lastV4 + 1;
  routes.splice(at, 0, r);
  return at;
}

/** Same table, destination, TOS and metric: the kernel's notion of "the same route" (fib_find_alias). */
export function sameKey(a: Route, b: Route): boolean {
  return a.family === b.family && a.table === b.table && a.dst.addr === b.dst.addr && a.dst.len === b.dst.len && (a.tos ?? 0) === (b.tos ?? 0) && (a.metric ?? 0) === (b.metric ?? 0);
}
