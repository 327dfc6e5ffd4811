import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseIpAddr } from '../../src/parse/ipAddr.js';
import { InputError, type InputIssue } from '../../src/model/source.js';
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
