/**
 * Engine data: the run state that persists between packets (conntrack, counters, sockets created by
 * local senders, per-rule extension state), the packet spec, the trace events and the verdicts.
 * Everything is plain data: the engine is `(world, state, spec) → (state', trace, verdict)`.
 */
import type { Hook, TableName } from '../model/iptables.js';
import type { Packet } from '../model/packet.js';
import type { SourceLoc } from '../model/source.js';

export interface PacketSpec {
  origin: { kind: 'arrive'; host: string; iface: string } | { kind: 'local'; host: string };
  packet: Packet;
  /** Source given as 0.0.0.0 on a local packet: routing picks it (connect()). */
  unboundSource: boolean;
  /** local UDP server replying with IP_PKTINFO (reply from the request's destination). */
  pktinfo: boolean;
  /** Raw socket send (no socket registered for answers). */
  raw: boolean;
  /** `df` was written: a local packet keeps it; otherwise a local UDP/ICMP packet gets DF as the kernel sets it. */
  dfGiven?: boolean;
  uid?: number;
  gid?: number;
  text: string;
}

export interface CtTupleN {
  src: number;
  dst: number;
  proto: number;
  /** TCP/UDP ports; ICMP: sport = id, dport = type<<8|code of the request. */
  sport: number;
  dport: number;
}

/** (sim.ts copies entries and host states field by field: a new field must be added to copyEntry() / hostState().) */
export interface CtEntry {
  id: number;
  zone: number;
  orig: CtTupleN;
  reply: CtTupleN;
  /** Status bits as names: SEEN_REPLY, ASSURED, CONFIRMED, SRC_NAT, DST_NAT, SRC_NAT_DONE, DST_NAT_DONE. */
  status: string[];
  mark: number;
  /** TCP state name, or 'UDP'/'ICMP'/'GENERIC' bookkeeping. */
  protoState: string;
  /** MASQUERADE: the egress interface remembered for nf_nat_oif_changed(). */
  masqIface?: string;
  /** Seeded from a `conntrack -L` dump. */
  seeded?: boolean;
  /** Manipulations whose address is one fixed address (not a function of the packet's): for deps.ts. */
  natConst?: ('SRC' | 'DST')[];
}

export interface HostRunState {
  conntrack: CtEntry[];
  /** Per-rule packet and byte counts keyed "table/chain/index" (index 0-based) and "table/chain/policy".
   * Two flat maps of numbers: cheap to update immutably. */
  packets: Record<string, number>;
  bytes: Record<string, number>;
  /** Extension private state keyed "table/chain/index". */
  ruleState: Record<string, unknown>;
  /** Sockets created by local senders during the run (connected clients). */
  sockets: RunSocket[];
  nextCtId: number;
  /** Next port for deterministic SNAT port remapping, per range key. */
  natPortCursor: Record<string, number>;
}

export interface RunSocket {
  proto: number;
  local: { addr: number; port: number };
  peer?: { addr: number; port: number };
  /** ICMP echo sockets: the id. */
  icmpId?: number;
  note: string;
}

/** (simulate() copies the root field by field for each step: a new field must be added there.) */
export interface RunState {
  hosts: Record<string, HostRunState>;
}

// ---------------------------------------------------------------- trace

export interface RuleRef {
  table: TableName;
  chain: string;
  /** 1-based position in the chain, as `iptables -L --line-numbers` shows. */
  index: number;
  text: string;
  loc: SourceLoc;
}

export type TraceEvent =
  | { type: 'start'; host: string; summary: string; where: string }
  | { type: 'hook'; host: string; hook: Hook; table: TableName | 'conntrack' | 'nat'; priority: number }
  | { type: 'rule'; host: string; rule: RuleRef; target: string; description: string; notes?: string[] }
  | { type: 'policy'; host: string; table: TableName; chain: string; policy: string; loc?: SourceLoc }
  | { type: 'return'; host: string; table: TableName; from: string; to: string }
  | { type: 'conntrack'; host: string; action: 'new' | 'hit' | 'invalid' | 'untracked' | 'confirm' | 'inactive' | 'related' | 'removed'; state: string; entry?: string; detail?: string }
  | { type: 'nat'; host: string; kind: 'DNAT' | 'SNAT' | 'MASQUERADE' | 'REDIRECT' | 'NETMAP' | 'un-DNAT' | 'un-SNAT' | 'identity' | 'port-remap'; before: string; after: string; detail?: string }
  | { type: 'route'; host: string; direction: 'input' | 'output' | 'reroute'; result: string; route?: string; routeLoc?: SourceLoc; rule?: string; table?: string }
  | { type: 'sysctl'; host: string; key: string; value: string; source: 'dump' | 'default'; loc?: SourceLoc; effect: string }
  | { type: 'check'; host: string; what: string; ok: boolean; detail: string }
  | { type: 'link'; from: string; to: string; kind: string }
  | { type: 'rewrite'; host: string; what: string; before: string; after: string }
  | { type: 'socket'; host: string; socket: string; detail: string }
  | { type: 'note'; host: string; text: string }
  | { type: 'mark'; host: string; before: number; after: number; what: 'mark' | 'ctmark' };

// ---------------------------------------------------------------- verdicts

export type Verdict =
  | { fate: 'delivered'; host: string; socket?: string; /** The packet as the socket receives it (after NAT on the way). */ packet?: string; detail: string; answers: Outcome[] }
  | { fate: 'dropped'; host: string; reason: string; at: string; counter?: string; rule?: RuleRef; detail: string; answers: Outcome[] }
  | { fate: 'rejected'; host: string; with: string; rule: RuleRef; reason: 'NETFILTER_DROP'; at: string; detail: string; answers: Outcome[] }
  | { fate: 'forwarded'; host: string; iface: string; packet: string; detail: string; answers: Outcome[] }
  | { fate: 'send-error'; host: string; errno: string; counter?: string; detail: string; answers: Outcome[] }
  | { fate: 'unsupported'; host: string; reason: string; rule?: RuleRef; detail: string; answers: Outcome[] };

export interface Fix {
  text: string;
  command?: string;
}

/** One complete path of a packet (and the packets generated in answer). */
export interface Outcome {
  packet: string;
  /** Probability of this outcome (1 unless a `statistic --mode random` rule branched). */
  probability: number;
  /** Choices taken at random points, for the report. */
  branches: string[];
  trace: TraceEvent[];
  verdict: Verdict;
  why: string;
  fix?: Fix;
}
