/**
 * Long chains are searched through a destination index (chains.ts: dstIndex()). The index is off while a
 * run records its header-field dependencies (`deps`), which walks every rule; a run with and without it must
 * give the same outcomes, traces, counters and states for any chain and packet.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePacketSpec } from '../../src/engine/packetSpec.js';
import { initialState, simulate } from '../../src/engine/simulate.js';
import type { RunState } from '../../src/engine/types.js';
import { stableStringify } from '../../src/report/traceJson.js';
import { host, world } from './build.js';

const FWD = { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.eth0.forwarding': 1, 'net.ipv4.conf.eth1.forwarding': 1 };
const DSTS = ['10.0.2.2', '10.0.2.3', '10.0.2.4', '10.0.3.7', '10.0.3.8', '192.0.2.1'];

const ruleArb = fc.record({
  dst: fc.constantFrom('10.0.2.2/32', '10.0.2.3/32', '10.0.2.4/32', '10.0.3.7/32', '10.0.2.0/24', '10.0.3.0/24', '10.0.0.0/8', '10.0.2.0/255.255.0.255', 'none', 'none'),
  negate: fc.boolean(),
  proto: fc.constantFrom('tcp', 'udp', 'none'),
  src: fc.constantFrom('10.0.1.2/32', '10.0.1.0/24', 'none', 'none'),
  target: fc.constantFrom('ACCEPT', 'DROP', 'RETURN', 'SUB', 'MARK', 'none', 'none', 'none'),
});
interface RuleDesc {
  dst: string;
  negate: boolean;
  proto: string;
  src: string;
  target: string;
}

function ruleText(chain: string, r: RuleDesc): string {
  const parts = [`-A ${chain}`];
  if (r.src !== 'none') parts.push(`-s ${r.src}`);
  if (r.dst !== 'none') parts.push(`${r.negate ? '! ' : ''}-d ${r.dst}`);
  if (r.proto !== 'none') parts.push(`-p ${r.proto}`);
  if (r.target === 'SUB') parts.push('-j SUB');
  else if (r.target === 'MARK') parts.push('-j MARK --set-xmark 0x1/0x1');
  else if (r.target !== 'none') parts.push(`-j ${r.target}`);
  return parts.join(' ');
}

function kubeLike(rules: RuleDesc[], sub: RuleDesc[]) {
  const text = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':LONG - [0:0]',
    ':SUB - [0:0]',
    '-A FORWARD -j LONG',
    '-A FORWARD -d 10.0.3.0/24 -j ACCEPT',
    ...rules.map((r) => ruleText('LONG', r)),
    ...sub.map((r) => ruleText('SUB', { ...r, target: r.target === 'SUB' ? 'none' : r.target })),
    'COMMIT',
    '',
  ].join('\n');
  return world([
    host('r', {
      ifaces: { eth0: ['10.0.1.1/24'], eth1: ['10.0.2.1/24'] },
      routes: ['10.0.1.0/24 dev eth0', '10.0.2.0/24 dev eth1', 'default via 10.0.2.254 dev eth1'],
      sysctl: FWD,
      iptables: text,
    }),
  ]);
}

describe('the destination index of long chains', () => {
  it('changes nothing: same outcomes, traces, counters and states as the rule-by-rule walk (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(ruleArb, { minLength: 32, maxLength: 90 }),
        fc.array(ruleArb, { maxLength: 6 }),
        fc.array(fc.record({ dst: fc.constantFrom(...DSTS), proto: fc.constantFrom('tcp', 'udp'), src: fc.constantFrom('10.0.1.2', '10.0.1.9') }), { minLength: 1, maxLength: 4 }),
        (rules, sub, packets) => {
          const w = kubeLike(rules, sub);
          let a: RunState = initialState(w);
          let b: RunState = initialState(w);
          for (const p of packets) {
            const spec = parsePacketSpec(`arrive r:eth0 ${p.proto} ${p.src}:40000 > ${p.dst}:80`);
            const ra = simulate(w, a, spec);
            const rb = simulate(w, b, spec, { deps: { mask: 0 } });
            expect(stableStringify({ o: ra.outcomes, s: ra.states })).toBe(stableStringify({ o: rb.outcomes, s: rb.states }));
            a = ra.states[0];
            b = rb.states[0];
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('goes straight to the rule of the destination in a kube-proxy-sized chain', () => {
    const rules: RuleDesc[] = [];
    for (let k = 0; k < 5000; k++) rules.push({ dst: `10.96.${k >> 8}.${k & 255}/32`, negate: false, proto: 'tcp', src: 'none', target: k === 4321 ? 'DROP' : 'ACCEPT' });
    const w = kubeLike(rules, []);
    const spec = parsePacketSpec('arrive r:eth0 tcp 10.0.1.2:40000 > 10.96.16.225:80');
    const r = simulate(w, initialState(w), spec);
    expect(r.outcomes[0].verdict).toMatchObject({ fate: 'dropped', reason: 'NETFILTER_DROP' });
    const st = r.states[0].hosts.r;
    expect(st.packets['filter/LONG/4321']).toBe(1);
    expect(Object.keys(st.packets).sort()).toEqual(['filter/FORWARD/0', 'filter/LONG/4321']);
  });
});
