/**
 * The protocol handlers after INPUT: TCP (tcp_v4_rcv(): established 4-tuple, then listeners, exact address
 * before wildcard), UDP (__udp4_lib_lookup(): connected sockets must match the peer; exact address before
 * wildcard), ICMP echo (icmp_echo()), and the stack's answers when nobody wants the packet.
 */
import { packetSummary } from './format.js';
import { formatIpv4, parseIpv4 } from '../model/addr.js';
import { TCP_FLAGS } from '../model/packet.js';
import type { Socket } from '../model/host.js';
import { sendEchoReply, sendIcmpError, sendStackRst, sendSynAck } from './icmp.js';
import { emit, hostState, idx, type Sim, type Skb } from './sim.js';
import { sysctlRead } from './sysctl.js';
import type { RunSocket, Verdict } from './types.js';
import { dropped, unsupported } from './verdicts.js';
import { isIcmpError } from './conntrack.js';
import { DEP, D_FLAGS, FLAGS_SYN_NOACK, dep, depTest } from './deps.js';

function sockAddr(a: string): number | undefined {
  if (a === '*' || a === '0.0.0.0' || a === '::' || a === '[::]') return 0;
  return parseIpv4(a.replace(/^\[::ffff:(.*)\]$/, '$1'));
}

interface Candidate {
  /** PROTO:ADDR:PORT as the socket is bound (ss's local address). */
  id: string;
  text: string;
  score: number;
  listener: boolean;
}

function dumpCandidates(sockets: readonly Socket[], proto: 'tcp' | 'udp', skb: Skb): Candidate[] {
  const p = skb.pkt;
  const out: Candidate[] = [];
  for (const s of sockets) {
    if (s.proto !== proto) continue;
    if (s.local.port !== p.dport) continue;
    const la = sockAddr(s.local.addr);
    if (la === undefined) continue;
    if (s.family === 6 && la !== 0) continue;
    if (la !== 0 && la !== p.dst) continue;
    if (s.local.dev && s.local.dev !== skb.inIface && skb.inIface !== 'lo') continue;
    const peerA = s.peer ? sockAddr(s.peer.addr) : 0;
    const connected = !!s.peer && peerA !== 0 && peerA !== undefined && s.peer.port !== 0;
    if (connected && (peerA !== p.src || s.peer!.port !== p.sport)) continue;
    const listener = proto === 'tcp' ? s.state === 'LISTEN' : !connected;
    if (proto === 'tcp' && !listener && !connected) continue;
    let score = (la === 0 ? 0 : 4) + (connected ? 8 : 0) + (s.local.dev ? 2 : 0) + (s.family === 4 ? 1 : 0);
    if (proto === 'tcp' && connected) score += 16;
    const where = `${s.local.addr}:${s.local.port}${s.local.dev ? `%${s.local.dev}` : ''}`;
    out.push({ id: `${proto}:${la === 0 ? '0.0.0.0' : s.local.addr}:${s.local.port}`, text: `${proto}:${where}${connected ? ` (connected to ${s.peer!.addr}:${s.peer!.port})` : ''}${s.process ? ` ${s.process}` : ''}`, score, listener });
  }
  return out.sort((a, b) => b.score - a.score);
}

function runCandidate(sockets: readonly RunSocket[], proto: number, skb: Skb): RunSocket | undefined {
  const p = skb.pkt;
  return sockets.find((s) => s.proto === proto && s.local.port === p.dport && (s.local.addr === 0 || s.local.addr === p.dst) && (!s.peer || (s.peer.addr === p.src && s.peer.port === p.sport)));
}

function socketName(proto: string, addr: number, port: number): string {
  return `${proto}:${formatIpv4(addr)}:${port}`;
}

