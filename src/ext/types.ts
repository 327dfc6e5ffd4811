/**
 * The contract of a netfilter extension module (one file per match or target, like iptables'
 * extensions/libxt_*.c and the kernel's xt_*.c): options as data, decoding into a typed object,
 * the save text, a plain-English description and the match/target semantics.
 */
import type { Hook, TableName } from '../model/iptables.js';
import type { Packet } from '../model/packet.js';
import type { Constraint, Dim } from '../space/box.js';

/** One option as iptables' option tables declare it (struct xt_option_entry). */
export interface OptionSpec {
  /** Long name without dashes: 'dport'. */
  name: string;
  /** Other spellings: 'destination-port'. */
  aliases?: string[];
  /** How many argument words follow: 0 (flag), 1, or 2 (e.g. --tcp-flags MASK COMP). */
  args: 0 | 1 | 2;
  /** '!' allowed (before the option, or between option and value in old syntax). */
  invertible?: boolean;
  /** Option names that may not be combined with this one. */
  excludes?: string[];
  /** May be given more than once. */
  multi?: boolean;
  /** Must be given. */
  required?: boolean;
}

/** An option occurrence as the shared rule parser hands it to the module. */
export interface OptionValue {
  name: string;
  invert: boolean;
  values: string[];
  /** 1-based column of the option in its line (errors point there). */
  col: number;
}

/** What a module throws for a bad option value; the parser turns it into a located InputIssue. */
export class ExtensionError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    /** The offending option, when known, for its location. */
    readonly option?: OptionValue,
  ) {
    super(message);
  }
}

export interface BuildContext {
  family: 4 | 6;
  table: string;
  chain: string;
  /** The rule's -p value (lower-case), if any, and whether it was negated. */
  protocol?: { value: string; invert: boolean };
  /** Report a non-fatal finding (e.g. a range that can never match); the loader records it as a warning. */
  warn?: (message: string, hint?: string) => void;
}

/** Conntrack as seen by one packet at one hook (xt_conntrack's view). */
export interface CtView {
  /** NEW | ESTABLISHED | RELATED | INVALID | UNTRACKED */
  state: 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';
  /** Packet travels in the reply direction of its entry. */
  reply: boolean;
  /** SNAT / DNAT pseudo-states (binding changed the tuple). */
  snat: boolean;
  dnat: boolean;
  /** Entry status bits: EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED. */
  status: string[];
  mark: number;
  /** Original and reply tuples (absent for INVALID/UNTRACKED). */
  orig?: { src: number; dst: number; proto: number; sport?: number; dport?: number };
  replyTuple?: { src: number; dst: number; proto: number; sport?: number; dport?: number };
  /** TCP state name, for the trace. */
  protoState?: string;
  zone: number;
}

/** Read-only questions a match may ask about the host. */
export interface HostQueries {
  /** addrtype: LOCAL | UNICAST | BROADCAST | MULTICAST | BLACKHOLE | UNREACHABLE | PROHIBIT | THROW | NAT | UNSPEC | ANYCAST | XRESOLVE.
   * With `dev`, only routes/addresses of that device count (--limit-iface-in/out). */
  addrType(addr: number, dev?: string): string;
  /** Members of an ipset; undefined when the set is unknown (no `ipset save` input or no such set). */
  ipset(name: string): { type: string; has(addr: number, port?: number, proto?: number): boolean } | undefined;
  /** Owner (OUTPUT) of the sending socket, when known. */
  owner?: { uid?: number; gid?: number };
  /** Bridge port the packet came in on / goes out of (br_netfilter), when bridged. */
  physIn?: string;
  physOut?: string;
  isBridged?: boolean;
}

/** Per-rule private state kept across packets of a run (e.g. `statistic --mode nth` counters, `recent` lists). */
export interface RuleState {
  get<T>(): T | undefined;
  set<T>(v: T): void;
}

export interface MatchContext {
  pkt: Packet;
  family: 4 | 6;
  hook: Hook;
  table: TableName;
  inIface?: string;
  outIface?: string;
  ct: CtView;
  host: HostQueries;
  state: RuleState;
}

/**
 * true/false; `unsupported` when nfsim cannot decide (the verdict becomes `unsupported`);
 * `random` when the kernel decides at random: the engine explores both branches with their probabilities;
 * `assumed` when nfsim decides under a stated assumption (e.g. limit: under the rate) — the trace shows it.
 */
export type MatchResult =
  | boolean
  | { unsupported: string }
  | { random: number; why: string }
  | { assumed: boolean; why: string };

