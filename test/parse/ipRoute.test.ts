import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDsfield, parseIpRoute, parseRouteLine, ROUTE_EXTRA_KEYS, ROUTE_FLAGS, ROUTE_METRICS, ROUTE_TYPES } from '../../src/parse/ipRoute.js';
import { formatRoute } from '../../src/parse/ipRouteWrite.js';
import { InputError, type InputIssue } from '../../src/model/source.js';
import type { Route } from '../../src/model/host.js';
import { ROUTE_FILES, corpusAvailable, readCorpus } from './ipCorpusFiles.js';

const fam = (f: string) => (/ip6|-6|ip_-6/.test(f) ? 6 : 4);
const strip = (r: Route): unknown => JSON.parse(JSON.stringify({ ...r, loc: undefined }));
const norm = (s: string) => s.split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).filter(Boolean).join('\n');

describe.runIf(corpusAvailable)('corpus ip-route files', () => {
  for (const f of ROUTE_FILES) {
    it(`loads ${f}`, () => {
      const warnings: InputIssue[] = [];
      const rs = parseIpRoute(readCorpus(f), f, { family: fam(f), warnings });
      expect(rs.length).toBeGreaterThan(0);
      expect(warnings).toEqual([]);
    });
  }
  it('coreos table all: local/broadcast types and tables', () => {
    const f = 'coreos-sosreport/sos_commands/networking/ip_route_show_table_all';
    const all = parseIpRoute(readCorpus(f), f);
    // This sosreport's `ip route show table all` also lists the IPv6 routes (5 of 13 lines).
    expect(all.filter((r) => r.family === 6)).toHaveLength(5);
    const rs = all.filter((r) => r.family === 4);
    expect(rs).toHaveLength(8);
    expect(rs.filter((r) => r.table === 'local').map((r) => r.type)).toEqual(['broadcast', 'local', 'local', 'broadcast', 'broadcast', 'local', 'broadcast']);
    expect(rs[0]).toMatchObject({ table: 'main', type: 'unicast', prefsrc: '172.16.1.10', metric: 100, proto: 'kernel', scope: 'link' });
    expect(rs[1].dst).toMatchObject({ addr: '127.0.0.0', len: 32 });
  });
  it('modern ip output re-prints identically (print∘parse on coreos and genieparser)', () => {
    for (const f of [
      'coreos-sosreport/sos_commands/networking/ip_route_show_table_all',
      'coreos-sosreport/sos_commands/networking/ip_-6_route_show_table_all',
      'genieparser/linux/tests/IpRouteShowTableAll/cli/equal/golden_output_output.txt',
    ]) {
      const text = readCorpus(f);
      const rs = parseIpRoute(text, f, { family: fam(f) });
      expect(norm(rs.map(formatRoute).join('\n'))).toBe(norm(text));
    }
  });
  it('genieparser: indented lines and linkdown', () => {
    const f = 'genieparser/linux/tests/IpRouteShowTableAll/cli/equal/golden_output_output.txt';
    const rs = parseIpRoute(readCorpus(f), f);
    expect(rs[0].loc).toEqual({ file: f, line: 2, col: 9 });
    expect(rs[3].flags).toEqual(['linkdown']);
  });
  it('TUM table 500: throw routes', () => {
    const f = 'net-network/configs_chair_for_Network_Architectures_and_Services/ip-route-500-2016-03-16_13-53-28';
    const rs = parseIpRoute(readCorpus(f), f, { table: '500' });
    expect(rs.filter((r) => r.type === 'throw')).toHaveLength(8);
    expect(rs.every((r) => r.table === '500')).toBe(true);
    expect(rs[1].nexthops).toEqual([]);
  });
});

