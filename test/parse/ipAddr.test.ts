import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseIpAddr } from '../../src/parse/ipAddr.js';
import { InputError, type InputIssue } from '../../src/model/source.js';
import type { IfAddress, Interface } from '../../src/model/host.js';
import { ADDR_FILES, corpusAvailable, readCorpus } from './ipCorpusFiles.js';

/** Files whose only warnings are expected (anonymised addresses). */
const EXPECTED_WARNINGS: Record<string, RegExp> = {
  'net-network/config_home_user/ip_addr': /redacted/,
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip-addr-2015-05-13_10-53-20': /redacted/,
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip-addr-2015-09-03_15-56-50': /redacted/,
  'net-network/config_ongy_flat_share/2015_aug_ipaddrs': /redacted/,
  'net-network/configs_synology_diskstation_ds414/ip_addr_show_jul_2016': /redacted/,
};

describe.runIf(corpusAvailable)('corpus ip-addr files', () => {
  for (const f of ADDR_FILES) {
    it(`loads ${f}`, () => {
      const warnings: InputIssue[] = [];
      const ifs = parseIpAddr(readCorpus(f), f, { warnings });
      expect(ifs.length).toBeGreaterThan(0);
      if (EXPECTED_WARNINGS[f]) {
        expect(warnings.length).toBeGreaterThan(0);
        for (const w of warnings) expect(w.message).toMatch(EXPECTED_WARNINGS[f]);
      } else expect(warnings).toEqual([]);
      for (const i of ifs) expect(i.addresses.every((a) => a.local.len >= 0)).toBe(true);
    });
  }
  it('coreos ip -d address: detail line, dynamic noprefixroute', () => {
    const f = 'coreos-sosreport/sos_commands/networking/ip_-d_address';
    const [lo, eth0] = parseIpAddr(readCorpus(f), f);
    expect(lo).toMatchObject({ name: 'lo', index: 1, kind: 'loopback', mtu: 65536, state: 'UNKNOWN', linkType: 'loopback' });
    expect(eth0).toMatchObject({ name: 'eth0', kind: 'ether', mac: '00:15:5d:b7:25:12', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'] });
    expect(eth0.addresses[0]).toMatchObject({ family: 4, local: { addr: '172.16.1.10', len: 24 }, broadcast: '172.16.1.255', scope: 'global', secondary: false, flags: ['dynamic', 'noprefixroute'] });
    expect(eth0.addresses[1]).toMatchObject({ family: 6, local: { addr: 'fe80::6f03:6200:832a:7582', len: 64 }, scope: 'link', flags: ['noprefixroute'] });
  });
  it('coreos ip -o addr equals the multi-line form', () => {
    const o = parseIpAddr(readCorpus('coreos-sosreport/sos_commands/networking/ip_-o_addr'), 'o');
    const d = parseIpAddr(readCorpus('coreos-sosreport/sos_commands/networking/ip_-d_address'), 'd');
    const addrs = (x: typeof o) => x.map((i) => [i.name, i.addresses.map((a) => ({ ...a, loc: undefined }))]);
    expect(addrs(o)).toEqual(addrs(d));
    expect(o[1].addresses[0].loc).toEqual({ file: 'o', line: 3, col: 12 });
  });
  it('TUM: redacted MACs', () => {
    const f = 'net-network/configs_chair_for_Network_Architectures_and_Services/ip-addr-2016-03-16_13-53-28';
    const ifs = parseIpAddr(readCorpus(f), f);
    expect(ifs.filter((i) => i.mac === 'redacted').length).toBeGreaterThan(10);
  });
  it('home_user: eth0.10@eth0 vlan links and a redacted address', () => {
    const f = 'net-network/config_home_user/ip_addr';
    const ifs = parseIpAddr(readCorpus(f), f);
    expect(ifs.find((i) => i.name === 'eth0.10')?.peer).toEqual({ name: 'eth0' });
    expect(ifs.find((i) => i.name === 'eth1')?.addresses).toEqual([]);
  });
});

const LINK = `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1
2: veth1@veth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br0 state UP mode DEFAULT group default qlen 1000
    link/ether 6a:05:8c:7b:83:38 brd ff:ff:ff:ff:ff:ff promiscuity 1  allmulti 1 minmtu 68 maxmtu 65535
    veth
    bridge_slave state disabled priority 32 cost 2 hairpin off guard off
3: veth0@if2: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default qlen 1000
    link/ether 7e:5e:97:fa:71:8b brd ff:ff:ff:ff:ff:ff link-netns nfsim-b promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535
    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536
4: br0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether 6a:05:8c:7b:83:38 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535
    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768 vlan_filtering 0
5: tun1: <POINTOPOINT,MULTICAST,NOARP> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 500
    link/none  promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535
    tun type tun pi off vnet_hdr off persist on addrgenmode eui64
6: vx0: <BROADCAST,MULTICAST> mtu 1450 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether 3e:5e:9f:ae:b4:14 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535
    vxlan id 42 dev veth0 srcport 0 0 dstport 4789 ttl auto ageing 300 udpcsum
7: eth0@if9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default
    link/ether XX:XX:XX:XX:XX:XX brd ff:ff:ff:ff:ff:ff link-netnsid 0
8: dummy0@NONE: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether 12:34:56:78:9a:bc brd ff:ff:ff:ff:ff:ff
    altname enp0s3
`;

describe('ip -d link forms', () => {
  const ifs = parseIpAddr(LINK, 'link');
  const by = Object.fromEntries(ifs.map((i) => [i.name, i]));
  it('kinds from the detail line', () => {
    expect(ifs.map((i) => [i.name, i.kind])).toEqual([
      ['lo', 'loopback'], ['veth1', 'veth'], ['veth0', 'veth'], ['br0', 'bridge'], ['tun1', 'tun'], ['vx0', 'vxlan'], ['eth0', undefined], ['dummy0', undefined],
    ]);
  });
  it('peers, netns, master, slave kind, redacted mac', () => {
    expect(by.veth1).toMatchObject({ master: 'br0', slaveKind: 'bridge_slave', hairpin: false, peer: { name: 'veth0' }, state: 'UP', mtu: 1500 });
    expect(by.veth0.peer).toEqual({ index: 2, netns: 'nfsim-b' });
    expect(by.eth0).toMatchObject({ mac: 'redacted', peer: { index: 9, netnsId: 0 } });
    expect(by.dummy0.peer).toEqual({ none: true });
    expect(by.dummy0.altnames).toEqual(['enp0s3']);
    expect(by.tun1).toMatchObject({ linkType: 'none', flags: ['POINTOPOINT', 'MULTICAST', 'NOARP'] });
    expect(by.tun1.mac).toBeUndefined();
  });
});

describe('ip addr forms', () => {
  const ADDR = `2: veth0@if2: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN group default qlen 1000
    link/ether 7e:5e:97:fa:71:8b brd ff:ff:ff:ff:ff:ff link-netnsid 3
    inet 10.0.0.1/24 brd 10.0.0.255 scope global veth0
       valid_lft forever preferred_lft forever
    inet 10.0.0.5/24 scope global secondary veth0:1
       valid_lft forever preferred_lft forever
    inet 10.9.0.1 peer 10.9.0.2/32 scope global veth0
    inet6 2001:db8::1/64 scope global nodad 
       valid_lft forever preferred_lft forever
    inet6 fe80::1/64 scope link proto kernel_ll 
`;
  it('secondary, label, peer, nodad, proto', () => {
    const [v] = parseIpAddr(ADDR, 'a');
    expect(v.peer).toEqual({ index: 2, netnsId: 3 });
    expect(v.addresses.map((a) => ({ l: `${a.local.addr}/${a.local.len}`, s: a.secondary, lab: a.label, f: a.flags, p: a.peer?.addr, b: a.broadcast }))).toEqual([
      { l: '10.0.0.1/24', s: false, lab: undefined, f: [], p: undefined, b: '10.0.0.255' },
      { l: '10.0.0.5/24', s: true, lab: 'veth0:1', f: [], p: undefined, b: undefined },
      { l: '10.9.0.1/32', s: false, lab: undefined, f: [], p: '10.9.0.2', b: undefined },
      { l: '2001:db8::1/64', s: false, lab: undefined, f: ['nodad'], p: undefined, b: undefined },
      { l: 'fe80::1/64', s: false, lab: undefined, f: ['proto kernel_ll'], p: undefined, b: undefined },
    ]);
  });
  it('errors with positions', () => {
    try {
      parseIpAddr('    inet 1.2.3.4/24 scope global x\n2: eth0: <UP> mtu x\n    inet 1.2.3.4/99 scope global eth0\n', 'bad');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).issues.map((i) => `${i.loc.line}:${i.loc.col} ${i.text}`)).toEqual([
        '1:5 inet 1.2.3.4/24 scope global x', '2:19 x', '3:10 1.2.3.4/99',
      ]);
    }
  });
  it('arbitrary text and mutations throw only InputError', () => {
    fc.assert(
      fc.property(fc.nat(LINK.length), fc.nat(LINK.length), fc.string({ maxLength: 8 }), fc.string({ unit: fc.constantFrom(...'0123456789: <>@\\\n\tinet6/link'.split('')) }), (a, b, ins, junk) => {
        for (const s of [LINK.slice(0, a) + ins + LINK.slice(b), junk]) {
          try {
            parseIpAddr(s, 'f');
          } catch (e) {
            if (!(e instanceof InputError)) throw e;
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('ip -o link', () => {
  it('one line per interface with backslash continuations', () => {
    const t = '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n' +
      '2: veth0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br0 state UP mode DEFAULT group default qlen 1000\\    link/ether 7e:5e:97:fa:71:8b brd ff:ff:ff:ff:ff:ff link-netnsid 0\n';
    const ifs = parseIpAddr(t, 'o');
    expect(ifs.map((i) => [i.name, i.kind, i.master, i.mac, i.peer])).toEqual([
      ['lo', 'loopback', undefined, '00:00:00:00:00:00', undefined],
      ['veth0', undefined, 'br0', '7e:5e:97:fa:71:8b', { index: 5, netnsId: 0 }],
    ]);
  });
});

// ---- the grammar (grammar/ip-addr.peggy) against a printer of ip(8)'s layout ----

interface GenAddr {
  family: 4 | 6;
  addr: string;
  len: number;
  brd?: string;
  scope: string;
  secondary: boolean;
  label?: string;
  flags: string[];
  metric?: number;
}
interface GenIface {
  name: string;
  flags: string[];
  mtu: number;
  state: string;
  master?: string;
  peer?: { index: number; netnsId: number } | { name: string } | { none: true };
  mac: string;
  kind?: 'veth' | 'bridge' | 'vxlan';
  slave?: { hairpin: boolean };
  altname?: string;
  addrs: GenAddr[];
}

const octet = fc.integer({ min: 0, max: 255 });
const hex2 = octet.map((n) => n.toString(16).padStart(2, '0'));
const genAddr: fc.Arbitrary<GenAddr> = fc.oneof(
  fc.record({
    family: fc.constant(4 as const),
    addr: fc.tuple(octet, octet, octet, octet).map((o) => o.join('.')),
    len: fc.integer({ min: 0, max: 32 }),
    brd: fc.option(fc.tuple(octet, octet, octet, octet).map((o) => o.join('.')), { nil: undefined }),
    scope: fc.constantFrom('global', 'host', 'link', '200'),
    secondary: fc.boolean(),
    label: fc.option(fc.integer({ min: 0, max: 99 }).map((n) => `:${n}`), { nil: undefined }),
    flags: fc.subarray(['dynamic', 'noprefixroute']),
    metric: fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
  }),
  fc.record({
    family: fc.constant(6 as const),
    addr: fc.tuple(fc.constantFrom('2001:db8::', 'fe80::'), fc.integer({ min: 1, max: 0xffff })).map(([p, n]) => `${p}${n.toString(16)}`),
    len: fc.integer({ min: 0, max: 128 }),
    scope: fc.constantFrom('global', 'link'),
    secondary: fc.constant(false),
    flags: fc.subarray(['nodad', 'noprefixroute', 'tentative']),
  }),
);
const genIfaces: fc.Arbitrary<GenIface[]> = fc.uniqueArray(
  fc.record(
    {
      name: fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}(\.[0-9]{1,4})?$/),
      flags: fc.subarray(['BROADCAST', 'MULTICAST', 'NOARP', 'UP', 'LOWER_UP', 'NO-CARRIER'], { minLength: 1 }),
      mtu: fc.integer({ min: 68, max: 65536 }),
      state: fc.constantFrom('UP', 'DOWN', 'UNKNOWN', 'LOWERLAYERDOWN'),
      master: fc.option(fc.constantFrom('br0', 'bond0'), { nil: undefined }),
      peer: fc.option(
        fc.oneof(
          fc.record({ index: fc.integer({ min: 1, max: 9999 }), netnsId: fc.integer({ min: 0, max: 99 }) }),
          fc.record({ name: fc.constantFrom('eth0', 'bond0', 'vlan.7') }),
          fc.constant({ none: true as const }),
        ),
        { nil: undefined },
      ),
      mac: fc.oneof(fc.array(hex2, { minLength: 6, maxLength: 6 }).map((h) => h.join(':')), fc.constant('redacted')),
      kind: fc.option(fc.constantFrom('veth' as const, 'bridge' as const, 'vxlan' as const), { nil: undefined }),
      slave: fc.option(fc.record({ hairpin: fc.boolean() }), { nil: undefined }),
      altname: fc.option(fc.stringMatching(/^enp[0-9]s[0-9]$/), { nil: undefined }),
      addrs: fc.array(genAddr, { maxLength: 3 }),
    },
    { requiredKeys: ['name', 'flags', 'mtu', 'state', 'mac', 'addrs'] },
  ),
  { minLength: 1, maxLength: 5, selector: (i) => i.name },
);

/** The records of `ip -d addr show` for the interfaces, one array of lines per interface. */
function printRecords(ifs: GenIface[]): string[][] {
  return ifs.map((i, n) => {
    const peer = !i.peer ? '' : 'none' in i.peer ? '@NONE' : 'index' in i.peer ? `@if${i.peer.index}` : `@${i.peer.name}`;
    const L = [`${n + 1}: ${i.name}${peer}: <${i.flags.join(',')}> mtu ${i.mtu} qdisc noqueue${i.master ? ` master ${i.master}` : ''} state ${i.state} group default qlen 1000`];
    const mac = i.mac === 'redacted' ? 'XX:XX:XX:XX:XX:XX' : i.mac;
    const netns = i.peer && 'netnsId' in i.peer ? ` link-netnsid ${i.peer.netnsId}` : '';
    L.push(`    link/ether ${mac} brd ff:ff:ff:ff:ff:ff${netns} promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 `);
    if (i.kind === 'veth') L.push('    veth ');
    if (i.kind === 'bridge') L.push('    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768 vlan_filtering 0 ');
    if (i.kind === 'vxlan') L.push('    vxlan id 42 dev eth0 srcport 0 0 dstport 4789 ttl auto ageing 300 udpcsum ');
    if (i.slave) L.push(`    bridge_slave state forwarding priority 32 cost 2 hairpin ${i.slave.hairpin ? 'on' : 'off'} guard off root_block off `);
    L.push('    addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 ');
    if (i.altname) L.push(`    altname ${i.altname}`);
    for (const a of i.addrs) {
      const words = [a.family === 4 ? 'inet' : 'inet6', `${a.addr}/${a.len}`];
      if (a.metric !== undefined) words.push('metric', String(a.metric));
      if (a.brd) words.push('brd', a.brd);
      words.push('scope', a.scope);
      if (a.secondary) words.push('secondary');
      words.push(...a.flags);
      if (a.family === 4) words.push(a.label ? `${i.name}${a.label}` : i.name);
      L.push(`    ${words.join(' ')}${a.family === 6 ? ' ' : ''}`, '       valid_lft forever preferred_lft forever');
    }
    return L;
  });
}

function expected(i: GenIface, n: number): Partial<Interface> {
  const peer = !i.peer ? undefined : 'netnsId' in i.peer ? { index: i.peer.index, netnsId: i.peer.netnsId } : i.peer;
  return {
    name: i.name,
    index: n + 1,
    kind: i.kind ?? 'ether',
    mtu: i.mtu,
    state: i.state,
    flags: i.flags,
    mac: i.mac,
    master: i.master,
    peer,
    linkType: 'ether',
    slaveKind: i.slave ? 'bridge_slave' : undefined,
    hairpin: i.slave?.hairpin,
    altnames: i.altname ? [i.altname] : undefined,
  };
}

function addrView(a: IfAddress) {
  return { family: a.family, addr: a.local.addr, len: a.local.len, brd: a.broadcast, scope: a.scope, secondary: a.secondary, label: a.label, flags: a.flags, metric: a.metric };
}

const withoutLoc = (ifs: Interface[]) => ifs.map(({ loc: _l, addresses, ...rest }) => ({ ...rest, addresses: addresses.map(({ loc: _a, ...a }) => a) }));

describe('printer round trip (fast-check)', () => {
  it('a printed ip -d addr dump parses back to its interfaces, without warnings', () => {
    fc.assert(
      fc.property(genIfaces, (gen) => {
        const text = printRecords(gen).flat().join('\n') + '\n';
        const warnings: InputIssue[] = [];
        const ifs = parseIpAddr(text, 'p', { warnings });
        expect(warnings).toEqual([]);
        expect(ifs.map((i) => i.name)).toEqual(gen.map((g) => g.name));
        gen.forEach((g, n) => {
          const { addresses, ...rest } = ifs[n];
          expect(rest).toEqual({ ...expected(g, n), loc: { file: 'p', line: expect.any(Number), col: 1 } });
          expect(addresses.map(addrView)).toEqual(
            g.addrs.map((a) => ({ family: a.family, addr: a.addr, len: a.len, brd: a.brd, scope: a.scope, secondary: a.secondary, label: a.label ? `${g.name}${a.label}` : undefined, flags: a.flags, metric: a.metric })),
          );
        });
      }),
      { numRuns: 300 },
    );
  });
  it('ip -o (records joined by `\\`) and CRLF line ends read the same as the multi-line form', () => {
    fc.assert(
      fc.property(genIfaces, (gen) => {
        const recs = printRecords(gen);
        const multi = parseIpAddr(recs.flat().join('\n'), 'm');
        const oneline = parseIpAddr(recs.map((r) => r.join('\\')).join('\n') + '\n', 'o');
        const crlf = parseIpAddr(recs.flat().join('\r\n') + '\r\n', 'c');
        expect(withoutLoc(oneline)).toEqual(withoutLoc(multi));
        expect(crlf.map((i) => i.loc?.line)).toEqual(multi.map((i) => i.loc?.line));
        expect(withoutLoc(crlf)).toEqual(withoutLoc(multi));
        // ip -o addr: one line per address, `N: NAME    inet ...\       valid_lft ...`.
        const addrLines = recs.flatMap((r, n) => r.filter((l) => /^ {4}inet6? /.test(l)).map((l) => `${n + 1}: ${gen[n].name}${l}\\       valid_lft forever preferred_lft forever`));
        const oAddr = parseIpAddr(addrLines.join('\n'), 'a');
        const withAddrs = multi.filter((i) => i.addresses.length > 0);
        expect(oAddr.map((i) => [i.name, i.addresses.map(addrView)])).toEqual(withAddrs.map((i) => [i.name, i.addresses.map(addrView)]));
      }),
      { numRuns: 200 },
    );
  });
  it('every bad line of a dump is reported, each at its own line', () => {
    fc.assert(
      fc.property(genIfaces, fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), (gen, at) => {
        const lines = printRecords(gen).flat();
        const bad = new Set<number>();
        for (const p of at) {
          const k = 1 + (p % lines.length); // after the first header: every bad line has an interface
          lines.splice(k, 0, '    ?? not ip output');
        }
        lines.forEach((l, k) => l.startsWith('    ??') && bad.add(k + 1));
        try {
          parseIpAddr(lines.join('\n'), 'b');
          expect.unreachable();
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          const errs = (e as InputError).issues.filter((i) => i.severity === 'error');
          expect(errs.map((i) => `${i.loc.line}:${i.loc.col} ${i.text}`)).toEqual([...bad].map((l) => `${l}:5 ?? not ip output`));
          expect(errs[0].message).toMatch(/^unexpected line in interface /);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('line forms the grammar names', () => {
  const issuesOf = (text: string) => {
    try {
      const warnings: InputIssue[] = [];
      parseIpAddr(text, 'x', { warnings });
      return warnings.map((i) => `${i.severity} ${i.loc.line}:${i.loc.col} ${i.text} | ${i.message}`);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return e.issues.map((i) => `${i.severity} ${i.loc.line}:${i.loc.col} ${i.text} | ${i.message}`);
    }
  };
  const H = '1: eth0: <UP> mtu 1500 state UP\n';

  it('blank lines (also no-break spaces), # comments and CR line ends', () => {
    const [i] = parseIpAddr(`# ip -d addr\r\n \u00a0 \r${H.trim()}\r    inet 10.0.0.1/8 scope global eth0\r`, 'x');
    expect(i).toMatchObject({ name: 'eth0', mtu: 1500, loc: { line: 3, col: 1 } });
    expect(i.addresses[0].loc).toEqual({ file: 'x', line: 4, col: 5 });
  });
  it('a backslash joins lines only when whitespace follows it', () => {
    const [i] = parseIpAddr('1: a\\b: <UP> mtu 9000\\    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\\\n', 'x');
    expect(i).toMatchObject({ name: 'a\\b', mtu: 9000, mac: '02:00:00:00:00:01', linkType: 'ether' });
  });
  it('NAME@PEER forms', () => {
    const ifs = parseIpAddr('1: a@NONE: <UP>\n2: b@if12: <UP>\n3: c.5@c: <UP>\n4: d@ifx: <UP>\n', 'x');
    expect(ifs.map((i) => [i.name, i.peer])).toEqual([['a', { none: true }], ['b', { index: 12 }], ['c.5', { name: 'c' }], ['d', { name: 'ifx' }]]);
  });
  it('anonymised addresses: a [placeholder] of several words, X digits', () => {
    expect(issuesOf(`${H}    inet [PUBLIC IP HERE] brd x scope global eth0\n    inet 10.x.x.1/24 scope global eth0\n    inet6 2001:db8::xxxx/64 scope global\n`)).toEqual([
      'warning 2:10 [PUBLIC IP HERE] | address of eth0 is redacted in the dump; this address is left out',
      'warning 3:10 10.x.x.1/24 | address of eth0 is redacted in the dump (X digits); this address is left out',
      'warning 4:11 2001:db8::xxxx/64 | address of eth0 is redacted in the dump (X digits); this address is left out',
    ]);
  });
  it('link-layer addresses: tunnel endpoints and colon forms pass, anything else is reported', () => {
    const [a, b] = parseIpAddr('1: t0: <UP>\n    link/ipip 192.0.2.1 peer 192.0.2.2\n2: ib0: <UP>\n    link/infiniband 80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0f:51:c1 brd 00:ff:ff:ff\n', 'x');
    expect([a.linkType, a.mac, b.linkType, b.mac]).toEqual(['ipip', '192.0.2.1', 'infiniband', '80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0f:51:c1']);
    expect(issuesOf(`${H}    link/ether zz brd ff:ff:ff:ff:ff:ff\n`)).toEqual(["error 2:16 zz | 'zz' is not a link-layer address"]);
  });
  it('-d detail lines: kind, port kind, first hairpin, lines without a kind, a second kind', () => {
    const [i, j] = parseIpAddr(`${H}    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n    addrgenmode eui64 numtxqueues 1\n    team_slave queue_id 0\n    macvlan mode bridge\n    dummy\n` +
      '2: p0: <UP>\n    link/ether 02:00:00:00:00:02 brd ff:ff:ff:ff:ff:ff\n    bridge_slave state forwarding hairpin x hairpin on\n', 'x', { warnings: [] });
    expect([i.kind, i.slaveKind, i.hairpin]).toEqual(['macvlan', 'team_slave', undefined]);
    expect([j.kind, j.slaveKind, j.hairpin]).toEqual(['ether', 'bridge_slave', undefined]);
    expect(issuesOf(`${H}    veth\n    dummy\n`)).toEqual(["warning 3:5 dummy | second kind line 'dummy' for eth0 (kind veth); ignored"]);
  });
  it('unknown words: warned with their column, address flags kept', () => {
    expect(issuesOf('1: eth0: <UP> mtu 1500 shiny state UP\n    link/ether 02:00:00:00:00:01 sparkle brd ff:ff:ff:ff:ff:ff\n    inet6 fe80::1/64 scope link glittery\n')).toEqual([
      "warning 1:24 shiny | unknown word 'shiny' in an interface line; ignored",
      "warning 2:34 sparkle | unknown word 'sparkle' in a link/ line; ignored",
      "warning 3:33 glittery | unknown address flag 'glittery'; kept, not interpreted",
    ]);
    const [i] = parseIpAddr('1: eth0: <UP>\n    inet6 fe80::1/64 scope link glittery\n', 'x');
    expect(i.addresses[0].flags).toEqual(['glittery']);
  });
  it('values: numbers in range, keywords that end the line without one', () => {
    expect(issuesOf('1: eth0: <UP> mtu 4294967296 state\n    link/ether 02:00:00:00:00:01 link-netnsid -1\n    inet 10.0.0.1/8 metric 1e3 peer 10.0.0.300 scope global eth0\n    inet 10.0.0.2/8 brd\n    altname\n')).toEqual([
      "error 1:19 4294967296 | mtu needs a number, got '4294967296'",
      "error 1:30 state | 'state' needs a value",
      "error 2:47 -1 | link-netnsid needs a number, got '-1'",
      "error 3:28 1e3 | metric needs a number, got '1e3'",
      "error 3:37 10.0.0.300 | bad peer address: '10.0.0.300' is not an IPv4 or IPv6 address",
      "error 4:21 brd | 'brd' needs a value",
      'error 5:5 altname | altname needs a name',
    ]);
  });
  it('bad headers: lines under them are orphans', () => {
    expect(issuesOf('1:\n2: averyveryverylongname: <UP>\n    inet 10.0.0.1/8 scope global x\n3: eth1: mtu 1500\n4: eth2: <UP>\n5: eth2: <UP>\n')).toEqual([
      'error 1:1 1: | interface index without a name',
      "error 2:4 averyveryverylongname: | 'averyveryverylongname' is not a valid interface name",
      'error 3:5 inet 10.0.0.1/8 scope global x | expected an interface line `N: NAME: <FLAGS> ...`',
      'error 4:10 mtu | expected interface flags <...> after the name',
      'error 6:1 5: | interface eth2 appears with index 5 and 4',
    ]);
  });
});
