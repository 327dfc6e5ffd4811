/**
 * fast-check generator of conformance cases inside the modelled feature set: 2–4 hosts in a line or around a
 * bridge, random rulesets over all five tables (user chains reached by jump and goto, RETURN, negations,
 * prefixes, port ranges, multiport, interface wildcards, ctstate, mark/MARK, connmark/CONNMARK, addrtype,
 * iprange, tcp flags, icmp types, statistic nth, ttl, length, every REJECT kind, DNAT/SNAT/MASQUERADE/REDIRECT,
 * CT --notrack), random policies and sysctls, extra routes of every type, an fwmark rule, and 1–6 packets that
 * mix new flows with replies from the far side. Deterministic: the same seed and index give the same case.
 *
 * Every rule is built to be accepted by iptables-restore on the chain it is in (targets only in the hooks and
 * tables the kernel allows them, -i/-o only where the hook has that interface).
 */
import fc from 'fast-check';
import type { CaseChain, CaseHost, CaseIface, CaseLink, CaseTable, ConformanceCase } from './caseModel.js';

type Gen = Parameters<Parameters<ReturnType<typeof fc.gen>['map']>[0]>[0];

const unbiasedInt = (min: number, max: number) => fc.noBias(fc.integer({ min, max }));

/** Small helpers over fast-check's imperative generator. */
class Pick {
  constructor(private g: Gen) {}
  int(min: number, max: number): number {
    // without bias: fast-check favours small values by default, which would skew every probability here
    return this.g(unbiasedInt, min, max);
  }
  /** True with the given probability (in percent). */
  chance(percent: number): boolean {
    return this.int(0, 99) < percent;
  }
  one<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)];
  }
  /** Weighted choice: [weight, value] pairs. */
  weighted<T>(xs: readonly (readonly [number, T])[]): T {
    const total = xs.reduce((s, [w]) => s + w, 0);
    let n = this.int(0, total - 1);
    for (const [w, v] of xs) {
      if (n < w) return v;
      n -= w;
    }
    return xs[xs.length - 1][1];
  }
}

export const PORTS = [22, 53, 80, 443, 8080];
const MARKS = ['0x1', '0x2', '0x3'];
const REJECT_WITH = ['icmp-net-unreachable', 'icmp-host-unreachable', 'icmp-port-unreachable', 'icmp-proto-unreachable', 'icmp-net-prohibited', 'icmp-host-prohibited', 'icmp-admin-prohibited', 'tcp-reset'];
const ADDRTYPES = ['LOCAL', 'UNICAST', 'BROADCAST', 'MULTICAST', 'UNREACHABLE', 'BLACKHOLE', 'PROHIBIT'];
const CTSTATES = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED', 'SNAT', 'DNAT'];
const TCP_FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'];

type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';
const TABLE_HOOKS: Record<CaseTable['name'], Hook[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

function ipToNum(a: string): number {
  return a.split('.').reduce((n, x) => n * 256 + Number(x), 0);
}
function numToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}
export function networkOf(addr: string, len: number): string {
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return numToIp((ipToNum(addr) & mask) >>> 0);
}
export function broadcastOf(addr: string, len: number): string {
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return numToIp(((ipToNum(addr) & mask) | (~mask >>> 0)) >>> 0);
}

/** What the rule generator knows about the world. */
interface WorldFacts {
  tag: string;
  /** Every unicast address of every host. */
  addrs: string[];
  /** Every connected network "A.B.C.D/len". */
  nets: string[];
  /** Extra destinations routed specially (blackhole, unreachable ... prefixes). */
  extra: string[];
}

function mac(hostIdx: number, ifIdx: number): string {
  return `02:00:00:00:${hostIdx.toString(16).padStart(2, '0')}:${ifIdx.toString(16).padStart(2, '0')}`;
}

function newHost(name: string): CaseHost {
  return { name, ifaces: [{ name: 'lo', kind: 'loopback', mac: '00:00:00:00:00:00', addrs: [{ addr: '127.0.0.1', len: 8 }] }], routes: [], rules: [], sysctl: {}, tables: [], listeners: [] };
}

