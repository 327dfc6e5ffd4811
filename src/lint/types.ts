/**
 * Lint findings: cheap static observations about a world (no packet needed). Each check is a pure function
 * of the world; a finding says where (the dump line), what, and the command that fixes it.
 */
import type { World } from '../model/host.js';
import type { SourceLoc } from '../model/source.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  /** The check's id, e.g. `unreachable-rule`. */
  check: string;
  severity: Severity;
  host: string;
  /** Where in the dump: the rule, chain, sysctl key or route. Absent when the fact comes from a missing input. */
  loc?: SourceLoc;
  /** The rule / chain / key / route as written, for the reader. */
  subject: string;
  /** Plain English: what is wrong and why. */
  message: string;
  /** The command(s) to type, or a short instruction when no single command fixes it. */
  fix: string;
  /** Further locations the message refers to (the shadowing rule, the DNAT rule, ...). */
  related?: { what: string; loc?: SourceLoc; text: string }[];
}

export interface LintCheck {
  id: string;
  /** One line for `nfsim lint --help` and the docs. */
  summary: string;
  run(world: World): Finding[];
}

export const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
