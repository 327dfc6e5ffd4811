/**
 * `ip [-4] route add|del|replace|change|append ...`: what iproute2 sends (iproute.c iproute_modify fills in
 * the table, scope and protocol) and what the kernel then does (fib_table_insert / fib_table_delete,
 * gateway checks in fib_check_nh_v4_gw).
 */
import type { Host, Interface, Route, RouteType } from '../model/host.js';
import { inNet4, parseIpv4, prefixMask, type IpNet } from '../model/addr.js';
import type { InputIssue, SourceLoc } from '../model/source.js';
import { parseNet } from '../parse/inet.js';
import { canonicalTable, parseDsfield, ROUTE_TYPES } from '../parse/ipRoute.js';
import { formatRoute } from '../parse/ipRouteWrite.js';
import { issueAt, refuse } from './refuse.js';
import { insertRoute, sameKey } from './routeOrder.js';
import { validPrefsrc } from './prefsrc.js';
import type { Word } from './shellWords.js';

export type RouteOp = 'add' | 'del' | 'replace' | 'change' | 'append';

export interface RouteCommand {
  op: RouteOp;
  opWord: Word;
  type?: RouteType;
  dst: IpNet;
  dstWord: Word;
  via?: string;
  viaWord?: Word;
  dev?: string;
  devWord?: Word;
  src?: string;
  srcWord?: Word;
  metric?: number;
  proto?: string;
  scope?: string;
  table?: string;
  tos?: number;
  onlink: boolean;
  mtu?: number;
  advmss?: number;
}

const OPS: Record<string, RouteOp> = {
  add: 'add', a: 'add', del: 'del', delete: 'del', d: 'del', replace: 'replace', change: 'change', chg: 'change', append: 'append',
};
/** rt_protos names iproute2 prints for the numbers. */
const PROTO_NAMES: Record<string, string> = { '0': 'unspec', '1': 'redirect', '2': 'kernel', '3': 'boot', '4': 'static' };
const SCOPES: Record<string, string> = { '0': 'global', '200': 'site', '253': 'link', '254': 'host', '255': 'nowhere' };

