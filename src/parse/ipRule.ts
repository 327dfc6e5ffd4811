/** `ip rule show` / `ip -6 rule show` loader (iproute2 print_rule). */
import type { Family, IpNet } from '../model/addr.js';
import type { IpRule } from '../model/host.js';
import { parseNet } from './inet.js';
import { canonicalTable, parseDsfield } from './ipRoute.js';
import { IssueSink, parseUint, parseUintAny, splitLines, tokenize, type LoadOptions, type Tok } from './lineSource.js';

/** IP protocol names as getprotobynumber / ip(8) print them. */
export const IP_PROTOCOLS: Record<string, number> = {
  ip: 0, icmp: 1, igmp: 2, ipip: 4, tcp: 6, egp: 8, pup: 12, udp: 17, idp: 22, tp: 29, dccp: 33, ipv6: 41,
  'ipv6-route': 43, 'ipv6-frag': 44, rsvp: 46, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, icmpv6: 58,
  'ipv6-nonxt': 59, 'ipv6-opts': 60, mtp: 92, beetph: 94, encap: 98, pim: 103, comp: 108, vrrp: 112, l2tp: 115,
  sctp: 132, mobility: 135, udplite: 136, mpls: 137, ethernet: 143, raw: 255, mptcp: 262,
};
export const IP_PROTOCOL_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(IP_PROTOCOLS).filter(([k]) => k !== 'icmpv6').map(([k, v]) => [v, k]),
);

export interface RuleLoadOptions extends LoadOptions {
  family?: Family;
}

export function parseIpRule(text: string, file: string, opts: RuleLoadOptions = {}): IpRule[] {
  const sink = new IssueSink(file);
  const out: IpRule[] = [];
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const toks = tokenize(lines[i]);
    if (toks.length === 0 || toks[0].text.startsWith('#')) continue;
    const r = parseRuleToks(toks, i + 1, sink, opts.family);
    if (r) out.push(r);
  }
  sink.throwIfErrors();
  sink.flushWarnings(opts.warnings);
  return out;
}

function parsePortRange(text: string): [number, number] | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) return undefined;
  const a = Number(m[1]);
  const b = m[2] !== undefined ? Number(m[2]) : a;
  return a <= 65535 && b <= 65535 && a <= b ? [a, b] : undefined;
}

