/**
 * `ip route show [table all]` / `ip -6 route show table all` loader.
 *
 * One route per line; multipath routes continue on following lines that start with `nexthop`; `cache` lines
 * (from `ip route show cache`) continue the route above. Keywords may come in any order (old iproute2
 * versions print two spaces between fields and a different order); unknown words are kept in `flags` and
 * reported as warnings.
 */
import type { Family, IpNet } from '../model/addr.js';
import type { Nexthop, Route, RouteType } from '../model/host.js';
import { anyNet, parseAddr, parseNet } from './inet.js';
import { IssueSink, parseUint, splitLines, tokenize, type LoadOptions, type Tok } from './lineSource.js';

export const ROUTE_TYPES: readonly RouteType[] = [
  'unicast', 'local', 'broadcast', 'multicast', 'anycast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat',
];

/** Route flags ip(8) prints as bare words (print_rt_flags, RTNH_F_*, RTM_F_*). */
export const ROUTE_FLAGS = new Set([
  'dead', 'onlink', 'pervasive', 'offload', 'trap', 'notify', 'linkdown', 'unresolved',
  'rt_offload', 'rt_trap', 'rt_offload_failed', 'cache',
]);

/** Route metrics (RTAX_*) in the order ip(8) prints them. rtt/rttvar/rto_min carry a time unit. */
export const ROUTE_METRICS = [
  'mtu', 'window', 'rtt', 'rttvar', 'ssthresh', 'cwnd', 'advmss', 'reordering', 'hoplimit', 'initcwnd',
  'features', 'rto_min', 'initrwnd', 'quickack', 'congctl', 'fastopen_no_cookie',
] as const;

/** Other `key value` attributes kept in `extra` (in the order they are printed). */
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

/** ip(8) prints the reserved tables by name; hand-written dumps may use the numbers. Same table. */
export function canonicalTable(t: string): string {
  return ({ '253': 'default', '254': 'main', '255': 'local' } as Record<string, string>)[t] ?? t;
}

export function parseDsfield(text: string): number | undefined {
  if (/^0x[0-9a-f]{1,2}$/i.test(text)) return parseInt(text.slice(2), 16);
  if (/^\d{1,3}$/.test(text) && Number(text) < 256) return Number(text);
  return DSFIELD_NAMES[text];
}

export interface RouteLoadOptions extends LoadOptions {
  /** Family of `default` routes that give no address (from the file: ip6-route → 6). */
  family?: Family;
  /** Table of routes that print no `table` (default 'main'; `ip route show table 500` prints none). */
  table?: string;
}

/** Parse `ip route` output. Throws InputError listing every problem. */
export function parseIpRoute(text: string, file: string, opts: RouteLoadOptions = {}): Route[] {
  const sink = new IssueSink(file);
  const routes: Route[] = [];
  const lines = splitLines(text);
  let last: Route | undefined;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const toks = tokenize(lines[i]);
    if (toks.length === 0) continue;
    const first = toks[0].text;
    if (first.startsWith('#')) continue; // a captured command line / comment
    if (first === 'nexthop') {
      if (!last) {
        sink.error(lineNo, toks[0].col, lines[i].trim(), 'nexthop line without a route above it', 'multipath `nexthop` lines continue the route printed on the line before');
        continue;
      }
      const nh = parseNexthop(toks, 1, lineNo, sink, last.family);
      if (nh) {
        // The first nexthop line replaces the empty placeholder of a multipath route head.
        if (last.nexthops.length === 1 && !last.nexthops[0].via && !last.nexthops[0].dev && last.nexthops[0].weight === undefined && (last as RouteDraft).multipathHead) last.nexthops = [];
        (last as RouteDraft).multipathHead = false;
        last.nexthops.push(nh);
      }
      continue;
    }
    if (first === 'cache' && /^\s/.test(lines[i]) && last) {
      if (!last.flags.includes('cache')) last.flags.push('cache');
      parseAttrs(toks, 1, lineNo, sink, last, last.nexthops[0]);
      continue;
    }
    const r = parseRouteToks(toks, lineNo, sink, opts);
    if (r) {
      routes.push(r);
      last = r;
    } else last = undefined;
  }
  for (const r of routes) delete (r as RouteDraft).multipathHead;
  sink.throwIfErrors();
  sink.flushWarnings(opts.warnings);
  return routes;
}

