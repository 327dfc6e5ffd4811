/** Text summary of a loaded world for `nfsim parse`: what nfsim understood from the dumps. */
import type { Host, IfAddress, Interface, World } from '../model/host.js';
import { locOf, type Ruleset } from '../model/iptables.js';
import { formatIssue } from '../model/source.js';
import { formatRoute } from '../parse/ipRouteWrite.js';
import { formatRule } from '../parse/ipRule.js';
import { SysctlView, type SysctlValue } from '../parse/sysctlView.js';
import { INPUT_KINDS } from '../parse/world.js';

const at = (l?: { file: string; line: number }) => (l ? `${l.file}:${l.line}` : '');

function addrText(a: IfAddress): string {
  const p = [`${a.family === 4 ? 'inet' : 'inet6'} ${a.local.addr}/${a.local.len}`];
  if (a.peer) p.push(`peer ${a.peer.addr}/${a.peer.len}`);
  if (a.broadcast) p.push(`brd ${a.broadcast}`);
  p.push(`scope ${a.scope}`);
  if (a.secondary) p.push('secondary');
  p.push(...a.flags);
  if (a.metric !== undefined) p.push(`metric ${a.metric}`);
  if (a.label) p.push(`label ${a.label}`);
  return p.join(' ');
}

function ifaceText(i: Interface): string {
  const p = [i.name.padEnd(15), i.kind ?? '?'];
  if (i.state) p.push(i.state);
  if (i.mtu !== undefined) p.push(`mtu ${i.mtu}`);
  if (i.master) p.push(`master ${i.master}`);
  if (i.peer) {
    const q: string[] = [];
    if (i.peer.none) q.push('@NONE');
    if (i.peer.name) q.push(`@${i.peer.name}`);
    if (i.peer.index !== undefined) q.push(`@if${i.peer.index}`);
    if (i.peer.netns) q.push(`netns ${i.peer.netns}`);
    if (i.peer.netnsId !== undefined) q.push(`netnsid ${i.peer.netnsId}`);
    p.push(`peer ${q.join(' ')}`);
  }
  if (i.mac === 'redacted') p.push('mac redacted');
  return p.join(' ');
}

function sysText(name: string, v: SysctlValue): string {
  const src = v.source === 'default' ? ' (default)' : '';
  const note = v.parts ? ` [${v.note}]` : v.note ? ` [${v.note}]` : '';
  return `${name}=${v.value}${src}${note}`;
}

function rulesetLines(label: string, rs: Ruleset): string[] {
  const out = [`  ${label}: ${rs.file} (backend ${rs.backend}${rs.version ? `, ${rs.version}` : ''}${rs.hasCounters ? ', with counters' : ''})`];
  if (rs.tables.length === 0) out.push('    (no tables: every hook accepts)');
  for (const t of rs.tables) {
    const rules = t.chains.reduce((n, c) => n + c.rules.length, 0);
    out.push(`    ${t.name}: ${t.chains.length} chains, ${rules} rules`);
    for (const c of t.chains) out.push(`      ${c.name}${c.builtin ? ` policy ${c.policy ?? 'ACCEPT'}` : ''}: ${c.rules.length} rules${c.declared ? '' : ' (not declared)'}`);
  }
  const unsup: string[] = [];
  for (const t of rs.tables)
    for (const c of t.chains)
      for (const r of c.rules) {
        for (const m of r.matches) if (m.unsupported) unsup.push(`    ${at(locOf(r, m))}: -m ${m.name}: ${m.unsupported.reason}`);
        if (r.target?.unsupported) unsup.push(`    ${at(locOf(r, r.target))}: -j ${r.target.name}: ${r.target.unsupported.reason}`);
      }
  if (unsup.length) out.push(`  unsupported extensions in ${label} (${unsup.length}):`, ...unsup);
  return out;
}

