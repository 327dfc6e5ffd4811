/**
 * Connection tracking: nf_conntrack_core.c: nf_conntrack_in() / resolve_normal_ct() / __nf_conntrack_confirm(),
 * the TCP tracker's first-packet rules (nf_conntrack_proto_tcp.c: tcp_new()), ICMP errors as RELATED
 * (nf_conntrack_proto_icmp.c: nf_conntrack_inet_error()) and entries that exist only once confirmed.
 */
import { parseIpv4 } from '../model/addr.js';
import type { ConntrackEntry, Host } from '../model/host.js';
import { TCP_FLAGS, type Packet } from '../model/packet.js';
import type { CtView } from '../ext/types.js';
import { entryText, tupleText } from './format.js';
import { emit, hostState, idx, ownConntrack, ownNewEntry, writableEntry, type Sim, type Skb } from './sim.js';
import { sysctlRead } from './sysctl.js';
import type { CtEntry, CtTupleN } from './types.js';
import * as I from '../space/intervals.js';
import { DIM_INDEX } from '../space/box.js';
import { DEP, D_FLAGS, FLAGS_ACK_ONLY, FLAGS_SYN_ONLY, dep, depTest, depTupleIn } from './deps.js';

const ICMP_REPLY_TYPE: Record<number, number> = { 8: 0, 13: 14, 15: 16, 17: 18 };
/** icmp_invert_tuple()'s invmap: requests and replies invert into each other (an echo reply into a request). */
const ICMP_INVERT_TYPE: Record<number, number> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 17: 18, 18: 17 };
const ICMP_ERROR_TYPES = new Set([3, 4, 5, 11, 12]);
const typesSet = (types: Iterable<number>) => I.fromIntervals([...types].map((t) => [t << 8, (t << 8) | 0xff] as const));
const ICMP_ERROR_SET = typesSet(ICMP_ERROR_TYPES);
const ICMP_REQUEST_SET = typesSet(Object.keys(ICMP_REPLY_TYPE).map(Number));
const D_ICMP = DIM_INDEX.icmp;

export function isIcmpError(p: Packet): boolean {
  return p.proto === 1 && !!p.icmp && ICMP_ERROR_TYPES.has(p.icmp.type);
}

export function tupleOf(p: Packet): CtTupleN {
  if (p.proto === 1) return { src: p.src, dst: p.dst, proto: 1, sport: p.icmp?.id ?? 0, dport: p.icmp?.type ?? 0 };
  if (p.proto === 6 || p.proto === 17 || p.proto === 132 || p.proto === 136)
    return { src: p.src, dst: p.dst, proto: p.proto, sport: p.sport ?? 0, dport: p.dport ?? 0 };
  return { src: p.src, dst: p.dst, proto: p.proto, sport: 0, dport: 0 };
}

export function invertTuple(t: CtTupleN): CtTupleN {
  if (t.proto === 1) return { src: t.dst, dst: t.src, proto: 1, sport: t.sport, dport: ICMP_INVERT_TYPE[t.dport] ?? t.dport };
  return { src: t.dst, dst: t.src, proto: t.proto, sport: t.dport, dport: t.sport };
}

export function tupleEq(a: CtTupleN, b: CtTupleN): boolean {
  return a.src === b.src && a.dst === b.dst && a.proto === b.proto && a.sport === b.sport && a.dport === b.dport;
}

export function findEntry(entries: readonly CtEntry[], t: CtTupleN, zone: number): { entry: CtEntry; dir: 'orig' | 'reply'; index: number } | undefined {
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.zone !== zone) continue;
    if (tupleEq(e.orig, t)) return { entry: e, dir: 'orig', index: i };
    if (tupleEq(e.reply, t)) return { entry: e, dir: 'reply', index: i };
  }
  return undefined;
}

/** The host's entries as they stand in this step, for read-only searching. */
export function ctSearchList(sim: Sim, host: string): readonly CtEntry[] {
  return hostState(sim, host).conntrack;
}

/** Find an entry by tuple and return it writable for this step (copy-on-write, sim.ts). */
export function lookupEntry(sim: Sim, host: string, t: CtTupleN, zone: number): { entry: CtEntry; dir: 'orig' | 'reply' } | undefined {
  const hit = findEntry(ctSearchList(sim, host), t, zone);
  if (!hit) return undefined;
  return { entry: writableEntry(sim, host, hit.index), dir: hit.dir };
}

/** Remove an entry (RST to an unreplied connection, NAT oif change). */
export function removeEntry(sim: Sim, host: string, e: CtEntry): void {
  const i = ctSearchList(sim, host).findIndex((x) => x.id === e.id);
  if (i >= 0) ownConntrack(sim, host).splice(i, 1);
}

