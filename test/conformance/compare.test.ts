/**
 * Comparing a simulated packet with the kernel's record (src/conformance/compare.ts), and moving a case to
 * other device names (shrink.ts retag), without root.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareQuery, normalizeAnswer, type KernelAnswer } from '../../src/conformance/compare.js';
import { generateCase } from '../../src/conformance/generate.js';
import { writeCase } from '../../src/conformance/render.js';
import { retag } from '../../src/conformance/shrink.js';
import { runQueries } from '../../src/engine/run.js';
import { loadWorld } from '../../src/parse/world.js';
import { parseQueries } from '../../src/parse/queries.js';

const DIR = 'test/conformance/router-nat';
const world = loadWorld(`${DIR}/world`);
const queries = parseQueries(readFileSync(`${DIR}/queries`, 'utf8'), 'queries');
const { results } = runQueries(world, queries, undefined, { closeSenders: true });
const kernel = JSON.parse(readFileSync(`${DIR}/kernel/world.json`, 'utf8')) as { queries: KernelAnswer[] };

describe('compareQuery', () => {
  it('agrees with the recorded router world packet by packet (fate and answers)', () => {
    results.forEach((r, i) => expect(compareQuery(r, kernel.queries[i]), r.query.spec.text).toEqual({ status: 'agree' }));
  });
  it('reports a drop the kernel did not make', () => {
    const i = results.findIndex((r) => r.result.outcomes[0].verdict.fate === 'delivered');
    const k = { ...kernel.queries[i], drops: [{ host: 'r', reason: 'NETFILTER_DROP', location: 'nft_do_chain' }], delivered: [] };
    expect(compareQuery(results[i], k).status).toBe('differ');
  });
  it('reports a missing answer', () => {
    const i = results.findIndex((r) => r.result.outcomes[0].verdict.answers.length > 0 && r.query.spec.text.includes('tcp'));
    const k = { ...kernel.queries[i], answers: [] };
    expect(compareQuery(results[i], k)).toMatchObject({ status: 'differ', difference: expect.stringMatching(/^answers back at client/) });
  });
  it('reports a system call that failed only on one side', () => {
    const k = { ...kernel.queries[0], sender: { host: 'client', result: 'ENETUNREACH', error: 'ENETUNREACH' } };
    expect(compareQuery(results[0], k)).toMatchObject({ status: 'differ', difference: expect.stringContaining('ENETUNREACH') });
  });
  it('normalizes answers to the capture syntax', () => {
    expect(normalizeAnswer('icmp 10.0.2.2 > 10.0.1.2 type 3 (destination-unreachable) code 3 (about udp 10.0.1.2:5001 > 10.0.2.2:54)')).toBe('icmp 10.0.2.2 > 10.0.1.2 type 3 code 3');
  });
});

describe('retag', () => {
  it('renames every device of a case and nothing else; the world still loads', () => {
    const c = generateCase(5, 1);
    const r = retag(c, 'kzz9');
    const text = JSON.stringify(r);
    expect(text).not.toMatch(new RegExp(`\\b${c.tag}(?=h\\d|\\+)`));
    expect(r.packets).toEqual(c.packets);
    const dir = mkdtempSync(join(tmpdir(), 'nfsim-retag-'));
    try {
      const w = loadWorld(writeCase(dir, r).world);
      expect(w.hosts.flatMap((h) => h.interfaces.map((i) => i.name)).filter((n) => n !== 'lo').every((n) => n.startsWith('kzz9h'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
