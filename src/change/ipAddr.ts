/**
 * `ip addr add|del ADDR[/LEN] [brd +|ADDR] [label L] [scope S] [metric N] [noprefixroute] dev IF`
 * (also `ip address`, `ip a`) and the routes the kernel adds and removes with an address
 * (net/ipv4/fib_frontend.c fib_add_ifaddr / fib_del_ifaddr, checked on Linux 6.18):
 * - always `local ADDR dev IF table local proto kernel scope host src PRIMARY`;
 * - when IF is up: `broadcast BRD ... table local proto kernel scope link src PRIMARY` for an explicit brd;
 *   for a primary address the prefix route `NET/LEN dev IF proto kernel scope link src ADDR [metric N]` in
 *   main (unless noprefixroute or a /32) and, below /31, `broadcast` of the prefix in local.
 * An address in the subnet of an existing primary is a secondary (only its local route). Deleting a
 * primary deletes its secondaries, or promotes the first one when promote_secondaries is set
 * (inet_del_ifa); routes follow.
 */
import type { Host, IfAddress, Interface, Route } from '../model/host.js';
import { formatIpv4, parseIpv4, prefixMask, type IpNet } from '../model/addr.js';
import type { InputIssue, SourceLoc } from '../model/source.js';
import { parseNet } from '../parse/inet.js';
import { confKey } from '../parse/sysctlView.js';
import { issueAt, refuse } from './refuse.js';
import { insertRoute } from './routeOrder.js';
import { validPrefsrc } from './prefsrc.js';
import { findIface, linkdown, routesKnown, unknownVerb } from './ipRoute.js';
import type { Word } from './shellWords.js';

export interface AddrCommand {
  op: 'add' | 'del';
  opWord: Word;
  local: IpNet;
  /** The prefix length was written (del without it deletes by address alone). */
  lenGiven: boolean;
  localWord: Word;
  brd?: string;
  label?: string;
  scope?: string;
  metric?: number;
  noprefixroute: boolean;
  dev: string;
  devWord: Word;
}

export function parseAddrCommand(opWord: Word, args: Word[], issues: InputIssue[], text: string): AddrCommand | undefined {
  const fail = (w: Word, message: string, hint?: string) => {
    issues.push(issueAt(w, text, message, hint));
    return undefined;
  };
  const op = ({ add: 'add', a: 'add', del: 'del', delete: 'del', d: 'del' } as const)[opWord.text as 'add'];
  if (!op) return fail(opWord, unknownVerb('address', opWord.text), 'a change script uses ip addr add|del');
  const c: Partial<AddrCommand> & { noprefixroute: boolean } = { op, opWord, noprefixroute: false };
  let brdPlus = false;
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    const k = w.text;
    const val = (): Word | undefined => args[++i] ?? fail(w, `Command line is not complete. Try option "help"`);
    if (k === 'dev') {
      const v = val();
      if (!v) return undefined;
      c.dev = v.text;
      c.devWord = v;
    } else if (k === 'brd' || k === 'broadcast') {
      const v = val();
      if (!v) return undefined;
      if (v.text === '+') brdPlus = true;
      else if (v.text === '-') c.brd = undefined;
      else if (parseIpv4(v.text) === undefined) return fail(v, `Error: inet address is expected rather than "${v.text}".`);
      else c.brd = v.text;
    } else if (k === 'label') {
      const v = val();
      if (!v) return undefined;
      c.label = v.text;
    } else if (k === 'scope') {
      const v = val();
      if (!v) return undefined;
      if (!/^(global|universe|site|link|host|nowhere|[0-9]{1,3})$/.test(v.text) || Number(v.text) > 255) return fail(v, `Error: argument "${v.text}" is wrong: invalid scope value.`);
      c.scope = v.text === 'universe' ? 'global' : v.text;
    } else if (k === 'metric' || k === 'priority' || k === 'preference') {
      const v = val();
      if (!v) return undefined;
      if (!/^[0-9]+$/.test(v.text)) return fail(v, `Error: argument "${v.text}" is wrong: "metric" value is invalid`);
      c.metric = Number(v.text);
    } else if (k === 'noprefixroute') c.noprefixroute = true;
    else if (k === 'peer' || k === 'remote' || k === 'anycast') return fail(w, `ip address: '${k}' is not modelled by nfsim`);
    else if (['valid_lft', 'preferred_lft'].includes(k)) {
      if (!val()) return undefined;
    } else if (['home', 'nodad', 'mngtmpaddr', 'autojoin'].includes(k)) continue;
    else if (!c.localWord && (k === 'local' || /^[0-9]/.test(k))) {
      const v = k === 'local' ? val() : w;
      if (!v) return undefined;
      const n = parseNet(v.text, 4);
      if (typeof n === 'string') return fail(v, `Error: inet prefix is expected rather than "${v.text}".`, n);
      c.local = n;
      c.lenGiven = v.text.includes('/');
      c.localWord = v;
    } else return fail(w, `Error: either "local" is duplicate, or "${k}" is a garbage.`);
  }
  if (!c.localWord) return fail(opWord, 'Not enough information: address is required.', 'ip addr add 10.0.0.1/24 dev eth0');
  if (!c.devWord) return fail(opWord, 'Not enough information: "dev" argument is required.');
  if (brdPlus && c.local!.len < 31) c.brd = formatIpv4((c.local!.v4! | ~prefixMask(c.local!.len)) >>> 0);
  return c as AddrCommand;
}

