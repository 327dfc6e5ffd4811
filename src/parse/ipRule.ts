/** `ip rule show` / `ip -6 rule show` loader (iproute2 print_rule). The line syntax is grammar/ip-rule.peggy;
 * this file gives the words their meaning (prefixes, ranges, tables) and reports what is wrong. */
import type { Family, IpNet } from '../model/addr.js';
import type { IpRule } from '../model/host.js';
import { parseNet } from './inet.js';
import { canonicalTable, parseDsfield } from './ipRoute.js';
import { IssueSink, parseAcceptingGrammar, parseUint, parseUintAny, type LoadOptions } from './lineSource.js';
import { parse as parseRuleLines, SyntaxError as RuleSyntaxError } from './generated/ip-rule.js';

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

/** A word of the line and its 1-based column, as grammar/ip-rule.peggy returns it. */
interface Word {
  text: string;
  col: number;
}
/** What grammar/ip-rule.peggy returns for one line: null for a blank or comment line. */
type RuleLine = null | RuleSyntax | { kind: 'notRule'; word: Word };
interface RuleSyntax {
  kind: 'rule';
  head: Word & { digits: string };
  items: RuleItem[];
  /** Column just after the last word. */
  end: number;
  /** The rule from its priority to its last word. */
  text: string;
}
type RuleItem =
  | { kind: 'not'; col: number }
  | { kind: 'l3mdev'; col: number }
  | { kind: 'action'; action: 'blackhole' | 'unreachable' | 'prohibit' | 'nop'; col: number }
  | { kind: 'net'; key: string; col: number; value: (Word & { all?: true }) | null }
  | { kind: 'tos' | 'ipproto' | 'suppressIfgroup' | 'extra'; key: string; col: number; value: Word | null }
  | { kind: 'fwmark'; key: string; col: number; value: (Word & { mark?: { value: string; mask: string | null } }) | null }
  | { kind: 'dev'; key: 'iif' | 'oif'; col: number; value: Word | null; detached: boolean }
  | { kind: 'uidrange' | 'port'; key: string; col: number; value: (Word & { range?: [string, string] }) | null }
  | { kind: 'lookup'; key: string; col: number; value: (Word & { l3mdevTable?: true }) | null }
  | { kind: 'goto'; key: string; col: number; value: (Word & { digits?: string }) | null; unresolved: boolean }
  | { kind: 'suppressPrefixLength'; key: string; col: number; value: (Word & { digits?: string }) | null }
  | ({ kind: 'word' } & Word);

/** What each keyword expects, for the message when its value is missing. */
const VALUE_OF: Record<string, string> = {
  from: 'a prefix or all', to: 'a prefix or all', tos: 'a TOS value', dsfield: 'a TOS value', fwmark: 'VALUE[/MASK]',
  iif: 'an interface name', oif: 'an interface name', uidrange: 'START-END', ipproto: 'a protocol name or number',
  sport: 'PORT or START-END', dport: 'PORT or START-END', lookup: 'a table name or number', table: 'a table name or number',
  goto: 'a rule priority', suppress_prefixlength: 'a prefix length', suppress_ifgroup: 'an interface group',
};

export function parseIpRule(text: string, file: string, opts: RuleLoadOptions = {}): IpRule[] {
  const sink = new IssueSink(file);
  const out: IpRule[] = [];
  const lines = grammarLines(text, file);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === null) continue;
    if (line.kind === 'notRule') {
      const w = line.word;
      sink.error(i + 1, w.col, w.text, `expected a rule priority 'N:' at the start of the line`, /^[a-z]/i.test(w.text) ? 'is this a shell prompt or message mixed into `ip rule` output? remove the line' : undefined);
      continue;
    }
    const r = ruleOf(line, i + 1, sink, opts.family);
    if (r) out.push(r);
  }
  sink.throwIfErrors();
  sink.flushWarnings(opts.warnings);
  return out;
}

function grammarLines(text: string, file: string): RuleLine[] {
  return parseAcceptingGrammar<RuleLine[]>(parseRuleLines, RuleSyntaxError, text, file);
}