function parseRuleToks(toks: Tok[], lineNo: number, sink: IssueSink, family?: Family): IpRule | undefined {
  const errs = sink.issues.length;
  const head = /^(\d+):$/.exec(toks[0].text);
  if (!head) {
    sink.error(lineNo, toks[0].col, toks[0].text, `expected a rule priority 'N:' at the start of the line`, /^[a-z]/i.test(toks[0].text) ? 'is this a shell prompt or message mixed into `ip rule` output? remove the line' : undefined);
    return undefined;
  }
  const priority = Number(head[1]);
  if (priority > 0xffffffff) sink.error(lineNo, toks[0].col, toks[0].text, 'rule priority must be 0..4294967295');
  const r: IpRule = { family: family ?? 4, priority, not: false, action: 'lookup', loc: sink.loc(lineNo, toks[0].col) };
  let familySeen: Family | undefined;
  let actionSeen = false;
  const net = (t: Tok): IpNet | undefined => {
    if (t.text === 'all') return undefined;
    const n = parseNet(t.text, familySeen);
    if (typeof n === 'string') {
      sink.error(lineNo, t.col, t.text, `expected a prefix or 'all': ${n}`);
      return undefined;
    }
    familySeen = n.family;
    return n.len === 0 ? undefined : n;
  };
  for (let i = 1; i < toks.length; i++) {
    const t = toks[i];
    const k = t.text;
    const val = (what: string): Tok | undefined => {
      const v = toks[i + 1];
      if (!v) sink.error(lineNo, t.col, k, `'${k}' needs a value: ${what}`);
      i++;
      return v;
    };
    switch (k) {
      case 'not':
        r.not = true;
        break;
      case 'from': {
        const v = val('a prefix or all');
        if (v) r.from = net(v);
        break;
      }
      case 'to': {
        const v = val('a prefix or all');
        if (v) r.to = net(v);
        break;
      }
      case 'tos':
      case 'dsfield': {
        const v = val('a TOS value');
        if (!v) break;
        const n = parseDsfield(v.text);
        if (n === undefined) sink.error(lineNo, v.col, v.text, `unknown TOS value '${v.text}'`);
        else r.tos = n;
        break;
      }
      case 'fwmark': {
        const v = val('VALUE[/MASK]');
        if (!v) break;
        const [a, b] = v.text.split('/', 2);
        const value = parseUintAny(a);
        const mask = b === undefined ? 0xffffffff : parseUintAny(b);
        if (value === undefined || mask === undefined || v.text.split('/').length > 2) sink.error(lineNo, v.col, v.text, `fwmark must be VALUE[/MASK] (0x1/0xff), got '${v.text}'`);
        else r.fwmark = { value, mask };
        break;
      }
      case 'iif':
      case 'oif': {
        const v = val('an interface name');
        if (!v) break;
        if (k === 'iif') r.iif = v.text;
        else r.oif = v.text;
        if (toks[i + 1]?.text === '[detached]') {
          if (k === 'iif') r.iifDetached = true;
          else r.oifDetached = true;
          i++;
        }
        break;
      }
      case 'l3mdev':
        r.l3mdev = true;
        break;
      case 'uidrange': {
        const v = val('START-END');
        if (!v) break;
        const m = /^(\d+)-(\d+)$/.exec(v.text);
        if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) > 0xffffffff) sink.error(lineNo, v.col, v.text, `uidrange must be START-END, got '${v.text}'`);
        else r.uidrange = [Number(m[1]), Number(m[2])];
        break;
      }
      case 'ipproto': {
        const v = val('a protocol name or number');
        if (!v) break;
        const n = IP_PROTOCOLS[v.text] ?? parseUint(v.text, 255);
        if (n === undefined) sink.error(lineNo, v.col, v.text, `unknown IP protocol '${v.text}'`);
        else r.ipproto = n;
        break;
      }
      case 'sport':
      case 'dport': {
        const v = val('PORT or START-END');
        if (!v) break;
        const p = parsePortRange(v.text);
        if (!p) sink.error(lineNo, v.col, v.text, `${k} must be PORT or START-END (0..65535), got '${v.text}'`);
        else if (k === 'sport') r.sport = p;
        else r.dport = p;
        break;
      }
      case 'lookup':
      case 'table': {
        const v = val('a table name or number');
        if (!v) break;
        actionSeen = true;
        r.action = 'lookup';
        if (v.text === '[l3mdev-table]') r.l3mdev = true;
        else r.table = canonicalTable(v.text);
        break;
      }
      case 'goto': {
        const v = val('a rule priority');
        if (!v) break;
        actionSeen = true;
        r.action = 'goto';
        const n = parseUint(v.text, 0xffffffff);
        if (n === undefined) sink.error(lineNo, v.col, v.text, `goto needs a rule priority, got '${v.text}'`);
        else {
          r.gotoPriority = n;
          r.table = v.text;
        }
        if (toks[i + 1]?.text === '[unresolved]') {
          r.unresolved = true;
          i++;
        }
        break;
      }
      case 'blackhole':
      case 'unreachable':
      case 'prohibit':
      case 'nop':
        actionSeen = true;
        r.action = k;
        break;
      case 'suppress_prefixlength': {
        const v = val('a prefix length');
        if (!v) break;
        const n = parseUint(v.text, 128);
        if (n === undefined) sink.error(lineNo, v.col, v.text, `suppress_prefixlength needs a number, got '${v.text}'`);
        else r.suppressPrefixLength = n;
        break;
      }
      case 'suppress_ifgroup': {
        const v = val('an interface group');
        if (v) r.suppressIfgroup = v.text;
        break;
      }
      case 'proto':
      case 'protocol':
      case 'realms':
      case 'tun_id':
      case 'map-to':
      case 'nat':
      case 'flowlabel':
      case 'dscp': {
        const v = val('a value');
        if (!v) break;
        (r.extra ??= {})[k] = v.text;
        if (k === 'map-to' || k === 'nat') sink.warn(lineNo, t.col, `${k} ${v.text}`, 'rule NAT (map-to) was removed from Linux 2.6.x; kept but not simulated');
        break;
      }
      default:
        (r.extra ??= {})[k] = '';
        sink.warn(lineNo, t.col, k, `unknown word '${k}' in an ip rule; kept, not interpreted`);
    }
  }
  if (!actionSeen) sink.error(lineNo, toks[toks.length - 1].col + toks[toks.length - 1].text.length, toks.map((t) => t.text).join(' '), 'rule without an action', "expected 'lookup TABLE', 'goto N', 'blackhole', 'unreachable', 'prohibit' or 'nop'");
  if (familySeen) r.family = familySeen;
  return sink.issues.slice(errs).some((x) => x.severity === 'error') ? undefined : r;
}

