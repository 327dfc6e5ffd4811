/**
 * A generated conformance case as plain data: hosts with their interfaces, routes, policy rules, sysctls,
 * ruleset and listening sockets, the links between them, and the packets to send. render.ts writes it as an
 * ordinary world directory (docs/world-layout.md) and packets file (docs/scenario-format.md).
 */

export interface CaseAddr {
  addr: string;
  len: number;
}

export interface CaseIface {
  name: string;
  kind: 'loopback' | 'veth' | 'bridge';
  mac: string;
  addrs: CaseAddr[];
  /** Bridge this interface is a port of. */
  master?: string;
}

/** A route as `ip route show table all` prints it, and as `ip route add` takes it (same words). */
export interface CaseRoute {
  text: string;
}

export interface CaseListener {
  proto: 'tcp' | 'udp';
  addr: string;
  port: number;
}

export interface CaseHost {
  name: string;
  ifaces: CaseIface[];
  /** Routes added on top of the kernel's own (connected, local, broadcast). */
  routes: CaseRoute[];
  /** Policy rules besides the three defaults, as `ip rule show` prints them ("100:\tfrom all fwmark 0x1 lookup 100"). */
  rules: string[];
  /** sysctl key → value (only keys that differ from a fresh namespace, plus the ones set on purpose). */
  sysctl: Record<string, string>;
  /** iptables-save text (tables in save order); empty when the host has no rules. */
  tables: CaseTable[];
  listeners: CaseListener[];
}

export interface CaseChain {
  name: string;
  /** Built-in chains: ACCEPT or DROP; user chains: undefined. */
  policy?: 'ACCEPT' | 'DROP';
  rules: string[];
}

export interface CaseTable {
  name: 'raw' | 'mangle' | 'nat' | 'filter' | 'security';
  chains: CaseChain[];
}

export interface CaseLink {
  a: { host: string; iface: string };
  b: { host: string; iface: string };
}

export interface ConformanceCase {
  /** Seed and index it was generated from (for the report and replay). */
  seed: number;
  index: number;
  /** Prefix of every interface name of the case (unique within a batch). */
  tag: string;
  hosts: CaseHost[];
  links: CaseLink[];
  /** Packet lines in the `nfsim run` syntax. */
  packets: string[];
}
