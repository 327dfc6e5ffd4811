/**
 * Real ip(8) output captured in a throwaway namespace (test/fixtures/iproute2, iproute2 6.1.0):
 *   ip route add 192.168.5.0/24 via 10.0.0.2 dev veth0 metric 5 mtu lock 1400 advmss 1300 onlink
 *   ip route add 8.8.0.0/16 nexthop via 10.0.0.2 dev veth0 weight 2 nexthop via 10.0.0.3 dev veth0 weight 1
 *   ip route add blackhole|unreachable|prohibit|throw ..., multicast, anycast, tos 0x10, proto 42 (babel)
 *   ip -6 route add ... multipath, unreachable, pref high
 *   ip rule add not from .. to .. fwmark 0x1/0xff iif .. oif .. tos .. ipproto tcp sport .. dport .. uidrange ..
 *   ip rule add goto/blackhole/unreachable/prohibit/nop/suppress_prefixlength/l3mdev/[detached]/[unresolved]
 * The loaders must read it without warnings and the printers must print it back identically.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIpRoute } from '../../src/parse/ipRoute.js';
import { formatRoute } from '../../src/parse/ipRouteWrite.js';
import { formatRule, parseIpRule } from '../../src/parse/ipRule.js';
import { parseIpAddr } from '../../src/parse/ipAddr.js';
import { parseSysctl } from '../../src/parse/sysctl.js';
import { SysctlView } from '../../src/parse/sysctlView.js';
import type { InputIssue } from '../../src/model/source.js';

const DIR = join(import.meta.dirname, '../fixtures/iproute2');
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');
const norm = (s: string) => s.split('\n').map((l) => l.trimEnd()).filter(Boolean).join('\n');

describe('ip route output of iproute2 6.1', () => {
  for (const [f, family] of [['ip-route-table-all.txt', 4], ['ip6-route-table-all.txt', 6]] as const) {
    it(`${f}: no warnings, printed back identically`, () => {
      const w: InputIssue[] = [];
      const rs = parseIpRoute(read(f), f, { family, warnings: w });
      expect(w).toEqual([]);
      expect(norm(rs.map(formatRoute).join('\n'))).toBe(norm(read(f)));
    });
  }
  it('typed values', () => {
    const rs = parseIpRoute(read('ip-route-table-all.txt'), 'r');
    const find = (d: string) => rs.find((r) => `${r.dst.addr}/${r.dst.len}` === d && r.family === 4);
    expect(find('192.168.5.0/24')).toMatchObject({ mtu: 1400, locks: ['mtu'], advmss: 1300, metric: 5, flags: expect.arrayContaining(['onlink']) });
    expect(find('8.8.0.0/16')?.nexthops.map((n) => n.weight)).toEqual([2, 1]);
    expect(find('9.9.9.0/24')?.tos).toBe(0x10);
    expect(find('1.2.6.0/24')).toMatchObject({ type: 'throw', table: '200' });
    expect(rs.filter((r) => r.family === 6).length).toBeGreaterThan(0); // `table all` lists IPv6 too
  });
});

describe('ip rule output of iproute2 6.1', () => {
  for (const [f, family] of [['ip-rule.txt', 4], ['ip6-rule.txt', 6]] as const) {
    it(`${f}: printed back identically`, () => {
      const w: InputIssue[] = [];
      const rs = parseIpRule(read(f), f, { family, warnings: w });
      expect(w).toEqual([]);
      expect(rs.map(formatRule).join('\n')).toBe(norm(read(f)));
    });
  }
  it('unresolved goto', () => {
    const rs = parseIpRule(read('ip-rule.txt'), 'r');
    expect(rs.find((r) => r.priority === 506)).toMatchObject({ action: 'goto', gotoPriority: 9999, unresolved: true });
  });
});

describe('ip addr / link output of iproute2 6.1', () => {
  it('all forms load without warnings and agree', () => {
    const w: InputIssue[] = [];
    const d = parseIpAddr(read('ip-d-link.txt'), 'd', { warnings: w });
    const a = parseIpAddr(read('ip-addr.txt'), 'a', { warnings: w });
    const o = parseIpAddr(read('ip-o-addr.txt'), 'o', { warnings: w });
    const ol = parseIpAddr(read('ip-o-link.txt'), 'ol', { warnings: w });
    expect(w).toEqual([]);
    expect(d.map((i) => i.name)).toEqual(a.map((i) => i.name));
    expect(ol.map((i) => [i.name, i.mtu, i.state])).toEqual(d.map((i) => [i.name, i.mtu, i.state]));
    const strip = (x: typeof a) => x.filter((i) => i.addresses.length).map((i) => [i.name, i.addresses.map((ad) => ({ ...ad, loc: undefined }))]);
    expect(strip(o)).toEqual(strip(a));
    const br = a.find((i) => i.name === 'br0');
    expect(br?.addresses[0]).toMatchObject({ label: 'br0:x', local: { addr: '10.1.0.1', len: 24 } });
    const v = a.find((i) => i.name === 'veth0');
    expect(v?.addresses.map((x) => x.secondary)).toEqual([false, true, false]);
    expect(d.find((i) => i.name === 'br0')?.kind).toBe('bridge');
    expect(d.find((i) => i.name === 'veth0')?.kind).toBe('veth');
  });
});

describe('sysctl -a of the same namespace', () => {
  it('loads; send_redirects is 1 and tcp_loose 1 as in a fresh namespace', () => {
    const s = parseSysctl(read('sysctl-a.txt'), 's');
    const v = new SysctlView(s);
    expect(v.conf('veth0').send_redirects).toMatchObject({ value: 1, source: 'dump' });
    expect(v.conf('veth0').rp_filter).toMatchObject({ value: 0, source: 'dump' });
    expect(v.tcpLoose()).toMatchObject({ value: 1, source: 'dump' });
    expect(v.ipForward()).toMatchObject({ value: 0, source: 'dump' });
    expect(v.icmpEchoIgnoreBroadcasts()).toMatchObject({ value: 1, source: 'dump' });
  });
});
