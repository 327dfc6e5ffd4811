/** Membership tests for `-m set` from an `ipset save` dump (hash:ip, hash:net, bitmap:ip, hash:ip,port, hash:net,port). */
import { inNet4, parseIpv4, prefixMask } from '../model/addr.js';
import type { Host } from '../model/host.js';

interface Member {
  addr: number;
  mask: number;
  proto?: number;
  port?: number;
}

const cache = new WeakMap<Host, Map<string, { type: string; members: Member[] } | null>>();

function parseMember(text: string, withPort: boolean): Member | undefined {
  const [addrPart, portPart] = text.split(',');
  const [a, l] = addrPart.split('/');
  const addr = parseIpv4(a);
  if (addr === undefined) return undefined;
  const len = l === undefined ? 32 : Number(l);
  const m: Member = { addr, mask: prefixMask(len) };
  if (withPort) {
    if (!portPart) return undefined;
    const [proto, port] = portPart.includes(':') ? portPart.split(':') : ['tcp', portPart];
    m.proto = proto === 'udp' ? 17 : proto === 'tcp' ? 6 : proto === 'icmp' ? 1 : Number(proto);
    m.port = Number(port);
  }
  return m;
}

export function ipsetQuery(host: Host, name: string): { type: string; has(addr: number, port?: number, proto?: number): boolean } | undefined {
  let perHost = cache.get(host);
  if (!perHost) cache.set(host, (perHost = new Map()));
  let entry = perHost.get(name);
  if (entry === undefined) {
    entry = null;
    const set = host.ipsets?.find((s) => s.name === name);
    if (set && /^(hash:ip|hash:net|bitmap:ip|hash:ip,port|hash:net,port)$/.test(set.type)) {
      const withPort = set.type.endsWith(',port');
      const members: Member[] = [];
      let ok = true;
      for (const t of set.members) {
        const m = parseMember(t.split(/\s+/)[0], withPort);
        if (!m) ok = false;
        else members.push(m);
      }
      if (ok) entry = { type: set.type, members };
    }
    perHost.set(name, entry);
  }
  if (!entry) return undefined;
  const e = entry;
  return {
    type: e.type,
    has: (addr, port, proto) =>
      e.members.some((m) => inNet4(addr, { family: 4, addr: '', len: 0, v4: m.addr, maskBits: m.mask }) && (m.port === undefined || (m.port === port && m.proto === proto))),
  };
}