/** Interface names carry the case tag so that every device of a batch has a unique name. */
function ifName(tag: string, hostIdx: number, suffix: string): string {
  return `${tag}h${hostIdx}${suffix}`;
}

interface Topo {
  hosts: CaseHost[];
  links: CaseLink[];
  /** Per host: networks reachable through a neighbour: [prefix, gateway, dev]. */
  paths: Map<string, [string, string, string][]>;
}

function lineTopology(p: Pick, tag: string): Topo {
  const n = p.int(2, 4);
  const hosts = Array.from({ length: n }, (_, i) => newHost(`h${i + 1}`));
  const links: CaseLink[] = [];
  // link i joins h(i+1) and h(i+2) on 10.0.(i+1).0/len
  const linkInfo: { net: string; len: number; left: string; right: string; leftIf: string; rightIf: string }[] = [];
  for (let i = 0; i < n - 1; i++) {
    const len = p.weighted([[6, 24], [2, 28], [1, 30]] as const);
    const leftIf = ifName(tag, i + 1, `e${hosts[i].ifaces.length}`);
    const rightIf = ifName(tag, i + 2, `e${hosts[i + 1].ifaces.length}`);
    const left = `10.0.${i + 1}.1`;
    const right = `10.0.${i + 1}.2`;
    hosts[i].ifaces.push({ name: leftIf, kind: 'veth', mac: mac(i + 1, hosts[i].ifaces.length), addrs: [{ addr: left, len }] });
    hosts[i + 1].ifaces.push({ name: rightIf, kind: 'veth', mac: mac(i + 2, hosts[i + 1].ifaces.length), addrs: [{ addr: right, len }] });
    links.push({ a: { host: hosts[i].name, iface: leftIf }, b: { host: hosts[i + 1].name, iface: rightIf } });
    linkInfo.push({ net: `${networkOf(left, len)}/${len}`, len, left, right, leftIf, rightIf });
  }
  const paths = new Map<string, [string, string, string][]>();
  hosts.forEach((h, i) => {
    const ps: [string, string, string][] = [];
    // networks to the left go through link i-1 (gateway: its left end), to the right through link i
    for (let j = 0; j < n - 1; j++) {
      if (j === i - 1 || j === i) continue;
      const nets = [linkInfo[j].net];
      if (j < i - 1) ps.push(...nets.map((x) => [x, linkInfo[i - 1].left, linkInfo[i - 1].rightIf] as [string, string, string]));
      else ps.push(...nets.map((x) => [x, linkInfo[i].right, linkInfo[i].leftIf] as [string, string, string]));
    }
    paths.set(h.name, ps);
  });
  return { hosts, links, paths };
}

function bridgeTopology(p: Pick, tag: string): Topo {
  const leaves = p.int(2, 3);
  const center = newHost('h0');
  const hosts = [center];
  const links: CaseLink[] = [];
  const br = ifName(tag, 0, 'br');
  const brAddr = p.chance(85);
  center.ifaces.push({ name: br, kind: 'bridge', mac: mac(0, 1), addrs: brAddr ? [{ addr: '10.0.0.254', len: 24 }] : [] });
  for (let i = 1; i <= leaves; i++) {
    const h = newHost(`h${i}`);
    const port = ifName(tag, 0, `p${i}`);
    const e = ifName(tag, i, 'e1');
    center.ifaces.push({ name: port, kind: 'veth', mac: mac(0, i + 1), addrs: [], master: br });
    h.ifaces.push({ name: e, kind: 'veth', mac: mac(i, 1), addrs: [{ addr: `10.0.0.${i}`, len: 24 }] });
    links.push({ a: { host: center.name, iface: port }, b: { host: h.name, iface: e } });
    hosts.push(h);
  }
  const paths = new Map<string, [string, string, string][]>();
  if (brAddr && p.chance(50)) {
    // an uplink host behind the bridge host: the bridge host routes between 10.0.0.0/24 and 10.0.9.0/24
    const up = newHost('h9');
    const cu = ifName(tag, 0, 'u');
    const ue = ifName(tag, 9, 'e1');
    center.ifaces.push({ name: cu, kind: 'veth', mac: mac(0, 9), addrs: [{ addr: '10.0.9.1', len: 24 }] });
    up.ifaces.push({ name: ue, kind: 'veth', mac: mac(9, 1), addrs: [{ addr: '10.0.9.2', len: 24 }] });
    links.push({ a: { host: center.name, iface: cu }, b: { host: up.name, iface: ue } });
    hosts.push(up);
    for (let i = 1; i <= leaves; i++) paths.set(`h${i}`, [['10.0.9.0/24', '10.0.0.254', ifName(tag, i, 'e1')]]);
    paths.set('h9', [['10.0.0.0/24', '10.0.9.1', ue]]);
  }
  return { hosts, links, paths };
}