const UNTRACKED_VIEW: CtView = Object.freeze({ state: 'UNTRACKED', reply: false, snat: false, dnat: false, status: [], mark: 0, zone: 0 }) as CtView;
const INVALID_VIEW: CtView = Object.freeze({ state: 'INVALID', reply: false, snat: false, dnat: false, status: [], mark: 0, zone: 0 }) as CtView;

/** The packet's conntrack as matches see it. Read-only: tuples and status are shared, not copied. */
export function ctView(skb: Skb): CtView {
  if (skb.untracked) return skb.zone ? { ...UNTRACKED_VIEW, zone: skb.zone } : UNTRACKED_VIEW;
  const ct = skb.ct;
  if (!ct) return skb.zone ? { ...INVALID_VIEW, zone: skb.zone } : INVALID_VIEW;
  const e = ct.entry;
  return {
    state: ct.info,
    reply: ct.dir === 'reply',
    snat: e.status.includes('SRC_NAT'),
    dnat: e.status.includes('DST_NAT'),
    status: ct.confirmed && !e.status.includes('CONFIRMED') ? [...e.status, 'CONFIRMED'] : e.status,
    mark: e.mark,
    orig: e.orig,
    replyTuple: e.reply,
    protoState: e.protoState,
    zone: e.zone,
  };
}

type TcpCheck = { ok: true; next: string } | { ok: false; why: string };

/** A small part of the TCP state table (tcp_conntracks[]): enough for handshakes, resets and pickups. */
function tcpTransition(state: string, dir: 'orig' | 'reply', flags: number): TcpCheck {
  const syn = (flags & TCP_FLAGS.SYN) !== 0;
  const ack = (flags & TCP_FLAGS.ACK) !== 0;
  const rst = (flags & TCP_FLAGS.RST) !== 0;
  const fin = (flags & TCP_FLAGS.FIN) !== 0;
  if (rst) return { ok: true, next: 'CLOSE' };
  switch (state) {
    case 'SYN_SENT':
      if (dir === 'orig') return syn && !ack ? { ok: true, next: 'SYN_SENT' } : { ok: false, why: 'only a SYN may follow a SYN in the original direction before the answer' };
      if (syn && ack) return { ok: true, next: 'SYN_RECV' };
      if (syn) return { ok: true, next: 'SYN_SENT2' };
      return { ok: false, why: 'the answer to a SYN must be SYN/ACK or RST' };
    case 'SYN_RECV':
      if (dir === 'orig' && ack && !syn) return { ok: true, next: fin ? 'FIN_WAIT' : 'ESTABLISHED' };
      if (dir === 'reply' && syn && ack) return { ok: true, next: 'SYN_RECV' };
      if (dir === 'orig' && syn && !ack) return { ok: true, next: 'SYN_RECV' };
      return { ok: false, why: 'unexpected segment during the handshake' };
    case 'ESTABLISHED':
      if (syn) return { ok: false, why: 'SYN on an established connection' };
      return { ok: true, next: fin ? 'FIN_WAIT' : 'ESTABLISHED' };
    default:
      if (syn && !ack && dir === 'orig' && (state === 'TIME_WAIT' || state === 'CLOSE')) return { ok: true, next: 'SYN_SENT' };
      return { ok: true, next: fin ? (state === 'FIN_WAIT' ? 'LAST_ACK' : 'FIN_WAIT') : state === 'LAST_ACK' || state === 'TIME_WAIT' ? 'TIME_WAIT' : state };
  }
}

