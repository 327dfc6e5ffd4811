import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePacketSpec } from '../../src/engine/packetSpec.js';
import { initialState, simulate } from '../../src/engine/simulate.js';
import { outcomesJson, stableStringify } from '../../src/report/traceJson.js';
import { host, world } from './build.js';

const FWD = { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.eth0.forwarding': 1, 'net.ipv4.conf.eth1.forwarding': 1, 'net.ipv4.conf.eth2.forwarding': 1 };

/** a — r — b, r also has an uplink eth2 to the outside; no rules at all, forwarding on. */
function openWorld() {
  return world(
    [
      host('a', { ifaces: { eth0: ['10.0.1.2/24', '10.0.1.3/24'] }, routes: ['default via 10.0.1.1 dev eth0'], sockets: [] }),
      host('r', { ifaces: { eth0: ['10.0.1.1/24'], eth1: ['10.0.2.1/24'], eth2: ['198.51.100.1/24'] }, routes: ['default via 198.51.100.254 dev eth2'], sysctl: FWD, sockets: [] }),
      host('b', { ifaces: { eth0: ['10.0.2.2/24'] }, routes: ['default via 10.0.2.1 dev eth0'], sockets: [{ proto: 'tcp', state: 'LISTEN', local: { addr: '0.0.0.0', port: 80 } }] }),
    ],
    [
      ['a:eth0', 'r:eth0'],
      ['r:eth1', 'b:eth0'],
    ],
  );
}

const owners: Record<string, string> = { '10.0.1.2': 'a', '10.0.1.3': 'a', '10.0.1.1': 'r', '10.0.2.1': 'r', '198.51.100.1': 'r', '10.0.2.2': 'b' };

const packetArb = fc.record({
  src: fc.constantFrom('10.0.1.2', '10.0.1.3', '0.0.0.0'),
  dst: fc.constantFrom('10.0.2.2', '10.0.2.1', '10.0.1.1', '198.51.100.1', '203.0.113.9', '8.8.8.8'),
  proto: fc.constantFrom('tcp', 'udp', 'icmp'),
  sport: fc.integer({ min: 1024, max: 65535 }),
  dport: fc.constantFrom(22, 53, 80, 443),
  ttl: fc.integer({ min: 2, max: 255 }),
});

function specText(p: { src: string; dst: string; proto: string; sport: number; dport: number; ttl: number }): string {
  if (p.proto === 'icmp') return `local a icmp ${p.src} > ${p.dst} type echo-request id ${p.sport} seq 1 ttl ${p.ttl}`;
  return `local a ${p.proto} ${p.src}:${p.sport} > ${p.dst}:${p.dport} ttl ${p.ttl}`;
}

describe('engine properties', () => {
  it('is deterministic: the same world and packet give byte-identical JSON', () => {
    const w = openWorld();
    fc.assert(
      fc.property(packetArb, (p) => {
        const spec = parsePacketSpec(specText(p));
        const a = simulate(w, initialState(w), spec);
        const b = simulate(openWorld(), initialState(w), spec);
        expect(stableStringify(outcomesJson(spec.text, a.outcomes))).toBe(stableStringify(outcomesJson(spec.text, b.outcomes)));
      }),
      { numRuns: 150 },
    );
  });

  it('with no rules and forwarding on, every routable packet reaches its destination host or leaves the world', () => {
    const w = openWorld();
    fc.assert(
      fc.property(packetArb, (p) => {
        const spec = parsePacketSpec(specText(p));
        const { outcomes } = simulate(w, initialState(w), spec);
        for (const o of outcomes) {
          const v = o.verdict;
          const owner = owners[p.dst];
          if (owner) {
            expect(v.host).toBe(owner);
            expect(v.fate === 'delivered' || (v.fate === 'dropped' && v.reason === 'NO_SOCKET')).toBe(true);
          } else {
            expect(v).toMatchObject({ fate: 'forwarded', host: 'r', iface: 'eth2' });
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on any packet between any hosts', () => {
    const w = openWorld();
    fc.assert(
      fc.property(packetArb, fc.constantFrom('a:eth0', 'r:eth0', 'r:eth1', 'r:eth2', 'b:eth0'), (p, at) => {
        const text = p.proto === 'icmp' ? `arrive ${at} icmp ${p.src} > ${p.dst} type ${p.dport % 20}` : `arrive ${at} ${p.proto} ${p.src}:${p.sport} > ${p.dst}:${p.dport} ttl ${p.ttl}`;
        const res = simulate(w, initialState(w), parsePacketSpec(text));
        expect(res.outcomes.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });
});
