import { describe, expect, it } from 'vitest';
import { formatRoute } from '../../src/parse/ipRouteWrite.js';
import { formatRule } from '../../src/parse/ipRule.js';
import type { World } from '../../src/model/host.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyChanges, parseChangeScript } from '../../src/change/index.js';
import type { InputError } from '../../src/model/source.js';
import { apply, at, host, oneHost, refusal } from './helpers.js';

const routes = (w: World) => host(w).routes.filter((r) => r.family === 4).map(formatRoute);
const addrs = (w: World, dev: string) => host(w).interfaces.find((i) => i.name === dev)!.addresses.filter((a) => a.family === 4).map((a) => `${a.local.addr}/${a.local.len}${a.broadcast ? ` brd ${a.broadcast}` : ''}${a.secondary ? ' secondary' : ''}${a.flags.length ? ' ' + a.flags.join(' ') : ''}`);

describe('ip route', () => {
  it('add fills in what the kernel prints (scope link without a gateway, proto boot not printed, table local for local routes) in dump order', () => {
    const r = apply(`ip route add 192.168.6.0/24 dev eth1 src 10.2.0.1 metric 10 proto static
ip route add 192.168.5.0/24 via 10.1.0.254
ip route add blackhole 10.200.0.0/16
ip route add unreachable 192.168.8.0/24 table 100
ip -4 route add local 192.168.11.1 dev eth0
ip route add default via 10.2.0.254 table 100
`);
    expect(routes(r.world)).toEqual([
      'default via 10.2.0.254 dev eth1 table 100',
      'unreachable 192.168.8.0/24 table 100',
      'default via 10.1.0.254 dev eth0',
      '10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.1',
      '10.2.0.0/24 dev eth1 proto kernel scope link src 10.2.0.1',
      'blackhole 10.200.0.0/16',
      '192.168.5.0/24 via 10.1.0.254 dev eth0',
      '192.168.6.0/24 dev eth1 proto static scope link src 10.2.0.1 metric 10',
      'local 10.1.0.1 dev eth0 table local proto kernel scope host src 10.1.0.1',
      'broadcast 10.1.0.255 dev eth0 table local proto kernel scope link src 10.1.0.1',
      'local 10.2.0.1 dev eth1 table local proto kernel scope host src 10.2.0.1',
      'broadcast 10.2.0.255 dev eth1 table local proto kernel scope link src 10.2.0.1',
      'local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1',
      'local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1',
      'broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1',
      'local 192.168.11.1 dev eth0 table local scope host',
    ]);
  });
  it('append keeps both, replace and change swap the route with the same metric, del takes the first match', () => {
    const r = apply(`ip route add 192.168.5.0/24 via 10.1.0.254
ip route append 192.168.5.0/24 via 10.1.0.253
ip route replace 192.168.5.0/24 via 10.1.0.252
ip route add 192.168.5.0/24 via 10.2.0.9 metric 5
ip route change 192.168.5.0/24 via 10.2.0.8 metric 5
ip route del 192.168.5.0/24 metric 0
`);
    expect(routes(r.world).filter((x) => x.startsWith('192.168.5.'))).toEqual(['192.168.5.0/24 via 10.1.0.253 dev eth0', '192.168.5.0/24 via 10.2.0.8 dev eth1 metric 5']);
  });
  const cases: [string, string, string][] = [
    ['ip route add default via 10.1.0.9', '1:14', 'RTNETLINK answers: File exists'],
    ['ip route add 192.168.99.0/24 via 10.99.0.254', '1:34', 'Error: Nexthop has invalid gateway.'],
    ['ip route add 192.168.99.0/24 dev eth9', '1:34', 'Cannot find device "eth9"'],
    ['ip route add 192.168.5.1/24 via 10.1.0.254', '1:14', 'Error: Invalid prefix for given prefix length.'],
    ['ip route del 192.168.40.0/24', '1:14', 'RTNETLINK answers: No such process'],
    ['ip route del default via 10.1.0.9', '1:14', 'RTNETLINK answers: No such process'],
    ['ip route change 192.168.50.0/24 via 10.1.0.252', '1:17', 'RTNETLINK answers: No such file or directory'],
    ['ip route add 10.9.0.0/16 via 10.1.0.254 src 10.9.9.9', '1:45', 'Error: Invalid prefsrc address.'],
    ['ip route add 10.9.0.0/16 via 10.1.0.254 nexthop via 10.1.0.1', '1:41', "ip route: 'nexthop' is not modelled by nfsim"],
    ['ip route add 10.9.0.0/16 bogus 1', '1:26', 'Error: either "to" is duplicate, or "bogus" is a garbage.'],
  ];
  for (const [cmd, where, msg] of cases)
    it(`refuses: ${cmd}`, () => {
      const i = refusal(cmd + '\n');
      expect([at(i), i.message]).toEqual([where, msg]);
    });
  it('a host without ip-route input is refused', () => {
    const w = oneHost();
    const none: World = { ...w, hosts: [{ ...w.hosts[0], inputs: { ...w.hosts[0].inputs, 'ip-route': undefined } }] };
    expect(refusal('ip route add 10.9.0.0/16 dev eth0\n', none).message).toBe('host r has no ip-route input: its routes are not known');
  });
});

