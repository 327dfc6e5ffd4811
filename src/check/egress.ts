/**
 * Where a traced packet leaves a host, and with which source address: the hops a `nat` assertion checks.
 * The trace of one outcome is walked in order: the packet's source is the one it started with, changed by
 * each NAT rewrite of the packet (nat events that print the packet); a hop is a transmission on a link to
 * another host of the world, or the packet leaving the world. Hops of the host that sent the packet itself
 * are not forwarded packets and are marked so.
 */
import type { Outcome, PacketSpec } from '../engine/types.js';
import { summaryAddrs } from './fate.js';

export interface EgressHop {
  host: string;
  /** The interface the packet leaves by (a bridge's port for bridged frames). */
  iface: string;
  /** The source address as it leaves. */
  src: number;
  /** The host received the packet (false: the host sent it itself). */
  forwarded: boolean;
  /** A MASQUERADE binding was made for the packet on this host. */
  masqueraded: boolean;
  /** An SNAT (or MASQUERADE or NETMAP) binding was made for it on this host. */
  snatted: boolean;
}

export function egressHops(spec: PacketSpec, o: Outcome): EgressHop[] {
  const hops: EgressHop[] = [];
  let host = spec.origin.host;
  let src = spec.packet.src;
  let originHere = spec.origin.kind === 'local';
  let masq = false;
  let snat = false;
  for (const e of o.trace) {
    if (e.type === 'start') {
      const a = summaryAddrs(e.summary);
      if (a) src = a.src;
    } else if (e.type === 'nat' && e.host === host) {
      if (e.kind === 'MASQUERADE') masq = true;
      if (e.kind === 'MASQUERADE' || e.kind === 'SNAT' || e.kind === 'NETMAP') snat = true;
      const a = summaryAddrs(e.after);
      if (a) src = a.src;
    } else if (e.type === 'link' && e.kind !== 'loopback') {
      const [fh, fi] = split(e.from);
      hops.push({ host: fh, iface: fi, src, forwarded: !originHere, masqueraded: masq, snatted: snat });
      host = split(e.to)[0];
      originHere = false;
      masq = false;
      snat = false;
    }
  }
  const v = o.verdict;
  if (v.fate === 'forwarded') {
    const a = summaryAddrs(v.packet);
    for (const ifn of v.iface.split(',')) hops.push({ host: v.host, iface: ifn.trim(), src: a?.src ?? src, forwarded: !originHere || v.host !== spec.origin.host, masqueraded: masq, snatted: snat });
  }
  return hops;
}

function split(hi: string): [string, string] {
  const k = hi.lastIndexOf(':');
  return [hi.slice(0, k), hi.slice(k + 1)];
}
