/**
 * `unreachable-rule`: rules no packet can match.
 *
 * 1. Shadowed: an earlier rule of the same chain selects every packet this one could (src/lint/subsume.ts,
 *    sound) and ends the packet's walk through the chain (ACCEPT, DROP, REJECT, RETURN, a goto, a NAT
 *    target in nat, or a jump to a chain that never returns). No rule in between may rewrite the packet
 *    (MARK, TOS, CT ...): then the later rule could see a different packet, and no claim is made.
 * 2. Never on its own: contradictory conditions (an empty header box: a reversed range, two disjoint
 *    address conditions), `-i` in a chain only reached from OUTPUT/POSTROUTING or `-o` in one only reached
 *    from PREROUTING/INPUT (ip_packet_match() compares against an empty name there), and, as a warning with
 *    its nuance, an interface the host does not have.
 */
import type { Host, World } from '../../model/host.js';
import { locOf, type Chain, type Hook, type Rule, type Table } from '../../model/iptables.js';
import { findMatch } from '../../ext/registry.js';
import { hostIndex } from '../../engine/hostIndex.js';
import type { Dim } from '../../space/box.js';
import { chainGraph, deleteCommand, ruleText, type ChainGraph } from '../chainGraph.js';
import { emptyDims, prepare, subsumesPrepared } from '../subsume.js';
import type { Finding, LintCheck } from '../types.js';

const NAT_TARGETS = new Set(['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP']);
/** Targets that change nothing a later match can read. */
const HARMLESS = new Set(['LOG', 'NFLOG', 'ULOG', 'TRACE', 'CHECKSUM', 'CLASSIFY']);

function unconditional(r: Rule): boolean {
  return !r.protocol && !r.src && !r.dst && !r.inIface && !r.outIface && !r.fragment && r.matches.every((m) => m.name === 'comment' && !m.unsupported);
}

/** Does a chain, once entered, never hand the packet back (no RETURN, no fall-off)? */
function neverReturns(g: ChainGraph, name: string, seen: Set<string> = new Set()): boolean {
  const c = g.byName.get(name);
  if (!c || c.builtin || seen.has(name)) return false;
  seen.add(name);
  for (const r of c.rules) {
    const t = r.target;
    if (!t) continue;
    if (t.kind === 'verdict' && t.name === 'RETURN') return false;
    // A goto hands this chain's return address on: if the target returns, the packet leaves this chain.
    if (t.kind === 'chain' && t.goto && !neverReturns(g, t.name, new Set(seen))) return false;
    if (unconditional(r) && ends(g, r, true, new Set(seen))) return true;
  }
  return false;
}

/**
 * Does matching rule `r` end the packet's walk through its chain? With `final`, it must also not leave
 * to the caller (RETURN and goto to a returning chain do not count).
 */
function ends(g: ChainGraph, r: Rule, final = false, seen: Set<string> = new Set()): boolean {
  const t = r.target;
  if (!t || t.unsupported) return false;
  if (t.kind === 'verdict') return t.name === 'ACCEPT' || t.name === 'DROP' || (!final && t.name === 'RETURN');
  if (t.kind === 'chain') return t.goto ? !final || neverReturns(g, t.name, seen) : neverReturns(g, t.name, seen);
  return t.name === 'REJECT' || (g.table.name === 'nat' && NAT_TARGETS.has(t.name));
}

/** Can a rule (or a chain it jumps to) change the packet or its connection between two rules? */
function mutates(g: ChainGraph, r: Rule, seen: Set<string> = new Set()): boolean {
  const t = r.target;
  if (!t) return false;
  if (t.kind === 'verdict') return false;
  if (t.kind === 'chain') {
    if (seen.has(t.name)) return false;
    seen.add(t.name);
    return (g.byName.get(t.name)?.rules ?? []).some((x) => mutates(g, x, seen));
  }
  return !HARMLESS.has(t.name) && !ends(g, r);
}

function targetWords(r: Rule): string {
  const t = r.target!;
  if (t.kind === 'chain') return t.goto ? `goes to ${t.name}` : `jumps to ${t.name}, which never returns`;
  if (t.kind === 'verdict') return t.name === 'RETURN' ? 'returns from the chain' : `${t.name === 'ACCEPT' ? 'accepts' : 'drops'} it`;
  return t.name === 'REJECT' ? 'rejects it' : `applies ${t.name} (ends the nat chain)`;
}

const DIM_WORDS: Record<Dim, string> = {
  ingress: 'input interface', proto: 'protocol', src: 'source address', dst: 'destination address', sport: 'source port',
  dport: 'destination port', flags: 'TCP flags', icmp: 'ICMP type', ttl: 'TTL', length: 'length', tos: 'TOS',
};

/** Which conditions of `r` constrain dimension `d`, as written. */
function conditionsOn(r: Rule, d: Dim): string[] {
  const out: string[] = [];
  if (d === 'proto' && r.protocol) out.push(`${r.protocol.invert ? '! ' : ''}-p ${r.protocol.value}`);
  if (d === 'src' && r.src) out.push(`${r.src.invert ? '! ' : ''}-s ${r.src.value.addr}/${r.src.value.len}`);
  if (d === 'dst' && r.dst) out.push(`${r.dst.invert ? '! ' : ''}-d ${r.dst.value.addr}/${r.dst.value.len}`);
  for (const m of r.matches) {
    const ext = m.unsupported ? undefined : findMatch(m.name);
    if (!ext || ext.kind !== 'match' || !ext.space) continue;
    const s = ext.space(m.args).constraint[d];
    if (!s) continue;
    const save = ext.save(m.args, { family: 4, table: '', chain: r.chain }).trim();
    out.push(`-m ${m.name} ${save}${s.length === 0 ? ' (matches nothing by itself)' : ''}`);
  }
  return out;
}

