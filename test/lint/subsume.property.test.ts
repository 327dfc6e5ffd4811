/**
 * Soundness of the shadowing analysis: whenever lint says rule j covers rule i, every packet the engine
 * finds matching i also matches j. Rules are drawn from a vocabulary of the conditions the analysis reasons
 * about (protocol, prefixes with negation, interfaces with + and !, tcp/udp ports, multiport, TCP flags,
 * ICMP types, state sets, iprange, length, TTL, stateful limit); i is often j's conditions plus more, so
 * that covers happen. Packets are drawn from i's own fields and judged by the engine (mangle PREROUTING).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv4, parseIpv4 } from '../../src/model/addr.js';
import type { Rule } from '../../src/model/iptables.js';
import { subsumes } from '../../src/lint/subsume.js';
import { parsePacketSpec } from '../../src/engine/packetSpec.js';
import { initialState, simulate } from '../../src/engine/simulate.js';
import { host, world } from './helpers.js';

interface Fields {
  proto?: { p: 'tcp' | 'udp' | 'icmp'; inv: boolean };
  src?: { net: string; inv: boolean };
  dst?: { net: string; inv: boolean };
  iface?: string; // 'eth0' | 'eth+' | '! eth0' | 'wlan0'
  ports?: { lo: number; hi: number; inv: boolean; multi: boolean };
  flags?: 'syn' | 'synack';
  icmpType?: number;
  state?: { states: string[]; conntrack: boolean };
  range?: { lo: string; hi: string };
  length?: { lo: number; hi: number };
  ttl?: number;
  limit?: boolean;
}

const NETS = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.3/32', '192.168.0.0/16', '0.0.0.0/0'];
const PORTS: [number, number][] = [[22, 22], [80, 80], [0, 1023], [1024, 65535], [80, 443], [443, 443]];
const STATES = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'];

/** A condition present one time in four. */
const sometimes = <T>(a: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: a, weight: 1 });

const fieldsArb: fc.Arbitrary<Fields> = fc
  .record({
    proto: fc.oneof({ arbitrary: fc.constant(undefined), weight: 1 }, { arbitrary: fc.record({ p: fc.constantFrom('tcp' as const, 'udp' as const, 'icmp' as const), inv: fc.boolean() }), weight: 2 }),
    src: sometimes(fc.record({ net: fc.constantFrom(...NETS), inv: fc.boolean() })),
    dst: sometimes(fc.record({ net: fc.constantFrom(...NETS), inv: fc.boolean() })),
    iface: sometimes(fc.constantFrom('eth0', 'eth+', '! eth0', 'wlan0')),
    ports: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 1 },
      { arbitrary: fc.record({ r: fc.constantFrom(...PORTS), inv: fc.boolean(), multi: fc.boolean() }).map(({ r, inv, multi }) => ({ lo: r[0], hi: r[1], inv: multi ? false : inv, multi })), weight: 1 },
    ),
    flags: sometimes(fc.constantFrom('syn' as const, 'synack' as const)),
    icmpType: sometimes(fc.constantFrom(0, 8, 3)),
    state: sometimes(fc.record({ states: fc.subarray(STATES, { minLength: 1 }), conntrack: fc.boolean() })),
    range: sometimes(fc.constantFrom({ lo: '10.1.2.0', hi: '10.1.2.9' }, { lo: '10.0.0.0', hi: '10.255.255.255' })),
    length: sometimes(fc.constantFrom({ lo: 0, hi: 100 }, { lo: 40, hi: 1500 })),
    ttl: sometimes(fc.constantFrom(1, 32, 64)),
    limit: sometimes(fc.constant(true)),
  })
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Fields);

function ruleText(f: Fields, target: string): string {
  const w: string[] = [];
  if (f.src) w.push(`${f.src.inv ? '! ' : ''}-s ${f.src.net}`);
  if (f.dst) w.push(`${f.dst.inv ? '! ' : ''}-d ${f.dst.net}`);
  if (f.iface) w.push(f.iface.startsWith('!') ? `! -i ${f.iface.slice(2)}` : `-i ${f.iface}`);
  const proto = f.proto && !f.proto.inv ? f.proto.p : undefined;
  if (f.proto) w.push(`${f.proto.inv ? '! ' : ''}-p ${f.proto.p}`);
  if ((proto === 'tcp' || proto === 'udp') && f.ports) {
    const r = f.ports.lo === f.ports.hi ? `${f.ports.lo}` : `${f.ports.lo}:${f.ports.hi}`;
    if (f.ports.multi) w.push(`-m multiport --dports ${r}`);
    else w.push(`-m ${proto} ${f.ports.inv ? '! ' : ''}--dport ${r}`);
  }
  if (proto === 'tcp' && f.flags) w.push(`-m tcp --tcp-flags ${f.flags === 'syn' ? 'FIN,SYN,RST,ACK SYN' : 'SYN,ACK SYN,ACK'}`);
  if (proto === 'icmp' && f.icmpType !== undefined) w.push(`-m icmp --icmp-type ${f.icmpType}`);
  if (f.state) w.push(f.state.conntrack ? `-m conntrack --ctstate ${f.state.states.join(',')}` : `-m state --state ${f.state.states.join(',')}`);
  if (f.range) w.push(`-m iprange --src-range ${f.range.lo}-${f.range.hi}`);
  if (f.length) w.push(`-m length --length ${f.length.lo}:${f.length.hi}`);
  if (f.ttl !== undefined) w.push(`-m ttl --ttl-gt ${f.ttl}`);
  if (f.limit) w.push('-m limit --limit 1/sec');
  return `-A PREROUTING ${w.join(' ')} -j ${target}`.replace(/  +/g, ' ');
}

