/**
 * The engine is pure: simulate() never changes the world or the run state it is given (each step writes
 * its own copies, sim.ts). Every input state is deep-frozen here, so a write into it throws; the results
 * must also be the same as from an unfrozen run, and the input must still be equal to a snapshot of it.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initialState, simulate } from '../../src/engine/simulate.js';
import type { RunState } from '../../src/engine/types.js';
import { loadWorld } from '../../src/parse/world.js';
import { parseQueries } from '../../src/parse/queries.js';
import { stableStringify } from '../../src/report/traceJson.js';
import { listScenarios, scenarioStates } from '../../src/scenario/scenario.js';
import { parsePacketSpec } from '../../src/engine/packetSpec.js';
import { host, world as mkWorld } from './build.js';

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

/** Run the packets in order along the first branch; every state handed to simulate() is frozen first. */
function runAll(dir: string, qfile: string, freeze: boolean): string {
  const world = loadWorld(dir);
  const queries = parseQueries(readFileSync(qfile, 'utf8'), qfile);
  let state: RunState = initialState(world);
  const out: string[] = [];
  for (const q of queries) {
    if (freeze) deepFreeze(state);
    const before = stableStringify(state);
    const r = simulate(world, state, q.spec);
    expect(stableStringify(state), `${q.spec.text}: input state unchanged`).toBe(before);
    out.push(stableStringify({ outcomes: r.outcomes, states: r.states }));
    state = r.states[0] ?? state;
  }
  return out.join('\n');
}

const cases: { name: string; dir: string; queries: string }[] = [];
for (const s of listScenarios('scenarios'))
  for (const st of scenarioStates(s.dir)) {
    const q = join(s.dir, st === 'world' ? 'queries' : `queries-${st.slice('world-'.length)}`);
    if (existsSync(q)) cases.push({ name: `${s.name}/${st}`, dir: join(s.dir, st), queries: q });
  }
cases.push({ name: 'router-nat', dir: 'test/conformance/router-nat/world', queries: 'test/conformance/router-nat/queries' });

describe('simulate() never writes into its input state', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(runAll(c.dir, c.queries, true)).toBe(runAll(c.dir, c.queries, false));
    });
  }

  it('every random branch starts from the same untouched state (statistic --mode random, then a reply)', () => {
    const world = mkWorld([
      host('r', {
        ifaces: { eth0: ['10.0.1.1/24'], eth1: ['10.0.2.1/24'] },
        routes: ['10.0.1.0/24 dev eth0', '10.0.2.0/24 dev eth1'],
        sysctl: { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.eth0.forwarding': 1, 'net.ipv4.conf.eth1.forwarding': 1 },
        iptables: [
          '*nat',
          ':PREROUTING ACCEPT [0:0]',
          ':INPUT ACCEPT [0:0]',
          ':OUTPUT ACCEPT [0:0]',
          ':POSTROUTING ACCEPT [0:0]',
          '-A PREROUTING -d 10.0.1.1/32 -p tcp -m statistic --mode random --probability 0.50000000000 -j DNAT --to-destination 10.0.2.10:80',
          '-A PREROUTING -d 10.0.1.1/32 -p tcp -j DNAT --to-destination 10.0.2.11:80',
          '-A POSTROUTING -o eth1 -j MASQUERADE',
          'COMMIT',
          '',
        ].join('\n'),
      }),
    ]);
    const spec = parsePacketSpec;
    const base = deepFreeze(initialState(world));
    const syn = simulate(world, base, spec('arrive r:eth0 tcp 10.0.1.50:40000 > 10.0.1.1:80 flags S'));
    expect(syn.outcomes.map((o) => o.verdict.fate)).toEqual(['forwarded', 'forwarded']);
    expect(syn.states[0].hosts.r.conntrack[0].reply.src).not.toBe(syn.states[1].hosts.r.conntrack[0].reply.src);
    expect(base.hosts.r.conntrack).toEqual([]);
    for (const [i, st] of syn.states.entries()) {
      deepFreeze(st);
      const pod = i === 0 ? '10.0.2.10' : '10.0.2.11';
      const reply = simulate(world, st, spec(`arrive r:eth1 tcp ${pod}:80 > 10.0.2.1:40000 flags SA`));
      expect(reply.outcomes[0].verdict.fate).toBe('forwarded');
      expect(reply.states[0].hosts.r.conntrack[0].status).toContain('SEEN_REPLY');
      expect(st.hosts.r.conntrack[0].status).not.toContain('SEEN_REPLY');
    }
  });
});
