/**
 * Typed accessors for the sysctls that change the packet path, with the kernel's combination rules
 * (include/linux/inetdevice.h): forwarding = ingress interface only; rp_filter = max(all, iface);
 * accept_local, route_localnet, log_martians, src_valid_mark, send_redirects = all OR iface.
 *
 * A missing key yields the value of a freshly created network namespace (checked with `sysctl -a` in a new
 * netns on Linux 6.18 / iproute2 6.1) and says so (`source: 'default'`), so a trace can print it.
 */
import type { Sysctls } from '../model/host.js';
import type { SourceLoc } from '../model/source.js';

export interface SysctlValue {
  value: number;
  source: 'dump' | 'default';
  key: string;
  loc?: SourceLoc;
  /** Why this value was chosen when it is not simply the key's own line. */
  note?: string;
  /** For combined per-interface values: the `all` and interface values that were combined. */
  parts?: SysctlValue[];
}

/** Values in a fresh network namespace (verified: `ip netns add x; ip netns exec x sysctl -a`). */
export const FRESH_NETNS_DEFAULTS: Record<string, number> = {
  'net.ipv4.ip_forward': 0,
  'net.ipv4.conf.*.forwarding': 0,
  'net.ipv4.conf.*.rp_filter': 0,
  'net.ipv4.conf.*.route_localnet': 0,
  'net.ipv4.conf.*.accept_local': 0,
  'net.ipv4.conf.*.log_martians': 0,
  'net.ipv4.conf.*.src_valid_mark': 0,
  // Not 0: a fresh namespace has send_redirects = 1 on all, default and every interface.
  'net.ipv4.conf.*.send_redirects': 1,
  'net.netfilter.nf_conntrack_tcp_loose': 1,
  'net.netfilter.nf_conntrack_tcp_be_liberal': 0,
  'net.bridge.bridge-nf-call-iptables': 1,
  'net.ipv4.icmp_echo_ignore_all': 0,
  'net.ipv4.icmp_echo_ignore_broadcasts': 1,
  'net.ipv4.icmp_errors_use_inbound_ifaddr': 0,
  'net.ipv4.ip_nonlocal_bind': 0,
};

export type ConfName = 'forwarding' | 'rp_filter' | 'route_localnet' | 'accept_local' | 'log_martians' | 'src_valid_mark' | 'send_redirects';
export const CONF_NAMES: readonly ConfName[] = ['forwarding', 'rp_filter', 'route_localnet', 'accept_local', 'log_martians', 'src_valid_mark', 'send_redirects'];
const COMBINE: Record<ConfName, 'iface' | 'max' | 'or'> = {
  forwarding: 'iface', rp_filter: 'max', route_localnet: 'or', accept_local: 'or', log_martians: 'or', src_valid_mark: 'or', send_redirects: 'or',
};

/** sysctl(8) writes dots inside interface names as `/`. */
export function confKey(iface: string, name: string): string {
  return `net.ipv4.conf.${iface.replace(/\./g, '/')}.${name}`;
}

export type ConfView = Record<ConfName, SysctlValue>;

export class SysctlView {
  constructor(readonly sysctl?: Sysctls) {}

  /** The key's own value from the dump, when present and numeric. */
  private raw(key: string): SysctlValue | undefined {
    const v = this.sysctl?.values[key];
    if (v === undefined) return undefined;
    const n = Number(v.trim().split(/\s+/)[0]);
    if (!Number.isFinite(n)) return undefined;
    return { value: n, source: 'dump', key, loc: this.sysctl?.locs[key] };
  }

  private dflt(key: string, pattern = key, note?: string): SysctlValue {
    const value = FRESH_NETNS_DEFAULTS[pattern];
    return { value: value ?? 0, source: 'default', key, ...(note ? { note } : {}) };
  }

  /** Any numeric key, with the fresh-namespace default when listed (else 0, marked default). */
  get(key: string): SysctlValue {
    return this.raw(key) ?? this.dflt(key);
  }

  /** net.ipv4.ip_forward (same storage as conf.all.forwarding). */
  ipForward(): SysctlValue {
    return this.raw('net.ipv4.ip_forward') ?? this.raw('net.ipv4.conf.all.forwarding') ?? this.dflt('net.ipv4.ip_forward');
  }