export function parseRouteCommand(opWord: Word, args: Word[], issues: InputIssue[], text: string): RouteCommand | undefined {
  const fail = (w: Word, message: string, hint?: string) => {
    issues.push(issueAt(w, text, message, hint));
    return undefined;
  };
  const op = OPS[opWord.text];
  if (!op) return fail(opWord, unknownVerb('route', opWord.text), 'a change script uses ip route add|del|replace|change|append');
  const c: Partial<RouteCommand> & { onlink: boolean } = { op, opWord, onlink: false };
  let dstSeen = false;
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    const k = w.text;
    const val = (what: string): Word | undefined => {
      const v = args[++i];
      if (!v) fail(w, `Error: argument "${k}" is wrong: ${what} is missing`);
      return v;
    };
    const num = (v: Word, max = 0xffffffff): number | undefined => {
      if (!/^[0-9]+$/.test(v.text) || Number(v.text) > max) {
        fail(v, `Error: argument "${v.text}" is wrong: "${k}" value is invalid`);
        return undefined;
      }
      return Number(v.text);
    };
    if (k === 'via') {
      let v = val('gateway');
      if (!v) return undefined;
      if (v.text === 'inet') v = val('gateway');
      if (!v) return undefined;
      if (parseIpv4(v.text) === undefined) return fail(v, `Error: inet prefix is expected rather than "${v.text}".`);
      c.via = v.text;
      c.viaWord = v;
    } else if (k === 'dev' || k === 'oif') {
      const v = val('device');
      if (!v) return undefined;
      c.dev = v.text;
      c.devWord = v;
    } else if (k === 'src') {
      const v = val('address');
      if (!v) return undefined;
      if (parseIpv4(v.text) === undefined) return fail(v, `Error: inet address is expected rather than "${v.text}".`);
      c.src = v.text;
      c.srcWord = v;
    } else if (k === 'metric' || k === 'priority' || k === 'preference') {
      const v = val('metric');
      if (!v) return undefined;
      const n = num(v);
      if (n === undefined) return undefined;
      c.metric = n;
    } else if (k === 'proto' || k === 'protocol') {
      const v = val('protocol');
      if (!v) return undefined;
      c.proto = PROTO_NAMES[v.text] ?? v.text;
    } else if (k === 'scope') {
      const v = val('scope');
      if (!v) return undefined;
      const s = SCOPES[v.text] ?? v.text;
      if (!['global', 'universe', 'site', 'link', 'host', 'nowhere'].includes(s)) return fail(v, `Error: argument "${v.text}" is wrong: invalid "scope" value`);
      c.scope = s === 'universe' ? 'global' : s;
    } else if (k === 'table') {
      const v = val('table');
      if (!v) return undefined;
      c.table = canonicalTable(v.text);
    } else if (k === 'tos' || k === 'dsfield') {
      const v = val('TOS');
      if (!v) return undefined;
      const t = parseDsfield(v.text);
      if (t === undefined) return fail(v, `Error: argument "${v.text}" is wrong: TOS value is invalid`);
      c.tos = t;
    } else if (k === 'mtu' || k === 'advmss') {
      const v = val(k);
      if (!v) return undefined;
      const n = num(v);
      if (n === undefined) return undefined;
      c[k] = n;
    } else if (k === 'onlink') c.onlink = true;
    else if (k === 'nexthop' || k === 'nhid' || k === 'encap') return fail(w, `ip route: '${k}' is not modelled by nfsim`, 'use single-path routes (via/dev)');
    else if (!dstSeen && (ROUTE_TYPES as readonly string[]).includes(k) && k !== 'unicast' ? !c.type : false) c.type = k as RouteType;
    else if (!dstSeen && k === 'unicast') c.type = 'unicast';
    else if (!dstSeen && (k === 'to' || k === 'default' || /^[0-9]/.test(k))) {
      let d = w;
      if (k === 'to') {
        const v = val('destination');
        if (!v) return undefined;
        d = v;
      }
      dstSeen = true;
      c.dstWord = d;
      if (d.text === 'default' || d.text === 'all' || d.text === 'any') c.dst = { family: 4, addr: '0.0.0.0', len: 0, v4: 0, maskBits: 0 };
      else {
        const n = parseNet(d.text, 4);
        if (typeof n === 'string') return fail(d, `Error: inet prefix is expected rather than "${d.text}".`, n);
        c.dst = n;
      }
    } else return fail(w, `Error: either "to" is duplicate, or "${k}" is a garbage.`);
  }
  if (!c.dst || !c.dstWord) return fail(opWord, `Error: ip route ${op} needs a destination`, 'e.g. ip route add 10.0.0.0/8 via 10.1.0.1');
  return c as RouteCommand;
}

/** What to say about a verb a change script does not take: a real one that reads, one not modelled, or none. */
export function unknownVerb(obj: 'route' | 'address' | 'rule', verb: string): string {
  if (['show', 'list', 'lst', 'get', 'save', 'showdump'].includes(verb)) return `ip ${obj} ${verb} changes nothing`;
  if (['flush', 'prepend', 'restore', 'replace', 'change'].includes(verb)) return `ip ${obj} ${verb} is not modelled by nfsim`;
  return `Command "${verb}" is unknown, try "ip ${obj} help".`;
}

const isUp = (i: Interface) => i.flags.length === 0 || i.flags.includes('UP');
/** RTNH_F_LINKDOWN: the device is up but has no carrier. */
export const linkdown = (i: Interface | undefined) => !!i && i.flags.includes('UP') && !i.flags.includes('LOWER_UP');

export function findIface(host: Host, name: string, w: Word | SourceLoc, text: string): Interface {
  const i = host.interfaces.find((x) => x.name === name);
  if (!i) refuse(w, text, `Cannot find device "${name}"`, `interfaces of ${host.name}: ${host.interfaces.map((x) => x.name).join(', ')}`);
  return i;
}

export function routesKnown(host: Host, at: Word | SourceLoc, text: string): void {
  if (!host.inputs['ip-route'])
    refuse(at, text, `host ${host.name} has no ip-route input: its routes are not known`, `add ${host.name}/ip-route (ip route show table all)`);
}