describe('ip addr', () => {
  it('add: local, broadcast and prefix routes; secondaries get only their local route', () => {
    const r = apply(`ip addr add 10.3.0.1/24 brd + dev eth1
ip address add 10.1.0.2/24 dev eth0
ip a add 10.4.0.1/32 dev eth1
ip addr add 10.5.0.1/24 dev eth1 noprefixroute
ip addr add 10.6.0.0/31 dev eth1
`);
    expect(addrs(r.world, 'eth1')).toEqual(['10.2.0.1/24', '10.3.0.1/24 brd 10.3.0.255', '10.4.0.1/32', '10.5.0.1/24 noprefixroute', '10.6.0.0/31']);
    expect(addrs(r.world, 'eth0')).toEqual(['10.1.0.1/24', '10.1.0.2/24 secondary']);
    const added = routes(r.world).filter((x) => !routes(oneHost()).includes(x));
    expect(added).toEqual([
      '10.3.0.0/24 dev eth1 proto kernel scope link src 10.3.0.1',
      '10.6.0.0/31 dev eth1 proto kernel scope link src 10.6.0.0',
      'local 10.1.0.2 dev eth0 table local proto kernel scope host src 10.1.0.1',
      'local 10.3.0.1 dev eth1 table local proto kernel scope host src 10.3.0.1',
      'broadcast 10.3.0.255 dev eth1 table local proto kernel scope link src 10.3.0.1',
      'local 10.4.0.1 dev eth1 table local proto kernel scope host src 10.4.0.1',
      'local 10.5.0.1 dev eth1 table local proto kernel scope host src 10.5.0.1',
      'broadcast 10.5.0.255 dev eth1 table local proto kernel scope link src 10.5.0.1',
      'local 10.6.0.0 dev eth1 table local proto kernel scope host src 10.6.0.0',
    ]);
  });
  it('del of a primary takes its routes and its secondaries (promote_secondaries 0), or promotes', () => {
    const s = 'ip addr add 10.1.0.2/24 dev eth0\nip addr add 10.1.0.3/24 dev eth0\nip route add 10.50.0.0/16 dev eth0 src 10.1.0.1\n';
    const r = apply(s + 'ip addr del 10.1.0.1/24 dev eth0\n');
    expect(addrs(r.world, 'eth0')).toEqual([]);
    // eth0 has no IPv4 address left: every route through it goes too (fib_disable_ip)
    expect(routes(r.world).filter((x) => x.includes('eth0'))).toEqual([]);
    const p = apply(s + 'sysctl -w net.ipv4.conf.eth0.promote_secondaries=1\nip addr del 10.1.0.1/24 dev eth0\n');
    expect(addrs(p.world, 'eth0')).toEqual(['10.1.0.2/24', '10.1.0.3/24 secondary']);
    expect(routes(p.world).filter((x) => x.includes('10.1.0.'))).toEqual([
      'default via 10.1.0.254 dev eth0',
      '10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.2',
      'local 10.1.0.2 dev eth0 table local proto kernel scope host src 10.1.0.2',
      'local 10.1.0.3 dev eth0 table local proto kernel scope host src 10.1.0.2',
      'broadcast 10.1.0.255 dev eth0 table local proto kernel scope link src 10.1.0.2',
    ]);
  });
  const cases: [string, string, string][] = [
    ['ip addr add 10.1.0.1/24 dev eth0', '1:13', 'Error: ipv4: Address already assigned.'],
    ['ip addr del 10.9.0.1/24 dev eth0', '1:13', 'Error: ipv4: Address not found.'],
    ['ip addr add 10.9.0.1/24 dev eth9', '1:29', 'Cannot find device "eth9"'],
    ['ip addr add 10.9.0.1/24', '1:9', 'Not enough information: "dev" argument is required.'],
    ['ip addr flush dev eth0', '1:9', 'ip address flush is not modelled by nfsim'],
    ['ip addr show dev eth0', '1:9', 'ip address show changes nothing'],
    ['ip addr frobnicate', '1:9', 'Command "frobnicate" is unknown, try "ip address help".'],
  ];
  for (const [cmd, where, msg] of cases)
    it(`refuses: ${cmd}`, () => {
      const i = refusal(cmd + '\n');
      expect([at(i), i.message]).toEqual([where, msg]);
    });
});