/** i: each of j's conditions kept with probability 0.7 (else another draw's), so that covers happen. */
const KEYS: (keyof Fields)[] = ['proto', 'src', 'dst', 'iface', 'ports', 'flags', 'icmpType', 'state', 'range', 'length', 'ttl', 'limit'];
const pairArb = fc.tuple(fieldsArb, fieldsArb, fc.array(fc.integer({ min: 0, max: 9 }), { minLength: KEYS.length, maxLength: KEYS.length })).map(([j, other, keep]) => {
  const i: Fields = {};
  KEYS.forEach((k, n) => {
    const v = keep[n] < 7 && j[k] !== undefined ? j[k] : other[k];
    if (v !== undefined) (i as Record<string, unknown>)[k] = v;
  });
  return { j, i };
});

function makeWorld(rule: string) {
  const text = `*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -m conntrack --ctstate INVALID -j LOG\n${rule}\nCOMMIT\n`;
  return world([host('h', { ifaces: { eth0: ['10.9.0.1/24'], eth1: ['10.8.0.1/24'], wlan0: ['10.7.0.1/24'] }, iptables: text })]);
}

function onlyRule(w: ReturnType<typeof makeWorld>): Rule {
  return w.hosts[0].iptables!.tables[0].chains[0].rules[1];
}

function pick<T>(rnd: () => number, xs: T[]): T {
  return xs[Math.floor(rnd() * xs.length)];
}

/** An address inside (or outside, for a negation) a prefix, or anywhere. */
function addrFor(rnd: () => number, sel: { net: string; inv: boolean } | undefined): string {
  const any = () => formatIpv4(pick(rnd, [0x0a010203, 0x0a010209, 0x0a0a0a0a, 0xc0a80101, 0x08080808, 0x0a010200 + Math.floor(rnd() * 256)]) >>> 0);
  if (!sel || rnd() < 0.3) return any();
  const [a, l] = sel.net.split('/');
  const base = parseIpv4(a)!;
  const len = Number(l);
  const span = len >= 32 ? 1 : 2 ** (32 - len);
  if (!sel.inv) return formatIpv4((base + Math.floor(rnd() * Math.min(span, 1 << 20))) >>> 0);
  return any();
}

function packetFor(rnd: () => number, f: Fields): string {
  const iface = f.iface === 'wlan0' ? 'wlan0' : f.iface === '! eth0' ? pick(rnd, ['eth1', 'wlan0']) : rnd() < 0.7 ? 'eth0' : pick(rnd, ['eth1', 'wlan0']);
  const proto = f.proto && !f.proto.inv && rnd() < 0.8 ? f.proto.p : pick(rnd, ['tcp', 'udp', 'icmp'] as const);
  const src = f.range && rnd() < 0.6 ? pick(rnd, ['10.1.2.0', '10.1.2.5', '10.1.2.9', '10.200.0.1']) : addrFor(rnd, f.src);
  const dst = addrFor(rnd, f.dst);
  const extra: string[] = [];
  if (f.length || rnd() < 0.3) extra.push(`len ${pick(rnd, [60, 90, 100, 101, 1500, 1600])}`);
  if (f.ttl !== undefined || rnd() < 0.3) extra.push(`ttl ${pick(rnd, [1, 2, 33, 64, 65, 200])}`);
  if (proto === 'icmp') return `arrive h:${iface} icmp ${src} > ${dst} type ${f.icmpType !== undefined && rnd() < 0.7 ? f.icmpType : pick(rnd, [0, 8, 3, 11])} ${extra.join(' ')}`;
  const port = f.ports && rnd() < 0.8 ? (f.ports.inv ? pick(rnd, [0, 79, 81, 1023, 1024, 65535]) : f.ports.lo + Math.floor(rnd() * (f.ports.hi - f.ports.lo + 1))) : pick(rnd, [22, 80, 443, 1023, 1024, 8080]);
  const flags = proto === 'tcp' ? ` flags ${pick(rnd, ['S', 'SA', 'A', 'PA', 'F'])}` : '';
  return `arrive h:${iface} ${proto} ${src}:40000 > ${dst}:${port}${flags} ${extra.join(' ')}`.trim();
}

/** Did the engine match the rule (the one after the INVALID logger in mangle PREROUTING) for this packet? */
function matches(w: ReturnType<typeof makeWorld>, spec: string): boolean {
  const res = simulate(w, initialState(w), parsePacketSpec(spec), { explain: false });
  return res.outcomes.some((o) => o.trace.some((e) => e.type === 'rule' && e.rule.table === 'mangle' && e.rule.index === 2));
}

describe('lint subsumption is sound', () => {
  it('whenever j is said to cover i, every packet matching i matches j', () => {
    let claims = 0;
    let checked = 0;
    fc.assert(
      fc.property(pairArb, fc.integer({ min: 1, max: 2 ** 30 }), ({ j, i }, seed) => {
        const wj = makeWorld(ruleText(j, 'DROP'));
        const wi = makeWorld(ruleText(i, 'DROP'));
        const rj = onlyRule(wj);
        const ri = onlyRule(wi);
        if (!subsumes(rj, ri, true)) return;
        claims++;
        let s = seed;
        const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
        for (let k = 0; k < 30; k++) {
          const spec = packetFor(rnd, i);
          if (!matches(wi, spec)) continue;
          checked++;
          expect(matches(wj, spec), `${ri.text}\n  is said to be covered by\n${rj.text}\n  but this packet matches only the first: ${spec}`).toBe(true);
        }
      }),
      { numRuns: 1000, seed: 20261121 },
    );
    if (process.env.NFSIM_DEBUG_PROP) console.log({ claims, checked });
    // The property is not vacuous: covers were claimed and packets matching them were checked.
    expect(claims).toBeGreaterThan(20);
    expect(checked).toBeGreaterThan(40);
  }, 120_000);
});