/** rt_scope numbers (ip(8) rt_scopes): the kernel orders and compares address scopes by them. */
const SCOPE_NUM: Record<string, number> = { global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };
const scopeNum = (s: string) => SCOPE_NUM[s] ?? Number(s);
const SCOPE_NAME: Record<string, string> = { '0': 'global', '200': 'site', '253': 'link', '254': 'host', '255': 'nowhere' };

const net = (a: IfAddress) => (a.local.v4! & prefixMask(a.local.len)) >>> 0;
const sameSubnet = (a: IfAddress, b: IfAddress) => a.local.len === b.local.len && net(a) === net(b);

function kernelRoute(table: string, type: Route['type'], dst: IpNet, dev: string, src: string, scope: string, loc: SourceLoc, iface: Interface, metric?: number): Route {
  const flags = type !== 'local' && linkdown(iface) ? ['linkdown'] : [];
  return { family: 4, table, type, dst, nexthops: [{ dev, flags: [] }], proto: 'kernel', scope, prefsrc: src, ...(metric ? { metric } : {}), flags, loc };
}

const host32 = (addr: number): IpNet => ({ family: 4, addr: formatIpv4(addr), len: 32, v4: addr, maskBits: 0xffffffff });

/** fib_add_ifaddr */
function addRoutes(host: Host, iface: Interface, a: IfAddress, prim: IfAddress, loc: SourceLoc): void {
  const put = (r: Route) => {
    // fib_magic → fib_table_insert: a route whose source is not (yet) a local address is silently not added
    if (!validPrefsrc(host, r, r.prefsrc!)) return;
    if (!host.routes.some((x) => x.table === r.table && x.type === r.type && x.dst.addr === r.dst.addr && x.dst.len === r.dst.len && x.nexthops[0]?.dev === r.nexthops[0]?.dev && x.prefsrc === r.prefsrc)) insertRoute(host.routes, r);
  };
  const src = prim.local.addr;
  const lo = iface.flags.includes('LOOPBACK');
  put(kernelRoute('local', 'local', host32(a.local.v4!), iface.name, src, 'host', loc, iface));
  if (iface.flags.length && !iface.flags.includes('UP')) return;
  if (a.broadcast && a.broadcast !== '255.255.255.255') put(kernelRoute('local', 'broadcast', host32(parseIpv4(a.broadcast)!), iface.name, src, 'link', loc, iface));
  const prefix = net(a);
  if (prefix !== 0 && !a.secondary && (prefix !== a.local.v4 || a.local.len < 32)) {
    if (!a.flags.includes('noprefixroute'))
      put(kernelRoute(lo ? 'local' : 'main', lo ? 'local' : 'unicast', { family: 4, addr: formatIpv4(prefix), len: a.local.len, v4: prefix, maskBits: prefixMask(a.local.len) }, iface.name, src, lo ? 'host' : 'link', loc, iface, a.metric));
    if (a.local.len < 31) put(kernelRoute('local', 'broadcast', host32((prefix | ~prefixMask(a.local.len)) >>> 0), iface.name, src, 'link', loc, iface));
  }
}

/** The routes fib_add_ifaddr made for `a` (with primary source `src`) on `dev`. */
function dropRoutes(host: Host, dev: string, a: IfAddress, src: string): void {
  const prefix = net(a);
  const brd = [a.broadcast, a.local.len < 31 ? formatIpv4((prefix | ~prefixMask(a.local.len)) >>> 0) : undefined].filter(Boolean);
  // LOCAL_OK: only another address of the same device with the same local address and the same primary
  // (the routes' preferred source) keeps the local route
  const mine = host.interfaces.find((i) => i.name === dev)?.addresses.filter((x) => x.family === 4) ?? [];
  const primLocal = (x: IfAddress) => (x.secondary ? mine.find((p) => !p.secondary && sameSubnet(p, x)) ?? x : x).local.addr;
  const other = mine.some((x) => x !== a && x.local.addr === a.local.addr && primLocal(x) === src);
  host.routes = host.routes.filter((r) => {
    if (r.family !== 4 || r.proto !== 'kernel' || r.nexthops[0]?.dev !== dev || r.prefsrc !== src) return true;
    if (r.type === 'local' && r.dst.len === 32 && r.dst.addr === a.local.addr) return other;
    if (a.secondary) return true;
    if (r.type === 'broadcast' && r.dst.len === 32 && brd.includes(r.dst.addr)) return false;
    if (r.dst.len === a.local.len && r.dst.addr === formatIpv4(prefix)) return false;
    return true;
  });
}

