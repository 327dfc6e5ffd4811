import type { Family, IpNet } from './addr.js';
import type { Ruleset } from './iptables.js';
import type { InputIssue, SourceLoc } from './source.js';

/** A MAC as printed, or 'redacted' when the dump hid it (XX:XX:...). */
export type Mac = string | 'redacted';

export interface IfAddress {
  family: Family;
  /** Local address with its prefix length (`inet 10.0.0.1/24`). */
  local: IpNet;
  /** Point-to-point peer (`peer 10.0.0.2/32`). */
  peer?: IpNet;
  broadcast?: string;
  /** global | link | host | site | nowhere | a number */
  scope: string;
  secondary: boolean;
  /** Label (`eth0:1`) when it differs from the interface name. */
  label?: string;
  /** Other flags as printed: noprefixroute, dynamic, deprecated, tentative, nodad, ... */
  flags: string[];
  /** `metric N` (prefix route metric), when printed. */
  metric?: number;
  loc: SourceLoc;
}

export interface Interface {
  name: string;
  index?: number;
  /** From `ip -d link`: veth, bridge, vxlan, dummy, tun, loopback, ether (none printed), ... */
  kind?: string;
  mtu?: number;
  /** Operational state: UP, DOWN, UNKNOWN, LOWERLAYERDOWN, ... */
  state?: string;
  /** Flags in <...>: UP, LOWER_UP, BROADCAST, NOARP, ... */
  flags: string[];
  mac?: Mac;
  /** Bridge (or bond) this interface is a port of (`master br0`). */
  master?: string;
  /** veth / link peer as printed after '@': `eth0@if7` (peerIndex 7) or `@NONE`; plus link-netnsid. */
  peer?: { name?: string; index?: number; netnsId?: number; none?: boolean; /** `link-netns NAME` */ netns?: string };
  /** What follows `link/` (ether, loopback, none, sit, ...). */
  linkType?: string;
  /** From `ip -d`: the port kind of an enslaved interface (bridge_slave, bond_slave, ...). */
  slaveKind?: string;
  /** From `ip -d link` (`bridge_slave ... hairpin on|off`): the bridge may send a frame back out the port it came in on. */
  hairpin?: boolean;
  /** `altname X` lines. */
  altnames?: string[];
  addresses: IfAddress[];
  loc?: SourceLoc;
}

export type RouteType =
  | 'unicast' | 'local' | 'broadcast' | 'multicast' | 'anycast'
  | 'blackhole' | 'unreachable' | 'prohibit' | 'throw' | 'nat';

export interface Nexthop {
  via?: string;
  dev?: string;
  weight?: number;
  flags: string[]; // onlink, linkdown, dead, pervasive
  /** `realms X` on a nexthop line, as printed. */
  realms?: string;
}

export interface Route {
  family: Family;
  /** 'main', 'local', 'default' or a number / name from the dump. */
  table: string;
  type: RouteType;
  /** Destination prefix; `default` is 0.0.0.0/0 (::/0). */
  dst: IpNet;
  tos?: number;
  /** One entry for a simple route; several for multipath. */
  nexthops: Nexthop[];
  /** Preferred source (`src`). */
  prefsrc?: string;
  proto?: string;
  scope?: string;
  metric?: number;
  mtu?: number;
  advmss?: number;
  /** Metrics printed with `lock` (`mtu lock 1400` → ['mtu']). */
  locks?: string[];
  expires?: string;
  pref?: string;
  /** Flags not covered above (onlink, linkdown, offload, ...). */
  flags: string[];
  /** Other `key value` pairs we keep but do not interpret. */
  extra?: Record<string, string>;
  loc: SourceLoc;
}

