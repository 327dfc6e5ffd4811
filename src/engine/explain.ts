/** One line of "why" for a verdict, and a suggested fix when a single setting, rule or route is the cause. */
import type { World } from '../model/host.js';
import type { Fix, Outcome, TraceEvent } from './types.js';

function lastSysctl(trace: TraceEvent[], key: RegExp): Extract<TraceEvent, { type: 'sysctl' }> | undefined {
  for (let i = trace.length - 1; i >= 0; i--) {
    const e = trace[i];
    if (e.type === 'sysctl' && key.test(e.key)) return e;
  }
  return undefined;
}

export function explain(world: World, o: Outcome): { why: string; fix?: Fix } {
  const v = o.verdict;
  void world;
  switch (v.fate) {
    case 'delivered':
      return { why: `delivered on ${v.host}${v.socket ? ` to ${v.socket}` : ''}: ${v.detail}` };
    case 'forwarded':
      return { why: `left the modelled world from ${v.host}:${v.iface} as ${v.packet}` };
    case 'rejected':
      return { why: `${v.host} rejected it: ${v.detail}`, fix: { text: `rule ${v.rule.index} of ${v.rule.table} ${v.rule.chain} (${v.rule.loc.file}:${v.rule.loc.line}) rejects it; accept the traffic before that rule if it is wanted` } };
    case 'unsupported':
      return { why: `unsupported: ${v.reason}` };
    case 'send-error':
      return { why: `${v.host} could not send it: ${v.detail}` };
    case 'dropped': {
      const why = `dropped on ${v.host} at ${v.at} (${v.reason}): ${v.detail}`;
      if (v.reason === 'IP_INADDRERRORS') {
        const s = lastSysctl(o.trace, /\.forwarding$/);
        if (s) return { why, fix: { text: `enable forwarding on ${v.host} (the ingress interface decides; net.ipv4.ip_forward=1 sets it for every interface)`, command: `sysctl -w net.ipv4.ip_forward=1` } };
      }
      if (v.reason === 'IP_RPFILTER') {
        const s = lastSysctl(o.trace, /rp_filter$/);
        if (s) return { why, fix: { text: `use loose reverse-path filtering (2) or add the route back to the source through the ingress interface`, command: `sysctl -w ${s.key}=2` } };
      }
      if (v.reason === 'IP_LOCALNET') return { why, fix: { text: '127.0.0.0/8 is only routable on a non-loopback interface with route_localnet=1', command: 'sysctl -w net.ipv4.conf.all.route_localnet=1' } };
      if (v.reason === 'NETFILTER_DROP' && v.rule) return { why, fix: { text: `rule ${v.rule.index} of ${v.rule.table} ${v.rule.chain} (${v.rule.loc.file}:${v.rule.loc.line}) drops it: \`${v.rule.text}\`` } };
      if (v.reason === 'NETFILTER_DROP' && /policy DROP/.test(v.detail)) return { why, fix: { text: `no rule accepted the packet before the DROP policy; add an ACCEPT rule for this traffic` } };
      if (v.reason === 'IP_INNOROUTES') return { why, fix: { text: `add a route for the destination on ${v.host} (ip route add ...)` } };
      return { why };
    }
  }
}