describe('ip route line forms', () => {
  it('default via', () => {
    const r = parseRouteLine('default via 192.168.1.1 dev enp7s0 proto dhcp metric 100');
    expect(r).toMatchObject({ family: 4, table: 'main', type: 'unicast', dst: { addr: '0.0.0.0', len: 0 }, nexthops: [{ via: '192.168.1.1', dev: 'enp7s0', flags: [] }], proto: 'dhcp', metric: 100 });
  });
  it('IPv6 default is family 6 from the gateway', () => {
    const r = parseRouteLine('default via fe80::1 dev eth0 proto ra metric 1024 expires 1797sec hoplimit 64 pref medium');
    expect(r.family).toBe(6);
    expect(r.dst).toEqual({ family: 6, addr: '::', len: 0 });
    expect(r.expires).toBe('1797sec');
    expect(r.extra).toEqual({ hoplimit: '64' });
    expect(r.pref).toBe('medium');
  });
  it('every special type', () => {
    for (const t of ['blackhole', 'unreachable', 'prohibit', 'throw']) {
      const r = parseRouteLine(`${t} 1.2.3.0/24 table 100`);
      expect(r).toMatchObject({ type: t, table: '100', nexthops: [] });
    }
    expect(parseRouteLine('multicast 224.1.0.0/16 dev veth0 table 5 scope link linkdown')).toMatchObject({ type: 'multicast', scope: 'link', flags: ['linkdown'] });
    expect(parseRouteLine('anycast 10.0.0.77 dev veth0 table local scope link').type).toBe('anycast');
    expect(parseRouteLine('nat 10.0.0.1 via 192.168.1.1 table main').type).toBe('nat');
    expect(parseRouteLine('unreachable ::/96 dev lo metric 1024 error -113 pref medium')).toMatchObject({ family: 6, extra: { error: '-113' } });
  });
  it('onlink, mtu lock, advmss, tos', () => {
    const r = parseRouteLine('192.168.5.0/24 via 10.0.0.2 dev veth0 metric 5 onlink linkdown mtu lock 1400 advmss 1300');
    expect(r).toMatchObject({ mtu: 1400, locks: ['mtu'], advmss: 1300, flags: ['onlink', 'linkdown'], metric: 5 });
    expect(parseRouteLine('9.9.9.0/24 tos 0x10 dev veth0 proto static scope link').tos).toBe(0x10);
    expect(parseRouteLine('9.9.9.0/24 tos lowdelay dev veth0').tos).toBe(0x10);
    expect(parseRouteLine('10.0.0.0/8 dev eth0 mtu 1400').locks).toBeUndefined();
  });
  it('multipath continuation lines', () => {
    const rs = parseIpRoute('8.8.0.0/16 linkdown \n\tnexthop via 10.0.0.2 dev veth0 weight 2 linkdown \n\tnexthop via 10.0.0.3 dev veth0 weight 1 linkdown \n1.0.0.0/8 dev x\n', 'f');
    expect(rs).toHaveLength(2);
    expect(rs[0].nexthops).toEqual([
      { via: '10.0.0.2', dev: 'veth0', weight: 2, flags: ['linkdown'] },
      { via: '10.0.0.3', dev: 'veth0', weight: 1, flags: ['linkdown'] },
    ]);
    expect(rs[0].flags).toEqual(['linkdown']);
  });
  it('IPv6 multipath with pref before the nexthops', () => {
    const rs = parseIpRoute('2001:db8:6::/64 metric 1024 pref medium\n\tnexthop via 2001:db8::2 dev veth0 weight 1 \n\tnexthop via 2001:db8::3 dev veth0 weight 1\n', 'f');
    expect(rs[0].nexthops.map((n) => n.via)).toEqual(['2001:db8::2', '2001:db8::3']);
  });
  it('IPv6 addresses are canonical', () => {
    expect(parseRouteLine('2001:0DB8:0000:0000::1/128 dev lo').dst.addr).toBe('2001:db8::1');
  });
  it('cache lines continue the route', () => {
    const rs = parseIpRoute('10.1.1.1 via 10.0.0.1 dev eth0\n    cache expires 100sec mtu 1400\n', 'f');
    expect(rs).toHaveLength(1);
    expect(rs[0]).toMatchObject({ expires: '100sec', mtu: 1400, flags: ['cache'] });
  });
  it('unknown words are kept and warned about', () => {
    const warnings: { message: string }[] = [];
    const rs = parseIpRoute('10.0.0.0/8 dev eth0 frobnicate\n', 'f', { warnings: warnings as InputIssue[] });
    expect(rs[0].flags).toEqual(['frobnicate']);
    expect(warnings[0].message).toMatch(/unknown word 'frobnicate'/);
  });
  it('reports every error with file:line:col', () => {
    try {
      parseIpRoute('10.0.0.0/33 dev eth0\n1.2.3.0/24 via nope dev x\nroot@host:~# ip route\n10.0.0.0/8 dev\n', 'rt');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      const iss = (e as InputError).issues.map((i) => `${i.loc.file}:${i.loc.line}:${i.loc.col} ${i.text}`);
      expect(iss).toEqual(['rt:1:1 10.0.0.0/33', 'rt:2:16 nope', 'rt:3:1 root@host:~#', 'rt:4:12 dev']);
      expect((e as InputError).issues[2].hint).toMatch(/shell prompt/);
    }
  });
});

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join('.'));
const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((g) => g.map((x) => x.toString(16)).join(':'));
const word = fc.constantFrom('eth0', 'veth1', 'br-1a2b', 'eth0.100', 'lo');

