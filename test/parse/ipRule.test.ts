import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IP_PROTOCOL_NAMES, formatRule, parseIpRule } from '../../src/parse/ipRule.js';
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

describe('ip rule syntax (grammar/ip-rule.peggy)', () => {
  const issues = (text: string): string[] => {
    const w: InputIssue[] = [];
    try {
      parseIpRule(text, 'r', { warnings: w });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return e.issues.map((i) => `${i.severity} ${i.loc.line}:${i.loc.col} ${i.text} | ${i.message}`);
    }
    return w.map((i) => `${i.severity} ${i.loc.line}:${i.loc.col} ${i.text} | ${i.message}`);
  };
  it('a keyword at the end of the line needs its value; the rule then has no action either', () => {
    expect(issues('1:\tfrom all iif')).toEqual([
      "error 1:13 iif | 'iif' needs a value: an interface name",
      'error 1:16 1: from all iif | rule without an action',
    ]);
    expect(issues('7: from 10.0.0.0/8   lookup  \t')).toEqual(["error 1:22 lookup | 'lookup' needs a value: a table name or number", 'error 1:28 7: from 10.0.0.0/8 lookup | rule without an action']);
    expect(issues('1:\tfrom all realms')).toEqual(["error 1:13 realms | 'realms' needs a value: a value", 'error 1:19 1: from all realms | rule without an action']);
  });
  it('a value of the wrong class is reported at its column, every one of the line', () => {
    expect(issues('5:\tfrom all fwmark 1/2/3 sport 9-1 dport 70000 uidrange 5 ipproto nosuch tos bogus goto x suppress_prefixlength 129 lookup 1')).toEqual([
      "error 1:20 1/2/3 | fwmark must be VALUE[/MASK] (0x1/0xff), got '1/2/3'",
      "error 1:32 9-1 | sport must be PORT or START-END (0..65535), got '9-1'",
      "error 1:42 70000 | dport must be PORT or START-END (0..65535), got '70000'",
      "error 1:57 5 | uidrange must be START-END, got '5'",
      "error 1:67 nosuch | unknown IP protocol 'nosuch'",
      "error 1:78 bogus | unknown TOS value 'bogus'",
      "error 1:89 x | goto needs a rule priority, got 'x'",
      "error 1:113 129 | suppress_prefixlength needs a number, got '129'",
    ]);
    expect(issues('4294967296:\tfrom all lookup main')).toEqual(['error 1:1 4294967296: | rule priority must be 0..4294967295']);
    expect(issues('1:\tfrom 10.0.0.1 to 2001:db8::1 lookup main')).toEqual(["error 1:21 2001:db8::1 | expected a prefix or 'all': '2001:db8::1' is an IPv6 address where IPv4 was expected"]);
    expect(issues('1:\tfwmark 0x100000000 lookup main')).toEqual(["error 1:11 0x100000000 | fwmark must be VALUE[/MASK] (0x1/0xff), got '0x100000000'"]);
  });
  it('a keyword takes the next word whatever it is', () => {
    expect(one('1:\tfrom all iif lookup lookup 5')).toMatchObject({ iif: 'lookup', table: '5' });
    expect(one('1:\tfrom all iif [detached] lookup 5')).toMatchObject({ iif: '[detached]' });
    expect(one('1:\tfrom all goto 7 [unresolved]')).toMatchObject({ gotoPriority: 7, unresolved: true, table: '7' });
  });
  it('unknown words and rule NAT are kept with a warning, not interpreted', () => {
    expect(issues('1:\tfrom all frobnicate lookup main nat 10.0.0.1')).toEqual([
      "warning 1:13 frobnicate | unknown word 'frobnicate' in an ip rule; kept, not interpreted",
      'warning 1:36 nat 10.0.0.1 | rule NAT (map-to) was removed from Linux 2.6.x; kept but not simulated',
    ]);
    expect(one('1:\tfrom all frobnicate lookup main nat 10.0.0.1').extra).toEqual({ frobnicate: '', nat: '10.0.0.1' });
    // `fromx` is a word of its own, not `from` with something glued on
    expect(one('1:\tfromx from all lookup main').extra).toEqual({ fromx: '' });
    // names of Object.prototype are not protocol names
    expect(issues('1:\tfrom all ipproto constructor lookup main')).toEqual(["error 1:21 constructor | unknown IP protocol 'constructor'"]);
  });
  it('lines that are not rules: prompts, messages; comments and blank lines are skipped', () => {
    const w: InputIssue[] = [];
    expect(parseIpRule('# ip rule\n\n  \t\n0:\tfrom all lookup local\n', 'r', { warnings: w })).toHaveLength(1);
    expect(w).toEqual([]);
    expect(issues('root@host:~# ip rule\n  0:\tfrom all lookup local\n100 from all lookup main\n0:from all lookup main\n')).toEqual([
      "error 1:1 root@host:~# | expected a rule priority 'N:' at the start of the line",
      "error 3:1 100 | expected a rule priority 'N:' at the start of the line",
      "error 4:1 0:from | expected a rule priority 'N:' at the start of the line",
    ]);
  });
  it('LF, CRLF and CR line ends give the same rules, lines and columns', () => {
    const lines = ['0:\tfrom all lookup local', '', '100:\tfrom 10.0.0.0/8 fwmark 0x1 lookup 100', '32766:\tfrom all lookup main'];
    const [lf, crlf, cr] = ['\n', '\r\n', '\r'].map((eol) => parseIpRule(lines.join(eol) + eol, 'r'));
    expect(crlf).toEqual(lf);
    expect(cr).toEqual(lf);
    expect(lf.map((r) => `${r.loc.line}:${r.loc.col}`)).toEqual(['1:1', '3:1', '4:1']);
    expect(issues('0:\tfrom all lookup local\r1:\tfrom all\r\n')).toEqual(['error 2:12 1: from all | rule without an action']);
  });
  it('words of `ip rule add` in any order (change scripts lay them out after `PRIO:`)', () => {
    expect(strip(one('0: lookup 100 fwmark 0x7 not to 10.1.0.0/16 iif eth1 from 10.0.0.0/8'))).toEqual(strip(one('0:\tnot from 10.0.0.0/8 to 10.1.0.0/16 fwmark 0x7 iif eth1 lookup 100')));
  });
});