interface Ctx {
  host: Host;
  table: Table;
  g: ChainGraph;
  ifaces?: Set<string>;
}

function finding(ctx: Ctx, r: Rule, message: string, fix: string, related?: Finding['related']): Finding {
  return { check: 'unreachable-rule', severity: 'warning', host: ctx.host.name, loc: locOf(r), subject: `${ctx.table.name === 'filter' ? '' : `-t ${ctx.table.name} `}${ruleText(r)}`, message, fix, ...(related ? { related } : {}) };
}

/** Reasons a rule can never match by itself (empty when it can). */
function neverOnItsOwn(ctx: Ctx, c: Chain, r: Rule): Finding[] {
  const out: Finding[] = [];
  const del = deleteCommand(ctx.table.name, r);
  if (r.fragment && !r.fragment.invert) return out; // -f: only later fragments; a matter of defragmentation, not of the rule
  const dims = emptyDims(r);
  if (dims.length) {
    const parts = dims.map((d) => `${DIM_WORDS[d]} (${conditionsOn(r, d).join(' with ') || 'its conditions'})`);
    out.push(finding(ctx, r, `this rule can never match: its conditions on the ${parts.join('; ')} leave no packet`, `${del}   # or correct the condition`));
  }
  const hooks = ctx.g.hooks.get(c.name) ?? new Set<Hook>();
  const hookList = [...hooks].sort().join(', ');
  if (hooks.size && r.inIface && !r.inIface.invert && r.inIface.value !== '+' && [...hooks].every((h) => h === 'OUTPUT' || h === 'POSTROUTING')) {
    out.push(finding(ctx, r, `-i ${r.inIface.value} can never match: chain ${c.name} is only reached from ${hookList}, where a packet has no input interface (iptables refuses -i in these chains; in a user chain the rule is loaded but matches nothing)`, `${del}   # or use -o`));
  }
  if (hooks.size && r.outIface && !r.outIface.invert && r.outIface.value !== '+' && [...hooks].every((h) => h === 'PREROUTING' || h === 'INPUT')) {
    out.push(finding(ctx, r, `-o ${r.outIface.value} can never match: chain ${c.name} is only reached from ${hookList}, before an output interface is chosen`, `${del}   # or use -i`));
  }
  if (ctx.ifaces) {
    for (const [flag, sel] of [['-i', r.inIface], ['-o', r.outIface]] as const) {
      if (!sel || sel.invert || sel.value === '+') continue;
      const wild = sel.value.endsWith('+');
      const p = wild ? sel.value.slice(0, -1) : sel.value;
      if ([...ctx.ifaces].some((n) => (wild ? n.startsWith(p) : n === p))) continue;
      out.push(
        finding(
          ctx,
          r,
          `${flag} ${sel.value}: the host has no ${wild ? `interface whose name starts with ${p}` : `interface ${p}`} in the dump, so the rule matches nothing now. ` +
            `Interfaces come and go (VPN tunnels, PPP links, container veths): this is only a problem if ${p} was expected to exist.`,
          `ip link show ${wild ? '' : p}   # check the name; or ${del}`.replace('show  ', 'show '),
        ),
      );
    }
  }
  return out;
}

export function unreachableInTable(host: Host, table: Table): Finding[] {
  const g = chainGraph(table);
  const known = host.inputs['ip-link'] !== undefined || host.inputs['ip-addr'] !== undefined;
  const ctx: Ctx = { host, table, g, ifaces: known ? new Set(host.interfaces.map((i) => i.name)) : undefined };
  const defrag = hostIndex(host).conntrackActive;
  const out: Finding[] = [];
  for (const c of table.chains) {
    const never = new Set<number>();
    c.rules.forEach((r, i) => {
      const f = neverOnItsOwn(ctx, c, r);
      if (f.length) never.add(i);
      out.push(...f);
    });
    // Shadowing: for each rule, the first earlier rule that covers it and ends the walk, with no rewrite between.
    const ending = c.rules.map((r) => ends(g, r));
    const rewriting = c.rules.map((r) => mutates(g, r));
    const prep = c.rules.map(prepare);
    for (let i = 1; i < c.rules.length; i++) {
      if (never.has(i)) continue;
      const ri = c.rules[i];
      let mutated = false;
      for (let j = i - 1; j >= 0; j--) {
        const rj = c.rules[j];
        if (mutated) break;
        if (ending[j] && !never.has(j) && subsumesPrepared(prep[j], prep[i], defrag)) {
          out.push(
            finding(
              ctx,
              ri,
              `rule ${i + 1} of ${c.name} can never match: rule ${j + 1} matches every packet it would, and ${targetWords(rj)}`,
              `${deleteCommand(table.name, ri)}   # or move it above rule ${j + 1}`,
              [{ what: `shadowed by rule ${j + 1}`, loc: locOf(rj), text: ruleText(rj) }],
            ),
          );
          break;
        }
        if (rewriting[j]) mutated = true;
      }
    }
  }
  return out;
}

export const unreachableRule: LintCheck = {
  id: 'unreachable-rule',
  summary: 'rules shadowed by an earlier rule of the chain, or that can never match on their own',
  run: (world: World) => world.hosts.flatMap((h) => (h.iptables ? h.iptables.tables.flatMap((t) => unreachableInTable(h, t)) : [])),
};
