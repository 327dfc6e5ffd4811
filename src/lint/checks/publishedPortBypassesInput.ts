/**
 * `published-port-bypasses-input`: the Docker-vs-ufw surprise. A DNAT in nat PREROUTING (directly or in a
 * chain such as DOCKER) sends host:port to another address; the input routing decision is made on the
 * rewritten header, so the packet goes through FORWARD, never through INPUT, and an INPUT firewall (policy
 * DROP, a DROP/REJECT rule, ufw's chains) does not protect the port.
 *
 * Decided with the engine, not guessed: a SYN (or UDP datagram) from an outside address arrives on the
 * interface the rule admits (the default route's when it admits any) at the published port. It must be
 * DNATed by this rule and pass the host through FORWARD; and the same packet in the same world without the
 * DNAT rule must be dropped by filter INPUT. Only then is there a finding.
 */
import { formatIpv4, inNet4 } from '../../model/addr.js';
import type { Host, World } from '../../model/host.js';
import { locOf, type Rule } from '../../model/iptables.js';
import type { MultiportArgs } from '../../ext/match/multiport.js';
import type { TcpArgs } from '../../ext/match/tcp.js';
import { hostIndex } from '../../engine/hostIndex.js';
import { parsePacketSpec } from '../../engine/packetSpec.js';
import { initialState, simulate } from '../../engine/simulate.js';
import type { Outcome } from '../../engine/types.js';
import { chainGraph, ruleText } from '../chainGraph.js';
import { defaultRoute, ifaceAdmits, ipInterfaces, outsideAddress, preroutingDnats, primaryAddr, type DnatRule } from '../hostFacts.js';
import type { Finding, LintCheck } from '../types.js';

/** The published protocol and port of a DNAT rule (its destination-port condition), when it has one. */
function publishedPort(r: Rule): { proto: 'tcp' | 'udp'; port: number } | undefined {
  const p = r.protocol;
  if (!p || p.invert || (p.value !== 'tcp' && p.value !== 'udp')) return undefined;
  for (const m of r.matches) {
    if (m.unsupported) continue;
    if (m.name === p.value) {
      const d = (m.args as TcpArgs).dport;
      if (d && !d.invert) return { proto: p.value, port: d.range[0] };
    }
    if (m.name === 'multiport') {
      const a = m.args as MultiportArgs;
      if (a.which === 'dports' && !a.invert && a.ports.length) return { proto: p.value, port: a.ports[0][0] };
    }
  }
  return undefined;
}

/** Where an outside client's packet arrives: the rule's own -i, else the default route's interface. */
function ingressFor(host: Host, r: Rule): string | undefined {
  if (r.inIface && !r.inIface.invert && !r.inIface.value.endsWith('+')) return r.inIface.value;
  const def = defaultRoute(host)?.nexthops[0]?.dev;
  if (def && ifaceAdmits(r.inIface, def)) return def;
  return ipInterfaces(host).find((i) => ifaceAdmits(r.inIface, i.name) && primaryAddr(host, i.name) !== undefined)?.name;
}

/** A client address that reaches `iface` from outside: beyond the default route, or a neighbour on its link. */
function clientFor(host: Host, iface: string, r: Rule): number | undefined {
  if (r.src && !r.src.invert && r.src.value.v4 !== undefined) return r.src.value.len >= 31 ? r.src.value.v4 : (r.src.value.v4 | 1) >>> 0;
  const h = hostIndex(host);
  if (defaultRoute(host)?.nexthops[0]?.dev === iface) return outsideAddress(host);
  const a = h.addrsByIface.get(iface)?.find((x) => !x.secondary && x.len < 31);
  if (!a) return undefined;
  const net = (a.addr & a.mask) >>> 0;
  for (let k = 2; k < 16; k++) {
    const c = (net + k) >>> 0;
    if (!h.localAddrs.has(c) && inNet4(c, { family: 4, addr: '', len: a.len, v4: net, maskBits: a.mask })) return c;
  }
  return undefined;
}

function withoutRule(world: World, host: Host, rule: Rule): World {
  const rs = host.iptables!;
  const tables = rs.tables.map((t) => (t.name !== 'nat' ? t : { ...t, chains: t.chains.map((c) => (c.rules.includes(rule) ? { ...c, rules: c.rules.filter((x) => x !== rule) } : c)) }));
  const h2: Host = { ...host, iptables: { ...rs, tables } };
  return { ...world, hosts: world.hosts.map((h) => (h === host ? h2 : h)) };
}

const sameLoc = (a: { file: string; line: number; col: number }, b: { file: string; line: number; col: number }) => a.file === b.file && a.line === b.line && a.col === b.col;

/** The packet went through this host's FORWARD and was not stopped on this host. */
function passedThrough(o: Outcome, host: string, dnat: Rule): boolean {
  const dnated = o.trace.some((e) => e.type === 'rule' && e.host === host && sameLoc(e.rule.loc, dnat));
  const forwarded = o.trace.some((e) => e.type === 'hook' && e.host === host && e.hook === 'FORWARD');
  const stoppedHere = o.verdict.host === host && o.verdict.fate !== 'forwarded';
  return dnated && forwarded && !stoppedHere && o.verdict.fate !== 'unsupported';
}