/** IPv4 or IPv6 prefixes as ip(8) prints them (a host route without /len). */
const anyNet = fc.oneof(
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 32 })).map(([a, b, c, d, l]) => `${a}.${b}.${c}.${d}${l === 32 ? '' : `/${l}`}`),
  fc.tuple(fc.constantFrom('2001:db8::', 'fe80::1', '::1', '2001:db8:0:1::', 'fd00:1:2:3:4:5:6:7'), fc.integer({ min: 1, max: 128 })).map(([a, l]) => `${a}${l === 128 ? '' : `/${l}`}`),
);
const hex = (n: number) => `0x${n.toString(16)}`;
const range = fc.tuple(fc.nat(65535), fc.nat(65535)).map(([a, b]) => (a === b ? `${a}` : `${Math.min(a, b)}-${Math.max(a, b)}`));
/** A rule line as iproute2's print_rule prints it (the order formatRule keeps). */
const printedRule = fc
  .record({
    prio: fc.nat({ max: 0xffffffff }),
    not: fc.boolean(),
    v6: fc.boolean(),
    from: fc.option(anyNet, { nil: undefined }),
    to: fc.option(anyNet, { nil: undefined }),
    tos: fc.option(fc.nat(255), { nil: undefined }),
    mark: fc.option(fc.tuple(fc.nat({ max: 0xffffffff }), fc.option(fc.nat({ max: 0xfffffffe }), { nil: undefined })), { nil: undefined }),
    iif: fc.option(fc.tuple(fc.constantFrom('eth0', 'lo', 'veth1', 'br-1a2b', 'eth0.100', 'wg0@x'), fc.boolean()), { nil: undefined }),
    oif: fc.option(fc.tuple(fc.constantFrom('eth1', 'vrf-blue'), fc.boolean()), { nil: undefined }),
    uid: fc.option(fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff })), { nil: undefined }),
    proto: fc.option(fc.nat(255), { nil: undefined }),
    sport: fc.option(range, { nil: undefined }),
    dport: fc.option(range, { nil: undefined }),
    tunId: fc.option(fc.nat(), { nil: undefined }),
    l3mdev: fc.boolean(),
    action: fc.oneof(
      fc.tuple(fc.constantFrom('main', 'local', 'default', '100', 'FREIFUNK', '[l3mdev-table]'), fc.option(fc.nat(128), { nil: undefined }), fc.option(fc.constantFrom('5', 'lan'), { nil: undefined })).map(([t, spl, sig]) => `lookup ${t}${spl !== undefined ? ` suppress_prefixlength ${spl}` : ''}${sig !== undefined ? ` suppress_ifgroup ${sig}` : ''}`),
      fc.tuple(fc.nat({ max: 0xffffffff }), fc.boolean()).map(([n, u]) => `goto ${n}${u ? ' [unresolved]' : ''}`),
      fc.constantFrom('blackhole', 'unreachable', 'prohibit', 'nop'),
    ),
  })
  .map((g) => {
    const fam = (n: string | undefined) => (n === undefined ? undefined : n.includes(':') ? 6 : 4);
    // one family per rule, as the kernel keeps it
    const want = g.v6 ? 6 : 4;
    const from = fam(g.from) === want ? g.from : undefined;
    const to = fam(g.to) === want ? g.to : undefined;
    const p = [`${g.not ? 'not ' : ''}from ${from ?? 'all'}`];
    if (to) p.push(`to ${to}`);
    if (g.tos !== undefined) p.push(`tos 0x${g.tos.toString(16).padStart(2, '0')}`);
    if (g.mark) p.push(g.mark[1] === undefined ? `fwmark ${hex(g.mark[0])}` : `fwmark ${hex(g.mark[0])}/${hex(g.mark[1])}`);
    if (g.iif) p.push(`iif ${g.iif[0]}${g.iif[1] ? ' [detached]' : ''}`);
    if (g.oif) p.push(`oif ${g.oif[0]}${g.oif[1] ? ' [detached]' : ''}`);
    // `l3mdev` as a word only beside an action other than lookup (with lookup it is `lookup [l3mdev-table]`)
    if (g.l3mdev && !g.action.startsWith('lookup')) p.push('l3mdev');
    if (g.uid) p.push(`uidrange ${Math.min(...g.uid)}-${Math.max(...g.uid)}`);
    if (g.proto !== undefined) p.push(`ipproto ${IP_PROTOCOL_NAMES[g.proto] ?? g.proto}`);
    if (g.sport) p.push(`sport ${g.sport}`);
    if (g.dport) p.push(`dport ${g.dport}`);
    if (g.tunId !== undefined) p.push(`tun_id ${g.tunId}`);
    p.push(g.action);
    return { line: `${g.prio}:\t${p.join(' ')}`, family: (from || to ? want : 4) as 4 | 6 };
  });

