/** Rule paths and nstat deltas: nfsim's against the kernel's recorded ones (src/verify/rulePath.ts, nstat.ts). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runQueries } from '../../src/engine/run.js';
import { loadWorld } from '../../src/parse/world.js';
import { parseQueries } from '../../src/parse/queries.js';
import { compareRulePaths, formatRulePathDifference, kernelExchange, simRulePaths, type PathPacket, type RulePaths } from '../../src/verify/rulePath.js';
import { compareNstat, pathCounters, type NstatDeltas } from '../../src/verify/nstat.js';

const DIR = 'test/verify/outside';
const world = loadWorld(`${DIR}/world`);
const queries = parseQueries(readFileSync(`${DIR}/queries`, 'utf8'), 'queries');
const kernel = JSON.parse(readFileSync(`${DIR}/kernel/world.json`, 'utf8')) as { queries: { packet: string; rulePath: RulePaths; nstat: NstatDeltas }[]; counters: Record<string, string> };
const { results } = runQueries(world, queries, undefined, { trace: true, closeSenders: true });
const sim = results.map((r) => simRulePaths([r.result.outcomes[0]]));

describe('rule paths', () => {
  it('the kernel recorded a rule path for every packet (xtables-monitor --trace, the nfsim_trace table left out)', () => {
    expect(kernel.queries).toHaveLength(6);
    for (const q of kernel.queries) {
      expect(Object.keys(q.rulePath).sort()).toEqual(['r', 'srv']);
      expect(q.rulePath.r.length).toBeGreaterThan(0);
      for (const p of q.rulePath.r) for (const s of p.steps) expect(s.table).not.toBe('nfsim_trace');
    }
    // the DNATed SYN: nat PREROUTING rule 1, filter FORWARD rule 2 (ctstate DNAT), nat POSTROUTING policy; its SYN/ACK: FORWARD rule 1
    const syn = kernel.queries[0].rulePath.r;
    expect(syn.map((p) => p.steps.map((s) => `${s.table} ${s.chain} ${s.policy ?? `#${s.rule}`}`))).toEqual([
      ['nat PREROUTING #1', 'filter FORWARD #2', 'nat POSTROUTING ACCEPT'],
      ['filter FORWARD #1'],
    ]);
    expect(syn[0].steps[0]).toMatchObject({ verdict: 'ACCEPT', text: '-A PREROUTING -d 198.51.100.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.2.2:80' });
    expect(syn[1].flags).toBe('SA');
  });

  it('the trace table is not part of the ruleset under test: iptables-save after the packets does not show it', () => {
    expect(kernel.counters.r).toContain('-A IN-UPLINK');
    for (const h of Object.keys(kernel.counters)) expect(kernel.counters[h]).not.toMatch(/nfsim_trace|nftrace|TRACE/);
  });

  it("nfsim's rule paths are the kernel's for every packet of the world", () => {
    results.forEach((r, i) => expect(compareRulePaths(sim[i], kernel.queries[i].rulePath, false), r.query.spec.text).toEqual([]));
  });

  it('a rule the kernel hit that nfsim did not is a difference, shown side by side', () => {
    const k = structuredClone(kernel.queries[2].rulePath);
    k.r[0].steps[2] = { ...k.r[0].steps[2], rule: 3, text: '-A IN-UPLINK -p tcp -m tcp --dport 22 -j ACCEPT' };
    const d = compareRulePaths(sim[2], k, false);
    expect(d).toHaveLength(1);
    expect(d[0].host).toBe('r');
    const text = formatRulePathDifference(d[0]);
    expect(text).toContain('rule path on r differs');
    expect(text).toMatch(/filter IN-UPLINK #2 -A IN-UPLINK -p tcp -m tcp --dport 23 -j DROP → DROP\s+│   filter IN-UPLINK #3 -A IN-UPLINK -p tcp -m tcp --dport 22 -j ACCEPT → DROP/);
  });

  it('a packet only one side has is a difference; a host the kernel did not trace is not compared', () => {
    const k = structuredClone(kernel.queries[4].rulePath);
    k.r.pop();
    expect(compareRulePaths(sim[4], k, false).map((d) => d.host)).toEqual(['r']);
    const { r: _r, ...others } = kernel.queries[4].rulePath;
    expect(compareRulePaths(sim[4], others, false)).toEqual([]);
  });

  it("a TCP probe's own ACK and RST after the SYN/ACK are left out unless nfsim simulated them", () => {
    const step = { table: 'filter', chain: 'FORWARD', rule: 1 };
    const pk = (flags: string): PathPacket => ({ packet: flags, flags, steps: [step] });
    const seen = [pk('S'), pk('SA'), pk('A'), pk('RA')];
    expect(kernelExchange(seen, false).map((p) => p.flags)).toEqual(['S', 'SA']);
    expect(kernelExchange(seen, true).map((p) => p.flags)).toEqual(['S', 'SA', 'A', 'RA']);
    // a reset answering the SYN (no SYN/ACK before it) is part of the exchange
    expect(kernelExchange([pk('S'), pk('RA')], false).map((p) => p.flags)).toEqual(['S', 'RA']);
    // the probe leaving the modelled neighbour that sent an `arrive` packet is not
    expect(kernelExchange([{ ...pk('S'), senderOutput: true }, pk('SA')], false).map((p) => p.flags)).toEqual(['SA']);
  });
});

describe('nstat deltas', () => {
  it('the counters nfsim names moved on the kernel (UdpNoPorts for the UDP packet nothing listens for)', () => {
    const i = 4;
    expect(results[i].result.outcomes[0].verdict).toMatchObject({ fate: 'dropped', reason: 'NO_SOCKET', counter: 'UdpNoPorts' });
    expect(kernel.queries[i].nstat.r.UdpNoPorts).toBe(1);
    expect(compareNstat([results[i].result.outcomes[0].verdict], kernel.queries[i].nstat)).toEqual([]);
    expect(pathCounters(kernel.queries[i].nstat.r)).toEqual({ IcmpOutDestUnreachs: 1, UdpNoPorts: 1 });
  });

  it('a counter nfsim names that the kernel did not move is a difference; no record, no comparison', () => {
    const v = results[4].result.outcomes[0].verdict;
    const k = structuredClone(kernel.queries[4].nstat);
    delete k.r.UdpNoPorts;
    expect(compareNstat([v], k)).toEqual([{ host: 'r', counter: 'UdpNoPorts', why: 'dropped NO_SOCKET on r', kernel: 0 }]);
    expect(compareNstat([v], undefined)).toEqual([]);
  });
});