function addRoutes(p: Pick, topo: Topo, facts: WorldFacts, extraPool: string[]): void {
  for (const h of topo.hosts) {
    const ps = topo.paths.get(h.name) ?? [];
    // One direction may become the default route.
    const gws = [...new Set(ps.map((x) => x[1]))];
    const viaDefault = gws.length && p.chance(50) ? p.one(gws) : undefined;
    if (viaDefault) {
      const dev = ps.find((x) => x[1] === viaDefault)![2];
      h.routes.push({ text: `default via ${viaDefault} dev ${dev}` });
    }
    for (const [net, gw, dev] of ps) {
      if (gw === viaDefault || p.chance(12)) continue;
      h.routes.push({ text: `${net} via ${gw} dev ${dev}` });
    }
    // lo addresses of other hosts
    for (const o of topo.hosts) {
      if (o === h) continue;
      for (const a of o.ifaces.find((i) => i.name === 'lo')!.addrs.filter((x) => x.addr !== '127.0.0.1')) {
        const hop = nextHop(topo, h, o);
        if (hop && hop[0] !== viaDefault && p.chance(85)) h.routes.push({ text: `${a.addr} via ${hop[0]} dev ${hop[1]}` });
      }
    }
    // extra routes of every type
    const nExtra = p.weighted([[5, 0], [3, 1], [2, 2]] as const);
    const devs = h.ifaces.filter((i) => i.addrs.length && i.kind !== 'loopback');
    for (let k = 0; k < nExtra; k++) {
      const pfx = extraPool.shift();
      if (!pfx) break;
      facts.extra.push(pfx);
      const kind = p.one(['blackhole', 'unreachable', 'prohibit', 'throw', 'via', 'local'] as const);
      if (kind === 'via') {
        const gw = ps[0] ?? (devs.length ? neighbourOn(topo, h, devs[0].name) : undefined);
        if (gw) h.routes.push({ text: `${pfx} via ${gw[1]} dev ${gw[2]}` });
      } else if (kind === 'local') h.routes.push({ text: `local ${pfx} dev lo table local scope host` });
      else h.routes.push({ text: `${kind} ${pfx}` });
    }
    // an fwmark rule and its table
    if (p.chance(25)) {
      const m = p.one(['0x1', '0x1/0x1', '0x2']);
      h.rules.push(`100:\tfrom all fwmark ${m} lookup 100`);
      const kind = p.one(['blackhole', 'unreachable', 'prohibit', 'via', 'throw'] as const);
      const gw = ps[0] ?? (devs.length ? neighbourOn(topo, h, devs[0].name) : undefined);
      if (kind === 'via' && gw) h.routes.push({ text: `default via ${gw[1]} dev ${gw[2]} table 100` });
      else if (kind !== 'via') h.routes.push({ text: `${kind} default table 100` });
    }
  }
}

/** The neighbour reached on one of h's interfaces: [prefix, its address, dev]. */
function neighbourOn(topo: Topo, h: CaseHost, dev: string): [string, string, string] | undefined {
  const l = topo.links.find((x) => (x.a.host === h.name && x.a.iface === dev) || (x.b.host === h.name && x.b.iface === dev));
  if (!l) return undefined;
  const far = l.a.host === h.name ? l.b : l.a;
  const fh = topo.hosts.find((x) => x.name === far.host)!;
  const a = fh.ifaces.find((i) => i.name === far.iface)?.addrs[0];
  return a ? ['', a.addr, dev] : undefined;
}

