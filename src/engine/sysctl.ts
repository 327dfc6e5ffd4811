/**
 * Sysctl values as the packet path reads them, with the kernel's combination rules
 * (include/linux/inetdevice.h: IN_DEV_FORWARD = per-device only, IN_DEV_RPFILTER = max(all, dev),
 * IN_DEV_ACCEPT_LOCAL / ROUTE_LOCALNET / LOG_MARTIANS / SRC_VMARK / TX_REDIRECTS = all || dev).
 * Every value says where it came from: the dump, or the default of a fresh namespace.
 */
import type { Host } from '../model/host.js';
import type { SourceLoc } from '../model/source.js';

export interface SysctlValue {
  key: string;
  value: number;
  source: 'dump' | 'default';
  loc?: SourceLoc;
}

/** Defaults of a freshly created network namespace (checked on Linux 6.18 with `sysctl -a` in a new netns). */
const NETNS_DEFAULTS: Record<string, number> = {
  'net.ipv4.ip_forward': 0,
  'net.ipv4.conf.all.forwarding': 0,
  'net.ipv4.conf.default.forwarding': 0,
  'net.ipv4.conf.all.rp_filter': 0,
  'net.ipv4.conf.default.rp_filter': 0,
  'net.ipv4.conf.all.accept_local': 0,
  'net.ipv4.conf.all.route_localnet': 0,
  'net.ipv4.conf.all.log_martians': 0,
  'net.ipv4.conf.all.src_valid_mark': 0,
  'net.ipv4.conf.all.send_redirects': 1,
  'net.ipv4.icmp_echo_ignore_all': 0,
  'net.ipv4.icmp_echo_ignore_broadcasts': 1,
  'net.ipv4.icmp_errors_use_inbound_ifaddr': 0,
  'net.ipv4.ip_nonlocal_bind': 0,
  'net.netfilter.nf_conntrack_tcp_loose': 1,
  'net.netfilter.nf_conntrack_tcp_be_liberal': 0,
  'net.bridge.bridge-nf-call-iptables': 1,
};

export function ifaceKey(iface: string): string {
  // sysctl(8) prints dots inside interface names as slashes: eth0.100 → eth0/100.
  return iface.replace(/\./g, '/');
}

export function sysctlRead(host: Host, key: string, fallback?: number): SysctlValue {
  const s = host.sysctl;
  const raw = s?.values[key];
  if (raw !== undefined) {
    const n = Number(raw.trim().split(/\s+/)[0]);
    if (Number.isFinite(n)) return { key, value: n, source: 'dump', loc: s?.locs[key] };
  }
  const d = NETNS_DEFAULTS[key] ?? fallback ?? 0;
  return { key, value: d, source: 'default' };
}

/** net.ipv4.conf.IFACE.NAME, falling back to conf.default.NAME (what an interface copies at creation). */
export function confRead(host: Host, iface: string, name: string): SysctlValue {
  const key = `net.ipv4.conf.${ifaceKey(iface)}.${name}`;
  const v = sysctlRead(host, key, Number.NaN);
  if (v.source === 'dump') return v;
  if (name === 'forwarding') {
    // Writing ip_forward / conf.all.forwarding copies the value into every interface (inet_forward_change()).
    const all = host.sysctl?.values['net.ipv4.conf.all.forwarding'] !== undefined ? sysctlRead(host, 'net.ipv4.conf.all.forwarding') : sysctlRead(host, 'net.ipv4.ip_forward');
    if (all.source === 'dump') return { ...all, key };
  }
  const dflt = sysctlRead(host, `net.ipv4.conf.default.${name}`, NETNS_DEFAULTS[`net.ipv4.conf.all.${name}`] ?? 0);
  return { key, value: dflt.value, source: dflt.source, loc: dflt.loc };
}

export type Combine = 'dev' | 'or' | 'max';

const combinedCache = new WeakMap<Host, Map<string, { value: number; parts: SysctlValue[] }>>();

/** A per-interface setting combined with conf.all the way the kernel does (cached per host: the world is immutable). */
export function confCombined(host: Host, iface: string, name: string, how: Combine): { value: number; parts: SysctlValue[] } {
  let m = combinedCache.get(host);
  if (!m) combinedCache.set(host, (m = new Map()));
  const k = iface + '|' + name;
  let v = m.get(k);
  if (!v) m.set(k, (v = confCombinedUncached(host, iface, name, how)));
  return v;
}

function confCombinedUncached(host: Host, iface: string, name: string, how: Combine): { value: number; parts: SysctlValue[] } {
  const dev = confRead(host, iface, name);
  if (how === 'dev') return { value: dev.value, parts: [dev] };
  const all = sysctlRead(host, `net.ipv4.conf.all.${name}`);
  const value = how === 'max' ? Math.max(all.value, dev.value) : all.value || dev.value ? 1 : 0;
  return { value, parts: [all, dev] };
}
