/**
 * Real-kernel round trip: for each corpus dump, `iptables-restore` of nfsim's re-saved text followed by
 * `iptables-save` must equal `iptables-restore` of the original followed by `iptables-save`. Each file runs
 * in its own throwaway network namespace. Needs root and iptables; skipped (visibly) otherwise, except in CI
 * (CI=true), where not being able to run is a failure.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { corpusDumps } from './corpusFiles.js';
import { EXPECTED_ERRORS } from './corpusExpectations.js';
import { parseIptablesSave } from '../../src/parse/iptablesSave.js';
import { saveRuleset } from '../../src/parse/iptablesSaveWrite.js';

const has = (c: string) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0;
const root = process.getuid?.() === 0;
const legacy = has('iptables-legacy-restore') && has('ip6tables-legacy-restore');
const bins = (f: 4 | 6) => {
  const p = f === 4 ? 'iptables' : 'ip6tables';
  return legacy ? { restore: `${p}-legacy-restore`, save: `${p}-legacy-save` } : { restore: `${p}-restore`, save: `${p}-save` };
};
const canRun = root && has('ip') && (legacy || (has('iptables-restore') && has('ip6tables-restore')));

/**
 * Files the kernel/iptables 1.8.9 refuses in their original form (so they are skipped), with the reason.
 * The test checks this list is exact.
 */
const KERNEL_REFUSES: Record<string, string> = {
  'net-network/configs_ugent/iptables-save': 'iptables 1.3 syntax `-s ! addr` (1.8 refuses intrapositioned negation; nfsim accepts it with a warning)',
  'net-network/configs_ugent/iptables-save.v1.4.21': 'as above',
  'net-network/configs_serverfault/759927.txt': 'uses ipset `whitelist`, which does not exist in the test namespace',
};

/**
 * Format quirks nfsim tolerates but iptables-restore does not (it refuses trailing spaces after COMMIT,
 * CRLF line ends, whitespace-only lines, prose before the dump and redacted MACs). They are normalised in
 * the text given to the kernel so that the file can still be compared; the same MAC placeholder is used on
 * both sides.
 */
function kernelText(text: string, ignoredLines: Set<number>): string {
  return text
    .split('\n')
    .filter((_, i) => !ignoredLines.has(i + 1))
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/XX:XX:XX:XX:XX:XX/g, '02:00:00:00:00:01');
}

function runIn(ns: string, cmd: string, input?: string): { ok: boolean; out: string; err: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', cmd], { input, encoding: 'utf8', maxBuffer: 1 << 26 });
  return { ok: r.status === 0, out: r.stdout, err: r.stderr };
}

function kernelSave(text: string, family: 4 | 6): { ok: boolean; text: string; err: string } {
  const ns = `nfsim-ipt-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  if (spawnSync('ip', ['netns', 'add', ns]).status !== 0) throw new Error('cannot create network namespace');
  try {
    const b = bins(family);
    const r = runIn(ns, b.restore, text);
    if (!r.ok) return { ok: false, text: '', err: r.err.trim() };
    const s = runIn(ns, b.save);
    const lines = s.out.split('\n').filter((l) => l && !l.startsWith('#'));
    return { ok: s.ok, text: lines.join('\n'), err: s.err };
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}

describe('real kernel round trip', () => {
  if (!canRun) {
    it('cannot run (needs root, ip(8) and iptables-restore)', () => {
      if (process.env.CI === 'true') expect.fail('CI=true but the kernel round trip cannot run here');
      console.warn('SKIPPED: real kernel round trip (needs root and iptables-restore)');
    });
    return;
  }
  it(`restoring nfsim's output gives the same kernel ruleset as restoring the original (${legacy ? 'legacy' : 'nf_tables'} backend)`, () => {
    const refused: Record<string, string> = {};
    const mismatches: string[] = [];
    const textDiffs: string[] = [];
    for (const d of corpusDumps()) {
      if (EXPECTED_ERRORS[d.rel]) continue;
      const rs = parseIptablesSave(d.text, d.rel, d.family);
      const ignored = new Set(rs.issues.filter((i) => i.message.startsWith('ignored')).map((i) => i.loc.line));
      const orig = kernelSave(kernelText(d.text, ignored), d.family);
      if (!orig.ok) {
        refused[d.rel] = orig.err.split('\n')[0];
        continue;
      }
      const ours = kernelText(saveRuleset(rs), new Set());
      const back = kernelSave(ours, d.family);
      if (!back.ok) mismatches.push(`${d.rel}: kernel refused nfsim output: ${back.err.split('\n')[0]}`);
      // nfsim's text itself must be what iptables-save prints (same lines; legacy sorts user chains by name)
      const mine = new Set(ours.split('\n').filter((l) => l && !l.startsWith('#')));
      const kern = orig.text.split('\n').filter((l) => !l.startsWith(':') || !mine.has(l));
      const notPrinted = kern.filter((l) => !mine.has(l) && !/^:/.test(l));
      if (notPrinted.length) textDiffs.push(`${d.rel}: ${notPrinted.length} kernel lines nfsim prints differently, e.g.\n  ${notPrinted[0]}`);
      else if (back.text !== orig.text) {
        const a = orig.text.split('\n'), b = back.text.split('\n');
        const i = a.findIndex((l, k) => l !== b[k]);
        mismatches.push(`${d.rel}: differs at line ${i + 1}\n  original: ${a[i]}\n  nfsim:    ${b[i]}`);
      }
    }
    if (Object.keys(refused).length) console.log('kernel refused the original (skipped):\n' + Object.entries(refused).map(([f, e]) => `  ${f}: ${e}`).join('\n'));
    expect(mismatches).toEqual([]);
    expect(textDiffs).toEqual([]);
    expect(Object.keys(refused).sort()).toEqual(Object.keys(KERNEL_REFUSES).sort());
  }, 600_000);
});
