/**
 * Turn a world into a script for the namespace lab (scripts/lab/lab.sh): one namespace per host, the
 * topology's veth pairs, bridges and their ports, addresses, routes, policy rules, the sysctls that change the
 * packet path, each host's ruleset (iptables-restore) and a listener for every listening socket of the `ss`
 * dump; then one probe per packet, recorded as the scenarios are (kernel/world.json).
 */
import type { Host, World } from '../model/host.js';
import { formatRoute } from '../parse/ipRouteWrite.js';
import { formatRule } from '../parse/ipRule.js';
import { saveRuleset } from '../parse/iptablesSaveWrite.js';
import type { Query } from '../parse/queries.js';
import { formatIpv4 } from '../model/addr.js';
import { TCP_FLAGS } from '../model/packet.js';
import { arrivalSender, farEnd, linkAt } from '../model/topology.js';
import type { LabSender } from './answers.js';

export interface LabScript {
  text: string;
  /** Queries that the lab can send; the others with the reason. */
  sent: Query[];
  skipped: { query: Query; why: string }[];
  /** Parts of the world the lab cannot rebuild (the comparison may differ because of them). */
  notRebuilt: string[];
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function mac(i: number): string {
  return `02:5e:${((i >> 24) & 255).toString(16).padStart(2, '0')}:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
}

function dumpMac(h: Host, iface: string): string | undefined {
  const m = h.interfaces.find((i) => i.name === iface)?.mac;
  return m && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(m) && m !== '00:00:00:00:00:00' ? m.toLowerCase() : undefined;
}

/** The helper's side of an outside link (scripts/lab/lab.sh LAB_OUTSIDE_MAC). */
export const OUTSIDE_MAC = '02:5e:ff:ff:ff:01';


/** Interfaces the lab creates as the end of an outside link: no link in the topology, not lo, not a bridge. */
function outsideIfaces(world: World): { host: Host; iface: string }[] {
  const out: { host: Host; iface: string }[] = [];
  for (const h of world.hosts) for (const i of h.interfaces) if (i.name !== 'lo' && i.kind !== 'bridge' && !linkAt(world, h.name, i.name)) out.push({ host: h, iface: i.name });
  return out;
}

/**
 * The MAC every rebuilt interface gets: the dump's, else a lab MAC numbered in build order (links, bridges,
 * outside links).
 */
export function labMacs(world: World): Map<string, string> {
  const macs = new Map<string, string>();
  let n = 1;
  const give = (h: Host, iface: string) => macs.set(`${h.name}\0${iface}`, dumpMac(h, iface) ?? mac(n++));
  const host = (name: string) => world.hosts.find((h) => h.name === name)!;
  for (const l of world.links) {
    give(host(l.a.host), l.a.iface);
    give(host(l.b.host), l.b.iface);
  }
  for (const h of world.hosts) for (const i of h.interfaces) if (i.kind === 'bridge') give(h, i.name);
  for (const o of outsideIfaces(world)) give(o.host, o.iface);
  return macs;
}

const PATH_CONF = ['forwarding', 'rp_filter', 'route_localnet', 'accept_local', 'src_valid_mark', 'send_redirects', 'proxy_arp', 'log_martians'];
const PATH_KEYS = ['net.ipv4.ip_forward', 'net.netfilter.nf_conntrack_tcp_loose', 'net.netfilter.nf_conntrack_tcp_be_liberal', 'net.ipv4.icmp_echo_ignore_all', 'net.ipv4.icmp_echo_ignore_broadcasts', 'net.ipv4.icmp_errors_use_inbound_ifaddr', 'net.ipv4.ip_nonlocal_bind'];

/** A socket the lab opens in a host: a listener, or a connected UDP socket (peer). */
export interface LabListener {
  host: string;
  proto: 'tcp' | 'udp';
  addr: string;
  port: number;
  peer?: string;
  pport?: number;
}

/**
 * How one packet is sent by the lab: the sending host (or outside helper `x-HOST-IF`) and the arguments of
 * `lab.py send` / lab_query; `wait` the query window after the send when it is not the lab's default.
 */
export type LabProbe = { sender: string; proto: 'tcp' | 'udp' | 'icmp' | 'l2'; args: string[]; len: number; wait?: number } | { why: string };

/** Options of the lab: `outside` = build outside links (lab_outside) and send packets from outside the world. */
export interface LabOptions {
  outside?: boolean;
}

export function labScript(world: World, queries: Query[], prefix: string): LabScript {
  const L: string[] = ['set -euo pipefail', '. "$NFSIM_LAB/lab.sh"', `lab_init ${prefix}`];
  const b = labBuild(world, { outside: true });
  L.push(...b.lines);
  for (const l of b.listeners) L.push(`lab_listen ${q(l.host)} ${l.proto} ${l.addr} ${l.port}${l.peer ? ` ${l.peer} ${l.pport}` : ''}`);
  L.push('lab_phase world');
  const sent: Query[] = [];
  const skipped: { query: Query; why: string }[] = [];
  for (const qu of queries) {
    const pr = labProbe(world, qu, { outside: true });
    if ('why' in pr) {
      skipped.push({ query: qu, why: pr.why });
      continue;
    }
    L.push(`lab_query ${pr.wait ? `-w ${pr.wait} ` : ''}${q(qu.spec.text)} ${q(pr.sender)} ${pr.proto} ${pr.args.map((x) => (/^[\w.:,=/-]+$/.test(x) ? x : q(x))).join(' ')}`);
    sent.push(qu);
  }
  L.push('lab_finish');
  return { text: L.join('\n') + '\n', sent, skipped, notRebuilt: b.notRebuilt };
}

/**
 * The lab.sh lines that rebuild a world (hosts, links, bridges, addresses, routes, rules, sysctls, rulesets) and
 * the sockets to open. With `outside`, an interface without a link is built as the end of an outside link
 * (lab_outside: a helper namespace stands for what is behind it), so routes through it exist as on the host.
 */
export function labBuild(world: World, opts: LabOptions = {}): { lines: string[]; listeners: LabListener[]; notRebuilt: string[] } {
  const L: string[] = [];
  const listeners: LabListener[] = [];
  const notRebuilt: string[] = [];
  const macs = labMacs(world);
  const macOf = (h: string, iface: string) => macs.get(`${h}\0${iface}`)!;
  const outside = outsideIfaces(world);
  for (const h of world.hosts) L.push(`lab_host ${q(h.name)}`);
  for (const h of world.hosts) {
    if (!opts.outside) for (const o of outside) if (o.host === h) notRebuilt.push(`${h.name}: interface ${o.iface} has no link in the topology and is not created`);
    if (h.conntrack?.length) notRebuilt.push(`${h.name}: the ${h.conntrack.length} conntrack entries of the dump are not recreated`);
  }
  for (const l of world.links) L.push(`lab_veth ${q(l.a.host)} ${q(l.a.iface)} ${macOf(l.a.host, l.a.iface)} ${q(l.b.host)} ${q(l.b.iface)} ${macOf(l.b.host, l.b.iface)}`);
  if (opts.outside) for (const o of outside) L.push(`lab_outside ${q(o.host.name)} ${q(o.iface)} ${macOf(o.host.name, o.iface)}`);
  const built = (h: string, iface: string) => !!linkAt(world, h, iface) || (!!opts.outside && outside.some((o) => o.host.name === h && o.iface === iface));
  for (const h of world.hosts) {
    for (const i of h.interfaces) if (i.kind === 'bridge') L.push(`lab_bridge ${q(h.name)} ${q(i.name)} ${macOf(h.name, i.name)}`);
    for (const i of h.interfaces) if (i.master && h.interfaces.some((b) => b.name === i.master && b.kind === 'bridge') && built(h.name, i.name)) L.push(`lab_port ${q(h.name)} ${q(i.master)} ${q(i.name)}`);
  }
  for (const h of world.hosts) {
    // Interface MTUs other than the veth/bridge default (forwarding checks them: frag-needed, PKT_TOO_BIG).
    for (const i of h.interfaces) {
      if (i.name !== 'lo' && i.mtu !== undefined && i.mtu !== 1500 && (i.kind === 'bridge' || built(h.name, i.name))) L.push(`lab_x ${q(h.name)} ip link set dev ${q(i.name)} mtu ${i.mtu}`);
    }
    for (const i of h.interfaces) {
      for (const a of i.addresses) {
        // lo comes with 127.0.0.1/8; further loopback addresses are added like any other
        if (a.family !== 4 || (i.name === 'lo' && a.local.addr === '127.0.0.1' && a.local.len === 8)) continue;
        L.push(`lab_addr ${q(h.name)} ${q(i.name)} ${a.local.addr}/${a.local.len}`);
      }
    }
  }
  for (const h of world.hosts) {
    // Routes the kernel adds by itself (connected, local, broadcast) come with the addresses.
    for (const r of h.routes) {
      // (routes of the local table that the kernel did not add itself, e.g. AnyIP `local PREFIX dev lo`, are added)
      if (r.family !== 4 || r.proto === 'kernel') continue;
      L.push(`lab_x ${q(h.name)} ip route add ${formatRoute(r).replace(/\s+/g, ' ').replace(/ (linkdown|offload|dead|pervasive|rt_offload|trap)\b/g, '')}`);
    }
    for (const r of h.rules) {
      if (r.family !== 4 || (r.priority === 0 && r.table === 'local') || (r.priority === 32766 && r.table === 'main') || (r.priority === 32767 && r.table === 'default')) continue;
      L.push(`lab_x ${q(h.name)} ip rule add priority ${formatRule(r).replace(/^(\d+):\t/, '$1 ')}`);
    }
  }
  for (const h of world.hosts) {
    const v = h.sysctl?.values ?? {};
    const keys = Object.keys(v).filter((k) => PATH_KEYS.includes(k) || PATH_CONF.some((c) => k.startsWith('net.ipv4.conf.') && k.endsWith(`.${c}`)));
    // ip_forward first (it rewrites every interface's forwarding), then the per-interface values.
    keys.sort((x, y) => Number(y === 'net.ipv4.ip_forward') - Number(x === 'net.ipv4.ip_forward') || x.localeCompare(y));
    const ifaces = new Set(h.interfaces.map((i) => i.name.replace(/\./g, '/')));
    const settable = keys.filter((k) => !k.startsWith('net.ipv4.conf.') || ['all', 'default', ...ifaces].includes(k.split('.')[3]));
    // A proxy ARP answer to a broadcast request waits a random time up to neigh.IF.proxy_delay (default 0.8 s,
    // arp_process() -> pneigh_enqueue()): timing only, but it can outlast a probe's wait, so the lab answers at once.
    const proxyArp = keys.some((k) => k.endsWith('.proxy_arp') && v[k].trim() !== '0');
    const noDelay = proxyArp ? [...ifaces].filter((i) => i !== 'lo').map((i) => `net.ipv4.neigh.${i}.proxy_delay=0`) : [];
    if (settable.length || noDelay.length) L.push(`lab_sysctl ${q(h.name)} ${[...settable.map((k) => `${k}=${v[k].trim()}`), ...noDelay].join(' ')}`);
    if (v['net.bridge.bridge-nf-call-iptables'] !== undefined) L.push(`modprobe br_netfilter 2>/dev/null || true`, `lab_sysctl ${q(h.name)} net.bridge.bridge-nf-call-iptables=${v['net.bridge.bridge-nf-call-iptables'].trim()}`);
    if (h.iptables && h.iptables.tables.length) {
      L.push(`lab_iptables ${q(h.name)} <<'NFSIM_RULES'`, saveRuleset(h.iptables, { counters: false }).trimEnd(), 'NFSIM_RULES');
    }
    for (const s of h.sockets ?? []) {
      if (s.local.port === 0) continue;
      if (s.proto === 'udp' && s.state === 'ESTAB' && s.peer && /^\d+\.\d+\.\d+\.\d+$/.test(s.local.addr) && /^\d+\.\d+\.\d+\.\d+$/.test(s.peer.addr)) {
        listeners.push({ host: h.name, proto: 'udp', addr: s.local.addr, port: s.local.port, peer: s.peer.addr, pport: s.peer.port });
        continue;
      }
      if (!((s.proto === 'tcp' && s.state === 'LISTEN') || (s.proto === 'udp' && s.state === 'UNCONN'))) {
        if (s.proto === 'tcp' || s.proto === 'udp') notRebuilt.push(`${h.name}: ${s.proto} socket ${s.local.addr}:${s.local.port} (${s.state}${s.peer ? ` to ${s.peer.addr}:${s.peer.port}` : ''}) is not recreated`);
        continue;
      }
      const addr = s.local.addr === '*' || s.local.addr === '[::]' || s.local.addr === '::' ? '0.0.0.0' : s.local.addr;
      if (addr.includes(':')) continue;
      listeners.push({ host: h.name, proto: s.proto, addr, port: s.local.port });
    }
  }
  return { lines: L, listeners, notRebuilt };
}

/** How the lab sends one packet, or why it cannot. */
export function labProbe(world: World, qu: Query, opts: LabOptions = {}): LabProbe {
  {
    const sp = qu.spec;
    const p = sp.packet;
    let sender: string = sp.origin.host;
    if (sp.origin.kind !== 'local') {
      // An arriving packet whose source is an address of the modelled host at the link's other end is sent
      // by that host (its socket: answers find it there). Any other is sent from outside (outsideProbe()).
      const o = sp.origin;
      const farHost = arrivalSender(world, o.host, o.iface, p.src);
      if (!farHost) {
        if (!opts.outside) return { why: '`arrive` packets from outside the modelled world are not sent by this lab (nfsim verify sends them from a helper namespace)' };
        return outsideProbe(world, qu, farEnd(world, o.host, o.iface));
      }
      sender = farHost.name;
    }
    if (sp.pktinfo || sp.raw) return { why: `${sp.pktinfo ? 'IP_PKTINFO' : 'raw-socket'} senders are not built by verify yet` };
    // What the socket must carry besides its addresses (lab.py's so: argument): TTL, TOS, SO_MARK, payload.
    const so: string[] = [];
    if (p.ttl !== 64) so.push(`ttl=${p.ttl}`);
    if (p.tos !== 0) so.push(`tos=${p.tos}`);
    if (p.mark) {
      if (sp.origin.kind !== 'local') return { why: 'a mark on an arriving packet cannot be sent (skb->mark is cleared between namespaces)' };
      so.push(`mark=${p.mark}`);
    }
    if (p.payload !== undefined) so.push(`payload=${Buffer.from(p.payload, 'utf8').toString('hex')}`);
    if (p.proto === 1 && p.length !== 84) so.push(`len=${p.length}`);
    const soArg = so.length ? [`so:${so.join(',')}`] : [];
    // (a UDP datagram is sent with the spec's IP total length: its payload is length - 28 bytes)
    if (p.proto === 17) return { sender, proto: 'udp', args: [formatIpv4(p.src), String(p.sport), formatIpv4(p.dst), String(p.dport), String(p.length), ...soArg], len: p.length };
    if (p.proto === 6) {
      // connect() sends one SYN as the kernel builds it: 60 bytes (MSS, SACK permitted, timestamps, window scale)
      if (p.tcpFlags !== TCP_FLAGS.SYN) return { why: 'a TCP probe from a socket is a connect(): only a SYN (flags S) can be sent' };
      if (p.length !== 60 || p.payload !== undefined) return { why: `connect() sends a 60-byte SYN without data: ${p.payload !== undefined ? 'a payload' : `len ${p.length}`} cannot be sent from a socket` };
      return { sender, proto: 'tcp', args: [formatIpv4(p.src), String(p.sport), formatIpv4(p.dst), String(p.dport), ...soArg], len: p.length };
    }
    if (p.proto === 1 && (p.icmp?.type === 8 || p.icmp?.type === 0) && !p.icmp.code) return { sender, proto: 'icmp', args: [formatIpv4(p.src), formatIpv4(p.dst), String(p.icmp.id ?? 1), String(p.icmp.seq ?? 1), String(p.icmp.type), ...soArg], len: p.length };
    return { why: 'only TCP, UDP and ICMP echo probes can be sent' };
  }
}

const TCP_LETTERS: [number, string][] = [[0x01, 'F'], [0x02, 'S'], [0x04, 'R'], [0x08, 'P'], [0x10, 'A'], [0x20, 'U'], [0x40, 'E'], [0x80, 'C']];

/**
 * An `arrive HOST:IF` packet that no modelled neighbour sends: a crafted frame (lab.py send l2) from an AF_PACKET
 * socket at the far end of the link — the modelled neighbour's interface (its stack never sees the frame), or
 * the outside helper of an interface with no link — addressed to the interface's MAC (the bridge's when IF is a
 * bridge port), with the spec's TTL, TOS, length, DF, TCP flags and payload.
 */
function outsideProbe(world: World, qu: Query, far: { host: string; iface: string } | undefined): LabProbe {
  const sp = qu.spec;
  const p = sp.packet;
  if (sp.origin.kind !== 'arrive') return { why: 'not an arriving packet' };
  const o = sp.origin;
  if (p.mark) return { why: 'a mark on an arriving packet cannot come from outside (skb->mark is cleared between namespaces)' };
  if (p.pktType && p.pktType !== 'host') return { why: `a ${p.pktType} frame from outside is not sent by verify yet` };
  const macs = labMacs(world);
  const host = world.hosts.find((h) => h.name === o.host);
  const master = host?.interfaces.find((i) => i.name === o.iface)?.master;
  const dmac = macs.get(`${o.host}\0${master && host?.interfaces.some((b) => b.name === master && b.kind === 'bridge') ? master : o.iface}`) ?? macs.get(`${o.host}\0${o.iface}`);
  if (!dmac) return { why: `${o.host}:${o.iface} is not an interface the lab builds` };
  const sender = far ? far.host : `x-${o.host}-${o.iface}`;
  const dev = far ? far.iface : 'outside';
  const smac = p.srcMac ?? (far ? macs.get(`${far.host}\0${far.iface}`)! : OUTSIDE_MAC);
  const opt = [`ttl=${p.ttl}`, `tos=${p.tos}`, `df=${p.df ? 1 : 0}`];
  if (p.length) opt.push(`len=${p.length}`);
  if (p.payload !== undefined) opt.push(`payload=${Buffer.from(p.payload, 'utf8').toString('hex')}`);
  let l4: string[];
  if (p.proto === 6 || p.proto === 17) {
    if (p.proto === 6) opt.push(`flags=${TCP_LETTERS.filter(([b]) => (p.tcpFlags ?? 0) & b).map(([, c]) => c).join('') || '0'}`);
    l4 = [p.proto === 6 ? 'tcp' : 'udp', formatIpv4(p.src), String(p.sport), formatIpv4(p.dst), String(p.dport)];
  } else if (p.proto === 1 && (p.icmp?.type === 8 || p.icmp?.type === 0) && !p.icmp.code) {
    l4 = ['icmp', formatIpv4(p.src), formatIpv4(p.dst), String(p.icmp.id ?? 1), String(p.icmp.seq ?? 1), String(p.icmp.type)];
  } else return { why: 'only TCP, UDP and ICMP echo packets are sent from outside' };
  // From a modelled neighbour that does not own the source, an answer may wait for ARP that nobody answers
  // (NEIGH_FAILED after about 3 s of probes): the window is long enough to see it.
  return { sender, proto: 'l2', args: [dev, smac, dmac, opt.join(','), ...l4], len: p.length, wait: far ? 3.6 : undefined };
}

/** Who sends the packet in the lab (for the answers that come back to it), as labProbe() decides with `outside`. */
export function labSender(world: World, qu: Query): LabSender {
  const o = qu.spec.origin;
  const p = labProbe(world, qu, { outside: true });
  if ('why' in p) return { kind: 'frame' };
  if (p.proto !== 'l2') return { kind: 'socket', host: p.sender };
  return o.kind === 'arrive' && !linkAt(world, o.host, o.iface) ? { kind: 'outside', host: o.host, iface: o.iface } : { kind: 'frame' };
}
