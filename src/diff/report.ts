/** Text and JSON renderings of a diff. */
import { renderOutcome, verdictLine } from '../report/traceText.js';
import { outcomesJson } from '../report/traceJson.js';
import type { Outcome } from '../engine/types.js';
import { DIMS } from '../space/box.js';
import type { DiffResult, DiffSide } from './diff.js';

function fateLines(s: DiffSide): string[] {
  if (s.absent) return [`(the packet cannot exist here: ${s.absent})`];
  const many = s.outcomes.length > 1;
  return s.outcomes.map((o) => `${many ? `${(o.probability * 100).toFixed(2)}%: ` : ''}${verdictLine(o.verdict)}${o.verdict.answers.length ? `; answers: ${o.verdict.answers.map((a) => `${a.packet} → ${verdictLine(a.verdict)}`).join('; ')}` : ''}`);
}

function traceLines(outcomes: Outcome[], indent: string): string[] {
  const out: string[] = [];
  outcomes.forEach((o, i) => {
    if (outcomes.length > 1) out.push(`${indent}outcome ${i + 1} (probability ${(o.probability * 100).toFixed(2)}%): ${o.branches.join('; ')}`);
    out.push(...renderOutcome(o, indent));
  });
  return out;
}

/** A fate in a few words, for the summary: what happened and where, without the packet's own values. */
function fateKind(s: DiffSide): string {
  if (s.absent) return 'cannot exist';
  const kinds = new Set(
    s.outcomes.map((o) => {
      const v = o.verdict;
      switch (v.fate) {
        case 'delivered':
          return `delivered on ${v.host}`;
        case 'dropped':
          return `dropped on ${v.host} (${v.reason})`;
        case 'rejected':
          return `rejected on ${v.host} (${v.with})`;
        case 'forwarded':
          return `forwarded out of ${v.host}:${v.iface}`;
        case 'send-error':
          return `not sent (${v.errno})`;
        case 'unsupported':
          return `unsupported on ${v.host}`;
      }
    }),
  );
  return [...kinds].join(' or ');
}

export function renderDiffText(r: DiffResult, labels: [string, string], opts: { traces?: boolean; limit?: number } = {}): string {
  const L: string[] = [];
  L.push(`nfsim diff: ${labels[0]} → ${labels[1]}`);
  L.push(`Changes (${r.deltas.length}):`);
  for (const d of r.deltas) L.push(`  ${d.text}`);
  if (!r.deltas.length) L.push('  (none: the worlds are the same)');
  const scope = r.region.everything ? 'the whole header space' : 'the packets that can match a changed rule (and their answers)';
  L.push(`Examined ${r.examined} packet class${r.examined === 1 ? '' : 'es'} covering ${scope}${r.truncated ? ' — STOPPED EARLY at the class limit: the result is incomplete' : ''}.`);
  for (const n of r.region.notes) L.push(`  note: ${n}`);
  if (!r.differing.length) {
    L.push('No packet changes fate.');
    return L.join('\n') + '\n';
  }
  L.push(`${r.differing.length} class${r.differing.length === 1 ? '' : 'es'} of packets change${r.differing.length === 1 ? 's' : ''} fate.`);
  // Summary: how fates change, with the number of classes each (same fate kinds may differ in answers or NAT).
  const kinds = new Map<string, number>();
  for (const c of r.differing) {
    const k = `${fateKind(c.sides[0])} → ${fateKind(c.sides[1])}`;
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  L.push('Summary (before → after: classes):');
  for (const [k, n] of [...kinds].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) L.push(`  ${k}: ${n}`);
  const limit = opts.limit ?? r.differing.length;
  r.differing.slice(0, limit).forEach((c, i) => {
    L.push('');
    L.push(`${i + 1}. ${c.description}`);
    L.push(`   example: ${c.example}`);
    L.push(`   before: ${fateLines(c.sides[0]).join('\n           ')}`);
    L.push(`   after:  ${fateLines(c.sides[1]).join('\n           ')}`);
    if (opts.traces) {
      c.sides.forEach((s, k) => {
        L.push(`   ── trace in ${labels[k]} ──`);
        if (s.absent) L.push(`      ${s.absent}`);
        else L.push(...traceLines(s.outcomes, '      '));
      });
    }
  });
  if (limit < r.differing.length) L.push('', `… and ${r.differing.length - limit} more classes (--limit N shows more; --json gives them all)`);
  return L.join('\n') + '\n';
}

export function diffJson(r: DiffResult, labels: [string, string]): unknown {
  return {
    format: 'nfsim-diff',
    version: 1,
    worlds: labels,
    changes: r.deltas.map((d) => ({ kind: d.kind, host: d.host, text: d.text })),
    region: r.region,
    examined: r.examined,
    truncated: r.truncated,
    changed: r.differing.map((c) => ({
      description: c.description,
      example: c.example,
      classes: c.merged,
      space: Object.fromEntries(DIMS.map((d, i) => [d, c.box[i]])),
      before: c.sides[0].absent ? { absent: c.sides[0].absent } : outcomesJson(c.example, c.sides[0].outcomes),
      after: c.sides[1].absent ? { absent: c.sides[1].absent } : outcomesJson(c.example, c.sides[1].outcomes),
    })),
  };
}
