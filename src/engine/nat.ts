/**
 * NAT: nf_nat_core.c: nf_nat_inet_fn() (rules only for a connection's first packet, null bindings),
 * nf_nat_setup_info() / get_unique_tuple() (address and port choice), nf_nat_packet() (rewriting every packet
 * by direction) and nf_nat_icmp_reply_translation() (ICMP errors: outer and embedded headers).
 */
import { formatIpv4 } from '../model/addr.js';
import type { Hook } from '../model/iptables.js';
import type { Packet } from '../model/packet.js';
import type { NatRange, NatRequest } from '../ext/types.js';
import { runTable, type TableResult } from './chains.js';
import { ctSearchList, invertTuple, isIcmpError, tupleEq } from './conntrack.js';
import { inetSelectAddr } from './fib.js';
import { packetSummary, tupleText } from './format.js';
import { jhash2, reciprocalScale, toWireU32 } from './jhash.js';
import { emit, hostState, idx, type Sim, type Skb } from './sim.js';
import type { CtEntry, CtTupleN } from './types.js';
import { DEP, dep, depTest, depTupleIn } from './deps.js';
import { DIM_INDEX } from '../space/box.js';
import * as I from '../space/intervals.js';

export type Manip = 'SRC' | 'DST';

export type NatHookResult = { ok: true } | { ok: false; table: TableResult } | { ok: false; drop: string };

/** The nat hook (DST at PREROUTING/OUTPUT, SRC at INPUT/POSTROUTING). */
export function natHook(sim: Sim, skb: Skb, hook: Hook, manip: Manip, inIface?: string, outIface?: string): NatHookResult {
  const ct = skb.ct;
  if (!ct || skb.untracked) return { ok: true };
  const e = ct.entry;
  const done = manip === 'SRC' ? 'SRC_NAT_DONE' : 'DST_NAT_DONE';
  // nf_nat_ipv4_fn(): a RELATED ICMP packet only gets nf_nat_icmp_reply_translation(); the nat chains never
  // see it (a RELATED TCP reset does go through them when its entry has no binding yet).
  const relatedIcmp = ct.info === 'RELATED' && skb.pkt.proto === 1;
  if ((ct.info === 'NEW' || ct.info === 'RELATED') && !relatedIcmp && !e.status.includes(done)) {
    emit(sim, () => ({ type: 'hook', host: skb.host, hook, table: 'nat', priority: manip === 'DST' ? -100 : 100 }));
    const res = runTable(sim, skb, 'nat', hook, inIface, outIface);
    if (res.verdict !== 'accept') return { ok: false, table: res };
    if (res.nat) {
      const r = setupBinding(sim, skb, e, manip, res.nat.req, hook);
      if (r) return { ok: false, drop: r };
    } else {
      identityBinding(sim, skb, e, manip);
    }
    e.status.push(done);
  }
  natPacket(sim, skb, manip);
  return { ok: true };
}

/** nf_nat_packet(): rewrite the packet from the stored bindings according to its direction. */
export function natPacket(sim: Sim, skb: Skb, manip: Manip): void {
  const ct = skb.ct;
  if (!ct) return;
  const e = ct.entry;
  let bit = manip === 'SRC' ? 'SRC_NAT' : 'DST_NAT';
  if (ct.dir === 'reply') bit = bit === 'SRC_NAT' ? 'DST_NAT' : 'SRC_NAT';
  if (!e.status.includes(bit)) return;
  const other = ct.dir === 'orig' ? e.reply : e.orig;
  const target = invertTuple(other);
  const before = sim.tracing ? packetSummary(skb.pkt) : '';
  if (ct.info === 'RELATED' && isIcmpError(skb.pkt)) {
    // Inner header: the opposite manip with the other direction's tuple; outer: addresses only.
    const inner = skb.pkt.icmp!.inner;
    if (inner) skb.pkt.icmp = { ...skb.pkt.icmp!, inner: manipPacket(inner, other, manip === 'SRC' ? 'DST' : 'SRC', true) };
    skb.pkt = manipPacket(skb.pkt, target, manip, false);
  } else {
    skb.pkt = manipPacket(skb.pkt, target, manip, true);
  }
  if (ct.dir === 'orig' && e.natConst?.includes(manip)) skb.constDims = (skb.constDims ?? 0) | (manip === 'SRC' ? DEP.src : DEP.dst);
  const after = sim.tracing ? packetSummary(skb.pkt) : '';
  if (before !== after) {
    const kind = ct.dir === 'orig' ? (manip === 'DST' ? 'DNAT' : 'SNAT') : manip === 'DST' ? 'un-SNAT' : 'un-DNAT';
    emit(sim, () => ({ type: 'nat', host: skb.host, kind, before, after, detail: ct.dir === 'reply' ? 'reply of a translated connection: the binding is undone' : 'binding of this connection applied' }));
  }
}

