/**
 * Interfaces → `ip -d addr show` text that src/parse/ipAddr.ts reads back into the same model: the header
 * line (index, name@peer, flags, mtu, master, state, link-netnsid), the link line, the `-d` kind lines,
 * altnames and the inet/inet6 lines.
 */
import type { IfAddress, Interface } from '../model/host.js';

function addrLine(a: IfAddress, iface: Interface): string {
  const p = [a.family === 4 ? 'inet' : 'inet6', `${a.local.addr}/${a.local.len}`];
  if (a.peer) p.push('peer', `${a.peer.addr}/${a.peer.len}`);
  if (a.broadcast) p.push('brd', a.broadcast);
  if (a.metric !== undefined) p.push('metric', String(a.metric));
  p.push('scope', a.scope);
  if (a.secondary && !a.flags.includes('temporary')) p.push('secondary');
  for (const f of a.flags) p.push(f);
  if (a.family === 4) p.push(a.label ?? iface.name);
  else if (a.label) p.push('label', a.label);
  return `    ${p.join(' ')}`;
}

export function formatInterfaces(ifaces: readonly Interface[]): string {
  const out: string[] = [];
  ifaces.forEach((i, k) => {
    let name = i.name;
    if (i.peer?.none) name += '@NONE';
    else if (i.peer?.name) name += `@${i.peer.name}`;
    else if (i.peer?.index !== undefined) name += `@if${i.peer.index}`;
    const h = [`${i.index ?? k + 1}:`, `${name}:`, `<${i.flags.join(',')}>`];
    if (i.mtu !== undefined) h.push('mtu', String(i.mtu));
    if (i.master) h.push('master', i.master);
    if (i.state) h.push('state', i.state);
    out.push(h.join(' '));
    if (i.linkType) {
      const l = [`link/${i.linkType}`];
      if (i.mac) l.push(i.mac === 'redacted' ? 'XX:XX:XX:XX:XX:XX' : i.mac);
      if (i.peer?.netnsId !== undefined) l.push('link-netnsid', String(i.peer.netnsId));
      if (i.peer?.netns !== undefined) l.push('link-netns', i.peer.netns);
      out.push(`    ${l.join(' ')}`);
    }
    if (i.kind) out.push(`    ${i.kind}`);
    if (i.slaveKind) out.push(`    ${i.slaveKind}${i.hairpin !== undefined && i.slaveKind === 'bridge_slave' ? ` hairpin ${i.hairpin ? 'on' : 'off'}` : ''}`);
    for (const a of i.altnames ?? []) out.push(`    altname ${a}`);
    for (const a of i.addresses) out.push(addrLine(a, i));
  });
  return out.length ? out.join('\n') + '\n' : '';
}
