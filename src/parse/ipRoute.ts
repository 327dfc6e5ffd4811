/**
 * `ip route show [table all]` / `ip -6 route show table all` loader.
 *
 * The syntax of a line is grammar/ip-route.peggy: a route, a `nexthop` line continuing a multipath route,
 * an indented `cache` line continuing the route above (`ip route show cache`), a comment. This file turns
 * the parsed lines into routes: it attaches continuation lines, checks addresses, prefixes and numbers,
 * infers the family of `default`, names the reserved tables, and reports unknown words as warnings (they are
 * kept in `flags`).
 */
import type { Family, IpNet } from '../model/addr.js';
import type { Nexthop, Route, RouteType } from '../model/host.js';
import { anyNet, parseAddr, parseNet } from './inet.js';
import { IssueSink, type LoadOptions, type Tok } from './lineSource.js';
import { parse as parseRouteSyntax } from './generated/ip-route.js';

export const ROUTE_TYPES: readonly RouteType[] = [
  'unicast', 'local', 'broadcast', 'multicast', 'anycast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat',
];

/** Route flags ip(8) prints as bare words (print_rt_flags, RTNH_F_*, RTM_F_*); the grammar's RouteFlag. */
export const ROUTE_FLAGS = new Set([
  'dead', 'onlink', 'pervasive', 'offload', 'trap', 'notify', 'linkdown', 'unresolved',
  'rt_offload', 'rt_trap', 'rt_offload_failed', 'cache',
]);

/** Route metrics (RTAX_*) in the order ip(8) prints them (the grammar's RouteMetricKw). rtt/rttvar/rto_min
 * carry a time unit. */
export const ROUTE_METRICS = [
  'mtu', 'window', 'rtt', 'rttvar', 'ssthresh', 'cwnd', 'advmss', 'reordering', 'hoplimit', 'initcwnd',
  'features', 'rto_min', 'initrwnd', 'quickack', 'congctl', 'fastopen_no_cookie',
] as const;

/** Other `key value` attributes kept in `extra` (in the order they are printed; the grammar's ExtraKw and
 * `encap`). */
export const ROUTE_EXTRA_KEYS = [
  'from', 'nhid', 'mark', 'realms', 'realm', 'iif', 'error', 'ipid', 'used', 'age', 'users', 'ttl-propagate', 'as',
  'encap',
] as const;

/** DiffServ / TOS names from iproute2's rt_dsfield (and the old TOS names). */
export const DSFIELD_NAMES: Record<string, number> = {
  lowdelay: 0x10, throughput: 0x08, reliability: 0x04, mincost: 0x02,
  CS0: 0x00, CS1: 0x20, CS2: 0x40, CS3: 0x60, CS4: 0x80, CS5: 0xa0, CS6: 0xc0, CS7: 0xe0,
  AF11: 0x28, AF12: 0x30, AF13: 0x38, AF21: 0x48, AF22: 0x50, AF23: 0x58,
  AF31: 0x68, AF32: 0x70, AF33: 0x78, AF41: 0x88, AF42: 0x90, AF43: 0x98, EF: 0xb8,
};

const RESERVED_TABLES = new Map([['253', 'default'], ['254', 'main'], ['255', 'local']]);

/** ip(8) prints the reserved tables by name; hand-written dumps may use the numbers. Same table. */
export function canonicalTable(t: string): string {
  return RESERVED_TABLES.get(t) ?? t;
}

export function parseDsfield(text: string): number | undefined {
  if (/^0x[0-9a-f]{1,2}$/i.test(text)) return parseInt(text.slice(2), 16);
  if (/^\d{1,3}$/.test(text) && Number(text) < 256) return Number(text);
  return Object.hasOwn(DSFIELD_NAMES, text) ? DSFIELD_NAMES[text] : undefined;
}

export interface RouteLoadOptions extends LoadOptions {
  /** Family of `default` routes that give no address (from the file: ip6-route → 6). */
  family?: Family;
  /** Table of routes that print no `table` (default 'main'; `ip route show table 500` prints none). */
  table?: string;
}

