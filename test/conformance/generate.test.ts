/**
 * The generator: deterministic for a seed, and every case it makes is a world nfsim loads without errors
 * and simulates without an unsupported verdict on its first packets' features.
 */
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCase } from '../../src/conformance/generate.js';
import { writeCase } from '../../src/conformance/render.js';
import { loadWorld } from '../../src/parse/world.js';
import { parseQueries } from '../../src/parse/queries.js';
import { runQueries } from '../../src/engine/run.js';

describe('conformance case generator', () => {
  it('is deterministic for a seed and index', () => {
    expect(JSON.stringify(generateCase(7, 3))).toBe(JSON.stringify(generateCase(7, 3)));
    expect(JSON.stringify(generateCase(7, 3))).not.toBe(JSON.stringify(generateCase(7, 4)));
  });
  it('writes worlds that load and simulate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfsim-gen-'));
    const fates: Record<string, number> = {};
    try {
      for (let i = 0; i < 150; i++) {
        const c = generateCase(11, i);
        const { world, packets } = writeCase(join(dir, String(i)), c);
        const w = loadWorld(world);
        const q = parseQueries(readFileSync(packets, 'utf8'), packets);
        const { results } = runQueries(w, q, undefined, { closeSenders: true });
        for (const r of results) {
          const v = r.result.outcomes[0].verdict;
          const k = v.fate === "unsupported" ? `unsupported: ${v.reason}` : v.fate === "dropped" ? `dropped ${v.reason} ${v.at}` : v.fate === "send-error" ? `send-error ${v.errno}` : v.fate;
          fates[k] = (fates[k] ?? 0) + 1;
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(fates);
    expect(Object.keys(fates).filter((k) => k.startsWith('unsupported'))).toEqual([]);
  });
});