describe('print∘parse on every selector (fast-check)', () => {
  it('formatRule(parseIpRule(line)) == line for lines as print_rule prints them', () => {
    fc.assert(
      fc.property(printedRule, ({ line, family }) => {
        const w: InputIssue[] = [];
        const [r] = parseIpRule(line, 'f', { family, warnings: w });
        expect(w).toEqual([]);
        expect(r.family).toBe(family);
        expect(formatRule(r)).toBe(line);
      }),
      { numRuns: 1500 },
    );
  });
  it('the same rules with other blanks between the words parse to the same object', () => {
    fc.assert(
      fc.property(printedRule, fc.array(fc.constantFrom(' ', '  ', '\t', ' \t ', '\f', '\v'), { minLength: 40, maxLength: 40 }), ({ line }, seps) => {
        const words = line.split(/[ \t]/);
        const spaced = `${seps[0].replace(/[^ \t]/g, '')}${words.map((x, i) => x + (i < words.length - 1 ? seps[(i + 1) % seps.length] : ' \t')).join('')}`;
        expect(parseIpRule(spaced, 'f').map(strip)).toEqual(parseIpRule(line, 'f').map(strip));
      }),
      { numRuns: 500 },
    );
  });
  it('a printed rule with random edits throws nothing but InputError', () => {
    fc.assert(
      fc.property(printedRule, fc.array(fc.tuple(fc.nat(), fc.nat(6), fc.constantFrom('', ' ', '\t', '\n', '\r', ':', '/', '-', 'x', '0', 'lookup', 'from', '[detached]', '#')), { maxLength: 4 }), ({ line }, edits) => {
        let s = line;
        for (const [pos, del, ins] of edits) {
          const p = pos % (s.length + 1);
          s = s.slice(0, p) + ins + s.slice(p + del);
        }
        try {
          parseIpRule(s, 'f');
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          for (const i of e.issues) expect(i.loc.line).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