function ruleOf(syntax: RuleSyntax, lineNo: number, sink: IssueSink, family?: Family): IpRule | undefined {
  const errs = sink.issues.length;
  const { head } = syntax;
  const priority = Number(head.digits);
  if (priority > 0xffffffff) sink.error(lineNo, head.col, head.text, 'rule priority must be 0..4294967295');
  const r: IpRule = { family: family ?? 4, priority, not: false, action: 'lookup', loc: sink.loc(lineNo, head.col) };
  let familySeen: Family | undefined;
  let actionSeen = false;
  const net = (t: Word & { all?: true }): IpNet | undefined => {
    if (t.all) return undefined;
    const n = parseNet(t.text, familySeen);
    if (typeof n === 'string') {
      sink.error(lineNo, t.col, t.text, `expected a prefix or 'all': ${n}`);
      return undefined;
    }
    familySeen = n.family;
    return n.len === 0 ? undefined : n;
  };
  for (const it of syntax.items) {
    switch (it.kind) {
      case 'not':
        r.not = true;
        continue;
      case 'l3mdev':
        r.l3mdev = true;
        continue;
      case 'action':
        actionSeen = true;
        r.action = it.action;
        continue;
      case 'word':
        (r.extra ??= {})[it.text] = '';
        sink.warn(lineNo, it.col, it.text, `unknown word '${it.text}' in an ip rule; kept, not interpreted`);
        continue;
    }
    const v = it.value;
    if (v === null) {
      sink.error(lineNo, it.col, it.key, `'${it.key}' needs a value: ${VALUE_OF[it.key] ?? 'a value'}`);
      continue;
    }
    const bad = (message: string) => sink.error(lineNo, v.col, v.text, message);
    switch (it.kind) {
      case 'net':
        if (it.key === 'from') r.from = net(v);
        else r.to = net(v);
        break;
      case 'tos': {
        const n = parseDsfield(v.text);
        if (n === undefined) bad(`unknown TOS value '${v.text}'`);
        else r.tos = n;
        break;
      }
      case 'fwmark': {
        const m = it.value?.mark;
        const value = m && parseUintAny(m.value);
        const mask = m && (m.mask === null ? 0xffffffff : parseUintAny(m.mask));
        if (value === undefined || mask === undefined) bad(`fwmark must be VALUE[/MASK] (0x1/0xff), got '${v.text}'`);
        else r.fwmark = { value, mask };
        break;
      }
      case 'dev':
        if (it.key === 'iif') {
          r.iif = v.text;
          if (it.detached) r.iifDetached = true;
        } else {
          r.oif = v.text;
          if (it.detached) r.oifDetached = true;
        }
        break;
      case 'uidrange': {
        const [a, b] = (it.value?.range ?? []).map(Number);
        if (a === undefined || b === undefined || a > b || b > 0xffffffff) bad(`uidrange must be START-END, got '${v.text}'`);
        else r.uidrange = [a, b];
        break;
      }
      case 'ipproto': {
        const n = Object.hasOwn(IP_PROTOCOLS, v.text) ? IP_PROTOCOLS[v.text] : parseUint(v.text, 255);
        if (n === undefined) bad(`unknown IP protocol '${v.text}'`);
        else r.ipproto = n;
        break;
      }
      case 'port': {
        const [a, b] = (it.value?.range ?? []).map(Number);
        if (a === undefined || b === undefined || a > b || b > 65535) bad(`${it.key} must be PORT or START-END (0..65535), got '${v.text}'`);
        else if (it.key === 'sport') r.sport = [a, b];
        else r.dport = [a, b];
        break;
      }
      case 'lookup':
        actionSeen = true;
        r.action = 'lookup';
        if (it.value?.l3mdevTable) r.l3mdev = true;
        else r.table = canonicalTable(v.text);
        break;
      case 'goto': {
        actionSeen = true;
        r.action = 'goto';
        const digits = it.value?.digits;
        const n = digits === undefined ? undefined : parseUint(digits, 0xffffffff);
        if (n === undefined) bad(`goto needs a rule priority, got '${v.text}'`);
        else {
          r.gotoPriority = n;
          r.table = v.text;
        }
        if (it.unresolved) r.unresolved = true;
        break;
      }
      case 'suppressPrefixLength': {
        const digits = it.value?.digits;
        const n = digits === undefined ? undefined : parseUint(digits, 128);
        if (n === undefined) bad(`suppress_prefixlength needs a number, got '${v.text}'`);
        else r.suppressPrefixLength = n;
        break;
      }
      case 'suppressIfgroup':
        r.suppressIfgroup = v.text;
        break;
      case 'extra':
        (r.extra ??= {})[it.key] = v.text;
        if (it.key === 'map-to' || it.key === 'nat') sink.warn(lineNo, it.col, `${it.key} ${v.text}`, 'rule NAT (map-to) was removed from Linux 2.6.x; kept but not simulated');
        break;
    }
  }
  if (!actionSeen) sink.error(lineNo, syntax.end, syntax.text.replace(/[ \t\f\v]+/g, ' '), 'rule without an action', "expected 'lookup TABLE', 'goto N', 'blackhole', 'unreachable', 'prohibit' or 'nop'");
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
