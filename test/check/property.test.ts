/**
 * Property: on random small worlds (a router filtering in FORWARD, a server filtering in INPUT, random
 * listeners), `allow` holds exactly when every packet of the class, simulated one by one with the engine,
 * is delivered, and `deny` exactly when none is. The class is small enough to enumerate (7 sources × 4
 * source ports × 8 destination ports), so "every packet" is checked, not sampled; a reported counterexample
 * must be a packet of the class that really breaks the assertion.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkAssertion } from '../../src/check/check.js';
import { parsePacketSpec } from '../../src/engine/packetSpec.js';
import { initialState, simulate } from '../../src/engine/simulate.js';
import { parsePolicy } from '../../src/parse/policy.js';
import { host, world } from '../engine/build.js';

const SRC = [0, 2, 3, 4, 5, 6, 7]; // 10.0.1.0/29 without the router's own 10.0.1.1
const SPORT = [1000, 1001, 1002, 1003];
const DPORT = [20, 21, 22, 23, 24, 25, 26, 27];

const rule = fc.record({
  src: fc.option(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 29, max: 32 })), { nil: undefined }),
  dport: fc.option(fc.tuple(fc.integer({ min: 20, max: 27 }), fc.integer({ min: 0, max: 3 })), { nil: undefined }),
  sport: fc.option(fc.integer({ min: 1000, max: 1003 }), { nil: undefined }),
  target: fc.constantFrom('ACCEPT', 'DROP', 'REJECT'),
});

function ruleText(chain: string, r: { src?: [number, number]; dport?: [number, number]; sport?: number; target: string }): string {
  const parts = [`-A ${chain}`];
  if (r.src) {
    const len = r.src[1];
    const base = r.src[0] & ~((1 << (32 - len)) - 1) & 7;
    parts.push(`-s 10.0.1.${base}/${len}`);
  }
  parts.push('-p tcp');
  if (r.dport) parts.push(`-m tcp --dport ${r.dport[0]}:${Math.min(27, r.dport[0] + r.dport[1])}`);
  if (r.sport !== undefined) parts.push(`${r.dport ? '' : '-m tcp '}--sport ${r.sport}`);
  parts.push(`-j ${r.target}`);
  return parts.join(' ');
}

function filter(chain: string, policy: string, rules: string[]): string {
  const chains = ['INPUT', 'FORWARD', 'OUTPUT'].map((c) => `:${c} ${c === chain ? policy : 'ACCEPT'} [0:0]`);
  return `*filter\n${chains.join('\n')}\n${rules.join('\n')}${rules.length ? '\n' : ''}COMMIT\n`;
}

const scenario = fc.record({
  fwd: fc.array(rule, { maxLength: 4 }),
  fwdPolicy: fc.constantFrom('ACCEPT', 'DROP'),
  input: fc.array(rule, { maxLength: 4 }),
  inputPolicy: fc.constantFrom('ACCEPT', 'DROP'),
  listen: fc.subarray(DPORT, { minLength: 6 }),
});

describe('allow / deny against the engine, packet by packet', () => {
  it('holds exactly when every (no) packet of the class is delivered', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const r = host('r', {
          ifaces: { eth0: ['10.0.1.1/24'], eth1: ['10.0.2.1/24'] },
          sysctl: { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.forwarding': 1, 'net.ipv4.conf.eth0.forwarding': 1, 'net.ipv4.conf.eth1.forwarding': 1 },
          iptables: filter('FORWARD', s.fwdPolicy, s.fwd.map((x) => ruleText('FORWARD', x))),
        });
        const web = host('web', {
          ifaces: { eth0: ['10.0.2.10/24'] },
          routes: ['default via 10.0.2.1 dev eth0'],
          iptables: filter('INPUT', s.inputPolicy, s.input.map((x) => ruleText('INPUT', x))),
          sockets: s.listen.map((p) => ({ proto: 'tcp' as const, state: 'LISTEN', local: { addr: '0.0.0.0', port: p } })),
        });
        const w = world([r, web], [['r:eth1', 'web:eth0']]);
        const state = initialState(w);
        const delivered = new Map<string, boolean>();
        for (const a of SRC)
          for (const sp of SPORT)
            for (const dp of DPORT) {
              const spec = parsePacketSpec(`arrive r:eth0 tcp 10.0.1.${a}:${sp} > 10.0.2.10:${dp} flags S`);
              const out = simulate(w, state, spec, { trace: false, explain: false, closeSenders: true }).outcomes;
              delivered.set(spec.text, out.every((o) => o.verdict.fate === 'delivered'));
            }
        const all = [...delivered.values()].every(Boolean);
        const none = [...delivered.values()].every((x) => !x);
        const cls = 'tcp from 10.0.1.0/29 to web:20-27 via r:eth0 sport 1000-1003';
        for (const kind of ['allow', 'deny'] as const) {
          const [a] = parsePolicy(`${kind} ${cls}`, 'prop.policy').assertions;
          const res = checkAssertion(w, a);
          const holds = kind === 'allow' ? all : none;
          expect(res.status, `${kind}: ${JSON.stringify(s)}`).toBe(holds ? 'pass' : 'fail');
          if (!holds) {
            const c = res.counterexample!.packet;
            // a packet of the class, whose fate really breaks the assertion
            expect(delivered.has(c), c).toBe(true);
            expect(delivered.get(c), c).toBe(kind === 'deny');
          }
        }
      }),
      { numRuns: 40, seed: 6 },
    );
  });
});