function manipPacket(p: Packet, t: CtTupleN, manip: Manip, ports: boolean): Packet {
  const q = { ...p };
  if (manip === 'SRC') {
    q.src = t.src;
    if (ports) {
      if (p.proto === 1 && p.icmp && !isIcmpError(p)) q.icmp = { ...p.icmp, id: t.sport };
      else if (p.sport !== undefined) q.sport = t.sport;
    }
  } else {
    q.dst = t.dst;
    if (ports && p.dport !== undefined && p.proto !== 1) q.dport = t.dport;
  }
  return q;
}

/** Is a reply tuple already used by another entry (nf_nat_used_tuple())? */
function tupleTaken(sim: Sim, skb: Skb, e: CtEntry, origAfter: CtTupleN): boolean {
  const reply = invertTuple(origAfter);
  // Only entries of a `conntrack -L` dump are foreign to the packet's own path.
  if (sim.deps) depTupleIn(sim, skb, ctSearchList(sim, skb.host).filter((x) => x.seeded).flatMap((x) => [invertTuple(x.reply), invertTuple(x.orig)]));
  return ctSearchList(sim, skb.host).some((x) => x.id !== e.id && x.zone === e.zone && (tupleEq(x.reply, reply) || tupleEq(x.orig, reply)));
}

function identityBinding(sim: Sim, skb: Skb, e: CtEntry, manip: Manip): void {
  if (manip !== 'SRC') return;
  // A clash needs another connection with the same reply tuple: only entries of a `conntrack -L` dump are
  // foreign to the packet's own path.
  if (sim.deps) depTupleIn(sim, skb, ctSearchList(sim, skb.host).filter((x) => x.seeded).flatMap((x) => [invertTuple(x.reply), invertTuple(x.orig)]));
  // get_unique_tuple() also runs for the null binding: a clashing source port is remapped.
  const orig = invertTuple(e.reply);
  if (!tupleTaken(sim, skb, e, orig)) return;
  const remapped = uniquePort(sim, skb, e, orig, 'SRC', undefined);
  if (remapped) {
    setReply(e, remapped, 'SRC');
    e.status.push('SRC_NAT');
    emit(sim, () => ({ type: 'nat', host: skb.host, kind: 'port-remap', before: tupleText(orig), after: tupleText(remapped), detail: 'the reply tuple clashed with another connection: source port remapped (null binding); nfsim takes the first free port upward from the original, the kernel starts at a random offset' }));
  }
}

function setReply(e: CtEntry, origAfter: CtTupleN, manip: Manip): void {
  const inv = invertTuple(origAfter);
  if (manip === 'SRC') {
    e.reply = { ...e.reply, dst: inv.dst, dport: inv.dport };
  } else {
    e.reply = { ...e.reply, src: inv.src, sport: inv.sport };
  }
}