export function socketDeliver(sim: Sim, skb: Skb): Verdict {
  const h = idx(sim, skb.host);
  const st = hostState(sim, skb.host);
  const p = skb.pkt;
  if (sim.deps) {
    // A connected socket also compares the peer (source address and port).
    const peers = st.sockets.some((x) => x.peer && x.local.port === p.dport) || (h.host.sockets ?? []).some((x) => x.peer && x.peer.port !== 0 && x.local.port === p.dport);
    dep(sim, skb, DEP.proto | DEP.dst | DEP.dport | DEP.icmp | (peers ? DEP.src | DEP.sport : 0));
  }
  const known = h.host.sockets !== undefined;
  if (p.proto === 1) return icmpDeliver(sim, skb);
  if (p.proto !== 6 && p.proto !== 17) return unsupported(sim, skb, `delivery of IP protocol ${p.proto} to a local handler is not modelled`);
  const proto = p.proto === 6 ? 'tcp' : 'udp';
  const run = runCandidate(st.sockets, p.proto, skb);
  if (run) {
    emit(sim, () => ({ type: 'socket', host: skb.host, socket: socketName(proto, run.local.addr, run.local.port), detail: run.note }));
    return { fate: 'delivered', host: skb.host, packet: packetSummary(skb.pkt), socket: socketName(proto, run.local.addr, run.local.port), detail: `received by ${run.note}`, answers: sim.answers };
  }
  const c = dumpCandidates(h.host.sockets ?? [], proto, skb)[0];
  if (c) {
    emit(sim, () => ({ type: 'socket', host: skb.host, socket: c.text, detail: 'from the ss dump' }));
    if (proto === 'tcp') {
      const f = p.tcpFlags ?? 0;
      const syn = (f & TCP_FLAGS.SYN) !== 0 && (f & TCP_FLAGS.ACK) === 0;
      if (sim.deps) depTest(sim, skb, D_FLAGS, FLAGS_SYN_NOACK);
      if (c.listener && !syn) return unsupported(sim, skb, `a non-SYN segment reached the listening socket ${c.text}: the answer depends on TCP state nfsim does not model`);
      if (c.listener) sendSynAck(sim, skb);
    }
    return { fate: 'delivered', host: skb.host, packet: packetSummary(skb.pkt), socket: c.id, detail: `received by ${c.text}`, answers: sim.answers };
  }
  if (!known) {
    emit(sim, () => ({ type: 'note', host: skb.host, text: `no ss dump for ${skb.host}: whether a socket listens on ${proto} ${formatIpv4(p.dst)}:${p.dport} is not known` }));
    return { fate: 'delivered', host: skb.host, packet: packetSummary(skb.pkt), detail: `reached the ${proto.toUpperCase()} layer of ${skb.host}; the socket table is not known (add an ss dump to know whether anything listens)`, answers: sim.answers };
  }
  if (proto === 'tcp') {
    sendStackRst(sim, skb);
    return dropped(sim, skb, 'NO_SOCKET', 'tcp_v4_rcv', `no socket for tcp ${formatIpv4(p.dst)}:${p.dport}: the stack answers with RST`, { counter: 'TcpOutRsts' });
  }
  const bcast = p.dst === 0xffffffff || p.dst >>> 28 === 0xe || h.tables.get('local')?.some((r) => r.type === 'broadcast' && r.dst.v4 === p.dst);
  // (__udp4_lib_rcv(): nf_reset_ct() on the no-socket path, before icmp_send())
  if (!bcast) sendIcmpError(sim, skb, 3, 3, 'no UDP socket: ICMP port unreachable', true, undefined, { ctReset: true });
  return dropped(sim, skb, 'NO_SOCKET', '__udp4_lib_rcv', `no socket for udp ${formatIpv4(p.dst)}:${p.dport}${bcast ? ' (broadcast: no ICMP)' : ': ICMP port unreachable to the sender'}`, { counter: 'UdpNoPorts' });
}

function icmpDeliver(sim: Sim, skb: Skb): Verdict {
  const h = idx(sim, skb.host);
  const p = skb.pkt;
  const type = p.icmp?.type ?? -1;
  if (type === 8) {
    const ign = sysctlRead(h.host, 'net.ipv4.icmp_echo_ignore_all');
    emit(sim, () => ({ type: 'sysctl', host: skb.host, key: ign.key, value: String(ign.value), source: ign.source, loc: ign.loc, effect: ign.value ? 'echo requests are consumed without a reply' : 'echo requests are answered' }));
    if (ign.value) return { fate: 'delivered', host: skb.host, packet: packetSummary(skb.pkt), socket: 'icmp:echo', detail: 'consumed by icmp_echo() without a reply (icmp_echo_ignore_all=1; no drop event)', answers: sim.answers };
    sendEchoReply(sim, skb);
    return { fate: 'delivered', host: skb.host, packet: packetSummary(skb.pkt), socket: 'icmp:echo', detail: 'answered by the kernel (icmp_echo())', answers: sim.answers };
  }
  const st = hostState(sim, skb.host);
  if (type === 0) {
    const s = st.sockets.find((x) => x.proto === 1 && x.icmpId === p.icmp?.id && (x.local.addr === 0 || x.local.addr === p.dst));
    if (s) return { fate: 'delivered', host: skb.host, packet: packetSummary(skb.pkt), socket: `icmp:${formatIpv4(p.dst)}:id=${s.icmpId}`, detail: `echo reply received by ${s.note}`, answers: sim.answers };
    // ping_rcv(): no ping socket with this id. (A raw-socket ping would still have received its copy in
    // raw_local_deliver() before this.)
    return dropped(sim, skb, 'NO_SOCKET', 'ping_rcv', `no ping socket with id ${p.icmp?.id} on ${skb.host} (a ping program using a raw socket would have received a copy before this drop)`);
  }
  if (isIcmpError(p) && p.icmp?.inner) {
    const inner = p.icmp.inner;
    const s = st.sockets.find((x) => x.proto === inner.proto && x.local.port === (inner.sport ?? x.local.port) && (x.local.addr === 0 || x.local.addr === inner.src));
    const what = `ICMP type ${type} code ${p.icmp.code}`;
    if (s) return { fate: 'delivered', host: skb.host, packet: packetSummary(skb.pkt), socket: socketName(inner.proto === 6 ? 'tcp' : inner.proto === 17 ? 'udp' : String(inner.proto), s.local.addr, s.local.port), detail: `${what} reported to ${s.note} (the application sees the error)`, answers: sim.answers };
    return { fate: 'delivered', host: skb.host, packet: packetSummary(skb.pkt), socket: 'icmp', detail: `${what} reached the ICMP layer (icmp_rcv())`, answers: sim.answers };
  }
  return { fate: 'delivered', host: skb.host, packet: packetSummary(skb.pkt), socket: 'icmp', detail: `ICMP type ${type} handled by icmp_rcv()`, answers: sim.answers };
}
