/**
 * Recorded kernel answers (test/conformance/NAME/build.sh rebuilds them on a real kernel): every packet's
 * fate must agree with what the kernel did, and after the run each host's per-rule and per-policy counters
 * must equal the kernel's `iptables-save -c`, line by line.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rulesetWithCounters, runQueries } from '../../src/engine/run.js';
import { loadWorld } from '../../src/parse/world.js';
import { parseQueries } from '../../src/parse/queries.js';
import { saveRuleset } from '../../src/parse/iptablesSaveWrite.js';
import { compareWithKernel, type KernelRecord } from '../../src/scenario/scenario.js';

const root = 'test/conformance';
const cases = readdirSync(root).filter((d) => existsSync(join(root, d, 'kernel', 'world.json')));

const counterLines = (text: string) => text.split('\n').filter((l) => /^(\[\d+:\d+\] -A |:)/.test(l));

describe('recorded kernel answers', () => {
  it('exist', () => expect(cases.length).toBeGreaterThan(0));
  for (const c of cases) {
    const dir = join(root, c);
    const world = loadWorld(join(dir, 'world'));
    const queries = parseQueries(readFileSync(join(dir, 'queries'), 'utf8'), join(dir, 'queries'));
    const kernel = JSON.parse(readFileSync(join(dir, 'kernel', 'world.json'), 'utf8')) as KernelRecord;
    const { results, state } = runQueries(world, queries);
    describe(c, () => {
      results.forEach((r, i) => {
        it(`#${i + 1} ${r.query.spec.text}`, () => {
          expect(r.mismatch ?? 'as expected').toBe('as expected');
          expect(compareWithKernel(r.result.outcomes[0].verdict, kernel.queries[i], r.query.spec.text) ?? 'agrees').toBe('agrees');
        });
      });
      for (const host of Object.keys(kernel.counters ?? {})) {
        const rs = rulesetWithCounters(world, state, host);
        if (!rs) continue;
        it(`counters on ${host} equal the kernel's`, () => {
          expect(counterLines(saveRuleset(rs, { counters: true }))).toEqual(counterLines(kernel.counters![host]));
        });
      }
    });
  }
});