  /** One interface's own value: its key, else what it inherited (conf.default at creation; for forwarding
   * also ip_forward, which the kernel copies to every interface when changed), else the fresh default. */
  private ifaceValue(iface: string, name: ConfName): SysctlValue {
    const own = this.raw(confKey(iface, name));
    if (own) return own;
    const d = this.raw(confKey('default', name));
    if (d) return { ...d, note: `no ${confKey(iface, name)} in the dump: inherited from conf.default at interface creation` };
    if (name === 'forwarding') {
      const f = this.raw('net.ipv4.ip_forward') ?? this.raw('net.ipv4.conf.all.forwarding');
      if (f) return { ...f, note: `no ${confKey(iface, name)} in the dump: ip_forward is copied to every interface` };
    }
    return this.dflt(confKey(iface, name), `net.ipv4.conf.*.${name}`);
  }

  private allValue(name: ConfName): SysctlValue {
    return this.raw(confKey('all', name)) ?? this.dflt(confKey('all', name), `net.ipv4.conf.*.${name}`);
  }

  /** Effective per-interface value with the kernel's combination rule. */
  confValue(iface: string, name: ConfName): SysctlValue {
    const mine = this.ifaceValue(iface, name);
    const rule = COMBINE[name];
    if (rule === 'iface') return mine;
    const all = this.allValue(name);
    const value = rule === 'max' ? Math.max(all.value, mine.value) : all.value !== 0 || mine.value !== 0 ? 1 : 0;
    const decided = rule === 'max' ? (all.value > mine.value ? all : mine) : all.value !== 0 ? all : mine;
    const source = all.source === 'default' && mine.source === 'default' ? 'default' : 'dump';
    return {
      value,
      source,
      key: decided.key,
      ...(decided.loc ? { loc: decided.loc } : {}),
      note: rule === 'max' ? `max(all=${all.value}, ${iface}=${mine.value})` : `all=${all.value} OR ${iface}=${mine.value}`,
      parts: [all, mine],
    };
  }

  conf(iface: string): ConfView {
    return Object.fromEntries(CONF_NAMES.map((n) => [n, this.confValue(iface, n)])) as ConfView;
  }

  /** net.bridge.bridge-nf-call-iptables: exists only once br_netfilter is loaded. */
  bridgeNfCallIptables(): SysctlValue {
    const key = 'net.bridge.bridge-nf-call-iptables';
    const v = this.raw(key);
    if (v) return v;
    const keys = Object.keys(this.sysctl?.values ?? {});
    if (keys.some((k) => k.startsWith('net.')) && !keys.some((k) => k.startsWith('net.bridge.'))) {
      return { value: 0, source: 'default', key, note: 'no net.bridge.* keys in the dump: br_netfilter is not loaded, bridged packets do not traverse iptables' };
    }
    return this.dflt(key, key, 'assumes br_netfilter is loaded (the key exists only then, and is 1 in a fresh namespace)');
  }

  tcpLoose(): SysctlValue {
    return this.get('net.netfilter.nf_conntrack_tcp_loose');
  }
  tcpBeLiberal(): SysctlValue {
    return this.get('net.netfilter.nf_conntrack_tcp_be_liberal');
  }
  icmpEchoIgnoreAll(): SysctlValue {
    return this.get('net.ipv4.icmp_echo_ignore_all');
  }
  icmpEchoIgnoreBroadcasts(): SysctlValue {
    return this.get('net.ipv4.icmp_echo_ignore_broadcasts');
  }
  icmpErrorsUseInboundIfaddr(): SysctlValue {
    return this.get('net.ipv4.icmp_errors_use_inbound_ifaddr');
  }
  ipNonlocalBind(): SysctlValue {
    return this.get('net.ipv4.ip_nonlocal_bind');
  }

  /** The global values above, in a fixed order (for reports). */
  globals(): SysctlValue[] {
    return [
      this.ipForward(), this.bridgeNfCallIptables(), this.tcpLoose(), this.tcpBeLiberal(), this.icmpEchoIgnoreAll(),
      this.icmpEchoIgnoreBroadcasts(), this.icmpErrorsUseInboundIfaddr(), this.ipNonlocalBind(),
    ];
  }
}