/** Gateway and device from h toward host o (line topology: the neighbour on o's side). */
function nextHop(topo: Topo, h: CaseHost, o: CaseHost): [string, string] | undefined {
  const hi = topo.hosts.indexOf(h);
  const oi = topo.hosts.indexOf(o);
  if (topo.hosts[0].name === 'h0') {
    // bridge topology: directly when h and o share a network, else through the bridge host h0
    const shared = (x: CaseHost, y: CaseHost): [string, string] | undefined => {
      for (const i of x.ifaces) {
        if (i.kind === 'loopback') continue;
        for (const a of i.addrs) for (const j of y.ifaces) for (const b of j.addrs) if (j.kind !== 'loopback' && a.len === b.len && networkOf(a.addr, a.len) === networkOf(b.addr, b.len)) return [b.addr, i.name];
      }
      return undefined;
    };
    return shared(h, o) ?? (h === topo.hosts[0] ? undefined : shared(h, topo.hosts[0]));
  }
  const step = oi > hi ? hi : hi - 1;
  const l = topo.links[step];
  if (!l) return undefined;
  const mine = l.a.host === h.name ? l.a : l.b;
  const far = l.a.host === h.name ? l.b : l.a;
  const fh = topo.hosts.find((x) => x.name === far.host)!;
  const a = fh.ifaces.find((i) => i.name === far.iface)?.addrs[0];
  return a ? [a.addr, mine.iface] : undefined;
}

function addSysctls(p: Pick, topo: Topo): void {
  for (const h of topo.hosts) {
    const ifs = h.ifaces.map((i) => i.name);
    const multi = h.ifaces.filter((i) => i.kind !== 'loopback').length > 1;
    const fwd = multi ? (p.chance(85) ? 1 : 0) : p.chance(20) ? 1 : 0;
    const s: Record<string, string> = { 'net.ipv4.ip_forward': String(fwd), 'net.ipv4.conf.all.forwarding': String(fwd), 'net.ipv4.conf.default.forwarding': String(fwd) };
    for (const i of ifs) s[`net.ipv4.conf.${i}.forwarding`] = String(fwd && p.chance(10) ? 0 : fwd);
    const rpAll = p.weighted([[6, 0], [2, 1], [2, 2]] as const);
    s['net.ipv4.conf.all.rp_filter'] = String(rpAll);
    s['net.ipv4.conf.default.rp_filter'] = '0';
    for (const i of ifs) s[`net.ipv4.conf.${i}.rp_filter`] = String(p.weighted([[7, 0], [2, 1], [1, 2]] as const));
    for (const k of ['route_localnet', 'accept_local']) {
      s[`net.ipv4.conf.all.${k}`] = p.chance(15) ? '1' : '0';
      s[`net.ipv4.conf.default.${k}`] = '0';
      for (const i of ifs) s[`net.ipv4.conf.${i}.${k}`] = p.chance(10) ? '1' : '0';
    }
    // ICMP redirects (ip_forward() -> ip_rt_send_redirect() when a packet leaves by the interface it came in)
    // are not modelled by nfsim: the generated worlds do not send them.
    s['net.ipv4.conf.all.send_redirects'] = '0';
    s['net.ipv4.conf.default.send_redirects'] = '0';
    for (const i of ifs) s[`net.ipv4.conf.${i}.send_redirects`] = '0';
    if (h.ifaces.some((i) => i.kind === 'bridge')) s['net.bridge.bridge-nf-call-iptables'] = p.chance(70) ? '1' : '0';
    h.sysctl = s;
  }
}

// ---------------------------------------------------------------- rules

interface ChainCtx {
  table: CaseTable['name'];
  hook: Hook;
  host: CaseHost;
  facts: WorldFacts;
  /** User chains this chain may jump or goto. */
  callees: string[];
}

function addrOrNet(p: Pick, f: WorldFacts): string {
  return p.weighted([
    [4, () => `${p.one(f.addrs)}/32`],
    [3, () => p.one(f.nets)],
    [1, () => (f.extra.length ? p.one(f.extra) : `${p.one(f.addrs)}/32`)],
    [1, () => `${networkOf(p.one(f.addrs), 16)}/16`],
  ] as const)();
}