// ---- the syntax objects grammar/ip-route.peggy returns ----

/** A value word; `n` when it is a decimal number, `bad` when it lacks the fixed form of its keyword. */
interface ValueTok extends Tok {
  n?: number;
  bad?: true;
}

type RouteAttr =
  | { k: 'via'; key: Tok; fam: Tok | null; v: Tok | null }
  | { k: 'dev' | 'src' | 'table' | 'proto' | 'scope' | 'tos' | 'extra'; key: Tok; v: Tok | null }
  | { k: 'weight' | 'metric' | 'expires' | 'pref'; key: Tok; v: ValueTok | null }
  | { k: 'metric-rtax'; key: Tok; lock: Tok | null; v: ValueTok | null }
  | { k: 'encap'; key: Tok; v: Tok[] | null }
  | { k: 'flag'; w: Tok }
  | { k: 'word'; w: Tok };

type NexthopAttr =
  | { k: 'via'; key: Tok; fam: Tok | null; v: Tok | null }
  | { k: 'dev' | 'realms'; key: Tok; v: Tok | null }
  | { k: 'weight'; key: Tok; v: ValueTok | null }
  | { k: 'flag'; w: Tok }
  | { k: 'word'; w: Tok };

interface InlineNexthop {
  key: Tok;
  attrs: NexthopAttr[];
}

type RouteLineSyntax =
  /** dst null: a route type alone on its line */
  | { kind: 'route'; type: Tok | null; dst: Tok | null; attrs: RouteAttr[]; nexthops: InlineNexthop[] }
  | { kind: 'cache'; key: Tok; attrs: RouteAttr[]; nexthops: InlineNexthop[] }
  | { kind: 'nexthop'; key: Tok; attrs: NexthopAttr[]; text: string };

/** What each keyword's value is, for the message when the line ends before it. */
const ROUTE_VALUE: Record<string, string> = {
  via: 'a gateway address', dev: 'an interface name', oif: 'an interface name', weight: 'a number 1..256',
  src: 'a source address', table: 'a table name or number', proto: 'a protocol name or number',
  protocol: 'a protocol name or number', scope: 'a scope (host, link, global, or a number)', metric: 'a number',
  preference: 'a number', priority: 'a number', tos: 'a TOS value (0x10, lowdelay, ...)',
  dsfield: 'a TOS value (0x10, lowdelay, ...)', expires: 'a time like 123sec', pref: 'low, medium or high',
};
const NEXTHOP_VALUE: Record<string, string> = {
  via: 'a gateway address', dev: 'an interface name', weight: 'a number 1..256', realms: 'a realm', realm: 'a realm',
};

const MAX_U32 = 0xffffffff;

interface RouteDraft extends Route {
  multipathHead?: boolean;
}

/** Parse `ip route` output. Throws InputError listing every problem. */
export function parseIpRoute(text: string, file: string, opts: RouteLoadOptions = {}): Route[] {
  const sink = new IssueSink(file);
  const routes: Route[] = [];
  let lineNo = 0;
  let last: RouteDraft | undefined;
  const onLine = (line: RouteLineSyntax | null): void => {
    lineNo++;
    if (line === null) return; // blank, comment
    if (line.kind === 'route') {
      last = decodeRoute(line, lineNo, sink, opts);
      if (last) routes.push(last);
    } else if (line.kind === 'nexthop') {
      if (!last) sink.error(lineNo, line.key.col, line.text.trim(), 'nexthop line without a route above it', 'multipath `nexthop` lines continue the route printed on the line before');
      else addNexthopLine(last, line, lineNo, sink);
    } else if (!last) {
      // a cache line with nothing to continue: read as a route line, whose destination `cache` is not one
      parseDestination(line.key, lineNo, sink);
    } else addCacheLine(last, line, lineNo, sink);
  };
  // Lines end at LF, CRLF or CR (as splitLines has them).
  parseRouteSyntax(text.replace(/\r\n?/g, '\n'), { grammarSource: file, onLine });
  for (const r of routes) delete (r as RouteDraft).multipathHead;
  sink.throwIfErrors();
  sink.flushWarnings(opts.warnings);
  return routes;
}

