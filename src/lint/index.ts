/** The lint checks, in report order, and the entry point that runs them over a world. */
import type { World } from '../model/host.js';
import { forwardingDisabled } from './checks/forwardingDisabled.js';
import { publishedPortBypassesInput } from './checks/publishedPortBypassesInput.js';
import { rpFilterAsymmetric } from './checks/rpFilterAsymmetric.js';
import { unreachableRule } from './checks/unreachableRule.js';
import { unusedChain } from './checks/unusedChain.js';
import { SEVERITY_ORDER, type Finding, type LintCheck } from './types.js';

export const CHECKS: readonly LintCheck[] = [unreachableRule, unusedChain, publishedPortBypassesInput, forwardingDisabled, rpFilterAsymmetric];

export interface LintOptions {
  /** Only this host's findings. */
  host?: string;
  /** Only these checks (ids). */
  checks?: readonly string[];
}

/** Every finding of every check, in a stable order: host, check, location in the dump, message. */
export function lintWorld(world: World, opts: LintOptions = {}): Finding[] {
  const checks = opts.checks ? CHECKS.filter((c) => opts.checks!.includes(c.id)) : CHECKS;
  const order = new Map(CHECKS.map((c, i) => [c.id, i]));
  // The whole world is checked (a host's neighbours decide some findings), then narrowed to the host.
  const all = checks.flatMap((c) => c.run(world)).filter((f) => !opts.host || f.host === opts.host);
  return all.sort(
    (a, b) =>
      cmp(a.host, b.host) ||
      order.get(a.check)! - order.get(b.check)! ||
      cmp(a.loc?.file ?? '', b.loc?.file ?? '') ||
      (a.loc?.line ?? 0) - (b.loc?.line ?? 0) ||
      (a.loc?.col ?? 0) - (b.loc?.col ?? 0) ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      cmp(a.message, b.message),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Exit status of `nfsim lint`: 1 when a finding is a warning or an error. */
export function lintExitCode(findings: readonly Finding[]): number {
  return findings.some((f) => f.severity !== 'info') ? 1 : 0;
}

export type { Finding, LintCheck, Severity } from './types.js';