/** fib_check_nh_v4_gw: the gateway must be reached by a link- or host-scope unicast route. */
function gatewayDev(host: Host, cmd: RouteCommand, table: string, text: string): string {
  const gw = parseIpv4(cmd.via!)!;
  const tables = table !== 'main' ? [table, 'local', 'main', 'default'] : ['local', 'main', 'default'];
  for (const t of tables) {
    let best: Route | undefined;
    for (const r of host.routes) {
      if (r.family !== 4 || r.table !== t || !inNet4(gw, r.dst)) continue;
      if (best && best.dst.len >= r.dst.len) continue;
      best = r;
    }
    if (!best) continue;
    const nh = best.nexthops[0];
    const linkScope = best.scope === 'link' || best.scope === 'host';
    // a local address is a valid gateway too (res.type RTN_LOCAL)
    if ((best.type !== 'unicast' && best.type !== 'local') || !linkScope || nh?.via || !nh?.dev || (cmd.dev && nh.dev !== cmd.dev)) break;
    return nh.dev;
  }
  return refuse(cmd.viaWord!, text, 'Error: Nexthop has invalid gateway.', `no connected route (scope link) of ${host.name} covers ${cmd.via}${cmd.dev ? ` on ${cmd.dev}` : ''}; add the address or the link route first, or say onlink`);
}

/** Build the route as the kernel stores and prints it. */
function buildRoute(host: Host, cmd: RouteCommand, loc: SourceLoc, text: string): Route {
  const type = cmd.type ?? 'unicast';
  const table = cmd.table ?? (type === 'local' || type === 'broadcast' || type === 'nat' || type === 'anycast' ? 'local' : 'main');
  if (cmd.dst.len < 32 && (((cmd.dst.v4! & ~prefixMask(cmd.dst.len)) >>> 0) !== 0))
    refuse(cmd.dstWord, text, 'Error: Invalid prefix for given prefix length.', `the network is ${formatNet4((cmd.dst.v4! & prefixMask(cmd.dst.len)) >>> 0)}/${cmd.dst.len}`);
  const r: Route = { family: 4, table, type, dst: cmd.dst, nexthops: [], flags: [], loc };
  if (cmd.tos !== undefined) r.tos = cmd.tos;
  const dead = type === 'blackhole' || type === 'unreachable' || type === 'prohibit' || type === 'throw';
  if (!dead) {
    let dev = cmd.dev;
    if (dev) {
      const i = findIface(host, dev, cmd.devWord!, text);
      if (!isUp(i)) refuse(cmd.devWord!, text, 'Error: Device for nexthop is not up.', `ip link set ${dev} up`);
    }
    if (cmd.via && !cmd.onlink) dev = gatewayDev(host, cmd, table, text);
    if (!dev) refuse(cmd.dstWord, text, 'RTNETLINK answers: No such device', 'give dev IF or via GATEWAY');
    if (cmd.onlink && !cmd.dev) refuse(cmd.opWord, text, 'Error: Nexthop device required for onlink.');
    // RTNH_F_* flags: iproute2 prints them after the route's attributes, where the dump reader keeps them
    if (cmd.onlink) r.flags.push('onlink');
    if (linkdown(host.interfaces.find((x) => x.name === dev)) && type !== 'local') r.flags.push('linkdown');
    r.nexthops = [{ ...(cmd.via ? { via: cmd.via } : {}), dev, flags: [] }];
  }
  if (cmd.proto && cmd.proto !== 'boot') r.proto = cmd.proto;
  // iproute_modify: local/nat → scope host; broadcast/multicast/anycast → link; unicast without gateway → link
  const scope = cmd.scope ?? (type === 'local' || type === 'nat' ? 'host' : type === 'broadcast' || type === 'multicast' || type === 'anycast' ? 'link' : type === 'unicast' && !cmd.via ? 'link' : 'global');
  if (scope !== 'global') r.scope = scope;
  if (cmd.src) {
    if (!validPrefsrc(host, r, cmd.src)) refuse(cmd.srcWord!, text, 'Error: Invalid prefsrc address.', `${cmd.src} is not a local address of ${host.name} (table ${r.table === 'main' ? 'local' : r.table})`);
    r.prefsrc = cmd.src;
  }
  if (cmd.metric) r.metric = cmd.metric;
  if (cmd.mtu !== undefined) r.mtu = cmd.mtu;
  if (cmd.advmss !== undefined) r.advmss = cmd.advmss;
  return r;
}

