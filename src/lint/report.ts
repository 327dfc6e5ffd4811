/** `nfsim lint` output: a readable list, or stable JSON (docs/lint.md). */
import type { SourceLoc } from '../model/source.js';
import type { Finding, Severity } from './types.js';

function at(loc?: SourceLoc): string {
  return loc ? `${loc.file}:${loc.line}:${loc.col}` : '(no dump line)';
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const c: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) c[f.severity]++;
  return c;
}

export function renderLintText(worldSource: string, findings: readonly Finding[]): string {
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`${at(f.loc)}: ${f.severity} [${f.check}] ${f.host}: ${f.subject}`);
    for (const l of f.message.split('\n')) lines.push(`  ${l}`);
    for (const r of f.related ?? []) lines.push(`  ${r.what}: ${r.text}${r.loc ? `  [${at(r.loc)}]` : ''}`);
    lines.push(`  fix: ${f.fix}`);
    lines.push('');
  }
  const c = countBySeverity(findings);
  lines.push(`${worldSource}: ${findings.length} finding${findings.length === 1 ? '' : 's'} (${c.error} error, ${c.warning} warning, ${c.info} info)`);
  return lines.join('\n') + '\n';
}

export function lintJson(worldSource: string, findings: readonly Finding[]): unknown {
  return { format: 'nfsim-lint', version: 1, world: worldSource, counts: countBySeverity(findings), findings };
}