export interface IpRule {
  family: Family;
  priority: number;
  not: boolean;
  /** Absent = all. */
  from?: IpNet;
  to?: IpNet;
  fwmark?: { value: number; mask: number };
  iif?: string;
  oif?: string;
  tos?: number;
  ipproto?: number;
  sport?: [number, number];
  dport?: [number, number];
  uidrange?: [number, number];
  action: 'lookup' | 'goto' | 'blackhole' | 'unreachable' | 'prohibit' | 'nop';
  /** lookup: the table; goto: the target priority as text. */
  table?: string;
  gotoPriority?: number;
  suppressPrefixLength?: number;
  suppressIfgroup?: string;
  /** `iif X [detached]` / `oif X [detached]`: the interface does not exist (the rule never matches). */
  iifDetached?: boolean;
  oifDetached?: boolean;
  /** `goto N [unresolved]`: no rule with that priority exists. */
  unresolved?: boolean;
  /** `l3mdev` selector (`lookup [l3mdev-table]`). */
  l3mdev?: boolean;
  /** Other `key value` attributes kept but not interpreted (proto, realms, tun_id, ...). */
  extra?: Record<string, string>;
  loc: SourceLoc;
}

export interface Sysctls {
  file: string;
  /** Every key as printed (dotted form, e.g. net.ipv4.conf.eth0.forwarding) → value text. */
  values: Record<string, string>;
  locs: Record<string, SourceLoc>;
}

export interface SocketEnd {
  addr: string; // '0.0.0.0', '*', '::', '127.0.0.1', ...
  port: number; // 0 for '*'
  /** `%eth0` device binding */
  dev?: string;
}

export interface Socket {
  proto: 'tcp' | 'udp' | 'raw' | 'icmp' | string;
  family: Family;
  /** LISTEN, UNCONN, ESTAB, SYN-SENT, TIME-WAIT, ... */
  state: string;
  local: SocketEnd;
  peer?: SocketEnd;
  process?: string;
  /** Reply-source behaviour for UDP servers: 'route' (sendto from 0.0.0.0: routing picks the source),
   * 'pktinfo' (IP_PKTINFO: reply from the request's destination address). Default 'route'. */
  replyFrom?: 'route' | 'pktinfo';
  loc?: SourceLoc;
}

export interface CtTuple {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  /** ICMP */
  type?: number;
  code?: number;
  id?: number;
}

export interface ConntrackEntry {
  family: Family;
  proto: number;
  protoName: string;
  timeout?: number;
  /** TCP state (ESTABLISHED, SYN_SENT, ...). */
  tcpState?: string;
  orig: CtTuple;
  reply: CtTuple;
  /** ASSURED, UNREPLIED, SEEN_REPLY ([UNREPLIED] printed means no reply seen). */
  status: string[];
  mark?: number;
  zone?: number;
  loc: SourceLoc;
}

export interface IpSet {
  name: string;
  /** hash:ip, hash:net, bitmap:port, ... */
  type: string;
  family?: string;
  options: Record<string, string>;
  members: string[];
  loc: SourceLoc;
}

/** Which input files were present for a host ('absent' means: not known, not "empty"). */
export type InputKind =
  | 'iptables-save' | 'ip6tables-save' | 'ip-addr' | 'ip-link' | 'ip-route' | 'ip6-route'
  | 'ip-rule' | 'ip6-rule' | 'sysctl' | 'ss' | 'conntrack' | 'ipset';

export interface Host {
  name: string;
  interfaces: Interface[];
  routes: Route[];
  rules: IpRule[];
  sysctl?: Sysctls;
  iptables?: Ruleset;
  ip6tables?: Ruleset;
  sockets?: Socket[];
  conntrack?: ConntrackEntry[];
  ipsets?: IpSet[];
  /** Input file per kind, when present. */
  inputs: Partial<Record<InputKind, string>>;
  /** Inputs the capture said were unavailable (tool absent), with the message. */
  absent: Partial<Record<InputKind, string>>;
  issues: InputIssue[];
}

/** A veth pair or a cable between two hosts' interfaces. */
export interface Link {
  a: { host: string; iface: string };
  b: { host: string; iface: string };
  kind: 'veth' | 'cable';
  loc?: SourceLoc;
}

export interface World {
  /** Directory or bundle file the world was loaded from. */
  source: string;
  hosts: Host[];
  links: Link[];
  issues: InputIssue[];
}
