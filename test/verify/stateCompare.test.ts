/** Counters and conntrack after the packets, simulation vs the kernel's record (src/verify/stateCompare.ts). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runQueries } from '../../src/engine/run.js';
import { loadWorld } from '../../src/parse/world.js';
import { parseQueries } from '../../src/parse/queries.js';
import { compareConntrack, compareCounters } from '../../src/verify/stateCompare.js';

const DIR = 'test/conformance/router-nat';
const world = loadWorld(`${DIR}/world`);
const queries = parseQueries(readFileSync(`${DIR}/queries`, 'utf8'), 'queries');
const kernel = JSON.parse(readFileSync(`${DIR}/kernel/world.json`, 'utf8')) as { counters: Record<string, string>; conntrack: Record<string, string> };

describe('state after the packets', () => {
  const { state } = runQueries(world, queries, undefined, { closeSenders: true });
  it('per-rule counters of the router world equal the kernel', () => {
    expect(compareCounters(world, state, kernel.counters)).toEqual([]);
  });
  it('a changed kernel counter is reported with the rule', () => {
    const k = { ...kernel.counters, r: kernel.counters.r.replace(/^\[(\d+):(\d+)\] (-A FWD-IN -p udp -m udp --dport 123 -j DROP)$/m, (_, p, b, r) => `[${Number(p) + 1}:${b}] ${r}`) };
    expect(compareCounters(world, state, k)).toEqual([{ host: 'r', line: 'filter -A FWD-IN -p udp -m udp --dport 123 -j DROP', nfsim: 1, kernel: 2 }]);
  });
  it('conntrack entries of the router world are the kernel entries', () => {
    expect(compareConntrack(world, state, kernel.conntrack)).toEqual([]);
  });
  it('an entry only the kernel has is reported', () => {
    const k = { ...kernel.conntrack, r: `${kernel.conntrack.r}udp      17 29 src=10.0.1.2 dst=10.0.2.2 sport=9 dport=9 [UNREPLIED] src=10.0.2.2 dst=10.0.1.2 sport=9 dport=9 mark=0 use=1\n` };
    expect(compareConntrack(world, state, k)).toEqual([{ host: 'r', entry: '17 10.0.1.2:9>10.0.2.2:9 | 10.0.2.2:9>10.0.1.2:9', side: 'only kernel' }]);
  });
});
