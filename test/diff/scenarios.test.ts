/**
 * The teaching scenarios' fixes as change scripts (scenarios/NN/fix.change): applied to the broken world they
 * give the repaired state, and `nfsim diff` of the broken world against it names exactly the incident's traffic.
 * Each diff is restricted to the incident's ingress point (`from`); a rule change restricts the region by itself.
 * Scenario 09 has no fix.change: its fix is in the application (the server's bind address or IP_PKTINFO), which
 * a change script of host commands cannot express.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffWorlds, type DiffResult } from '../../src/diff/diff.js';
import { outcomesSig } from '../../src/diff/signature.js';
import { runQueries } from '../../src/engine/run.js';
import { initialState, simulate } from '../../src/engine/simulate.js';
import { parsePacketSpec } from '../../src/engine/packetSpec.js';
import type { Verdict } from '../../src/engine/types.js';
import { parseQueries } from '../../src/parse/queries.js';
import { loadWorld } from '../../src/parse/world.js';
import { DIM_INDEX, type Box, type Constraint, type Dim } from '../../src/space/box.js';
import * as I from '../../src/space/intervals.js';
import { boxHas, net, nets, pointOf, scenarioWithFix, SCENARIOS } from './helpers.js';

interface Case {
  name: string;
  from: string[];
  /** First packets of the incident: the fix changes their fate. */
  incident: string[];
  /** Packets at the same ingress whose fate the fix must not change. */
  unaffected: string[];
  /** Every differing class lies inside these sets. */
  within: Constraint;
  /** No differing class touches these sets. */
  avoid?: Constraint;
  /** Further condition on a differing class's box (undefined when it holds). */
  box?: (b: Box) => string | undefined;
  /** What the broken world did with every differing class. */
  before?: (v: Verdict) => boolean;
}

const g = (b: Box, d: Dim) => b[DIM_INDEX[d]];
const inaddr = (host: string) => (v: Verdict) => v.fate === 'dropped' && v.reason === 'IP_INADDRERRORS' && v.at === 'ip_error' && v.host === host;

const CASES: Case[] = [
  {
    name: '01-published-port-forwarding-off',
    from: ['arrive docker-host:eth0'],
    incident: ['arrive docker-host:eth0 tcp 10.211.55.2:61471 > 10.211.55.15:80 flags S'],
    unaffected: [
      'arrive docker-host:eth0 icmp 10.211.55.2 > 10.211.55.15 type echo-request id 4711 seq 1',
      'arrive docker-host:eth0 tcp 10.211.55.2:40000 > 10.211.55.15:22 flags S',
    ],
    within: {},
    // forwarding only matters for packets that are not for the host, unless the published port's DNAT makes them so
    box: (b) => {
      const local = I.intersect(g(b, 'dst'), nets('10.211.55.15', '172.17.0.1', '127.0.0.0/8', '10.211.55.255', '172.17.255.255'));
      if (!local.length) return undefined;
      return I.isSubset(g(b, 'proto'), I.single(6)) && I.isSubset(g(b, 'dport'), I.single(80)) ? undefined : 'a packet for the host itself (not the published port) changes';
    },
    before: inaddr('docker-host'),
  },
  {
    name: '02-nat-postrouting-flushed',
    from: ['local ctr'],
    incident: ['local ctr icmp 172.17.0.2 > 192.168.1.20 type echo-request id 2001 seq 1'],
    unaffected: ['local ctr icmp 172.17.0.2 > 172.17.0.1 type echo-request id 2002 seq 1', 'local ctr tcp 172.17.0.2:40000 > 172.17.0.1:80 flags S'],
    within: {},
    // ! -o docker0: traffic that stays on the bridge is not masqueraded
    avoid: { dst: net('172.17.0.0/16') },
  },
  {
    name: '03-no-return-route',
    from: ['local source'],
    incident: ['local source icmp 192.144.52.10 > 192.144.152.20 type echo-request id 3001 seq 1', 'local source tcp 192.144.52.10:50022 > 192.144.152.20:22 flags S'],
    unaffected: ['local source icmp 192.144.52.10 > 192.144.52.1 type echo-request id 3002 seq 1'],
    // only the target's answers take the new route
    within: { dst: net('192.144.152.20') },
  },
  {
    name: '04-node-forwarding-off',
    from: ['local pod1'],
    incident: ['local pod1 icmp 10.244.1.2 > 10.244.2.2 type echo-request id 4002 seq 1', 'local pod1 tcp 10.244.1.2:45000 > 10.244.2.2:8080 flags S'],
    unaffected: ['local pod1 icmp 10.244.1.2 > 10.244.2.1 type echo-request id 4001 seq 1'],
    // packets node2 must forward: node2's pod subnet, not node2's own docker0 address
    within: { dst: net('10.244.2.0/24') },
    avoid: { dst: nets('10.244.2.1') },
    before: inaddr('node2'),
  },
  {
    name: '05-flannel-masquerade',
    from: ['local pod1'],
    incident: ['local pod1 tcp 10.1.15.2:43000 > 10.1.20.2:8080 flags S', 'local pod1 icmp 10.1.15.2 > 10.1.20.2 type echo-request id 5001 seq 1'],
    unaffected: ['local pod1 icmp 10.1.15.2 > 10.1.15.1 type echo-request id 5002 seq 1'],
    // pod-to-pod traffic across the overlay; not the node's own bridge
    within: { dst: net('10.1.0.0/16') },
    avoid: { dst: net('10.1.15.0/24') },
  },
  {
    name: '06-container-no-snat',
    from: ['local ctr'],
    incident: ['local ctr icmp 172.16.94.2 > 192.168.1.20 type echo-request id 603 seq 1', 'local ctr tcp 172.16.94.2:40022 > 192.168.1.20:22 flags S'],
    unaffected: ['local ctr icmp 172.16.94.2 > 172.16.94.1 type echo-request id 601 seq 1', 'local ctr icmp 172.16.94.2 > 192.168.1.10 type echo-request id 602 seq 1'],
    within: {},
    // delivered on docker-host or bridged: never through its POSTROUTING
    avoid: { dst: nets('172.16.94.0/24', '192.168.1.10') },
  },
  {
    name: '07-flannel-docker0-mismatch',
    from: ['local pod-b'],
    incident: ['local pod-b icmp 10.1.16.2 > 10.1.15.2 type echo-request id 701 seq 1', 'local pod-b udp 10.1.16.2:9125 > 10.1.15.2:40007'],
    unaffected: ['local pod-b icmp 10.1.16.2 > 192.168.50.11 type echo-request id 704 seq 1', 'local pod-b icmp 10.1.16.2 > 10.1.16.1 type echo-request id 705 seq 1'],
    // the lease 10.1.15.0/24 node-a now serves, and the subnet 10.1.20.0/24 it gave up
    within: { dst: nets('10.1.15.0/24', '10.1.20.0/24') },
  },
  {
    name: '08-master-rejects-vxlan',
    from: ['local node'],
    incident: ['local node udp 192.168.122.11:52617 > 192.168.122.10:8472'],
    unaffected: ['local node tcp 192.168.122.11:40443 > 192.168.122.10:6443 flags S', 'local node icmp 192.168.122.11 > 192.168.122.10 type echo-request id 802 seq 1', 'local node udp 192.168.122.11:52617 > 192.168.122.10:8473'],
    within: { proto: I.single(17), dst: net('192.168.122.10'), dport: I.single(8472) },
    before: (v) => v.fate === 'rejected' && v.host === 'master',
  },
  {
    name: '10-docker-embedded-dns',
    from: ['local ctr'],
    incident: ['local ctr udp 0.0.0.0:50123 > 192.168.29.2:53'],
    unaffected: ['local ctr udp 0.0.0.0:45000 > 127.0.0.11:53', 'local ctr tcp 0.0.0.0:45001 > 192.168.29.2:53 flags S', 'local ctr udp 0.0.0.0:50123 > 192.168.29.3:53'],
    within: { proto: I.single(17), dst: net('192.168.29.2'), dport: I.single(53) },
    before: (v) => v.fate === 'rejected' && v.host === 'docker-host',
  },
];