export function renderHost(h: Host): string[] {
  const out: string[] = [`host ${h.name}`];
  const given = INPUT_KINDS.filter((k) => h.inputs[k]);
  const absent = INPUT_KINDS.filter((k) => h.absent[k] !== undefined);
  const unknown = INPUT_KINDS.filter((k) => !h.inputs[k] && h.absent[k] === undefined);
  out.push(`  inputs: ${given.join(' ') || '(none)'}`);
  if (absent.length) out.push(`  absent (tool not available): ${absent.map((k) => `${k} (${h.absent[k]?.split('\n')[0]})`).join('; ')}`);
  if (unknown.length) out.push(`  not known (no input): ${unknown.join(' ')}`);

  out.push(`  interfaces (${h.interfaces.length}):`);
  for (const i of h.interfaces) {
    out.push(`    ${ifaceText(i)}`);
    for (const a of i.addresses) out.push(`      ${addrText(a)}`);
  }

  const tables = new Map<string, typeof h.routes>();
  for (const r of h.routes) {
    const k = `${r.table} (IPv${r.family})`;
    if (!tables.has(k)) tables.set(k, []);
    tables.get(k)?.push(r);
  }
  out.push(`  routes (${h.routes.length}):`);
  for (const [t, rs] of tables) {
    out.push(`    table ${t}: ${rs.length}`);
    for (const r of rs) for (const l of formatRoute(r).split('\n')) out.push(`      ${l.replace(/^\t/, '  ')}`);
  }
  out.push(`  ip rules (${h.rules.length}):`);
  for (const r of h.rules) out.push(`    ${formatRule(r).replace('\t', ' ')}${r.family === 6 ? '   (IPv6)' : ''}`);

  if (h.iptables) out.push(...rulesetLines('iptables', h.iptables));
  if (h.ip6tables) out.push(...rulesetLines('ip6tables', h.ip6tables));

  const v = new SysctlView(h.sysctl);
  out.push(`  sysctls${h.sysctl ? '' : ' (no sysctl input: fresh-namespace defaults)'}:`);
  const g = v.globals();
  const names = ['ip_forward', 'bridge-nf-call-iptables', 'nf_conntrack_tcp_loose', 'nf_conntrack_tcp_be_liberal', 'icmp_echo_ignore_all', 'icmp_echo_ignore_broadcasts', 'icmp_errors_use_inbound_ifaddr', 'ip_nonlocal_bind'];
  g.forEach((x, k) => out.push(`    ${sysText(names[k], x)}${x.loc ? `  ${at(x.loc)}` : ''}`));
  for (const i of h.interfaces) {
    const c = v.conf(i.name);
    out.push(`    conf.${i.name}: ${Object.entries(c).map(([n, x]) => `${n}=${x.value}${x.source === 'default' ? '(default)' : ''}`).join(' ')}`);
  }
  if (h.sockets) out.push(`  sockets: ${h.sockets.length} (${h.sockets.filter((s) => s.state === 'LISTEN' || s.state === 'UNCONN').length} listening)`);
  if (h.conntrack) out.push(`  conntrack entries: ${h.conntrack.length}`);
  if (h.ipsets) out.push(`  ipsets: ${h.ipsets.map((s) => `${s.name} ${s.type} (${s.members.length})`).join(', ') || '(none)'}`);
  if (h.issues.length) {
    out.push(`  warnings (${h.issues.length}):`);
    for (const i of h.issues) out.push(...formatIssue(i).split('\n').map((l) => `    ${l}`));
  }
  return out;
}

export function renderParseSummary(w: World): string {
  const out: string[] = [`world ${w.source}: ${w.hosts.length} host${w.hosts.length === 1 ? '' : 's'} (${w.hosts.map((h) => h.name).join(', ')})`];
  if (w.links.length) {
    out.push(`links (${w.links.length}):`);
    for (const l of w.links) out.push(`  ${l.a.host}:${l.a.iface} <-> ${l.b.host}:${l.b.iface} (${l.kind})`);
  }
  for (const h of w.hosts) out.push('', ...renderHost(h));
  if (w.issues.length) {
    out.push('', `world warnings (${w.issues.length}):`);
    for (const i of w.issues) out.push(...formatIssue(i).split('\n').map((l) => `  ${l}`));
  }
  return out.join('\n') + '\n';
}