/** What filter INPUT does to the packet when there is no DNAT: the dropping rule or policy, if it drops. */
function inputDrop(o: Outcome, host: Host): { text: string; loc?: Finding['loc'] } | undefined {
  const v = o.verdict;
  if (v.host !== host.name || (v.fate !== 'dropped' && v.fate !== 'rejected')) return undefined;
  const filter = host.iptables?.tables.find((t) => t.name === 'filter');
  if (!filter) return undefined;
  const g = chainGraph(filter);
  if (v.rule && v.rule.table === 'filter' && g.hooks.get(v.rule.chain)?.has('INPUT')) return { text: v.rule.text, loc: v.rule.loc };
  const pol = [...o.trace].reverse().find((e) => e.type === 'policy' && e.host === host.name && e.table === 'filter' && e.chain === 'INPUT');
  if (pol && pol.type === 'policy' && pol.policy === 'DROP' && v.fate === 'dropped' && v.reason === 'NETFILTER_DROP') return { text: 'policy DROP of filter INPUT', loc: pol.loc };
  return undefined;
}

function checkDnat(world: World, host: Host, d: DnatRule): Finding | undefined {
  const pub = publishedPort(d.rule);
  if (!pub || d.local) return undefined;
  const cannot = (why: string): Finding => ({
    check: 'published-port-bypasses-input',
    severity: 'info',
    host: host.name,
    loc: locOf(d.rule),
    subject: `-t nat ${ruleText(d.rule)}`,
    message: `${pub.proto}/${pub.port} is published to ${d.toText}, but whether an INPUT firewall is bypassed could not be decided: ${why}`,
    fix: 'add the missing dumps (ip-addr, ip-route) to the world and lint again',
  });
  const iface = ingressFor(host, d.rule);
  if (!iface) return cannot('no interface with an address admits the rule (no ip-addr dump, or only -i patterns)');
  const dst = d.rule.dst && !d.rule.dst.invert && d.rule.dst.value.len === 32 ? d.rule.dst.value.v4 : primaryAddr(host, iface);
  const src = clientFor(host, iface, d.rule);
  if (dst === undefined || src === undefined) return cannot(`no address for ${dst === undefined ? 'the host on ' + iface : 'an outside client'}`);
  const text = `arrive ${host.name}:${iface} ${pub.proto} ${formatIpv4(src)}:40000 > ${formatIpv4(dst)}:${pub.port}${pub.proto === 'tcp' ? ' flags S' : ''}`;
  const spec = parsePacketSpec(text);
  const real = simulate(world, initialState(world), spec, { explain: false }).outcomes[0];
  if (real?.verdict.fate === 'unsupported') return cannot(`\`${text}\` is unsupported: ${real.verdict.reason}`);
  if (!real || !passedThrough(real, host.name, d.rule)) return undefined;
  const w2 = withoutRule(world, host, d.rule);
  const alt = simulate(w2, initialState(w2), spec, { explain: false }).outcomes[0];
  const drop = alt && inputDrop(alt, host);
  if (!drop) return undefined;
  const path = real.trace.filter((e) => e.type === 'rule' && e.host === host.name).map((e) => (e.type === 'rule' ? { what: `path: ${e.rule.table} ${e.rule.chain} rule ${e.rule.index}`, loc: e.rule.loc, text: e.rule.text } : undefined)!);
  const where = real.verdict.fate === 'forwarded' ? `forwarded out of ${real.verdict.iface}` : `${real.verdict.fate} on ${real.verdict.host}`;
  const userChain = host.iptables?.tables.find((t) => t.name === 'filter')?.chains.some((c) => c.name === 'DOCKER-USER') ? 'DOCKER-USER' : 'FORWARD';
  return {
    check: 'published-port-bypasses-input',
    severity: 'warning',
    host: host.name,
    loc: locOf(d.rule),
    subject: `-t nat ${ruleText(d.rule)}`,
    message:
      `${pub.proto}/${pub.port} on ${formatIpv4(dst)} is published to ${d.toText} and reachable from outside although INPUT would drop it (${drop.text}): ` +
      `the DNAT happens in PREROUTING, before the routing decision, so the packet is forwarded and goes through FORWARD, never through INPUT.\n` +
      `Checked with \`${text}\`: ${where}.`,
    fix: `iptables -I ${userChain} -i ${iface} -p ${pub.proto} -m conntrack --ctorigdstport ${pub.port} --ctdir ORIGINAL -j DROP   # or publish it on 127.0.0.1 only (docker run -p 127.0.0.1:${pub.port}:...)`,
    related: [{ what: 'the INPUT rule that does not apply', loc: drop.loc, text: drop.text }, ...path],
  };
}

export const publishedPortBypassesInput: LintCheck = {
  id: 'published-port-bypasses-input',
  summary: 'DNATed (published) ports that an INPUT firewall seems to close but that pass through FORWARD',
  run(world: World) {
    const out: Finding[] = [];
    for (const h of world.hosts) {
      if (!h.iptables?.tables.some((t) => t.name === 'filter')) continue;
      for (const d of preroutingDnats(h)) {
        const f = checkDnat(world, h, d);
        if (f) out.push(f);
      }
    }
    return out;
  },
};
