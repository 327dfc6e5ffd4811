import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../../src/model/addr.js';
import { parsePacketSpec } from '../../../src/engine/packetSpec.js';
import { initialState, simulate } from '../../../src/engine/simulate.js';
import { rpfAsymmetry } from '../../../src/lint/checks/rpFilterAsymmetric.js';
import { ip } from '../../ext/ctx.js';
import * as I from '../../../src/space/intervals.js';
import { findings, host, oneHost, world } from '../helpers.js';

const MULTI = {
  ifaces: { eth0: ['10.0.0.20/24'], eth1: ['192.0.2.20/24'] },
  routes: ['default via 10.0.0.1 dev eth0', '198.51.100.0/24 via 192.0.2.1 dev eth1'],
};

describe('rp-filter-asymmetric', () => {
  it('strict mode on a second uplink: the sources the default route on another interface wins', () => {
    const w = oneHost({ ...MULTI, sysctl: { 'net.ipv4.conf.all.rp_filter': 1 } });
    const f = findings(w, 'rp-filter-asymmetric');
    const eth1 = f.find((x) => x.subject.startsWith('rp_filter = 1 on eth1'))!;
    expect(eth1.severity).toBe('warning');
    expect(eth1.message).toContain('from 0.0.0.0/0 except 10.0.0.0/24, 192.0.2.0/24, 198.51.100.0/24 (and martian sources): the reverse lookup picks `default via 10.0.0.1 dev eth0` (out of eth0)');
    expect(eth1.message).toContain('eth1 has a gateway route (198.51.100.0/24 via 192.0.2.1 dev eth1)');
    expect(eth1.fix).toContain('sysctl -w net.ipv4.conf.eth1.rp_filter=2');
    // eth0: only the sources that eth1's specific route owns: anti-spoofing, info.
    const eth0 = f.find((x) => x.subject.startsWith('rp_filter = 1 on eth0'))!;
    expect(eth0.severity).toBe('info');
    expect(eth0.message).toContain('from 198.51.100.0/24:');
  });

  it('the affected sources follow the routes exactly', () => {
    const h = host('h', MULTI);
    const a = rpfAsymmetry(h, 'eth1');
    expect(a.byRoute).toHaveLength(1);
    const s = a.byRoute[0].sources;
    for (const yes of ['8.8.8.8', '1.0.0.1', '223.255.255.255']) expect(I.contains(s, ip(yes)), yes).toBe(true);
    for (const no of ['10.0.0.5', '192.0.2.7', '198.51.100.9', '127.0.0.1', '0.1.2.3', '224.0.0.1']) expect(I.contains(s, ip(no)), no).toBe(false);
  });

  it('nothing in loose mode, with rp_filter off, or on a single-homed host', () => {
    expect(findings(oneHost({ ...MULTI, sysctl: { 'net.ipv4.conf.all.rp_filter': 1, 'net.ipv4.conf.eth1.rp_filter': 2, 'net.ipv4.conf.eth0.rp_filter': 2 } }), 'rp-filter-asymmetric')).toEqual([]);
    expect(findings(oneHost({ ...MULTI, sysctl: {} }), 'rp-filter-asymmetric')).toEqual([]);
    expect(findings(oneHost({ ifaces: { eth0: ['10.0.0.20/24'] }, routes: ['default via 10.0.0.1 dev eth0'], sysctl: { 'net.ipv4.conf.all.rp_filter': 1 } }), 'rp-filter-asymmetric')).toEqual([]);
  });

  it('policy routing that sends replies back out of the interface clears it', () => {
    const rules = [
      { family: 4 as const, priority: 0, not: false, action: 'lookup' as const, table: 'local', loc: { file: 'h/ip-rule', line: 1, col: 1 } },
      { family: 4 as const, priority: 100, not: false, from: { family: 4 as const, addr: '192.0.2.20', len: 32, v4: ip('192.0.2.20'), maskBits: 0xffffffff }, action: 'lookup' as const, table: '100', loc: { file: 'h/ip-rule', line: 2, col: 1 } },
      { family: 4 as const, priority: 32766, not: false, action: 'lookup' as const, table: 'main', loc: { file: 'h/ip-rule', line: 3, col: 1 } },
    ];
    const h = host('h', { ...MULTI, routes: [...MULTI.routes, 'default via 192.0.2.1 dev eth1 table 100'], rules, sysctl: { 'net.ipv4.conf.all.rp_filter': 1 } });
    expect(rpfAsymmetry(h, 'eth1').byRoute).toEqual([]);
    expect(findings(world([h]), 'rp-filter-asymmetric').filter((x) => x.subject.includes('eth1'))).toEqual([]);
  });

  it('agrees with the engine: a reported source arriving on eth1 is dropped with IP_RPFILTER, an unreported one behind a gateway is not', () => {
    const h = host('h', { ...MULTI, sysctl: { 'net.ipv4.conf.all.rp_filter': 1 } });
    const w = world([h]);
    const affected = rpfAsymmetry(h, 'eth1').byRoute.map((b) => b.sources);
    const base = fc.oneof(fc.constant(0x0a000000), fc.constant(0xc0000200), fc.constant(0xc6336400), fc.constant(0x08080800), fc.integer({ min: 0, max: 0xffffff00 }));
    fc.assert(
      fc.property(base, fc.integer({ min: 1, max: 254 }), (b, low) => {
        const src = ((b & 0xffffff00) | low) >>> 0;
        if (I.contains(I.fromIntervals([[0, 0x00ffffff], [0x7f000000, 0x7fffffff], [0xe0000000, 0xffffffff]]), src)) return;
        const spec = parsePacketSpec(`arrive h:eth1 udp ${formatIpv4(src)}:40000 > 192.0.2.20:9`);
        const v = simulate(w, initialState(w), spec, { explain: false }).outcomes[0].verdict;
        const rpDrop = v.fate === 'dropped' && v.reason === 'IP_RPFILTER';
        const reported = affected.some((s) => I.contains(s, src));
        if (reported) expect(rpDrop, formatIpv4(src)).toBe(true);
        // Not reported: either accepted, or on eth0's own link (anti-spoofing, left out on purpose).
        else if (rpDrop) expect(src >>> 8, formatIpv4(src)).toBe(0x0a0000);
      }),
      { numRuns: 300, seed: 6 },
    );
  });
});
