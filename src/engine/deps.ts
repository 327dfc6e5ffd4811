/**
 * Which header fields of the first packet a path depended on. `nfsim diff` and `nfsim check` split the
 * header space into classes: a field the whole path (in both worlds) never looked at cannot change the
 * fate, so a class spans every value of it. Stages record the fields their decisions read; rule matches
 * record exactly the fields of the components they evaluated. Recording is off (`sim.deps` undefined)
 * for ordinary traces.
 *
 * Fields of a packet generated in answer (ICMP error, RST, echo reply, SYN/ACK) come from the first
 * packet with source and destination swapped, so they are recorded on both address (and both port)
 * dimensions.
 */
import { DEP } from '../space/box.js';
import type { Sim, Skb } from './sim.js';

export { DEP };

const ADDRS = DEP.src | DEP.dst;
const PORTS = DEP.sport | DEP.dport;

export function dep(sim: Sim, skb: Skb, mask: number): void {
  const d = sim.deps;
  if (!d) return;
  if (skb.depth > 0) {
    if (mask & ADDRS) mask |= ADDRS;
    if (mask & PORTS) mask |= PORTS;
  }
  d.mask |= mask;
}