interface RouteDraft extends Route {
  multipathHead?: boolean;
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

function parseRouteToks(toks: Tok[], lineNo: number, sink: IssueSink, opts: RouteLoadOptions): Route | undefined {
  const errorsBefore = sink.issues.length;
  let i = 0;
  let type: RouteType = 'unicast';
  if ((ROUTE_TYPES as readonly string[]).includes(toks[0].text)) {
    type = toks[0].text as RouteType;
    i++;
  }
  const dstTok = toks[i];
  if (!dstTok) {
    sink.error(lineNo, toks[0].col, toks[0].text, `route type '${type}' without a destination`, 'expected a prefix or `default` after the route type');
    return undefined;
  }
  let dst: IpNet | undefined;
  let dstDefault = false;
  if (dstTok.text === 'default') dstDefault = true;
  else {
    const n = parseNet(dstTok.text);
    if (typeof n === 'string') {
      sink.error(lineNo, dstTok.col, dstTok.text, `expected a route destination (prefix or 'default'): ${n}`, hint(dstTok.text));
      return undefined;
    }
    dst = n;
  }
  i++;
  const r: RouteDraft = {
    family: dst?.family ?? opts.family ?? 4,
    table: canonicalTable(opts.table ?? 'main'),
    type,
    dst: dst ?? anyNet(opts.family ?? 4),
    nexthops: [],
    flags: [],
    loc: sink.loc(lineNo, toks[0].col),
  };
  const nh: Nexthop = { flags: [] };
  parseAttrs(toks, i, lineNo, sink, r, nh);
  if (dstDefault && !opts.family) {
    // `default` says nothing about the family: take it from the gateway / source when printed.
    const fam = nh.via ? parseAddr(nh.via)?.family : r.prefsrc ? parseAddr(r.prefsrc)?.family : undefined;
    if (fam && fam !== r.family) {
      r.family = fam;
      r.dst = anyNet(fam);
    }
  }
  // Route-level nexthop: one entry, even for dev-less routes (blackhole, throw...) — multipath heads get
  // their nexthops from the following lines.
  const hasNh = nh.via !== undefined || nh.dev !== undefined || nh.weight !== undefined || nh.flags.length > 0;
  if (hasNh || !['blackhole', 'unreachable', 'prohibit', 'throw'].includes(type)) {
    r.nexthops.push(nh);
    if (!hasNh) r.multipathHead = true;
  }
  return sink.issues.slice(errorsBefore).some((x) => x.severity === 'error') ? undefined : r;
}

function hint(text: string): string | undefined {
  if (/^\[.*\]?$/.test(text) || /X{2,}/i.test(text)) return 'the address looks redacted in the dump; put a real (or documentation) address there';
  if (/^[a-z$#>]/i.test(text)) return 'is this a shell prompt or a message mixed into the `ip route` output? remove the line';
  return undefined;
}

/** Parse `key value` attributes and flags from toks[i..] into route r and nexthop nh. */
function parseAttrs(toks: Tok[], start: number, lineNo: number, sink: IssueSink, r: Route, nh: Nexthop): void {
  const need = (k: number, what: string): Tok | undefined => {
    const t = toks[k + 1];
    if (!t) sink.error(lineNo, toks[k].col, toks[k].text, `'${toks[k].text}' needs a value: ${what}`);
    return t;
  };
  for (let i = start; i < toks.length; i++) {
    const t = toks[i];
    const k = t.text;
    switch (k) {
      case 'via': {
        let v = need(i, 'a gateway address');
        if (!v) return;
        if (v.text === 'inet' || v.text === 'inet6') {
          i++;
          v = need(i, 'a gateway address');
          if (!v) return;
        }
        const a = parseAddr(v.text);
        if (!a) sink.error(lineNo, v.col, v.text, `'via' needs a gateway address, got '${v.text}'`, hint(v.text));
        else nh.via = a.addr;
        i++;
        break;
      }
      case 'dev':
      case 'oif': {
        const v = need(i, 'an interface name');
        if (!v) return;
        nh.dev = v.text;
        i++;
        break;
      }
      case 'weight': {
        const v = need(i, 'a number 1..256');
        if (!v) return;
        const n = parseUint(v.text, 256);
        if (n === undefined || n < 1) sink.error(lineNo, v.col, v.text, `nexthop weight must be 1..256, got '${v.text}'`);
        else nh.weight = n;
        i++;
        break;
      }
      case 'src': {
        const v = need(i, 'a source address');
        if (!v) return;
        const a = parseAddr(v.text);
        if (!a) sink.error(lineNo, v.col, v.text, `'src' needs an address, got '${v.text}'`, hint(v.text));
        else r.prefsrc = a.addr;
        i++;
        break;
      }
      case 'table': {
        const v = need(i, 'a table name or number');
        if (!v) return;
        r.table = canonicalTable(v.text);
        i++;
        break;
      }
      case 'proto':
      case 'protocol': {
        const v = need(i, 'a protocol name or number');
        if (!v) return;
        r.proto = v.text;
        i++;
        break;
      }
      case 'scope': {
        const v = need(i, 'a scope (host, link, global, or a number)');
        if (!v) return;
        r.scope = v.text;
        i++;
        break;
      }
      case 'metric':
      case 'preference':
      case 'priority': {
        const v = need(i, 'a number');
        if (!v) return;
        const n = parseUint(v.text, 0xffffffff);
        if (n === undefined) sink.error(lineNo, v.col, v.text, `'${k}' needs a number, got '${v.text}'`);
        else r.metric = n;
        i++;
        break;
      }
      case 'tos':
      case 'dsfield': {
        const v = need(i, 'a TOS value (0x10, lowdelay, ...)');
        if (!v) return;
        const n = parseDsfield(v.text);
        if (n === undefined) sink.error(lineNo, v.col, v.text, `unknown TOS value '${v.text}'`, 'ip prints TOS as hex (0x10) or an rt_dsfield name');
        else r.tos = n;
        i++;
        break;
      }
      case 'expires': {
        const v = need(i, 'a time like 123sec');
        if (!v) return;
        if (!/^-?\d+(sec)?$/.test(v.text)) sink.error(lineNo, v.col, v.text, `'expires' needs a time like 300sec, got '${v.text}'`);
        else r.expires = v.text;
        i++;
        break;
      }
      case 'pref': {
        const v = need(i, 'low, medium or high');
        if (!v) return;
        if (!['low', 'medium', 'high'].includes(v.text) && !/^\d+$/.test(v.text)) sink.error(lineNo, v.col, v.text, `'pref' must be low, medium or high, got '${v.text}'`);
        else r.pref = v.text;
        i++;
        break;
      }
      case 'nexthop': {
        // inline multipath (everything after belongs to nexthops)
        const sub = parseNexthop(toks, i + 1, lineNo, sink, r.family, true);
        if (sub) r.nexthops.push(sub.nh);
        i = sub ? sub.next - 1 : toks.length;
        break;
      }
      default: {
        if ((ROUTE_METRICS as readonly string[]).includes(k)) {
          let v = need(i, 'a value');
          if (!v) return;
          let locked = false;
          if (v.text === 'lock') {
            locked = true;
            i++;
            v = need(i, 'a value');
            if (!v) return;
          }
          if (locked) (r.locks ??= []).push(k);
          if (k === 'mtu' || k === 'advmss') {
            const n = parseUint(v.text, 0xffffffff);
            if (n === undefined) sink.error(lineNo, v.col, v.text, `'${k}' needs a number, got '${v.text}'`);
            else if (k === 'mtu') r.mtu = n;
            else r.advmss = n;
          } else (r.extra ??= {})[k] = v.text;
          i++;
        } else if ((ROUTE_EXTRA_KEYS as readonly string[]).includes(k)) {
          const v = need(i, 'a value');
          if (!v) return;
          if (k === 'encap') {
            // encap TYPE ...: the rest of the line describes the encapsulation; keep it verbatim.
            (r.extra ??= {})[k] = toks.slice(i + 1).map((x) => x.text).join(' ');
            sink.warn(lineNo, t.col, toks.slice(i).map((x) => x.text).join(' '), 'lightweight-tunnel encapsulation is kept but not simulated');
            return;
          }
          if (k === 'from' && typeof parseNet(v.text) === 'string' && v.text !== 'all') sink.error(lineNo, v.col, v.text, `'from' needs a source prefix, got '${v.text}'`);
          (r.extra ??= {})[k] = v.text;
          i++;
        } else if (ROUTE_FLAGS.has(k)) {
          // Flags printed after a multipath head belong to the route; on nexthop lines to the nexthop.
          if (!r.flags.includes(k)) r.flags.push(k);
        } else {
          r.flags.push(k);
          sink.warn(lineNo, t.col, k, `unknown word '${k}' in a route; kept as a flag, not interpreted`);
        }
      }
    }
  }
}

/** Nexthop attributes from toks[start..]; `inline` stops at the next `nexthop` word. */
function parseNexthop(toks: Tok[], start: number, lineNo: number, sink: IssueSink, family: Family, inline?: false): Nexthop | undefined;
function parseNexthop(toks: Tok[], start: number, lineNo: number, sink: IssueSink, family: Family, inline: true): { nh: Nexthop; next: number } | undefined;
function parseNexthop(toks: Tok[], start: number, lineNo: number, sink: IssueSink, _family: Family, inline = false): Nexthop | { nh: Nexthop; next: number } | undefined {
  let end = toks.length;
  if (inline) {
    for (let k = start; k < toks.length; k++) if (toks[k].text === 'nexthop') { end = k; break; }
  }
  const nh: Nexthop = { flags: [] };
  const errs = sink.issues.length;
  for (let i = start; i < end; i++) {
    const t = toks[i];
    const v = toks[i + 1] && i + 1 < end ? toks[i + 1] : undefined;
    const needV = (what: string) => {
      if (!v) sink.error(lineNo, t.col, t.text, `'${t.text}' needs a value: ${what}`);
      return v;
    };
    switch (t.text) {
      case 'via': {
        let vv = needV('a gateway address');
        if (!vv) break;
        if (vv.text === 'inet' || vv.text === 'inet6') {
          i++;
          vv = toks[i + 1];
          if (!vv) { sink.error(lineNo, t.col, t.text, `'via' needs a gateway address`); break; }
        }
        const a = parseAddr(vv.text);
        if (!a) sink.error(lineNo, vv.col, vv.text, `'via' needs a gateway address, got '${vv.text}'`, hint(vv.text));
        else nh.via = a.addr;
        i++;
        break;
      }
      case 'dev': {
        const vv = needV('an interface name');
        if (vv) nh.dev = vv.text;
        i++;
        break;
      }
      case 'weight': {
        const vv = needV('a number 1..256');
        if (vv) {
          const n = parseUint(vv.text, 256);
          if (n === undefined || n < 1) sink.error(lineNo, vv.col, vv.text, `nexthop weight must be 1..256, got '${vv.text}'`);
          else nh.weight = n;
        }
        i++;
        break;
      }
      case 'realms':
      case 'realm': {
        const vv = needV('a realm');
        if (vv) nh.realms = vv.text;
        i++;
        break;
      }
      default:
        if (ROUTE_FLAGS.has(t.text)) nh.flags.push(t.text);
        else {
          nh.flags.push(t.text);
          sink.warn(lineNo, t.col, t.text, `unknown word '${t.text}' in a nexthop; kept as a flag, not interpreted`);
        }
    }
  }
  if (sink.issues.slice(errs).some((x) => x.severity === 'error')) return undefined;
  return inline ? { nh, next: end } : nh;
}
