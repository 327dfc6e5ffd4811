/**
 * `forwarding-disabled`: the host's rules expect to forward (DNAT to an address that is not local, rules
 * in filter FORWARD) but forwarding is off for the interfaces those packets arrive on. The ingress
 * interface's conf.IFACE.forwarding decides (ip_route_input_slow(): IN_DEV_FORWARD(in_dev), else the route
 * becomes an error route and ip_error() drops with IP_INADDRERRORS); net.ipv4.ip_forward sets every
 * interface at once.
 */
import type { Host, World } from '../../model/host.js';
import { locOf, type Negatable, type Rule } from '../../model/iptables.js';
import type { SysctlValue } from '../../parse/sysctlView.js';
import { sysctlView } from '../../engine/sysctl.js';
import { chainGraph, ruleText } from '../chainGraph.js';
import { ifaceAdmits, ipInterfaces, preroutingDnats } from '../hostFacts.js';
import type { Finding, LintCheck } from '../types.js';

interface Expectation {
  rule: Rule;
  what: string;
  inIface?: Negatable<string>;
}

function expectations(host: Host): Expectation[] {
  const out: Expectation[] = [];
  for (const d of preroutingDnats(host)) {
    if (!d.local) out.push({ rule: d.rule, what: `DNAT to ${d.toText} (not an address of this host: the packet must be forwarded)`, inIface: d.rule.inIface });
  }
  const filter = host.iptables?.tables.find((t) => t.name === 'filter');
  const fwd = filter?.chains.find((c) => c.name === 'FORWARD');
  if (!filter || !fwd) return out;
  const g = chainGraph(filter);
  // A FORWARD rule that can let a packet through (ACCEPT, or a chain that accepts) expects forwarding;
  // a FORWARD that only drops or rejects does not.
  const accepts = (r: Rule, seen: Set<string>): boolean => {
    const t = r.target;
    if (t?.kind === 'verdict') return t.name === 'ACCEPT';
    if (t?.kind !== 'chain' || seen.has(t.name)) return false;
    seen.add(t.name);
    return (g.byName.get(t.name)?.rules ?? []).some((x) => accepts(x, seen));
  };
  for (const r of fwd.rules) if (accepts(r, new Set())) out.push({ rule: r, what: 'rule in filter FORWARD that lets packets through', inIface: r.inIface });
  return out;
}

function sysctlText(v: SysctlValue): string {
  return `${v.key} = ${v.value}${v.source === 'default' ? ' (not in the dump: the fresh-namespace default)' : ''}`;
}

export function forwardingFindings(host: Host): Finding[] {
  const exp = expectations(host);
  if (!exp.length) return [];
  const view = sysctlView(host);
  const ipf = view.ipForward();
  const noDump = !host.sysctl || Object.keys(host.sysctl.values).length === 0;
  const known = host.inputs['ip-addr'] !== undefined || host.inputs['ip-link'] !== undefined;
  const ifaces = known ? ipInterfaces(host).map((i) => i.name) : [];
  // Interfaces some expectation can arrive on, with forwarding off.
  const offIfaces = ifaces.filter((i) => view.confValue(i, 'forwarding').value === 0 && exp.some((e) => ifaceAdmits(e.inIface, i)));
  const related = (list: Expectation[]) => list.slice(0, 8).map((e) => ({ what: e.what, loc: locOf(e.rule), text: ruleText(e.rule) }));
  const more = (list: Expectation[]) => (list.length > 8 ? ` (${list.length - 8} more not listed)` : '');
  const severity = noDump ? 'info' : 'warning';
  const nuance = noDump ? '\nThere is no sysctl dump for this host: the values are those of a freshly created network namespace; capture `sysctl -a` to be sure.' : '';
  if (ipf.value === 0 && (!known || offIfaces.length === ifaces.filter((i) => exp.some((e) => ifaceAdmits(e.inIface, i))).length)) {
    return [
      {
        check: 'forwarding-disabled',
        severity,
        host: host.name,
        loc: ipf.loc,
        subject: sysctlText(ipf),
        message:
          `IPv4 forwarding is off${known && offIfaces.length ? ` (net.ipv4.conf.IFACE.forwarding = 0 on ${offIfaces.join(', ')} too)` : ''}, but ${exp.length} rule(s) expect packets to be forwarded: ` +
          `a packet that is not for this host is dropped by ip_error() with IP_INADDRERRORS, before filter FORWARD, so these rules never see it${more(exp)}.` +
          nuance,
        fix: 'sysctl -w net.ipv4.ip_forward=1   # and persist it in /etc/sysctl.d/',
        related: related(exp),
      },
    ];
  }
  // ip_forward on (or some interfaces differ): one finding per interface that is still off.
  return offIfaces.map((i) => {
    const v = view.confValue(i, 'forwarding');
    const mine = exp.filter((e) => ifaceAdmits(e.inIface, i));
    return {
      check: 'forwarding-disabled',
      severity,
      host: host.name,
      loc: v.loc,
      subject: sysctlText(v),
      message:
        `forwarding is off on ${i}${v.note ? ` (${v.note})` : ''}, while ${sysctlText(ipf)}; ${mine.length} rule(s) expect packets arriving on ${i} to be forwarded: ` +
        `the ingress interface decides, so they are dropped by ip_error() with IP_INADDRERRORS${more(mine)}.` +
        nuance,
      fix: `sysctl -w net.ipv4.conf.${i.replace(/\./g, '/')}.forwarding=1`,
      related: related(mine),
    };
  });
}

export const forwardingDisabled: LintCheck = {
  id: 'forwarding-disabled',
  summary: 'forwarding off (ip_forward or the ingress interface) while DNAT to other hosts or FORWARD rules expect it',
  run: (world: World) => world.hosts.flatMap(forwardingFindings),
};