/** Conntrack hook at PREROUTING / OUTPUT (priority -200). */
export function conntrackIn(sim: Sim, skb: Skb): void {
  const h = idx(sim, skb.host);
  if (!h.conntrackActive) {
    return;
  }
  emit(sim, () => ({ type: 'hook', host: skb.host, hook: skb.local && skb.inIface === undefined ? 'OUTPUT' : 'PREROUTING', table: 'conntrack', priority: -200 }));
  if (skb.untracked) {
    emit(sim, () => ({ type: 'conntrack', host: skb.host, action: 'untracked', state: 'UNTRACKED', detail: 'marked NOTRACK in raw: no entry, no NAT' }));
    return;
  }
  if (skb.ct) {
    // Looped back through lo: the packet keeps the entry it got in OUTPUT; generated answers carry the
    // entry of the packet they answer (nf_ct_attach()).
    const why = skb.depth > 0 && skb.local ? 'an answer carries the entry of the packet it answers (nf_ct_attach())' : 'looped back: keeps the entry created on output';
    const att = skb.ct;
    emit(sim, () => ({ type: 'conntrack', host: skb.host, action: 'hit', state: att.info, entry: entryText(att.entry), detail: why }));
    return;
  }
  const st = hostState(sim, skb.host);
  const p = skb.pkt;
  if (sim.deps) {
    // The L4 tracker reads TCP flags / the ICMP type; a lookup depends on the tuple only through entries
    // the packet did not create itself (a `conntrack -L` dump).
    // icmp_error() for errors, icmp_new() for requests; other types are INVALID
    if (p.proto === 1 && !depTest(sim, skb, D_ICMP, ICMP_ERROR_SET)) depTest(sim, skb, D_ICMP, ICMP_REQUEST_SET);
    depTupleIn(sim, skb, st.conntrack.filter((e) => e.seeded).flatMap((e) => [e.orig, e.reply]));
  }
  if (isIcmpError(p)) {
    const inner = p.icmp?.inner;
    // nf_conntrack_inet_error(): the embedded packet's tuple is inverted and looked up, and the direction of
    // the tuple found is the error's (RELATED_REPLY when it is the reply tuple). When this host translated the
    // connection, the embedded header carries the translated addresses: only the inverted tuple finds it.
    const hit = inner ? lookupEntry(sim, skb.host, invertTuple(tupleOf(inner)), skb.zone) : undefined;
    if (!hit) {
      emit(sim, () => ({ type: 'conntrack', host: skb.host, action: 'invalid', state: 'INVALID', detail: 'ICMP error about a connection this host does not track' }));
      return;
    }
    const dir = hit.dir;
    skb.ct = { entry: hit.entry, dir, info: 'RELATED', confirmed: true };
    emit(sim, () => ({ type: 'conntrack', host: skb.host, action: 'related', state: 'RELATED', entry: entryText(hit.entry), detail: `ICMP error related to the tracked connection (${dir === 'reply' ? 'reply' : 'original'} direction)` }));
    return;
  }
  const t = tupleOf(p);
  const hit = lookupEntry(sim, skb.host, t, skb.zone);
  if (hit) {
    const e = hit.entry;
    if (p.proto === 6) {
      dep(sim, skb, DEP.flags);
      const tr = tcpTransition(e.protoState, hit.dir, p.tcpFlags ?? 0);
      if (!tr.ok) {
        emit(sim, () => ({ type: 'conntrack', host: skb.host, action: 'invalid', state: 'INVALID', entry: entryText(e), detail: `TCP tracker rejects the segment (${tr.why}); the packet goes on without an entry` }));
        return;
      }
      const seen = e.status.includes('SEEN_REPLY');
      if (tr.next === 'CLOSE' && !seen && hit.dir === 'reply') {
        // "If only reply is a RST, we can consider ourselves not to have an established connection" (tcp_packet()).
        removeEntry(sim, skb.host, e);
        skb.ct = { entry: e, dir: 'reply', info: 'ESTABLISHED', confirmed: true };
        emit(sim, () => ({ type: 'conntrack', host: skb.host, action: 'removed', state: 'ESTABLISHED', entry: entryText(e), detail: 'RST answers an unreplied connection: the entry is deleted at once' }));
        return;
      }
      e.protoState = tr.next;
      if (tr.next === 'ESTABLISHED' && seen && !e.status.includes('ASSURED')) e.status.push('ASSURED');
    }
    if (hit.dir === 'reply' && !e.status.includes('SEEN_REPLY')) e.status.push('SEEN_REPLY');
    const info = hit.dir === 'reply' || e.status.includes('SEEN_REPLY') ? 'ESTABLISHED' : 'NEW';
    skb.ct = { entry: e, dir: hit.dir, info, confirmed: true };
    emit(sim, () => ({ type: 'conntrack', host: skb.host, action: 'hit', state: info, entry: entryText(e), detail: hit.dir === 'reply' ? 'reply direction of a tracked connection' : info === 'NEW' ? 'original direction, no reply seen yet' : 'original direction of a tracked connection' }));
    return;
  }
  // Miss: may the L4 tracker start a connection with this packet?
  let protoState = p.proto === 6 ? 'SYN_SENT' : p.proto === 17 ? 'UDP' : p.proto === 1 ? 'ICMP' : 'GENERIC';
  if (p.proto === 6) {
    // tcp_new(): a SYN alone, an ACK alone (pickup), or nothing
    if (sim.deps && !depTest(sim, skb, D_FLAGS, FLAGS_SYN_ONLY)) depTest(sim, skb, D_FLAGS, FLAGS_ACK_ONLY);
    const f = p.tcpFlags ?? 0;
    const syn = (f & TCP_FLAGS.SYN) !== 0;
    const ack = (f & TCP_FLAGS.ACK) !== 0;
    const rst = (f & TCP_FLAGS.RST) !== 0;
    const fin = (f & TCP_FLAGS.FIN) !== 0;
    if (syn && !ack && !rst && !fin) protoState = 'SYN_SENT';
    else if (!syn && !rst && !fin && ack) {
      const loose = sysctlRead(h.host, 'net.netfilter.nf_conntrack_tcp_loose');
      emit(sim, () => ({ type: 'sysctl', host: skb.host, key: loose.key, value: String(loose.value), source: loose.source, loc: loose.loc, effect: loose.value ? 'a mid-stream segment may start a connection (pickup)' : 'a connection must start with a SYN' }));
      if (!loose.value) {
        emit(sim, () => ({ type: 'conntrack', host: skb.host, action: 'invalid', state: 'INVALID', detail: 'first packet is not a SYN and tcp_loose=0 (tcp_new())' }));
        return;
      }
      protoState = 'ESTABLISHED';
    } else {
      emit(sim, () => ({ type: 'conntrack', host: skb.host, action: 'invalid', state: 'INVALID', detail: 'a SYN/ACK, FIN or RST cannot start a connection (tcp_new())' }));
      return;
    }
  } else if (p.proto === 1) {
    const type = p.icmp?.type ?? -1;
    if (!(type in ICMP_REPLY_TYPE)) {
      emit(sim, () => ({ type: 'conntrack', host: skb.host, action: 'invalid', state: 'INVALID', detail: `ICMP type ${type} cannot start a connection (only requests can; an unsolicited reply is INVALID)` }));
      return;
    }
  }
  const e: CtEntry = { id: st.nextCtId++, zone: skb.zone, orig: t, reply: invertTuple(t), status: [], mark: 0, protoState };
  ownNewEntry(sim, skb.host, e);
  skb.ct = { entry: e, dir: 'orig', info: 'NEW', confirmed: false };
  emit(sim, () => ({ type: 'conntrack', host: skb.host, action: 'new', state: 'NEW', entry: entryText(e), detail: 'new connection (unconfirmed until the packet leaves INPUT/POSTROUTING)' }));
}