function addNexthopLine(last: RouteDraft, line: Extract<RouteLineSyntax, { kind: 'nexthop' }>, lineNo: number, sink: IssueSink): void {
  const nh = decodeNexthop(line.attrs, lineNo, sink);
  if (!nh) return;
  // The first nexthop line replaces the empty placeholder of a multipath route head.
  if (last.nexthops.length === 1 && !last.nexthops[0].via && !last.nexthops[0].dev && last.nexthops[0].weight === undefined && last.multipathHead) last.nexthops = [];
  last.multipathHead = false;
  last.nexthops.push(nh);
}

function addCacheLine(last: RouteDraft, line: Extract<RouteLineSyntax, { kind: 'cache' }>, lineNo: number, sink: IssueSink): void {
  if (!last.flags.includes('cache')) last.flags.push('cache');
  // A route without a nexthop (blackhole, throw...) gets one when its cache line names a device or gateway.
  const nh = last.nexthops[0] ?? { flags: [] };
  applyRouteAttrs(line.attrs, line.nexthops, lineNo, sink, last, nh);
  if (!last.nexthops.includes(nh) && hasNexthop(nh)) last.nexthops.push(nh);
}

/** Parse a single route line (no continuation lines). */
export function parseRouteLine(line: string, file = '<route>', opts: RouteLoadOptions = {}): Route {
  const rs = parseIpRoute(line, file, opts);
  if (rs.length !== 1) {
    const sink = new IssueSink(file);
    sink.error(1, 1, line, 'expected exactly one route');
    sink.throwIfErrors();
  }
  return rs[0];
}

/** A route's destination: a prefix, 'default', or undefined (reported). */
function parseDestination(dst: Tok, lineNo: number, sink: IssueSink): IpNet | 'default' | undefined {
  if (dst.text === 'default') return 'default';
  const n = parseNet(dst.text);
  if (typeof n !== 'string') return n;
  sink.error(lineNo, dst.col, dst.text, `expected a route destination (prefix or 'default'): ${n}`, hint(dst.text));
  return undefined;
}

function decodeRoute(line: Extract<RouteLineSyntax, { kind: 'route' }>, lineNo: number, sink: IssueSink, opts: RouteLoadOptions): RouteDraft | undefined {
  const errorsBefore = sink.issues.length;
  if (!line.dst) {
    const t = line.type as Tok;
    sink.error(lineNo, t.col, t.text, `route type '${t.text}' without a destination`, 'expected a prefix or `default` after the route type');
    return undefined;
  }
  const parsed = parseDestination(line.dst, lineNo, sink);
  if (!parsed) return undefined;
  const type = (line.type?.text ?? 'unicast') as RouteType;
  const dstDefault = parsed === 'default';
  const dst = dstDefault ? undefined : parsed;
  const r: RouteDraft = {
    family: dst?.family ?? opts.family ?? 4,
    table: canonicalTable(opts.table ?? 'main'),
    type,
    dst: dst ?? anyNet(opts.family ?? 4),
    nexthops: [],
    flags: [],
    loc: sink.loc(lineNo, (line.type ?? line.dst).col),
  };
  const nh: Nexthop = { flags: [] };
  applyRouteAttrs(line.attrs, line.nexthops, lineNo, sink, r, nh);
  if (dstDefault && !opts.family) {
    // `default` says nothing about the family: take it from the gateway / source when printed.
    const fam = nh.via ? parseAddr(nh.via)?.family : r.prefsrc ? parseAddr(r.prefsrc)?.family : undefined;
    if (fam && fam !== r.family) {
      r.family = fam;
      r.dst = anyNet(fam);
    }
  }
  // Route-level nexthop: one entry, even for dev-less routes (blackhole, throw...) — multipath heads get
  // their nexthops from the following lines (or from inline `nexthop` groups, already in r.nexthops).
  const hasNh = hasNexthop(nh);
  if (hasNh || (r.nexthops.length === 0 && !['blackhole', 'unreachable', 'prohibit', 'throw'].includes(type))) {
    r.nexthops.push(nh);
    if (!hasNh) r.multipathHead = true;
  }
  return errorSince(sink, errorsBefore) ? undefined : r;
}