/** Side effects a target asks the engine to perform. The engine applies them in order. */
export type TargetEffect =
  | { kind: 'mark'; value: number; mask: number; op: 'set' | 'xset' | 'and' | 'or' | 'xor' }
  | { kind: 'connmark'; op: 'set' | 'save' | 'restore'; value: number; mask: number; ctmask?: number; nfmask?: number }
  | { kind: 'nat'; nat: NatRequest }
  | { kind: 'reject'; with: RejectWith }
  | { kind: 'notrack' }
  | { kind: 'ct'; zone?: number; helper?: string; notrack?: boolean }
  | { kind: 'log'; text: string }
  | { kind: 'trace' }
  | { kind: 'tos'; value: number; mask: number }
  | { kind: 'ttl'; op: 'set' | 'inc' | 'dec'; value: number }
  | { kind: 'noop'; why: string };

export type RejectWith =
  | 'icmp-net-unreachable' | 'icmp-host-unreachable' | 'icmp-port-unreachable' | 'icmp-proto-unreachable'
  | 'icmp-net-prohibited' | 'icmp-host-prohibited' | 'icmp-admin-prohibited' | 'tcp-reset'
  | 'icmp6-no-route' | 'icmp6-adm-prohibited' | 'icmp6-addr-unreachable' | 'icmp6-port-unreachable'
  | 'icmp6-policy-fail' | 'icmp6-reject-route';

export interface NatRange {
  /** Address range (uint32, inclusive); absent = keep address (e.g. `--to-source :53`). */
  minAddr?: number;
  maxAddr?: number;
  /** Port range; absent = keep port (subject to clash remapping for SNAT). */
  minPort?: number;
  maxPort?: number;
}

export type NatRequest =
  | { type: 'dnat'; ranges: NatRange[]; random: boolean; persistent: boolean }
  | { type: 'snat'; ranges: NatRange[]; random: boolean; randomFully: boolean; persistent: boolean }
  | { type: 'masquerade'; ports?: { min: number; max: number }; random: boolean; randomFully: boolean }
  | { type: 'redirect'; ports?: { min: number; max: number }; random: boolean }
  | { type: 'netmap'; to: { addr: number; len: number } };

export interface TargetResult {
  /** continue = XT_CONTINUE (non-terminating); nat targets return accept (they end the nat chain). */
  verdict: 'continue' | 'accept' | 'drop' | 'queue';
  effects: TargetEffect[];
  /** When the engine cannot model it. */
  unsupported?: string;
}

interface ExtensionBase<T> {
  /** Module name as written after -m / -j. */
  name: string;
  /** Other names the same module answers to (e.g. 'state' is handled by its own file, but 'NOTRACK' ~ CT). */
  aliases?: string[];
  /** Families the module exists for. */
  families: readonly (4 | 6)[];
  options: readonly OptionSpec[];
  /** Decode options into the typed object; throw ExtensionError for bad values (iptables would refuse). */
  build(opts: OptionValue[], ctx: BuildContext): T;
  /** Save text exactly as iptables-save prints it, options only, with a leading space: ' --dport 80'. */
  save(args: T, ctx: BuildContext): string;
  /** Plain English: 'TCP destination port 80'. */
  describe(args: T): string;
}

/** A match seen as a set of packet headers (src/space; used by diff, check and lint). */
export interface MatchSpace {
  /** Every packet the match selects satisfies the constraint (a sound over-approximation). */
  constraint: Constraint;
  /** And every packet satisfying it is selected: the constraint is the match itself. */
  exact: boolean;
}

export interface MatchExtension<T = any> extends ExtensionBase<T> {
  kind: 'match';
  match(args: T, ctx: MatchContext): MatchResult;
  /** The header-space view of the match. Absent: the match is opaque to header-space reasoning. */
  space?(args: T): MatchSpace;
  /** The packet header fields `match` reads (the engine records them so diff can tell which fields a
   * packet's fate depended on). Absent: the dimensions of `space`, or every field when there is no `space`. */
  reads?(args: T): readonly Dim[];
}

export interface TargetExtension<T = any> extends ExtensionBase<T> {
  kind: 'target';
  /** Tables the target may be used in (ipt_do_table checks at load: xt_check_target). Absent = any. */
  tables?: readonly TableName[];
  /** Built-in hooks it may be reached from. Absent = any. */
  hooks?: readonly Hook[];
  apply(args: T, ctx: MatchContext): TargetResult;
}

export type Extension = MatchExtension | TargetExtension;