function ifaceSpec(p: Pick, c: ChainCtx): string {
  const own = c.host.ifaces.map((i) => i.name);
  return p.weighted([
    [5, () => p.one(own)],
    [2, () => `${c.facts.tag}h${c.host.name.slice(1)}+`],
    [1, () => `${c.facts.tag}+`],
    [1, () => 'lo'],
  ] as const)();
}

function neg(p: Pick, percent = 20): string {
  return p.chance(percent) ? '! ' : '';
}

function portSpec(p: Pick): string {
  if (p.chance(75)) return String(p.one(PORTS));
  const a = p.one([1, 20, 50, 80, 1000]);
  return `${a}:${p.one([60, 100, 1024, 9000, 65535].filter((b) => b >= a))}`;
}

function flagList(p: Pick, min: number): string[] {
  const fl = TCP_FLAG_NAMES.filter(() => p.chance(40));
  return fl.length >= min ? fl : ['SYN'];
}

/** One rule: matches in iptables-save order, then the target. `proto` is set when the target needs it. */
function rule(p: Pick, c: ChainCtx): string {
  const parts: string[] = [];
  const needProto = p.chance(10) ? 'tcp' : undefined;
  let target = pickTarget(p, c);
  let proto: string | undefined = needProto;
  if (/tcp-reset/.test(target)) proto = 'tcp';
  if (/--to-destination \S+:\d+|--to-ports/.test(target)) proto = proto ?? p.one(['tcp', 'udp']);
  if (!proto && p.chance(45)) proto = p.one(['tcp', 'udp', 'icmp']);
  if (p.chance(25)) parts.push(`${neg(p)}-s ${addrOrNet(p, c.facts)}`);
  if (p.chance(25)) parts.push(`${neg(p)}-d ${addrOrNet(p, c.facts)}`);
  if (c.hook !== 'OUTPUT' && c.hook !== 'POSTROUTING' && p.chance(20)) parts.push(`${neg(p)}-i ${ifaceSpec(p, c)}`);
  if (c.hook !== 'PREROUTING' && c.hook !== 'INPUT' && p.chance(20)) parts.push(`${neg(p)}-o ${ifaceSpec(p, c)}`);
  if (proto) {
    parts.push(`-p ${proto}`);
    const pm = p.int(0, 9);
    if (proto === 'tcp' && pm < 6) {
      const opts: string[] = [];
      if (p.chance(40)) opts.push(`${neg(p, 15)}--sport ${portSpec(p)}`.trim());
      if (p.chance(60)) opts.push(`${neg(p, 15)}--dport ${portSpec(p)}`.trim());
      if (p.chance(30)) {
        const mask = flagList(p, 1);
        const comp = mask.filter(() => p.chance(50));
        opts.push(`${neg(p, 15)}--tcp-flags ${mask.join(',')} ${comp.length ? comp.join(',') : 'NONE'}`.trim());
      }
      if (opts.length) parts.push(`-m tcp ${opts.map((o) => o.replace(/^! /, '! ')).join(' ')}`);
    } else if (proto === 'udp' && pm < 6) {
      const opts: string[] = [];
      if (p.chance(40)) opts.push(`${neg(p, 15)}--sport ${portSpec(p)}`);
      if (p.chance(70)) opts.push(`${neg(p, 15)}--dport ${portSpec(p)}`);
      if (opts.length) parts.push(`-m udp ${opts.join(' ')}`);
    } else if (proto === 'icmp' && pm < 6) {
      parts.push(`-m icmp ${neg(p, 15)}--icmp-type ${p.one(['8', '0', '3', '3/3', '11', '0/0', '8/0'])}`);
    } else if (proto !== 'icmp' && pm < 8) {
      const kind = p.one(['--dports', '--sports', '--ports']);
      const list = [...new Set(Array.from({ length: p.int(1, 3) }, () => portSpec(p)))];
      parts.push(`-m multiport ${neg(p, 15)}${kind} ${list.join(',')}`);
    }
  }
  const nMatch = p.weighted([[4, 0], [4, 1], [2, 2]] as const);
  for (let k = 0; k < nMatch; k++) parts.push(extraMatch(p, c));
  // a rule that drops everything ends most cases early: droppers get at least two matches
  if (/^(DROP|REJECT)/.test(target)) while (parts.length < 2) parts.push(extraMatch(p, c));
  // statistic nth counts every packet that reaches it, also the ones of a TCP handshake that nfsim does not
  // follow (the client's ACK, the listener's packets after accept()): nth rules are kept to UDP and ICMP
  if (parts.some((x) => x.startsWith('-m statistic')) && (!proto || proto === 'tcp')) {
    if (proto === 'tcp') parts.splice(0, parts.length, ...parts.filter((x) => !x.startsWith('-m statistic')));
    else {
      const pr = p.one(['udp', 'icmp']);
      const at = parts.findIndex((x) => x.startsWith('-m '));
      parts.splice(at < 0 ? parts.length : at, 0, `-p ${pr}`);
      proto = pr;
    }
  }
  if (target.startsWith('REJECT') && proto && proto !== 'tcp' && /tcp-reset/.test(target)) target = 'REJECT --reject-with icmp-port-unreachable';
  return `${parts.join(' ')}${target ? `${parts.length ? ' ' : ''}-j ${target}` : ''}`.trim();
}