function netText(n: IpNet | undefined): string {
  if (!n) return 'all';
  return n.len === (n.family === 4 ? 32 : 128) ? n.addr : `${n.addr}/${n.len}`;
}

/** Print a rule as `ip rule show` does (without the trailing space old versions print). */
export function formatRule(r: IpRule): string {
  const p: string[] = [];
  if (r.not) p.push('not');
  p.push(`from ${netText(r.from)}`);
  if (r.to) p.push(`to ${netText(r.to)}`);
  if (r.tos !== undefined) p.push(`tos 0x${r.tos.toString(16).padStart(2, '0')}`);
  if (r.fwmark) p.push(r.fwmark.mask === 0xffffffff ? `fwmark 0x${r.fwmark.value.toString(16)}` : `fwmark 0x${r.fwmark.value.toString(16)}/0x${r.fwmark.mask.toString(16)}`);
  if (r.iif !== undefined) p.push(`iif ${r.iif}${r.iifDetached ? ' [detached]' : ''}`);
  if (r.oif !== undefined) p.push(`oif ${r.oif}${r.oifDetached ? ' [detached]' : ''}`);
  if (r.l3mdev && r.action !== 'lookup') p.push('l3mdev');
  if (r.uidrange) p.push(`uidrange ${r.uidrange[0]}-${r.uidrange[1]}`);
  if (r.ipproto !== undefined) p.push(`ipproto ${IP_PROTOCOL_NAMES[r.ipproto] ?? r.ipproto}`);
  const range = (x: [number, number]) => (x[0] === x[1] ? `${x[0]}` : `${x[0]}-${x[1]}`);
  if (r.sport) p.push(`sport ${range(r.sport)}`);
  if (r.dport) p.push(`dport ${range(r.dport)}`);
  const ex = r.extra ?? {};
  for (const k of ['tun_id', 'proto', 'protocol', 'flowlabel', 'dscp']) if (ex[k] !== undefined) p.push(`${k} ${ex[k]}`);
  if (r.action === 'lookup') {
    p.push(r.l3mdev && r.table === undefined ? 'lookup [l3mdev-table]' : `lookup ${r.table}`);
    if (r.suppressPrefixLength !== undefined) p.push(`suppress_prefixlength ${r.suppressPrefixLength}`);
    if (r.suppressIfgroup !== undefined) p.push(`suppress_ifgroup ${r.suppressIfgroup}`);
  }
  for (const k of ['realms', 'map-to', 'nat']) if (ex[k] !== undefined) p.push(`${k} ${ex[k]}`);
  if (r.action === 'goto') p.push(`goto ${r.gotoPriority}${r.unresolved ? ' [unresolved]' : ''}`);
  else if (r.action !== 'lookup') p.push(r.action);
  for (const [k, v] of Object.entries(ex)) if (v === '') p.push(k);
  return `${r.priority}:\t${p.join(' ')}`;
}