export function applyAddr(cmd: AddrCommand, host: Host, loc: SourceLoc, text: string): string {
  routesKnown(host, cmd.opWord, text);
  const iface = findIface(host, cmd.dev, cmd.devWord, text);
  const v4 = iface.addresses.filter((a) => a.family === 4);
  if (cmd.op === 'add') {
    if (v4.some((a) => a.local.addr === cmd.local.addr && a.local.len === cmd.local.len)) refuse(cmd.localWord, text, 'Error: ipv4: Address already assigned.', `${iface.name} already has ${cmd.local.addr}/${cmd.local.len}`);
    const a: IfAddress = {
      family: 4, local: cmd.local,
      scope: cmd.scope !== undefined ? SCOPE_NAME[cmd.scope] ?? cmd.scope : (cmd.local.v4! >>> 24) === 127 ? 'host' : 'global',
      secondary: false, flags: [], loc,
    };
    if (cmd.brd) a.broadcast = cmd.brd;
    if (cmd.label && cmd.label !== iface.name) a.label = cmd.label;
    if (cmd.metric) a.metric = cmd.metric;
    // __inet_insert_ifa: an address of an existing subnet is a secondary and must have its scope; a primary
    // goes after the last primary whose scope number is not lower, a secondary at the end
    const clash = v4.find((x) => sameSubnet(x, a) && scopeNum(x.scope) !== scopeNum(a.scope));
    if (clash) refuse(cmd.localWord, text, 'Error: ipv4: Invalid scope value.', `${clash.local.addr}/${clash.local.len} on ${iface.name} has scope ${clash.scope}: addresses of one subnet share their scope`);
    const prim = v4.find((x) => !x.secondary && sameSubnet(x, a));
    if (prim) a.secondary = true;
    if (cmd.noprefixroute) a.flags.push('noprefixroute');
    let at = v4.length;
    if (!a.secondary) {
      at = 0;
      v4.forEach((x, k) => {
        if (!x.secondary && scopeNum(a.scope) <= scopeNum(x.scope)) at = k + 1;
      });
    }
    const v6 = iface.addresses.filter((x) => x.family !== 4);
    iface.addresses = [...v4.slice(0, at), a, ...v4.slice(at), ...v6];
    addRoutes(host, iface, a, prim ?? a, loc);
    return `${iface.name}: address ${cmd.local.addr}/${cmd.local.len}${a.secondary ? ' (secondary)' : ''} added, with its kernel routes`;
  }
  const a = v4.find((x) => x.local.addr === cmd.local.addr && (!cmd.lenGiven || x.local.len === cmd.local.len));
  if (!a) refuse(cmd.localWord, text, 'Error: ipv4: Address not found.', `addresses of ${iface.name}: ${v4.map((x) => `${x.local.addr}/${x.local.len}`).join(', ') || 'none'}`);
  const primOf = (x: IfAddress) => v4.find((p) => !p.secondary && sameSubnet(p, x)) ?? x;
  const gone = new Set<IfAddress>([a]);
  dropRoutes(host, iface.name, a, primOf(a).local.addr);
  let what = `${iface.name}: address ${a.local.addr}/${a.local.len} deleted`;
  if (!a.secondary) {
    const secs = v4.filter((x) => x.secondary && sameSubnet(x, a));
    const sc = host.sysctl?.values ?? {};
    const promote = [confKey('all', 'promote_secondaries'), confKey(iface.name, 'promote_secondaries')].some((k) => sc[k] !== undefined && sc[k] !== '0');
    for (const s of secs) dropRoutes(host, iface.name, s, a.local.addr);
    if (secs.length && promote) {
      const [p, ...rest] = secs;
      p.secondary = false;
      addRoutes(host, iface, p, p, loc);
      for (const s of rest) addRoutes(host, iface, s, p, loc);
      what += `; ${p.local.addr} promoted to primary`;
    } else if (secs.length) {
      for (const s of secs) gone.add(s);
      what += `; its secondaries ${secs.map((s) => s.local.addr).join(', ')} deleted with it (promote_secondaries is 0)`;
    }
  }
  iface.addresses = iface.addresses.filter((x) => !gone.has(x));
  // fib_del_ifaddr → fib_sync_down_addr: once an address is gone from the host, every route that uses it
  // as preferred source is flushed
  for (const g of gone) {
    if (host.interfaces.some((i) => i.addresses.some((x) => x.family === 4 && x.local.addr === g.local.addr))) continue;
    host.routes = host.routes.filter((r) => r.family !== 4 || r.prefsrc !== g.local.addr);
  }
  // fib_inetaddr_event NETDEV_DOWN: the last IPv4 address of the device gone, fib_disable_ip kills every
  // route through the device, in every table
  if (!iface.addresses.some((x) => x.family === 4)) {
    const before = host.routes.length;
    host.routes = host.routes.filter((r) => r.family !== 4 || r.nexthops.length === 0 || !r.nexthops.every((nh) => nh.dev === iface.name));
    if (host.routes.length < before) what += `; ${iface.name} has no IPv4 address left: its ${before - host.routes.length} other route(s) removed`;
  }
  return what;
}
