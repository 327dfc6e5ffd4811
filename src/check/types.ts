/**
 * Policies for `nfsim check` (docs/check.md): assertions over classes of first packets, as parsed from a
 * policy file (src/parse/policy.ts), and what checking them against a world found.
 */
import type { SourceLoc } from '../model/source.js';
import type { IntervalSet } from '../space/intervals.js';

/** An address set as written: `any`, a prefix or range, or a host's addresses (`HOST`, `HOST:IF`). */
export type AddrSel = { kind: 'any' } | { kind: 'set'; set: IntervalSet } | { kind: 'host'; host: string; iface?: string };

/** One item of a `from` / `to` / `via` list, with the ports written after it. */
export interface PolicyItem {
  addr: AddrSel;
  ports?: IntervalSet;
  loc: SourceLoc;
  text: string;
}

/** Header fields of the class beyond addresses and ports. Unset fields take the defaults of docs/check.md. */
export interface HeaderOpts {
  /** The protocols of the class (IP protocol numbers: 6, 17, 1). */
  protos: number[];
  sport?: IntervalSet;
  /** TCP flag bytes (each value one combination). */
  flags?: IntervalSet;
  /** ICMP type << 8 | code. */
  icmp?: IntervalSet;
  ttl?: IntervalSet;
  length?: IntervalSet;
  tos?: IntervalSet;
}

export type NatResult = { kind: 'masquerade' } | { kind: 'none' } | { kind: 'snat'; set: IntervalSet; text: string };

interface AssertionBase {
  /** The assertion as written (without its comment). */
  text: string;
  loc: SourceLoc;
  header: HeaderOpts;
}

export type Assertion =
  | (AssertionBase & { kind: 'allow' | 'deny'; from?: PolicyItem[]; to?: PolicyItem[]; via?: PolicyItem[] })
  | (AssertionBase & { kind: 'reach'; target: PolicyItem; source: PolicyItem; via?: PolicyItem[] })
  | (AssertionBase & { kind: 'nat'; from: PolicyItem[]; result: NatResult; to?: PolicyItem[]; via?: PolicyItem[] });

export interface Policy {
  file: string;
  assertions: Assertion[];
}

/** PASS / FAIL, or neither: the engine could not decide a class (UNSUPPORTED) or the class limit was hit. */
export type CheckStatus = 'pass' | 'fail' | 'unsupported' | 'incomplete';

export interface Counterexample {
  /** The class's representative packet, as a spec for `nfsim trace`. */
  packet: string;
  /** The class in words (src/diff/describe.ts). */
  description: string;
  /** Why it breaks the assertion. */
  reason: string;
  /** The representative's full trace (src/report/traceText.ts). */
  trace: string;
}

export interface CheckResult {
  assertion: Assertion;
  status: CheckStatus;
  /** One line: what held or what broke. */
  summary: string;
  /** Packet classes examined (1 for `reach`). */
  classes: number;
  /** Ingress points of the class (`arrive H:IF`, `local H`). */
  from: string[];
  counterexample?: Counterexample;
}
