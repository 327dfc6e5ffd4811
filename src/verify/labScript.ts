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

export interface LabScript {
  text: string;
  /** Queries that the lab can send (local packets); the others with the reason. */
  sent: Query[];
  skipped: { query: Query; why: string }[];
  /** Parts of the world the lab cannot rebuild (the comparison may differ because of them). */
  notRebuilt: string[];
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function mac(i: number): string {
  return `02:5e:${((i >> 24) & 255).toString(16).padStart(2, '0')}:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
}

function macOf(h: Host, iface: string, fallback: number): string {
  const m = h.interfaces.find((i) => i.name === iface)?.mac;
  return m && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(m) && m !== '00:00:00:00:00:00' ? m : mac(fallback);
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

/** How one packet is sent by the lab: the sending host and the arguments of `lab.py send` / lab_query. */
export type LabProbe = { sender: string; proto: 'tcp' | 'udp' | 'icmp'; args: string[]; len: number } | { why: string };

export function labScript(world: World, queries: Query[], prefix: string): LabScript {
  const L: string[] = ['set -euo pipefail', '. "$NFSIM_LAB/lab.sh"', `lab_init ${prefix}`];
  const b = labBuild(world);
  L.push(...b.lines);
  for (const l of b.listeners) L.push(`lab_listen ${q(l.host)} ${l.proto} ${l.addr} ${l.port}${l.peer ? ` ${l.peer} ${l.pport}` : ''}`);
  L.push('lab_phase world');
  const sent: Query[] = [];
  const skipped: { query: Query; why: string }[] = [];
  for (const qu of queries) {
    const pr = labProbe(world, qu);
    if ('why' in pr) {
      skipped.push({ query: qu, why: pr.why });
      continue;
    }
    L.push(`lab_query ${q(qu.spec.text)} ${q(pr.sender)} ${pr.proto} ${pr.args.join(' ')}`);
    sent.push(qu);
  }
  L.push('lab_finish');
  return { text: L.join('\n') + '\n', sent, skipped, notRebuilt: b.notRebuilt };
}

/** The lab.sh lines that rebuild a world (hosts, links, bridges, addresses, routes, rules, sysctls, rulesets) and the sockets to open. */
export function labBuild(world: World): { lines: string[]; listeners: LabListener[]; notRebuilt: string[] } {
  const L: string[] = [];
  const listeners: LabListener[] = [];
  const notRebuilt: string[] = [];
  for (const h of world.hosts) L.push(`lab_host ${q(h.name)}`);
  let n = 1;
  for (const h of world.hosts) {
    for (const i of h.interfaces) {
      const linked = world.links.some((l) => (l.a.host === h.name && l.a.iface === i.name) || (l.b.host === h.name && l.b.iface === i.name));
      if (i.name !== 'lo' && i.kind !== 'bridge' && !linked) notRebuilt.push(`${h.name}: interface ${i.name} has no link in the topology and is not created`);
    }
    if (h.conntrack?.length) notRebuilt.push(`${h.name}: the ${h.conntrack.length} conntrack entries of the dump are not recreated`);
  }
  for (const l of world.links) {
    const a = world.hosts.find((h) => h.name === l.a.host)!;
    const b = world.hosts.find((h) => h.name === l.b.host)!;
    L.push(`lab_veth ${q(l.a.host)} ${q(l.a.iface)} ${macOf(a, l.a.iface, n++)} ${q(l.b.host)} ${q(l.b.iface)} ${macOf(b, l.b.iface, n++)}`);
  }
  for (const h of world.hosts) {
    for (const i of h.interfaces) if (i.kind === 'bridge') L.push(`lab_bridge ${q(h.name)} ${q(i.name)} ${macOf(h, i.name, n++)}`);
    for (const i of h.interfaces) if (i.master && h.interfaces.some((b) => b.name === i.master && b.kind === 'bridge') && world.links.some((l) => (l.a.host === h.name && l.a.iface === i.name) || (l.b.host === h.name && l.b.iface === i.name))) L.push(`lab_port ${q(h.name)} ${q(i.master)} ${q(i.name)}`);
  }
  for (const h of world.hosts) {
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
    if (settable.length) L.push(`lab_sysctl ${q(h.name)} ${settable.map((k) => `${k}=${v[k].trim()}`).join(' ')}`);
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
export function labProbe(world: World, qu: Query): LabProbe {
  {
    const sp = qu.spec;
    const p = sp.packet;
    let sender: string = sp.origin.host;
    if (sp.origin.kind !== 'local') {
      // An arriving packet whose source is an address of the modelled host at the link's other end is sent
      // by that host. (A sender outside the world would need a helper namespace: not built yet.)
      const o = sp.origin;
      const l = world.links.find((x) => (x.a.host === o.host && x.a.iface === o.iface) || (x.b.host === o.host && x.b.iface === o.iface));
      const far = l ? (l.a.host === o.host && l.a.iface === o.iface ? l.b : l.a) : undefined;
      const farHost = far && world.hosts.find((h) => h.name === far.host);
      const owns = farHost?.interfaces.some((i) => i.addresses.some((a) => a.family === 4 && a.local.v4 === p.src));
      if (!farHost || !owns) return { why: '`arrive` packets from outside the modelled world are not sent by verify yet (they need a sender namespace behind the interface)' };
      sender = farHost.name;
    }
    if (sp.pktinfo || sp.raw) return { why: `${sp.pktinfo ? 'IP_PKTINFO' : 'raw-socket'} senders are not built by verify yet` };
    if (p.proto === 6 || p.proto === 17) return { sender, proto: p.proto === 6 ? 'tcp' : 'udp', args: [formatIpv4(p.src), String(p.sport), formatIpv4(p.dst), String(p.dport)], len: p.length };
    if (p.proto === 1 && (p.icmp?.type === 8 || p.icmp?.type === 0)) return { sender, proto: 'icmp', args: [formatIpv4(p.src), formatIpv4(p.dst), String(p.icmp.id ?? 1), String(p.icmp.seq ?? 1), String(p.icmp.type)], len: p.length };
    return { why: 'only TCP, UDP and ICMP echo probes can be sent' };
  }
}