/** Whether an error was reported after the first `from` issues. */
function errorSince(sink: IssueSink, from: number): boolean {
  for (let i = from; i < sink.issues.length; i++) if (sink.issues[i].severity === 'error') return true;
  return false;
}

function hasNexthop(nh: Nexthop): boolean {
  return nh.via !== undefined || nh.dev !== undefined || nh.weight !== undefined || nh.flags.length > 0;
}

function hint(text: string): string | undefined {
  if (/^\[.*\]?$/.test(text) || /X{2,}/i.test(text)) return 'the address looks redacted in the dump; put a real (or documentation) address there';
  if (/^[a-z$#>]/i.test(text)) return 'is this a shell prompt or a message mixed into the `ip route` output? remove the line';
  return undefined;
}

function uintOf(v: ValueTok, max: number): number | undefined {
  return v.n !== undefined && v.n <= max ? v.n : undefined;
}

/** Apply a route line's (or cache line's) attributes to route r and its route-level nexthop nh; inline
 * `nexthop` groups are appended to r.nexthops. */
function applyRouteAttrs(attrs: RouteAttr[], inline: InlineNexthop[], lineNo: number, sink: IssueSink, r: Route, nh: Nexthop): void {
  for (const a of attrs) {
    if (a.k === 'flag') {
      // Flags printed after a multipath head belong to the route; on nexthop lines to the nexthop.
      if (!r.flags.includes(a.w.text)) r.flags.push(a.w.text);
      continue;
    }
    if (a.k === 'word') {
      r.flags.push(a.w.text);
      sink.warn(lineNo, a.w.col, a.w.text, `unknown word '${a.w.text}' in a route; kept as a flag, not interpreted`);
      continue;
    }
    const key = a.k === 'via' && a.fam ? a.fam : a.k === 'metric-rtax' && a.lock ? a.lock : a.key;
    if (a.v === null) {
      // the line ends before the value
      sink.error(lineNo, key.col, key.text, `'${key.text}' needs a value: ${ROUTE_VALUE[a.key.text] ?? 'a value'}`);
      return;
    }
    const k = a.key.text;
    switch (a.k) {
      case 'via': {
        const g = parseAddr(a.v.text);
        if (!g) sink.error(lineNo, a.v.col, a.v.text, `'via' needs a gateway address, got '${a.v.text}'`, hint(a.v.text));
        else nh.via = g.addr;
        break;
      }
      case 'dev':
        nh.dev = a.v.text;
        break;
      case 'weight': {
        const n = uintOf(a.v, 256);
        if (n === undefined || n < 1) sink.error(lineNo, a.v.col, a.v.text, `nexthop weight must be 1..256, got '${a.v.text}'`);
        else nh.weight = n;
        break;
      }
      case 'src': {
        const s = parseAddr(a.v.text);
        if (!s) sink.error(lineNo, a.v.col, a.v.text, `'src' needs an address, got '${a.v.text}'`, hint(a.v.text));
        else r.prefsrc = s.addr;
        break;
      }
      case 'table':
        r.table = canonicalTable(a.v.text);
        break;
      case 'proto':
        r.proto = a.v.text;
        break;
      case 'scope':
        r.scope = a.v.text;
        break;
      case 'metric': {
        const n = uintOf(a.v, MAX_U32);
        if (n === undefined) sink.error(lineNo, a.v.col, a.v.text, `'${k}' needs a number, got '${a.v.text}'`);
        else r.metric = n;
        break;
      }
      case 'tos': {
        const n = parseDsfield(a.v.text);
        if (n === undefined) sink.error(lineNo, a.v.col, a.v.text, `unknown TOS value '${a.v.text}'`, 'ip prints TOS as hex (0x10) or an rt_dsfield name');
        else r.tos = n;
        break;
      }
      case 'expires':
        if (a.v.bad) sink.error(lineNo, a.v.col, a.v.text, `'expires' needs a time like 300sec, got '${a.v.text}'`);
        else r.expires = a.v.text;
        break;
      case 'pref':
        if (a.v.bad) sink.error(lineNo, a.v.col, a.v.text, `'pref' must be low, medium or high, got '${a.v.text}'`);
        else r.pref = a.v.text;
        break;
      case 'metric-rtax':
        if (a.lock) (r.locks ??= []).push(k);
        if (k === 'mtu' || k === 'advmss') {
          const n = uintOf(a.v, MAX_U32);
          if (n === undefined) sink.error(lineNo, a.v.col, a.v.text, `'${k}' needs a number, got '${a.v.text}'`);
          else if (k === 'mtu') r.mtu = n;
          else r.advmss = n;
        } else (r.extra ??= {})[k] = a.v.text;
        break;
      case 'encap': {
        // encap TYPE ...: the rest of the line describes the encapsulation; keep it verbatim.
        const words = a.v.map((w) => w.text);
        (r.extra ??= {}).encap = words.join(' ');
        sink.warn(lineNo, a.key.col, [k, ...words].join(' '), 'lightweight-tunnel encapsulation is kept but not simulated');
        return;
      }
      case 'extra':
        if (k === 'from' && typeof parseNet(a.v.text) === 'string' && a.v.text !== 'all') sink.error(lineNo, a.v.col, a.v.text, `'from' needs a source prefix, got '${a.v.text}'`);
        (r.extra ??= {})[k] = a.v.text;
        break;
    }
  }
  for (let g = 0; g < inline.length; g++) {
    const hop = decodeNexthop(inline[g].attrs, lineNo, sink, inline[g + 1]?.key ?? null);
    if (!hop) return; // the rest of the line is not read
    r.nexthops.push(hop);
  }
}

/** A hop's attributes (a `nexthop` line, or an inline group: then `next` is the `nexthop` word that ends it,
 * null for the last group). Undefined when an error was reported. */
function decodeNexthop(attrs: NexthopAttr[], lineNo: number, sink: IssueSink, next?: Tok | null): Nexthop | undefined {
  const nh: Nexthop = { flags: [] };
  const errs = sink.issues.length;
  for (const a of attrs) {
    if (a.k === 'flag') {
      nh.flags.push(a.w.text);
      continue;
    }
    if (a.k === 'word') {
      nh.flags.push(a.w.text);
      sink.warn(lineNo, a.w.col, a.w.text, `unknown word '${a.w.text}' in a nexthop; kept as a flag, not interpreted`);
      continue;
    }
    if (a.v === null) {
      if (a.k !== 'via' || !a.fam) sink.error(lineNo, a.key.col, a.key.text, `'${a.key.text}' needs a value: ${NEXTHOP_VALUE[a.key.text]}`);
      // `via inet` is followed by the gateway as written, even when that is the next hop's `nexthop` word
      else if (next) sink.error(lineNo, next.col, next.text, `'via' needs a gateway address, got '${next.text}'`, hint(next.text));
      else sink.error(lineNo, a.key.col, a.key.text, `'via' needs a gateway address`);
      continue;
    }
    switch (a.k) {
      case 'via': {
        const g = parseAddr(a.v.text);
        if (!g) sink.error(lineNo, a.v.col, a.v.text, `'via' needs a gateway address, got '${a.v.text}'`, hint(a.v.text));
        else nh.via = g.addr;
        break;
      }
      case 'dev':
        nh.dev = a.v.text;
        break;
      case 'weight': {
        const n = uintOf(a.v, 256);
        if (n === undefined || n < 1) sink.error(lineNo, a.v.col, a.v.text, `nexthop weight must be 1..256, got '${a.v.text}'`);
        else nh.weight = n;
        break;
      }
      case 'realms':
        nh.realms = a.v.text;
        break;
    }
  }
  return errorSince(sink, errs) ? undefined : nh;
}
