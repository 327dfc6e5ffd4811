import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatRule, parseIpRule } from '../../src/parse/ipRule.js';
import { InputError, type InputIssue } from '../../src/model/source.js';
import type { IpRule } from '../../src/model/host.js';
import { RULE_FILES, corpusAvailable, readCorpus } from './ipCorpusFiles.js';

const one = (line: string, family?: 4 | 6): IpRule => {
  const rs = parseIpRule(line, 'r', { family });
  expect(rs).toHaveLength(1);
  return rs[0];
};
const strip = (r: IpRule): unknown => JSON.parse(JSON.stringify({ ...r, loc: undefined }));

describe.runIf(corpusAvailable)('corpus ip-rule files', () => {
  for (const f of RULE_FILES) {
    it(`loads ${f}`, () => {
      const warnings: InputIssue[] = [];
      const rs = parseIpRule(readCorpus(f), f, { family: /ip6|-6/.test(f) ? 6 : 4, warnings });
      expect(rs.length).toBeGreaterThan(0);
      expect(warnings).toEqual([]);
      // print∘parse reproduces the dump (modulo trailing spaces)
      expect(rs.map(formatRule).join('\n')).toBe(readCorpus(f).split('\n').map((l) => l.trimEnd()).filter(Boolean).join('\n'));
    });
  }
  it('openlab fwmark rules → named tables', () => {
    const f = 'net-network/configs_openlab/stettenstr/doku/ip-rule.txt';
    const rs = parseIpRule(readCorpus(f), f);
    expect(rs[1]).toMatchObject({ priority: 32763, fwmark: { value: 3, mask: 0xffffffff }, action: 'lookup', table: 'FREIFUNK' });
  });
});

describe('ip rule forms', () => {
  it('every selector', () => {
    const r = one('100:\tnot from 10.0.0.0/8 to 1.2.3.0/24 tos 0x10 fwmark 0x1/0xff iif veth0 oif br0 uidrange 100-200 ipproto tcp sport 1000-2000 dport 80 lookup 100');
    expect(strip(r)).toEqual({
      family: 4, priority: 100, not: true,
      from: { family: 4, addr: '10.0.0.0', len: 8, v4: 0x0a000000, maskBits: 0xff000000 },
      to: { family: 4, addr: '1.2.3.0', len: 24, v4: 0x01020300, maskBits: 0xffffff00 },
      tos: 0x10, fwmark: { value: 1, mask: 0xff }, iif: 'veth0', oif: 'br0', uidrange: [100, 200], ipproto: 6,
      sport: [1000, 2000], dport: [80, 80], action: 'lookup', table: '100',
    });
  });
  it('actions', () => {
    expect(one('200:\tfrom all goto 32766')).toMatchObject({ action: 'goto', gotoPriority: 32766 });
    expect(one('201:\tfrom all goto 5 [unresolved]')).toMatchObject({ action: 'goto', gotoPriority: 5, unresolved: true });
    for (const a of ['blackhole', 'unreachable', 'prohibit', 'nop'] as const) expect(one(`300:\tfrom all ${a}`).action).toBe(a);
    expect(one('400:\tfrom all lookup main suppress_prefixlength 0')).toMatchObject({ table: 'main', suppressPrefixLength: 0 });
    expect(one('500:\tfrom all iif nosuch [detached] lookup 5')).toMatchObject({ iif: 'nosuch', iifDetached: true });
    const l3 = one('504:\tfrom 10.0.0.0/8 lookup [l3mdev-table]');
    expect(l3.l3mdev).toBe(true);
    expect(l3.table).toBeUndefined();
    expect(formatRule(l3)).toBe('504:\tfrom 10.0.0.0/8 lookup [l3mdev-table]');
  });
  it('IPv6 rules', () => {
    expect(one('50:\tfrom 2001:db8::/32 lookup 7')).toMatchObject({ family: 6, from: { addr: '2001:db8::', len: 32 } });
    expect(one('0:\tfrom all lookup local', 6).family).toBe(6);
  });
  it('errors: all of them, with positions', () => {
    try {
      parseIpRule('x:\tfrom all lookup main\n1:\tfrom 1.2.3.4/40 lookup main\n2:\tfrom all fwmark zz lookup 1\n3:\tfrom all\n', 'rules');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).issues.map((i) => `${i.loc.line}:${i.loc.col}`)).toEqual(['1:1', '2:9', '3:20', '4:12']);
    }
  });
});

const v4net = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 32 })).map(([a, b, c, d, l]) => `${a}.${b}.${c}.${d}/${l}`);
describe('print∘parse round trip (fast-check)', () => {
  it('parse(formatRule(r)) == r', () => {
    fc.assert(
      fc.property(
        fc.record({
          prio: fc.nat(),
          not: fc.boolean(),
          from: fc.option(v4net, { nil: undefined }),
          to: fc.option(v4net, { nil: undefined }),
          mark: fc.option(fc.tuple(fc.nat(), fc.option(fc.nat(), { nil: undefined })), { nil: undefined }),
          iif: fc.option(fc.constantFrom('eth0', 'lo', 'veth1'), { nil: undefined }),
          det: fc.boolean(),
          proto: fc.option(fc.constantFrom('tcp', 'udp', 'icmp', 'gre'), { nil: undefined }),
          dport: fc.option(fc.tuple(fc.nat(65535), fc.nat(65535)), { nil: undefined }),
          action: fc.constantFrom('lookup main', 'lookup 100', 'goto 32766', 'blackhole', 'prohibit', 'nop', 'lookup main suppress_prefixlength 0'),
        }),
        (g) => {
          const p = [`${g.prio}:\t${g.not ? 'not ' : ''}from ${g.from ?? 'all'}`];
          if (g.to) p.push(`to ${g.to}`);
          if (g.mark) p.push(`fwmark 0x${g.mark[0].toString(16)}${g.mark[1] !== undefined ? `/0x${g.mark[1].toString(16)}` : ''}`);
          if (g.iif) p.push(`iif ${g.iif}${g.det ? ' [detached]' : ''}`);
          if (g.proto) p.push(`ipproto ${g.proto}`);
          if (g.dport) p.push(`dport ${Math.min(...g.dport)}-${Math.max(...g.dport)}`);
          p.push(g.action);
          const r1 = parseIpRule(p.join(' '), 'f');
          const s = formatRule(r1[0]);
          const r2 = parseIpRule(s, 'f');
          expect(r2.map(strip)).toEqual(r1.map(strip));
          expect(formatRule(r2[0])).toBe(s);
        },
      ),
      { numRuns: 400 },
    );
  });
  it('arbitrary text throws only InputError', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789:\t \nfromalltolookupgotofwmark/x.iifnot[]-'.split('')) }), (s) => {
        try {
          parseIpRule(s, 'f');
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('reserved table numbers', () => {
  it('254/255/253 are main/local/default', () => {
    expect(one('1:\tfrom all lookup 254').table).toBe('main');
    expect(one('1:\tfrom all lookup 255').table).toBe('local');
    expect(one('1:\tfrom all lookup 253').table).toBe('default');
    expect(one('1:\tfrom all lookup 100').table).toBe('100');
  });
});