function extraMatch(p: Pick, c: ChainCtx): string {
  return p.weighted([
    [4, () => {
      const st = [...new Set(Array.from({ length: p.int(1, 2) }, () => p.one(CTSTATES.slice(0, 5))))];
      return p.chance(20) ? `-m state ${neg(p, 15)}--state ${st.join(',')}` : `-m conntrack ${neg(p, 15)}--ctstate ${p.chance(10) ? p.one(CTSTATES.slice(5)) : st.join(',')}`;
    }],
    [2, () => `-m mark ${neg(p, 15)}--mark ${p.one(MARKS)}${p.chance(30) ? '/0x1' : ''}`],
    [2, () => `-m connmark ${neg(p, 15)}--mark ${p.one(MARKS)}`],
    [2, () => `-m addrtype ${p.chance(50) ? `${neg(p, 15)}--src-type ${p.one(ADDRTYPES)}` : `${neg(p, 15)}--dst-type ${p.one(ADDRTYPES)}`}`],
    [2, () => {
      const a = ipToNum(p.one(c.facts.addrs));
      const lo = numToIp(a - p.int(0, 2));
      const hi = numToIp(a + p.int(0, 3));
      return `-m iprange ${neg(p, 15)}${p.chance(50) ? '--src-range' : '--dst-range'} ${lo}-${hi}`;
    }],
    [1, () => {
      const every = p.int(2, 3);
      return `-m statistic --mode nth --every ${every} --packet ${p.int(0, every - 1)}`;
    }],
    [1, () => `-m ttl ${p.one(['--ttl-eq 64', '--ttl-lt 64', '--ttl-gt 63', '--ttl-eq 63', '--ttl-lt 2'])}`],
    [1, () => `-m length ${neg(p, 15)}--length ${p.one(['0:60', '61:100', '84', '39', '100:65535', '20:59'])}`],
  ] as const)();
}

function pickTarget(p: Pick, c: ChainCtx): string {
  const jumps: [number, () => string][] = c.callees.length ? [[3, () => `${p.one(c.callees)}`], [1, () => `${p.one(c.callees)}\u0000goto`]] : [];
  const common: [number, () => string][] = [[4, () => 'ACCEPT'], [1, () => 'RETURN'], [2, () => ''], ...jumps];
  let table: [number, () => string][];
  switch (c.table) {
    case 'filter':
      table = [[1, () => 'DROP'], [1, () => `REJECT --reject-with ${p.one(REJECT_WITH)}`]];
      break;
    case 'security':
    case 'raw':
      table = [[c.table === 'raw' ? 1 : 2, () => 'DROP'], ...(c.table === 'raw' ? [[3, () => 'CT --notrack'] as [number, () => string]] : [])];
      break;
    case 'mangle':
      table = [
        [1, () => 'DROP'],
        [6, () => `MARK --set-xmark ${p.one(MARKS)}/${p.one(['0xffffffff', '0x1', '0x3'])}`],
        [2, () => p.one([`CONNMARK --set-xmark ${p.one(MARKS)}/0xffffffff`, 'CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff', 'CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff'])],
      ];
      break;
    case 'nat': {
      const dst = () => p.one(c.facts.addrs);
      if (c.hook === 'PREROUTING' || c.hook === 'OUTPUT')
        table = [
          [3, () => `DNAT --to-destination ${dst()}${p.chance(40) ? `:${p.one(PORTS)}` : ''}`],
          [2, () => `REDIRECT${p.chance(50) ? ` --to-ports ${p.one(PORTS)}` : ''}`],
        ];
      else if (c.hook === 'POSTROUTING') table = [[3, () => `SNAT --to-source ${dst()}`], [3, () => 'MASQUERADE']];
      else table = [[3, () => `SNAT --to-source ${dst()}`]];
      break;
    }
  }
  const t = p.weighted([...common, ...table].map(([w, f]) => [w, f] as const))();
  return t;
}

