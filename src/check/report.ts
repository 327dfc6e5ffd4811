/** `nfsim check` results as text (one line per assertion), JSON, and JUnit XML for CI systems. */
import type { CheckResult, CheckStatus } from './types.js';

const STATUS: Record<CheckStatus, string> = { pass: 'PASS', fail: 'FAIL', unsupported: 'UNSUPPORTED', incomplete: 'INCOMPLETE' };

export interface CheckSummary {
  total: number;
  passed: number;
  failed: number;
  unsupported: number;
  incomplete: number;
}

export function summarize(results: readonly CheckResult[]): CheckSummary {
  const n = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  return { total: results.length, passed: n('pass'), failed: n('fail'), unsupported: n('unsupported'), incomplete: n('incomplete') };
}

const where = (r: CheckResult) => `${r.assertion.loc.file}:${r.assertion.loc.line}`;

export function renderCheckText(results: readonly CheckResult[], opts: { traces?: boolean } = {}): string {
  const L: string[] = [];
  for (const r of results) {
    L.push(`${STATUS[r.status]} ${where(r)}: ${r.assertion.text} — ${r.summary}`);
    const c = r.counterexample;
    if (!c) continue;
    if (c.description !== 'the example packet') L.push(`  class: ${c.description}`);
    L.push(`  counterexample: ${c.packet}`);
    if (opts.traces !== false && c.trace) L.push(...c.trace.trimEnd().split('\n').map((l) => `    ${l}`));
  }
  const s = summarize(results);
  const extra = [s.unsupported ? `${s.unsupported} unsupported` : '', s.incomplete ? `${s.incomplete} incomplete` : ''].filter(Boolean).join(', ');
  L.push(`${s.passed} passed, ${s.failed} failed${extra ? `, ${extra}` : ''} (${s.total} assertion${s.total === 1 ? '' : 's'})`);
  return L.join('\n') + '\n';
}

export function checkJson(results: readonly CheckResult[], world: string, policy: string): unknown {
  return {
    world,
    policy,
    summary: summarize(results),
    results: results.map((r) => ({
      assertion: r.assertion.text,
      kind: r.assertion.kind,
      loc: r.assertion.loc,
      status: r.status,
      summary: r.summary,
      classes: r.classes,
      from: r.from,
      ...(r.counterexample ? { counterexample: r.counterexample } : {}),
    })),
  };
}

/** XML text and attribute escaping; characters XML 1.0 cannot carry are dropped. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * JUnit XML: one testsuite for the policy, one testcase per assertion (named by its text, class name the
 * policy file and line). A failed assertion is a <failure> whose message names the counterexample and whose
 * body has the class and trace; an undecided one (unsupported, incomplete) is an <error>.
 */
export function renderJunit(results: readonly CheckResult[], world: string, policy: string): string {
  const s = summarize(results);
  const L: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const name = xmlEscape(`nfsim check ${world} ${policy}`);
  L.push(`<testsuites name="${name}" tests="${s.total}" failures="${s.failed}" errors="${s.unsupported + s.incomplete}">`);
  L.push(`  <testsuite name="${name}" tests="${s.total}" failures="${s.failed}" errors="${s.unsupported + s.incomplete}" skipped="0">`);
  for (const r of results) {
    L.push(`    <testcase name="${xmlEscape(r.assertion.text)}" classname="${xmlEscape(`${r.assertion.loc.file}:${r.assertion.loc.line}`)}">`);
    if (r.status !== 'pass') {
      const tag = r.status === 'fail' ? 'failure' : 'error';
      const c = r.counterexample;
      const message = c ? `${r.summary}; counterexample: ${c.packet}` : r.summary;
      const body = [`${STATUS[r.status]} ${where(r)}: ${r.assertion.text}`, r.summary, ...(c ? [`class: ${c.description}`, `counterexample: ${c.packet}`, '', c.trace] : [])].join('\n');
      L.push(`      <${tag} message="${xmlEscape(message)}" type="${r.status}">${xmlEscape(body)}</${tag}>`);
    } else {
      L.push(`      <system-out>${xmlEscape(r.summary)}</system-out>`);
    }
    L.push('    </testcase>');
  }
  L.push('  </testsuite>');
  L.push('</testsuites>');
  return L.join('\n') + '\n';
}
