import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CORPUS } from './corpusFiles.js';

// The corpus tests skip when the shared corpus is not there; CI must never pass that way.
describe('the shared corpus', () => {
  it('is present (required under CI=true)', () => {
    if (!existsSync(CORPUS)) {
      if (process.env.CI === 'true') throw new Error(`CI=true but the shared corpus is missing at ${CORPUS} (set NFSIM_CORPUS)`);
      console.warn(`SKIP: the shared corpus is missing at ${CORPUS}; the corpus tests are skipped`);
      return;
    }
    expect(existsSync(`${CORPUS}/PROVENANCE.md`)).toBe(true);
  });
});
