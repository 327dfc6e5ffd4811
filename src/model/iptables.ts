import type { IpNet } from './addr.js';
import type { InputIssue, SourceLoc } from './source.js';

export type TableName = 'raw' | 'mangle' | 'nat' | 'filter' | 'security';
export const TABLE_NAMES: readonly TableName[] = ['raw', 'mangle', 'nat', 'filter', 'security'];
export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';
export const HOOKS: readonly Hook[] = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];

/** Built-in chains per table (net/ipv4/netfilter/iptable_*.c valid_hooks). */
export const BUILTIN_CHAINS: Record<TableName, readonly Hook[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** Which program wrote the dump: decides e.g. the security table's hook priority (50 legacy, 150 nft). */
export type Backend = 'legacy' | 'nf_tables' | 'unknown';

export interface Counters {
  packets: number;
  bytes: number;
}

export interface Negatable<T> {
  value: T;
  invert: boolean;
}

/** A decoded `-m NAME ...` (or the implicit protocol match loaded by `-p tcp`). `args` is the typed object
 * produced by the extension module `src/ext/match/NAME.ts`. */
export interface MatchUse<T = unknown> {
  name: string;
  /** Loaded implicitly by `-p tcp|udp|icmp...` without `-m`. */
  implicit?: boolean;
  args: T;
  /** Where `-m NAME` (or the option that loaded an implicit match) was written: 1-based line and column in
   * the rule's file (see locOf). */
  line: number;
  col: number;
  /** Set when no module understands this match: the raw option text is kept and the engine refuses to guess. */
  unsupported?: { reason: string; raw: string };
}

/** `-j NAME ...` or `-g CHAIN`. */
export interface TargetUse<T = unknown> {
  /** verdict: ACCEPT/DROP/RETURN/QUEUE; chain: a user chain; extension: a target module (DNAT, MARK, ...). */
  kind: 'verdict' | 'chain' | 'extension';
  name: string;
  goto: boolean;
  args: T;
  /** Where the target's name was written: 1-based line and column in the rule's file (see locOf). */
  line: number;
  col: number;
  unsupported?: { reason: string; raw: string };
}

/**
 * A rule. Its source position is kept as plain fields (file, line, col), like those of its matches and
 * target, rather than as SourceLoc objects: a large dump holds hundreds of thousands of rules, and four
 * location objects per rule were a large part of the model the garbage collector has to copy. `locOf`
 * builds the SourceLoc of the rule or of one of its matches or its target.
 */
export interface Rule {
  /** The file the rule was read from (a dump, or the change script that added it). */
  file: string;
  /** 1-based line and column of the rule (its `-A`). */
  line: number;
  col: number;
  /** The rule text after `-A CHAIN ` as written (counters prefix removed). */
  text: string;
  counters?: Counters;
  chain: string;
  /** -p: lower-case name as iptables-save prints it (tcp, udp, icmp, ...) or the number text. */
  protocol?: Negatable<string>;
  src?: Negatable<IpNet>;
  dst?: Negatable<IpNet>;
  inIface?: Negatable<string>;
  outIface?: Negatable<string>;
  /** -f: second and further fragments only. */
  fragment?: Negatable<true>;
  matches: MatchUse[];
  target?: TargetUse;
}

/** The SourceLoc of a rule, or of one of its matches or its target (which sit in the rule's file, possibly on
 * another line: a change script's command may continue over several lines). */
export function locOf(rule: Rule, at: { line: number; col: number } = rule): SourceLoc {
  return { file: rule.file, line: at.line, col: at.col };
}

export interface Chain {
  name: string;
  builtin: boolean;
  /** Built-in chains only. */
  policy?: 'ACCEPT' | 'DROP';
  counters?: Counters;
  /** False when the chain only appears in `-A` lines without a `:NAME` declaration. */
  declared: boolean;
  loc: SourceLoc;
  rules: Rule[];
}

export interface Table {
  name: TableName;
  loc: SourceLoc;
  /** In declaration order (as iptables-save prints them). */
  chains: Chain[];
}

export interface Ruleset {
  family: 4 | 6;
  file: string;
  backend: Backend;
  /** e.g. "v1.8.9 (nf_tables)" from the header, when present. */
  version?: string;
  /** Whether the dump carried counters (`iptables-save -c`). */
  hasCounters: boolean;
  tables: Table[];
  /** Non-fatal findings (warnings) from loading. */
  issues: InputIssue[];
}