/** Rules of one table: built-in chains (policy, rules) and user chains each owned by one built-in chain. */
function table(p: Pick, name: CaseTable['name'], host: CaseHost, facts: WorldFacts): CaseTable {
  const chains: CaseChain[] = [];
  const user: CaseChain[] = [];
  for (const hook of TABLE_HOOKS[name]) {
    const policy = name === 'nat' ? 'ACCEPT' : p.chance(name === 'filter' ? 8 : 3) ? 'DROP' : 'ACCEPT';
    const nUser = p.weighted([[6, 0], [3, 1], [1, 2]] as const);
    const names = Array.from({ length: nUser }, (_, i) => `${hook.slice(0, 3)}_${String.fromCharCode(65 + i)}`);
    const mk = (callees: string[]): string[] => {
      const n = p.weighted([[3, 0], [4, 1], [2, 2], [1, 3]] as const);
      return Array.from({ length: n }, () => rule(p, { table: name, hook, host, facts, callees })).map((r) => r.replace(/-j (\S+)\u0000goto/, '-g $1'));
    };
    chains.push({ name: hook, policy, rules: mk(names) });
    names.forEach((n, i) => {
      // a user chain may call only later ones (no loops); a jump to it exists in its built-in chain
      const rules = mk(names.slice(i + 1));
      user.push({ name: n, rules });
    });
    const builtin = chains[chains.length - 1];
    for (const n of names) if (!builtin.rules.some((r) => r.endsWith(`-j ${n}`) || r.endsWith(`-g ${n}`))) builtin.rules.splice(p.int(0, builtin.rules.length), 0, `-j ${n}`);
  }
  return { name, chains: [...chains, ...user] };
}

function addRulesets(p: Pick, topo: Topo, facts: WorldFacts): void {
  for (const h of topo.hosts) {
    const tables: CaseTable[] = [];
    const want: [CaseTable['name'], number][] = [['raw', 15], ['mangle', 25], ['nat', 40], ['filter', 60], ['security', 10]];
    for (const [t, pc] of want) if (p.chance(pc)) tables.push(table(p, t, h, facts));
    h.tables = tables;
  }
}

function addListeners(p: Pick, topo: Topo): void {
  for (const h of topo.hosts) {
    const own = h.ifaces.flatMap((i) => i.addrs.map((a) => a.addr)).filter((a) => a !== '127.0.0.1');
    for (const port of PORTS) {
      for (const proto of ['tcp', 'udp'] as const) {
        if (!p.chance(35)) continue;
        const addr = own.length && p.chance(20) ? p.one(own) : '0.0.0.0';
        h.listeners.push({ proto, addr, port });
      }
    }
  }
}

// ---------------------------------------------------------------- packets

interface SentFlow {
  proto: 'udp' | 'icmp';
  sender: string;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  id: number;
}

