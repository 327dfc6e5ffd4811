/** `nfsim check` output: the text lines, the JSON, and JUnit XML that an XML parser accepts. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { checkPolicy } from '../../src/check/check.js';
import { checkJson, renderCheckText, renderJunit, xmlEscape } from '../../src/check/report.js';
import { parsePolicy } from '../../src/parse/policy.js';
import { lanWorld } from './worlds.js';

const POLICY = ['allow tcp from 10.0.1.0/24 to web:443 via r:eth0', 'allow tcp from any to web:22 via r:eth2   # "ssh" <from> & everywhere', 'reach web:443 from r'].join('\n');
const results = () => checkPolicy(lanWorld(), parsePolicy(POLICY, 'team.policy'));

describe('check reports', () => {
  it('text: one line per assertion, the counterexample and its trace, the totals', () => {
    const t = renderCheckText(results());
    const lines = t.split('\n');
    expect(lines[0]).toMatch(/^PASS team\.policy:1: allow tcp from 10\.0\.1\.0\/24 to web:443 via r:eth0 — every packet gets through \(\d+ class(es)? from arrive r:eth0\)$/);
    expect(lines[1]).toBe('FAIL team.policy:2: allow tcp from any to web:22 via r:eth2 — not allowed: DROPPED on web: NETFILTER_DROP at nft_do_chain');
    expect(t).toContain('  counterexample: arrive r:eth2 tcp ');
    expect(t).toContain('    Verdict: DROPPED on web: NETFILTER_DROP');
    expect(t.trimEnd().split('\n').at(-1)).toBe('2 passed, 1 failed (3 assertions)');
    expect(renderCheckText(results(), { traces: false })).not.toContain('Verdict:');
  });

  it('JSON: status, summary, classes and the counterexample per assertion', () => {
    const j = checkJson(results(), 'w', 'team.policy') as any;
    expect(j.summary).toEqual({ total: 3, passed: 2, failed: 1, unsupported: 0, incomplete: 0 });
    expect(j.results.map((r: any) => r.status)).toEqual(['pass', 'fail', 'pass']);
    expect(j.results[1].counterexample.packet).toMatch(/^arrive r:eth2 tcp /);
    expect(j.results[1].loc).toEqual({ file: 'team.policy', line: 2, col: 1 });
  });

  it('JUnit: well-formed, one testcase per assertion, the failure names the counterexample', () => {
    const rs = results();
    const xml = renderJunit(rs, 'w', 'team.policy');
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    const suite = doc.testsuites.testsuite;
    expect(suite).toMatchObject({ tests: '3', failures: '1', errors: '0' });
    expect(suite.testcase).toHaveLength(3);
    expect(suite.testcase[0].name).toBe('allow tcp from 10.0.1.0/24 to web:443 via r:eth0');
    expect(suite.testcase[0].failure).toBeUndefined();
    const f = suite.testcase[1].failure;
    expect(f.message).toContain(`counterexample: ${rs[1].counterexample!.packet}`);
    expect(f['#text']).toContain('Verdict: DROPPED on web');
    expect(suite.testcase[1].classname).toBe('team.policy:2');
  });

  it('escapes what XML cannot carry as is', () => {
    expect(xmlEscape(`a<b>&"c"'\u0001`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;');
    const rs = results();
    rs[0] = { ...rs[0], status: 'unsupported', summary: 'undecided: <odd> & "quoted" \u0007' };
    const xml = renderJunit(rs, 'w<1>', 'p&q');
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('<error message="undecided: &lt;odd&gt; &amp; &quot;quoted&quot; "');
  });
});