/** nf_nat_setup_info(): choose the new tuple; returns a drop reason text when the NAT engine drops. */
function setupBinding(sim: Sim, skb: Skb, e: CtEntry, manip: Manip, req: NatRequest, hook: Hook): string | undefined {
  const h = idx(sim, skb.host);
  const orig = invertTuple(e.reply);
  let ranges: NatRange[] = [];
  let kind: 'DNAT' | 'SNAT' | 'MASQUERADE' | 'REDIRECT' | 'NETMAP' = 'DNAT';
  let detail = '';
  const p = skb.pkt;
  switch (req.type) {
    case 'dnat':
      kind = 'DNAT';
      ranges = req.ranges;
      break;
    case 'snat':
      kind = 'SNAT';
      ranges = req.ranges;
      break;
    case 'masquerade': {
      kind = 'MASQUERADE';
      if (orig.src === 0) return undefined; // source 0.0.0.0 is left alone (nf_nat_masquerade_ipv4())
      const out = skb.outIface ?? '';
      const nh = skb.nexthop ?? p.dst;
      dep(sim, skb, DEP.dst);
      const a = inetSelectAddr(h, out, nh, 0);
      if (a === undefined) return `MASQUERADE found no address on ${out} (nf_nat_masquerade_ipv4() drops)`;
      e.masqIface = out;
      detail = `address chosen on ${out} toward next hop ${formatIpv4(nh)} (inet_select_addr)`;
      ranges = [{ minAddr: a, maxAddr: a, minPort: req.ports?.min, maxPort: req.ports?.max }];
      break;
    }
    case 'redirect': {
      kind = 'REDIRECT';
      let a: number | undefined;
      if (hook === 'OUTPUT') a = 0x7f000001;
      else {
        const first = h.addrsByIface.get(skb.inIface ?? '')?.[0];
        a = first?.addr;
      }
      if (a === undefined) return `REDIRECT: the ingress device ${skb.inIface} has no IPv4 address (nf_nat_redirect_ipv4() drops)`;
      ranges = [{ minAddr: a, maxAddr: a, minPort: req.ports?.min, maxPort: req.ports?.max }];
      break;
    }
    case 'netmap': {
      kind = 'NETMAP';
      const mask = req.to.len === 0 ? 0 : (0xffffffff << (32 - req.to.len)) >>> 0;
      const from = manip === 'DST' ? orig.dst : orig.src;
      dep(sim, skb, manip === 'DST' ? DEP.dst : DEP.src);
      const a = ((from & ~mask) | (req.to.addr & mask)) >>> 0;
      ranges = [{ minAddr: a, maxAddr: a }];
      break;
    }
  }
  const range = ranges[0];
  if (!range) return undefined;
  let t: CtTupleN = { ...orig };
  const inRange = (x: CtTupleN): boolean => {
    const a = manip === 'SRC' ? x.src : x.dst;
    const port = manip === 'SRC' ? x.sport : x.dport;
    if (range.minAddr !== undefined && (a < range.minAddr || a > (range.maxAddr ?? range.minAddr))) return false;
    if (range.minPort !== undefined && (port < range.minPort || port > (range.maxPort ?? range.minPort))) return false;
    return true;
  };
  if (sim.deps) {
    // the range test below, on the packet's fields
    if (manip === 'SRC' && range.minAddr !== undefined) depTest(sim, skb, DIM_INDEX.src, I.range(range.minAddr, range.maxAddr ?? range.minAddr));
    if (range.minPort !== undefined) depTest(sim, skb, manip === 'SRC' ? DIM_INDEX.sport : DIM_INDEX.dport, I.range(range.minPort, range.maxPort ?? range.minPort));
  }
  if (manip === 'SRC' && inRange(orig) && !tupleTaken(sim, skb, e, orig)) {
    t = orig;
  } else {
    if (range.minAddr !== undefined) {
      const max = range.maxAddr ?? range.minAddr;
      let a = range.minAddr;
      if (max === range.minAddr && req.type !== 'netmap') (e.natConst ??= []).push(manip);
      if (max !== range.minAddr) {
        // find_best_ips_proto(): jhash of the source address, seeded with the destination (not random).
        dep(sim, skb, DEP.src | DEP.dst);
        const persistent = req.type === 'dnat' || req.type === 'snat' ? req.persistent : false;
        const j = jhash2([toWireU32(orig.src), 0, 0, 0], persistent ? 0 : (toWireU32(orig.dst) ^ e.zone) >>> 0);
        a = (range.minAddr + reciprocalScale(j, max - range.minAddr + 1)) >>> 0;
      }
      if (manip === 'SRC') t.src = a;
      else t.dst = a;
    }
    const port = manip === 'SRC' ? t.sport : t.dport;
    const hasPorts = t.proto === 6 || t.proto === 17 || t.proto === 132 || t.proto === 1;
    const specified = range.minPort !== undefined;
    let needUnique = false;
    if (hasPorts) {
      if (specified) {
        const lo = range.minPort!;
        const hi = range.maxPort ?? lo;
        if (!(port >= lo && port <= hi && (lo === hi || !tupleTaken(sim, skb, e, t)))) needUnique = true;
      } else if (tupleTaken(sim, skb, e, t)) needUnique = true;
    }
    if (needUnique) {
      const u = uniquePort(sim, skb, e, t, manip, specified ? { min: range.minPort!, max: range.maxPort ?? range.minPort! } : undefined);
      if (u) t = u;
    }
  }
  const before = tupleText(orig);
  setReply(e, t, manip);
  if (!tupleEq(t, orig)) e.status.push(manip === 'SRC' ? 'SRC_NAT' : 'DST_NAT');
  emit(sim, () => ({ type: 'nat', host: skb.host, kind, before, after: tupleText(t), detail: detail || 'binding stored in the conntrack entry: every later packet of this connection is rewritten the same way, replies in reverse' }));
  return undefined;
}

/** nf_nat_l4proto_unique_tuple() with a deterministic start: the first free port upward from the original. */
function uniquePort(sim: Sim, skb: Skb, e: CtEntry, t: CtTupleN, manip: Manip, r: { min: number; max: number } | undefined): CtTupleN | undefined {
  const cur = manip === 'SRC' ? t.sport : t.dport;
  let min: number;
  let size: number;
  if (r) {
    min = Math.min(r.min, r.max);
    size = Math.abs(r.max - r.min) + 1;
  } else {
    if (manip === 'DST') return t; // "If it's dst rewrite, can't change port"
    if (t.proto === 1) {
      min = 0;
      size = 65536;
    } else if (cur < 1024) {
      min = cur < 512 ? 1 : 600;
      size = (cur < 512 ? 511 : 1023) - min + 1;
    } else {
      min = 1024;
      size = 65535 - 1024 + 1;
    }
  }
  const start = cur >= min && cur < min + size ? cur - min : 0;
  const attempts = Math.min(size, 128);
  for (let i = 0; i < attempts; i++) {
    const port = min + ((start + (r ? i : i + 1)) % size);
    const cand = manip === 'SRC' ? { ...t, sport: port } : { ...t, dport: port };
    if (!tupleTaken(sim, skb, e, cand)) return cand;
  }
  return undefined;
}