describe('ip rule', () => {
  it('add picks the priority below the second rule, del removes the first match', () => {
    const r = apply(`ip rule add from 10.3.0.0/24 table 100
ip rule add from 10.3.0.0/24 table 100
ip rule add fwmark 0x1 lookup 200 pref 100
ip rule add to 10.9.0.0/16 prohibit
ip rule add iif eth1 lookup main
ip rule del from 10.3.0.0/24
`);
    expect(host(r.world).rules.map(formatRule)).toEqual([
      '0:\tfrom all lookup local',
      '98:\tfrom all iif eth1 lookup main',
      '99:\tfrom all to 10.9.0.0/16 prohibit',
      '100:\tfrom all fwmark 0x1 lookup 200',
      '32765:\tfrom 10.3.0.0/24 lookup 100',
      '32766:\tfrom all lookup main',
      '32767:\tfrom all lookup default',
    ]);
  });
  it('refuses a duplicate with an explicit priority and a delete that matches nothing', () => {
    expect(refusal('ip rule add from all lookup main pref 32766\n').message).toBe('RTNETLINK answers: File exists');
    expect(refusal('ip rule del from 1.2.3.4 table 5\n').message).toBe('RTNETLINK answers: No such file or directory');
  });
});

describe('sysctl', () => {
  it('-w and bare key=value, several pairs, slashed keys; ip_forward sets every forwarding and flips all.accept_redirects', () => {
    const r = apply('sysctl -w net.ipv4.ip_forward=1\nsysctl net/ipv4/conf/eth0/rp_filter=2 net.ipv4.conf.eth1.accept_local=1\n');
    const v = host(r.world).sysctl!.values;
    expect(['ip_forward', 'conf.all.forwarding', 'conf.default.forwarding', 'conf.lo.forwarding', 'conf.eth0.forwarding', 'conf.eth1.forwarding', 'conf.all.accept_redirects', 'conf.eth0.rp_filter', 'conf.eth1.accept_local'].map((k) => v[`net.ipv4.${k}`])).toEqual(['1', '1', '1', '1', '1', '1', '0', '2', '1']);
    expect(host(r.world).sysctl!.locs['net.ipv4.conf.eth0.rp_filter']).toMatchObject({ line: 2, col: 1 });
  });
  it('writing the value it already has changes nothing else', () => {
    const r = apply('sysctl -w net.ipv4.ip_forward=0\n');
    expect(host(r.world).sysctl!.values['net.ipv4.conf.all.accept_redirects']).toBe(host(oneHost()).sysctl!.values['net.ipv4.conf.all.accept_redirects']);
  });
  it('a key of an interface the host does not have: cannot stat', () => {
    const i = refusal('sysctl -w net.ipv4.ip_forward=1 net.ipv4.conf.eth7.forwarding=1\n');
    expect([at(i), i.message]).toEqual(['1:33', 'sysctl: cannot stat /proc/sys/net/ipv4/conf/eth7/forwarding: No such file or directory']);
  });
  it('a key a full `sysctl -a` dump lacks does not exist', () => {
    const w = oneHost();
    const values = { ...w.hosts[0].sysctl!.values };
    for (let k = 0; k < 100; k++) values[`net.core.x${k}`] = '0';
    const full: World = { ...w, hosts: [{ ...w.hosts[0], sysctl: { ...w.hosts[0].sysctl!, values } }] };
    expect(refusal('sysctl -w net.ipv4.ip_forwar=1\n', full).message).toBe('sysctl: cannot stat /proc/sys/net/ipv4/ip_forwar: No such file or directory');
  });
  it('sysctl -p FILE reads sysctl.conf lines (relative to the script); a bad key is located in that file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfchg-sysctl-'));
    writeFileSync(join(dir, 'a.conf'), '# forwarding on\nnet.ipv4.ip_forward = 1\n\nnet/ipv4/conf/eth0/rp_filter=2\n');
    writeFileSync(join(dir, 'b.conf'), 'net.ipv4.ip_forward = 1\nnet.ipv4.conf.eth9.rp_filter = 1\n');
    const run = (s: string) => applyChanges(oneHost(), parseChangeScript(s, join(dir, 'c.sh')));
    const v = host(run('sysctl -p a.conf\n').world).sysctl!.values;
    expect([v['net.ipv4.ip_forward'], v['net.ipv4.conf.eth1.forwarding'], v['net.ipv4.conf.eth0.rp_filter']]).toEqual(['1', '1', '2']);
    try {
      run('sysctl -p b.conf\n');
      expect.fail('accepted');
    } catch (e) {
      const i = (e as InputError).issues[0];
      expect([i.loc.file, at(i), i.message]).toEqual([join(dir, 'b.conf'), '2:1', 'sysctl: cannot stat /proc/sys/net/ipv4/conf/eth9/rp_filter: No such file or directory']);
    }
    expect(() => run('sysctl -p\n')).toThrow(/sysctl -p: the file is missing/);
  });
  it('reading a key is not a change', () => {
    expect(refusal('sysctl net.ipv4.ip_forward\n').message).toContain('reading a key changes nothing');
  });
});
