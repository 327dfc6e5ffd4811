/**
 * Engine and save-format fixes found by differential fuzzing (npm run conformance), each checked at the unit
 * level here; the kernel's recorded answer for the case that found it is replayed by cases.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseIptablesSave } from '../../src/parse/iptablesSave.js';
import { saveRuleset } from '../../src/parse/iptablesSaveWrite.js';

describe('fixes found by the conformance fuzzer', () => {
  it('statistic nth is saved with its --packet, 0 included (iptables-restore refuses --every alone)', () => {
    const text = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m statistic --mode nth --every 2 --packet 0 -j ACCEPT\nCOMMIT\n';
    expect(saveRuleset(parseIptablesSave(text, 'x', 4))).toContain('-m statistic --mode nth --every 2 --packet 0 -j ACCEPT');
  });
});
