import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listScenarios, runScenario } from '../../src/scenario/scenario.js';

const scenarios = listScenarios('scenarios');

describe('teaching scenarios', () => {
  it('are present', () => {
    expect(scenarios.length).toBe(10);
  });
  for (const s of scenarios) {
    describe(s.name, () => {
      const runs = runScenario(s.dir);
      it('has a broken and a fixed state, each with kernel answers', () => {
        expect(runs.map((r) => r.state).slice(0, 2)).toEqual(['world', 'world-fixed']);
        for (const r of runs) expect(r.kernel, `${s.name}/kernel/${r.state}.json`).toBeDefined();
        expect(existsSync(`${s.dir}/README.md`)).toBe(true);
      });
      for (const r of runs) {
        r.results.forEach((q, i) => {
          it(`${r.state} #${i + 1}: ${q.query.spec.text}`, () => {
            expect(q.query.expect, 'every query has an expect line').toBeDefined();
            expect(q.mismatch ?? 'ok').toBe('ok');
            expect(r.kernelMismatches[i] ?? 'agrees with the kernel').toBe('agrees with the kernel');
          });
        });
      }
    });
  }
});