const routeArb = fc.record({
  fam: fc.constantFrom(4 as const, 6 as const),
  type: fc.constantFrom('unicast', 'local', 'broadcast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'anycast', 'multicast'),
  len: fc.nat(128),
  a4: v4, a6: v6, via4: v4, via6: v6,
  dev: fc.option(word, { nil: undefined }),
  table: fc.constantFrom('main', 'local', '100', 'DSL'),
  proto: fc.option(fc.constantFrom('kernel', 'static', 'dhcp', 'ra', 'bird'), { nil: undefined }),
  scope: fc.option(fc.constantFrom('link', 'host', '200'), { nil: undefined }),
  metric: fc.option(fc.nat(), { nil: undefined }),
  tos: fc.option(fc.nat(255), { nil: undefined }),
  flags: fc.subarray(['onlink', 'linkdown', 'dead', 'offload']),
  mtu: fc.option(fc.integer({ min: 68, max: 65535 }), { nil: undefined }),
  lock: fc.boolean(),
  pref: fc.option(fc.constantFrom('low', 'medium', 'high'), { nil: undefined }),
  expires: fc.option(fc.nat(100000).map((n) => `${n}sec`), { nil: undefined }),
  multi: fc.array(fc.record({ dev: word, w: fc.integer({ min: 1, max: 256 }), gw4: v4, gw6: v6 }), { minLength: 0, maxLength: 3 }),
  withVia: fc.boolean(),
});

describe('print∘parse round trip (fast-check)', () => {
  it('parse(formatRoute(r)) == r', () => {
    fc.assert(
      fc.property(routeArb, (g) => {
        const dst = g.fam === 4 ? `${g.a4}/${g.len % 33}` : `${g.a6}/${g.len}`;
        const parts = [g.type === 'unicast' ? '' : g.type, dst];
        if (g.tos !== undefined) parts.push(`tos 0x${g.tos.toString(16).padStart(2, '0')}`);
        const multi = g.multi.length >= 2;
        if (!multi && g.withVia) parts.push(`via ${g.fam === 4 ? g.via4 : g.via6}`);
        if (!multi && g.dev) parts.push(`dev ${g.dev}`);
        if (g.table !== 'main') parts.push(`table ${g.table}`);
        if (g.proto) parts.push(`proto ${g.proto}`);
        if (g.scope) parts.push(`scope ${g.scope}`);
        if (g.metric !== undefined) parts.push(`metric ${g.metric}`);
        parts.push(...g.flags);
        if (g.expires) parts.push(`expires ${g.expires}`);
        if (g.mtu) parts.push(g.lock ? `mtu lock ${g.mtu}` : `mtu ${g.mtu}`);
        if (g.pref) parts.push(`pref ${g.pref}`);
        let text = parts.filter(Boolean).join(' ');
        if (multi) for (const n of g.multi) text += `\n\tnexthop via ${g.fam === 4 ? n.gw4 : n.gw6} dev ${n.dev} weight ${n.w}`;
        const r1 = parseIpRoute(text, 'f');
        expect(r1).toHaveLength(1);
        const printed = formatRoute(r1[0]);
        const r2 = parseIpRoute(printed, 'f');
        expect(r2.map(strip)).toEqual(r1.map(strip));
        expect(formatRoute(r2[0])).toBe(printed);
      }),
      { numRuns: 400 },
    );
  });
});

describe('robustness (fast-check)', () => {
  it('arbitrary text throws nothing but InputError', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...' \t\nabcdefvia0123456789./:xdevlocaltablenexthopweightmtulock-'.split('')) }), (s) => {
        try {
          parseIpRoute(s, 'f');
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
        }
      }),
      { numRuns: 1000 },
    );
  });
  it.runIf(corpusAvailable)('mutated corpus files throw nothing but InputError', () => {
    const texts = ROUTE_FILES.map(readCorpus);
    fc.assert(
      fc.property(fc.nat(texts.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(8), fc.string({ maxLength: 6 }))), (k, muts) => {
        let s = texts[k];
        for (const [pos, del, ins] of muts) {
          const p = pos % (s.length + 1);
          s = s.slice(0, p) + ins + s.slice(p + del);
        }
        try {
          parseIpRoute(s, 'f');
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('reserved table numbers', () => {
  it('table 255 is local, 254 main', () => {
    expect(parseRouteLine('local 10.0.0.1 dev eth0 table 255 scope host').table).toBe('local');
    expect(parseRouteLine('10.0.0.0/8 dev eth0 table 254').table).toBe('main');
  });
});

describe('grammar/ip-route.peggy: keywords', () => {
  const load = (line: string) => {
    const warnings: InputIssue[] = [];
    return { r: parseRouteLine(line, 'f', { warnings }), warnings };
  };
  it('every route type, flag, metric and extra key the loader exports is read as what it is', () => {
    for (const t of ROUTE_TYPES) expect(load(`${t} 10.0.0.0/8 dev eth0`).r.type).toBe(t);
    for (const f of ROUTE_FLAGS) expect(load(`10.0.0.0/8 dev eth0 ${f}`)).toEqual({ r: expect.objectContaining({ flags: [f] }), warnings: [] });
    for (const m of ROUTE_METRICS) {
      const { r, warnings } = load(`10.0.0.0/8 dev eth0 ${m} lock 7`);
      expect(warnings).toEqual([]);
      expect(r.locks).toEqual([m]);
      if (m === 'mtu') expect(r.mtu).toBe(7);
      else if (m === 'advmss') expect(r.advmss).toBe(7);
      else expect(r.extra).toEqual({ [m]: '7' });
    }
    for (const k of ROUTE_EXTRA_KEYS) {
      const v = k === 'from' ? '10.1.0.0/16' : '7';
      const { r, warnings } = load(`10.0.0.0/8 dev eth0 ${k} ${v}`);
      expect(r.extra).toEqual({ [k]: v });
      expect(warnings.map((w) => w.message)).toEqual(k === 'encap' ? ['lightweight-tunnel encapsulation is kept but not simulated'] : []);
    }
  });
  it('a keyword is a whole word: a longer word is an unknown word', () => {
    for (const w of ['devx', 'vias', 'rt_offload_failedx', 'realmsx', 'mtux', 'linkdown2', 'nexthops']) {
      const { r, warnings } = load(`10.0.0.0/8 dev eth0 ${w}`);
      expect(r.flags).toEqual([w]);
      expect(warnings.map((x) => [x.loc.col, x.message])).toEqual([[21, `unknown word '${w}' in a route; kept as a flag, not interpreted`]]);
    }
  });
  it('`via inet6` / `via inet` take the gateway after the family', () => {
    expect(parseRouteLine('10.0.0.0/8 via inet6 fe80::1 dev eth0').nexthops).toEqual([{ via: 'fe80::1', dev: 'eth0', flags: [] }]);
    const rs = parseIpRoute('2001:db8::/64 metric 1024\n\tnexthop via inet 10.0.0.1 dev eth0 weight 1\n\tnexthop via inet 10.0.0.2 dev eth1 weight 1\n', 'f');
    expect(rs[0].nexthops.map((n) => n.via)).toEqual(['10.0.0.1', '10.0.0.2']);
  });
});

describe('grammar/ip-route.peggy: what is reported', () => {
  const issues = (text: string) => {
    try {
      parseIpRoute(text, 'f');
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return e.issues.map((i) => [i.severity, i.loc.line, i.loc.col, i.text, i.message]);
    }
    return [];
  };
  it('a keyword at the end of the line: what it needs, at the keyword', () => {
    const cases: [string, number, string, string][] = [
      ['dev', 12, 'dev', "'dev' needs a value: an interface name"],
      ['oif  ', 12, 'oif', "'oif' needs a value: an interface name"],
      ['via', 12, 'via', "'via' needs a value: a gateway address"],
      ['via inet', 16, 'inet', "'inet' needs a value: a gateway address"],
      ['metric', 12, 'metric', "'metric' needs a value: a number"],
      ['scope\t', 12, 'scope', "'scope' needs a value: a scope (host, link, global, or a number)"],
      ['expires', 12, 'expires', "'expires' needs a value: a time like 123sec"],
      ['pref', 12, 'pref', "'pref' needs a value: low, medium or high"],
      ['mtu', 12, 'mtu', "'mtu' needs a value: a value"],
      ['mtu lock', 16, 'lock', "'lock' needs a value: a value"],
      ['from', 12, 'from', "'from' needs a value: a value"],
      ['encap', 12, 'encap', "'encap' needs a value: a value"],
    ];
    for (const [kw, col, text, message] of cases) expect(issues(`10.0.0.0/8 ${kw}`)).toEqual([['error', 1, col, text, message]]);
  });
  it('a route type alone, a nexthop or cache line with no route above', () => {
    expect(issues('  unreachable  \n')).toEqual([['error', 1, 3, 'unreachable', "route type 'unreachable' without a destination"]]);
    expect(issues('\tnexthop via 10.0.0.1 dev eth0 \n')).toEqual([['error', 1, 2, 'nexthop via 10.0.0.1 dev eth0', 'nexthop line without a route above it']]);
    expect(issues('    cache expires 5sec\n')).toEqual([['error', 1, 5, 'cache', "expected a route destination (prefix or 'default'): 'cache' is not an IPv4 or IPv6 address"]]);
    // a route that does not load takes its continuation lines with it, each reported
    expect(issues('10.0.0.0/33 dev eth0\n\tnexthop dev eth1\n    cache\n')).toEqual([
      ['error', 1, 1, '10.0.0.0/33', expect.stringMatching(/^expected a route destination/)],
      ['error', 2, 2, 'nexthop dev eth1', 'nexthop line without a route above it'],
      ['error', 3, 5, 'cache', expect.stringMatching(/^expected a route destination/)],
    ]);
  });
  it('every problem of a line, in order', () => {
    expect(issues('1.2.3.0/24 via nope metric x frob pref best dev')).toEqual([
      ['error', 1, 16, 'nope', "'via' needs a gateway address, got 'nope'"],
      ['error', 1, 28, 'x', "'metric' needs a number, got 'x'"],
      ['warning', 1, 30, 'frob', "unknown word 'frob' in a route; kept as a flag, not interpreted"],
      ['error', 1, 40, 'best', "'pref' must be low, medium or high, got 'best'"],
      ['error', 1, 45, 'dev', "'dev' needs a value: an interface name"],
    ]);
    expect(issues('10.0.0.0/8 dev eth0\n\tnexthop via nope weight 0 odd\n')).toEqual([
      ['error', 2, 14, 'nope', "'via' needs a gateway address, got 'nope'"],
      ['error', 2, 26, '0', "nexthop weight must be 1..256, got '0'"],
      ['warning', 2, 28, 'odd', "unknown word 'odd' in a nexthop; kept as a flag, not interpreted"],
    ]);
  });
  it('inline nexthops: a hop ends before the next `nexthop`, and the first bad hop ends the line', () => {
    expect(issues('1.0.0.0/8 nexthop dev nexthop dev x odd')).toEqual([['error', 1, 19, 'dev', "'dev' needs a value: an interface name"]]);
    expect(issues('1.0.0.0/8 nexthop via inet nexthop dev x odd')).toEqual([['error', 1, 28, 'nexthop', "'via' needs a gateway address, got 'nexthop'"]]);
    expect(issues('1.0.0.0/8 nexthop via inet')).toEqual([['error', 1, 19, 'via', "'via' needs a gateway address"]]);
    expect(issues('1.0.0.0/8 nexthop dev a odd nexthop weight 300 odd2 nexthop odd3')).toEqual([
      ['warning', 1, 25, 'odd', "unknown word 'odd' in a nexthop; kept as a flag, not interpreted"],
      ['error', 1, 44, '300', "nexthop weight must be 1..256, got '300'"],
      ['warning', 1, 48, 'odd2', "unknown word 'odd2' in a nexthop; kept as a flag, not interpreted"],
    ]);
  });
});

describe('ip route: continuation lines', () => {
  it('inline nexthops are the hops of the route, nothing more', () => {
    const r = parseRouteLine('8.8.0.0/16 proto static nexthop via 10.0.0.2 dev veth0 weight 2 onlink nexthop via 10.0.0.3 dev veth1 weight 1');
    expect(r.nexthops).toEqual([
      { via: '10.0.0.2', dev: 'veth0', weight: 2, flags: ['onlink'] },
      { via: '10.0.0.3', dev: 'veth1', weight: 1, flags: [] },
    ]);
    expect(r.proto).toBe('static');
  });
  it('a cache line under a route without a nexthop gives it the one it names', () => {
    const rs = parseIpRoute('blackhole 1.2.3.0/24\n    cache dev eth0 expires 5sec\nthrow 1.2.4.0/24\n    cache expires 6sec\n', 'f');
    expect(rs[0]).toMatchObject({ nexthops: [{ dev: 'eth0', flags: [] }], flags: ['cache'], expires: '5sec' });
    expect(rs[1]).toMatchObject({ nexthops: [], flags: ['cache'], expires: '6sec' });
  });
  it('ip -6 route show cache: the cache line continues the route above', () => {
    const rs = parseIpRoute('2001:db8::5 via fe80::1 dev eth0 metric 0 \n    cache  expires 300sec mtu 1280 pref medium\n2001:db8::/64 dev eth0 proto kernel metric 256 pref medium\n', 'f');
    expect(rs).toHaveLength(2);
    expect(rs[0]).toMatchObject({ family: 6, flags: ['cache'], expires: '300sec', mtu: 1280, pref: 'medium', nexthops: [{ via: 'fe80::1', dev: 'eth0', flags: [] }] });
    expect(rs[1].loc.line).toBe(3);
  });
});

const sepArb = fc.array(fc.constantFrom(' ', '\t', '\f', '\v'), { minLength: 1, maxLength: 3 }).map((a) => a.join(''));
const vocab = ['via', 'inet', 'inet6', 'dev', 'oif', 'weight', 'src', 'table', 'proto', 'scope', 'metric', 'tos', 'expires', 'pref', 'nexthop',
  'lock', 'mtu', 'advmss', 'rtt', 'from', 'all', 'realms', 'encap', 'cache', 'onlink', 'linkdown', 'frob', 'default', 'blackhole', 'local',
  '10.0.0.1', '10.0.0.0/8', '10.0.0.0/33', 'fe80::1', '2001:db8::/64', '0', '7', '257', '-1', '100sec', 'low', '0x10', 'lowdelay', 'eth0', '#x', 'nope'];
const lineArb = fc.tuple(fc.constantFrom('', ' ', '\t', '    '), fc.array(fc.tuple(fc.constantFrom(...vocab), sepArb), { maxLength: 10 }))
  .map(([indent, ws]) => indent + ws.map(([w, s], i) => (i ? s : '') + w).join(''));

describe('grammar/ip-route.peggy: properties (fast-check)', () => {
  it('an issue points at its word: its column is where its text starts on its line', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 5 }), fc.constantFrom('\n', '\r\n', '\r'), (lines, eol) => {
        const warnings: InputIssue[] = [];
        let issues: InputIssue[] = warnings;
        try {
          parseIpRoute(lines.join(eol), 'f', { warnings });
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          issues = e.issues;
        }
        for (const i of issues) expect(lines[i.loc.line - 1].slice(i.loc.col - 1).startsWith(i.text.split(' ')[0])).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
  it('LF, CRLF and CR line ends, blank lines and comments: same routes, same line numbers', () => {
    const routeLine = fc.constantFrom('default via 10.0.0.1 dev eth0 proto dhcp metric 100', 'blackhole 10.9.0.0/16', 'local 10.0.0.5 dev eth0 table local scope host src 10.0.0.5',
      '2001:db8::/64 dev eth0 proto kernel metric 256 pref medium', '8.8.0.0/16 proto static\n\tnexthop via 10.0.0.2 dev eth0 weight 1\n\tnexthop via 10.0.0.3 dev eth1 weight 1');
    const filler = fc.constantFrom('', '   ', '# ip route show table all', '\t');
    fc.assert(
      fc.property(fc.array(fc.oneof(routeLine, filler), { minLength: 1, maxLength: 8 }), (parts) => {
        const lf = parts.join('\n');
        const expected = parseIpRoute(lf, 'f');
        let lineNo = 1;
        const starts: number[] = [];
        for (const p of parts) {
          if (p.trim() && !p.startsWith('#')) starts.push(lineNo);
          lineNo += p.split('\n').length;
        }
        expect(expected.map((r) => r.loc.line)).toEqual(starts);
        for (const eol of ['\r\n', '\r']) expect(parseIpRoute(parts.join('\n').replace(/\n/g, eol) + eol, 'f')).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('DiffServ / TOS names', () => {
  it('reads names, hex and decimal, and nothing an object inherits', () => {
    expect(parseDsfield('lowdelay')).toBe(0x10);
    expect(parseDsfield('AF41')).toBe(0x88);
    expect(parseDsfield('0x1c')).toBe(0x1c);
    expect(parseDsfield('16')).toBe(16);
    expect(parseDsfield('constructor')).toBeUndefined();
    expect(parseDsfield('toString')).toBeUndefined();
  });
});