/** Conntrack confirm at INPUT / POSTROUTING (priority INT_MAX): the entry enters the table. */
export function conntrackConfirm(sim: Sim, skb: Skb): void {
  const ct = skb.ct;
  // __nf_conntrack_confirm(): only the original direction inserts an entry.
  if (!ct || ct.confirmed || ct.dir !== 'orig') return;
  const found = ctSearchList(sim, skb.host).findIndex((x) => x.zone === ct.entry.zone && (tupleEq(x.orig, ct.entry.orig) || tupleEq(x.reply, ct.entry.reply)));
  if (found >= 0) {
    const clash = writableEntry(sim, skb.host, found);
    emit(sim, () => ({ type: 'note', host: skb.host, text: `an entry with the same tuple is already confirmed (${entryText(clash)}); the new one is merged with it` }));
    skb.ct = { ...ct, entry: clash, confirmed: true };
    return;
  }
  ct.entry.status.push('CONFIRMED');
  ownConntrack(sim, skb.host).push(ct.entry);
  ct.confirmed = true;
  skb.ct = { ...ct };
  emit(sim, () => ({ type: 'conntrack', host: skb.host, action: 'confirm', state: ct.info, entry: entryText(ct.entry), detail: 'entry confirmed into the table' }));
}

/** Entries from a `conntrack -L` dump. */
export function seedEntries(host: Host): CtEntry[] {
  const out: CtEntry[] = [];
  let id = 1;
  for (const c of host.conntrack ?? []) {
    if (c.family !== 4) continue;
    const o = seedTuple(c, 'orig');
    const r = seedTuple(c, 'reply');
    if (!o || !r) continue;
    const status = c.status.filter((s) => s !== 'UNREPLIED');
    if (!c.status.includes('UNREPLIED')) status.push('SEEN_REPLY');
    status.push('CONFIRMED');
    if (o.dst !== r.src || o.dport !== r.sport) status.push('DST_NAT');
    if (o.src !== r.dst || o.sport !== r.dport) status.push('SRC_NAT');
    status.push('SRC_NAT_DONE', 'DST_NAT_DONE');
    out.push({ id: id++, zone: c.zone ?? 0, orig: o, reply: r, status, mark: c.mark ?? 0, protoState: c.tcpState ?? c.protoName.toUpperCase(), seeded: true });
  }
  return out;
}

function seedTuple(c: ConntrackEntry, which: 'orig' | 'reply'): CtTupleN | undefined {
  const t = c[which];
  const src = parseIpv4(t.src);
  const dst = parseIpv4(t.dst);
  if (src === undefined || dst === undefined) return undefined;
  if (c.proto === 1) return { src, dst, proto: 1, sport: t.id ?? 0, dport: t.type ?? 0 };
  return { src, dst, proto: c.proto, sport: t.sport ?? 0, dport: t.dport ?? 0 };
}

export { tupleText };
