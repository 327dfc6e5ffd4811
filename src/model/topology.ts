/** Questions about a world's links, shared by the engine's run loop and the verify lab. */
import type { Host, Link, World } from './host.js';

export type LinkEnd = Link['a'];

/** The link (veth pair or cable) on HOST:IFACE, if the topology has one. */
export function linkAt(world: World, host: string, iface: string): Link | undefined {
  return world.links.find((l) => (l.a.host === host && l.a.iface === iface) || (l.b.host === host && l.b.iface === iface));
}

/** The other end of HOST:IFACE's link. */
export function farEnd(world: World, host: string, iface: string): LinkEnd | undefined {
  const l = linkAt(world, host, iface);
  return l ? (l.a.host === host && l.a.iface === iface ? l.b : l.a) : undefined;
}

/**
 * The modelled host that sends a packet arriving on HOST:IFACE from `src` (IPv4, as a number): the host at the
 * link's far end when `src` is one of its addresses (its socket sends it, so answers find it there). Undefined
 * when the packet comes from outside the world.
 */
export function arrivalSender(world: World, host: string, iface: string, src: number): Host | undefined {
  const far = farEnd(world, host, iface);
  const h = far && world.hosts.find((x) => x.name === far.host);
  return h?.interfaces.some((i) => i.addresses.some((a) => a.family === 4 && a.local.v4 === src)) ? h : undefined;
}
