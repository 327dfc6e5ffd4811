/**
 * ruleSpace (src/space/ruleBox.ts) is sound: every packet the engine's match accepts lies in the rule's box, and
 * when the box is exact (and the rule has no interface condition), every packet in the box matches. The engine
 * decides: the rule sits alone in raw PREROUTING with -j DROP, so a packet matched iff it is dropped there.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePacketSpec } from '../../src/engine/packetSpec.js';
import { initialState, simulate } from '../../src/engine/simulate.js';
import { DIMS, type Dim } from '../../src/space/box.js';
import { irrelevantDims, specValues } from '../../src/space/classes.js';
import * as I from '../../src/space/intervals.js';
import { ruleSpace } from '../../src/space/ruleBox.js';
import { host, world } from '../engine/build.js';

const ADDRS = ['10.0.0.0', '10.0.0.5', '10.0.0.9', '10.0.0.255', '10.0.1.1', '192.0.2.1', '198.51.100.7'];
const PORTS = [0, 21, 22, 23, 53, 79, 80, 81, 443, 1023, 1024, 8080, 65535];
const inv = () => fc.boolean().map((b) => (b ? '! ' : ''));
const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);

const portRange = fc.oneof(pick(PORTS).map(String), fc.tuple(pick(PORTS), pick(PORTS)).map(([a, b]) => `${Math.min(a, b)}:${Math.max(a, b)}`));

const protoMatch = fc.oneof(
  fc.constant(''),
  fc.tuple(pick(['tcp', 'udp']), inv(), fc.option(portRange, { nil: undefined }), inv(), fc.option(portRange, { nil: undefined })).map(([p, i1, sp, i2, dp]) => `-p ${p} -m ${p}${sp ? ` ${i1}--sport ${sp}` : ''}${dp ? ` ${i2}--dport ${dp}` : ''}`),
  fc.tuple(inv(), pick(['SYN,RST,ACK SYN', 'SYN,ACK SYN,ACK', 'FIN,RST NONE', 'ALL ACK'])).map(([i, f]) => `-p tcp -m tcp ${i}--tcp-flags ${f}`),
  inv().map((i) => `-p tcp -m tcp ${i}--syn`),
  fc.tuple(pick(['tcp', 'udp']), pick(['--dports', '--sports', '--ports']), inv(), fc.array(portRange, { minLength: 1, maxLength: 3 })).map(([p, k, i, l]) => `-p ${p} -m multiport ${i}${k} ${l.join(',')}`),
  fc.tuple(inv(), pick(['8', '0', '3', '3/3', '11/0', 'echo-request', 'destination-unreachable'])).map(([i, t]) => `-p icmp -m icmp ${i}--icmp-type ${t}`),
  inv().map((i) => `${i}-p udp`),
);

const otherMatch = fc.oneof(
  fc.tuple(inv(), pick(['--src-range', '--dst-range']), pick(ADDRS), pick(ADDRS)).map(([i, k, a, b]) => {
    const [x, y] = [a, b].sort((p, q) => ip(p) - ip(q));
    return `-m iprange ${i}${k} ${x}-${y}`;
  }),
  fc.tuple(inv(), pick(['20', '28:100', '60', '0:59', '100:65535'])).map(([i, l]) => `-m length ${i}--length ${l}`),
  fc.tuple(pick(['--ttl-eq', '--ttl-gt', '--ttl-lt']), pick([0, 1, 2, 63, 64, 65, 255])).map(([k, v]) => `-m ttl ${k} ${v}`),
  fc.tuple(inv(), pick(['0x10', '0x08', '0x00', '0x04/0x0c'])).map(([i, t]) => `-m tos ${i}--tos ${t}`),
);
const srcArb = fc.option(fc.tuple(inv(), pick(['10.0.0.0/24', '10.0.0.5/32', '10.0.0.0/8', '192.0.2.0/25'])).map(([i, p]) => `${i}-s ${p}`), { nil: '' });
const dstArb = fc.option(fc.tuple(inv(), pick(['10.0.0.0/24', '10.0.0.5/32', '10.0.1.0/24', '198.51.100.0/24'])).map(([i, p]) => `${i}-d ${p}`), { nil: '' });

function ip(a: string): number {
  return a.split('.').reduce((n, x) => n * 256 + Number(x), 0);
}

// iptables-save order: -s, -d, then -p, then modules
const ruleArb = fc.tuple(srcArb, dstArb, protoMatch, fc.array(otherMatch, { maxLength: 2 })).map(([s, d, proto, mods]) => [s, d, proto, ...mods].filter(Boolean).join(' '));

const packetArb = fc.record({
  proto: pick(['tcp', 'udp', 'icmp']),
  src: pick(ADDRS),
  dst: pick(ADDRS),
  sport: pick(PORTS),
  dport: pick(PORTS),
  flags: pick(['S', 'SA', 'A', 'F', 'R', 'PA', 'FA', 'none', 'SAFRPU']),
  icmp: pick([[8, 0], [0, 0], [3, 3], [3, 1], [11, 0], [5, 1]] as const),
  ttl: pick([1, 2, 63, 64, 65, 255]),
  len: fc.option(pick([20, 28, 60, 100, 1500]), { nil: undefined }),
  tos: pick([0, 0x04, 0x08, 0x10, 0x14]),
});

type P = typeof packetArb extends fc.Arbitrary<infer T> ? T : never;

function packetText(p: P): string {
  const tail = `${p.ttl !== 64 ? ` ttl ${p.ttl}` : ''}${p.len !== undefined ? ` len ${Math.max(p.len, p.proto === 'tcp' ? 40 : 28)}` : ''}${p.tos ? ` tos ${p.tos}` : ''}`;
  if (p.proto === 'icmp') return `arrive r:eth0 icmp ${p.src} > ${p.dst} type ${p.icmp[0]} code ${p.icmp[1]}${tail}`;
  return `arrive r:eth0 ${p.proto} ${p.src}:${p.sport} > ${p.dst}:${p.dport}${p.proto === 'tcp' ? ` flags ${p.flags}` : ''}${tail}`;
}

function worldWith(rule: string) {
  const iptables = `*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING ${rule} -j DROP\nCOMMIT\n`;
  return world([host('r', { ifaces: { eth0: ['10.0.0.1/24'] }, iptables, sockets: [] })]);
}

describe('ruleSpace', () => {
  it('contains every packet the engine matches, and only those when exact', () => {
    let matched = 0;
    let exactChecked = 0;
    fc.assert(
      fc.property(ruleArb, fc.array(packetArb, { minLength: 20, maxLength: 20 }), (rule, packets) => {
        const w = worldWith(rule);
        const r = w.hosts[0].iptables!.tables[0].chains[0].rules[0];
        expect(r, rule).toBeDefined();
        const sp = ruleSpace(r);
        for (const p of packets) {
          const spec = parsePacketSpec(packetText(p), '(property)');
          const out = simulate(w, initialState(w), spec, { trace: false, explain: false });
          const hit = out.outcomes.some((o) => o.verdict.fate === 'dropped' && o.verdict.reason === 'NETFILTER_DROP' && o.verdict.rule?.table === 'raw');
          const v = specValues(spec, 0);
          const irrelevant = irrelevantDims(spec.packet.proto);
          const inBox = (Object.entries(sp.constraint) as [Dim, I.IntervalSet][]).every(([d, s]) => {
            const k = DIMS.indexOf(d);
            return (irrelevant >> k) & 1 || I.contains(s, v[k]);
          });
          if (hit) {
            matched++;
            expect(inBox, `${rule}\n${spec.text}: matched by the engine but outside ${JSON.stringify(sp.constraint)}`).toBe(true);
          } else if (sp.exact) {
            exactChecked++;
            expect(inBox, `${rule}\n${spec.text}: exact box holds it but the engine does not match`).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
    expect(matched).toBeGreaterThan(100);
    expect(exactChecked).toBeGreaterThan(100);
  });
});