const TIMEOUT = 180_000;

describe('scenario fixes as change scripts', () => {
  it('every scenario but 09 has a fix.change', () => {
    const names = CASES.map((c) => c.name);
    expect(names).toHaveLength(9);
    for (const n of names) expect(existsSync(join(SCENARIOS, n, 'fix.change')), n).toBe(true);
    expect(existsSync(join(SCENARIOS, '09-udp-reply-wrong-source', 'fix.change'))).toBe(false);
  });

  for (const c of CASES) {
    describe(c.name, () => {
      const s = scenarioWithFix(c.name);
      let diff: DiffResult | undefined;
      const result = () => (diff ??= diffWorlds(s.world, s.fixed, { from: c.from, traces: false }));

      it('applied to world/, behaves like world-fixed/ for the queries of the fixed state', () => {
        const qfile = join(s.dir, 'queries-fixed');
        const queries = parseQueries(readFileSync(qfile, 'utf8'), qfile);
        const applied = runQueries(s.fixed, queries).results;
        const captured = runQueries(loadWorld(join(s.dir, 'world-fixed')), queries).results;
        applied.forEach((r, i) => {
          expect(r.mismatch ?? 'ok', r.query.spec.text).toBe('ok');
          expect(outcomesSig(r.result.outcomes), r.query.spec.text).toBe(outcomesSig(captured[i].result.outcomes));
        });
      });

      it('the diff names the incident and nothing else', { timeout: TIMEOUT }, () => {
        const r = result();
        expect(r.truncated, 'stopped at the class limit').toBe(false);
        expect(r.differing.length).toBeGreaterThan(0);
        for (const p of c.incident) {
          const v = pointOf(p, r.points)!;
          expect(v, p).toBeDefined();
          const hit = r.differing.filter((d) => boxHas(d.box, v));
          expect(hit.length, `incident packet in a differing class: ${p}`).toBe(1);
          // and its fate really differs
          const spec = parsePacketSpec(p, '(test)');
          const fate = (w: typeof s.world) => outcomesSig(simulate(w, initialState(w), spec, { trace: false, closeSenders: true }).outcomes);
          expect(fate(s.world), p).not.toBe(fate(s.fixed));
        }
        for (const p of c.unaffected) {
          const v = pointOf(p, r.points)!;
          expect(v, p).toBeDefined();
          expect(r.differing.filter((d) => boxHas(d.box, v)).map((d) => d.description), `unaffected packet: ${p}`).toEqual([]);
        }
        for (const d of r.differing) {
          expect(c.from, d.description).toContain(r.points[g(d.box, 'ingress')[0][0]].label);
          for (const [dim, set] of Object.entries(c.within) as [Dim, I.IntervalSet][]) expect(I.isSubset(g(d.box, dim), set), `${dim} of ${d.description}`).toBe(true);
          for (const [dim, set] of Object.entries(c.avoid ?? {}) as [Dim, I.IntervalSet][]) expect(I.intersect(g(d.box, dim), set), `${dim} of ${d.description}`).toEqual([]);
          expect(c.box?.(d.box), d.description).toBeUndefined();
          if (c.before) for (const o of d.sides[0].outcomes) expect(c.before(o.verdict), `${d.example}: ${o.verdict.fate} ${o.verdict.host}`).toBe(true);
        }
      });
    });
  }
});