function addPackets(p: Pick, topo: Topo, facts: WorldFacts): string[] {
  const n = p.weighted([[2, 1], [3, 2], [3, 3], [3, 4], [2, 5], [2, 6]] as const);
  const out: string[] = [];
  const flows: SentFlow[] = [];
  const owner = (a: string) => topo.hosts.find((h) => h.ifaces.some((i) => i.addrs.some((x) => x.addr === a)));
  for (let k = 0; k < n; k++) {
    const replyTo = flows.length && p.chance(35) ? p.one(flows) : undefined;
    // 127.0.0.1 is every host's: a reply to it comes from the host that sent there (itself)
    const replier = replyTo && (replyTo.dst.startsWith('127.') ? topo.hosts.find((h) => h.name === replyTo.sender) : owner(replyTo.dst));
    if (replyTo && replier) {
      if (replyTo.proto === 'udp') out.push(`local ${replier.name} udp ${replyTo.dst}:${replyTo.dport} > ${replyTo.src}:${replyTo.sport} len ${p.one([33, 39, 60])}`);
      else out.push(`local ${replier.name} icmp ${replyTo.dst} > ${replyTo.src} type echo-reply id ${replyTo.id} seq 1`);
      continue;
    }
    const sender = p.one(topo.hosts);
    const own = sender.ifaces.flatMap((i) => i.addrs.map((a) => a.addr));
    const dst = p.weighted([
      [8, () => p.one(facts.addrs)],
      [1, () => (facts.extra.length ? numToIp(ipToNum(p.one(facts.extra).split('/')[0]) + p.int(1, 9)) : p.one(facts.addrs))],
      [1, () => p.one(own)],
    ] as const)();
    const src = p.chance(50) ? '0.0.0.0' : p.one(own.filter((a) => a !== '127.0.0.1').length ? own.filter((a) => a !== '127.0.0.1') : own);
    const proto = p.weighted([[4, 'tcp'], [4, 'udp'], [2, 'icmp']] as const);
    if (proto === 'tcp') out.push(`local ${sender.name} tcp ${src}:${40000 + k} > ${dst}:${p.one(PORTS)} flags S`);
    else if (proto === 'udp') {
      const dport = p.one(PORTS);
      out.push(`local ${sender.name} udp ${src}:${5000 + k} > ${dst}:${dport} len ${p.one([33, 39, 60, 128])}`);
      if (src !== '0.0.0.0') flows.push({ proto, sender: sender.name, src, dst, sport: 5000 + k, dport, id: 0 });
    } else {
      out.push(`local ${sender.name} icmp ${src === '0.0.0.0' ? own.find((a) => a !== '127.0.0.1') ?? src : src} > ${dst} type echo-request id ${300 + k} seq 1`);
      const s = src === '0.0.0.0' ? own.find((a) => a !== '127.0.0.1') : src;
      if (s) flows.push({ proto, sender: sender.name, src: s, dst, sport: 0, dport: 0, id: 300 + k });
    }
  }
  return out;
}

/** Case tag (interface name prefix) for a case index: 'k' + base 36, unique per index. */
export function caseTag(index: number): string {
  return `k${index.toString(36)}`;
}

export function caseArbitrary(seed: number, index: number): fc.Arbitrary<ConformanceCase> {
  const tag = caseTag(index);
  return fc.gen().map((g) => {
    const p = new Pick(g);
    const topo = p.chance(65) ? lineTopology(p, tag) : bridgeTopology(p, tag);
    for (const h of topo.hosts) if (p.chance(20)) h.ifaces[0].addrs.push({ addr: `172.16.${h.name.slice(1)}.1`, len: 32 });
    const addrs = topo.hosts.flatMap((h) => h.ifaces.flatMap((i) => i.addrs.map((a) => a.addr))).filter((a) => a !== '127.0.0.1');
    const nets = [...new Set(topo.hosts.flatMap((h) => h.ifaces.flatMap((i) => i.addrs.filter((a) => a.len < 32).map((a) => `${networkOf(a.addr, a.len)}/${a.len}`))))].filter((x) => !x.startsWith('127.'));
    const facts: WorldFacts = { tag, addrs, nets, extra: [] };
    const extraPool = Array.from({ length: 8 }, (_, i) => `10.${50 + i}.0.0/16`);
    addRoutes(p, topo, facts, extraPool);
    addSysctls(p, topo);
    addListeners(p, topo);
    addRulesets(p, topo, facts);
    const packets = addPackets(p, topo, facts);
    return { seed, index, tag, hosts: topo.hosts, links: topo.links, packets };
  });
}

/** The case for (seed, index): its own fast-check seed, so any case can be regenerated alone. */
export function generateCase(seed: number, index: number): ConformanceCase {
  const s = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) | 0;
  return fc.sample(caseArbitrary(seed, index), { seed: s, numRuns: 1 })[0];
}

export type { CaseIface };