function formatNet4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** fib_table_delete: the first route of the table with this destination whose given attributes match. */
function deleteMatch(r: Route, cmd: RouteCommand, table: string): boolean {
  if (r.family !== 4 || r.table !== table || r.dst.addr !== cmd.dst.addr || r.dst.len !== cmd.dst.len) return false;
  if ((r.tos ?? 0) !== (cmd.tos ?? 0)) return false;
  // fib_nh_match: priority 0 means "any"
  if (cmd.metric && (r.metric ?? 0) !== cmd.metric) return false;
  if (cmd.type && r.type !== cmd.type) return false;
  if (cmd.proto && (r.proto ?? 'boot') !== cmd.proto) return false;
  if (cmd.scope && (r.scope ?? 'global') !== cmd.scope) return false;
  if (cmd.src && r.prefsrc !== cmd.src) return false;
  const nh = r.nexthops[0];
  if (cmd.via && nh?.via !== cmd.via) return false;
  if (cmd.dev && nh?.dev !== cmd.dev) return false;
  return true;
}

const sameRoute = (a: Route, b: Route) => formatRoute({ ...a, loc: b.loc }) === formatRoute(b);

/** Routing tables that exist on a host: main and local always (ip_fib_net_init), any table with a route, and
 * any table a route was added to during the script (the kernel keeps a table once created, even empty). */
export function existingTables(host: Host, created: Set<string>): Set<string> {
  return new Set(['main', 'local', ...host.routes.filter((r) => r.family === 4).map((r) => r.table), ...created]);
}

export function applyRoute(cmd: RouteCommand, host: Host, loc: SourceLoc, text: string, created: Set<string> = new Set()): string {
  routesKnown(host, cmd.opWord, text);
  if (cmd.op === 'del') {
    const type = cmd.type;
    const table = cmd.table ?? (type === 'local' || type === 'broadcast' || type === 'nat' || type === 'anycast' ? 'local' : 'main');
    if (!existingTables(host, created).has(table)) refuse(cmd.dstWord, text, 'Error: FIB table does not exist.', `host ${host.name} has no route in table ${table}`);
    const i = host.routes.findIndex((r) => deleteMatch(r, cmd, table));
    if (i < 0) refuse(cmd.dstWord, text, 'RTNETLINK answers: No such process', `no route ${cmd.dstWord.text} in table ${table} matches`);
    const [gone] = host.routes.splice(i, 1);
    return `route deleted: ${formatRoute(gone)}`;
  }
  const r = buildRoute(host, cmd, loc, text);
  created.add(r.table); // fib_new_table: RTM_NEWROUTE creates the table, even when the route is refused
  const same = host.routes.findIndex((x) => sameKey(x, r));
  switch (cmd.op) {
    case 'add':
      if (same >= 0) refuse(cmd.dstWord, text, 'RTNETLINK answers: File exists', `${formatRoute(host.routes[same])} has the same destination and metric: use ip route replace, or another metric`);
      insertRoute(host.routes, r);
      return `route added: ${formatRoute(r)}`;
    case 'append':
      if (host.routes.some((x) => sameKey(x, r) && sameRoute(x, r))) refuse(cmd.dstWord, text, 'RTNETLINK answers: File exists', 'the same route is already there');
      insertRoute(host.routes, r, true);
      return `route appended: ${formatRoute(r)}`;
    case 'replace':
    case 'change':
      if (same < 0) {
        if (cmd.op === 'change') refuse(cmd.dstWord, text, 'RTNETLINK answers: No such file or directory', `no route ${cmd.dstWord.text} in table ${r.table} to change; use ip route add or replace`);
        insertRoute(host.routes, r);
        return `route added: ${formatRoute(r)}`;
      } else {
        const old = host.routes[same];
        host.routes[same] = r;
        return `route replaced: ${formatRoute(old)} → ${formatRoute(r)}`;
      }
  }
  return '';
}
