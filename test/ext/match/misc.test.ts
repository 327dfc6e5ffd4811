import { describe, expect, it } from 'vitest';
import { mark } from '../../../src/ext/match/mark.js';
import { addrtype } from '../../../src/ext/match/addrtype.js';
import { iprange } from '../../../src/ext/match/iprange.js';
import { statistic, type StatisticArgs } from '../../../src/ext/match/statistic.js';
import { limit } from '../../../src/ext/match/limit.js';
import { icmp } from '../../../src/ext/match/icmp.js';
import { length } from '../../../src/ext/match/length.js';
import { ttl } from '../../../src/ext/match/ttl.js';
import { mac } from '../../../src/ext/match/mac.js';
import { set } from '../../../src/ext/match/set.js';
import { comment } from '../../../src/ext/match/comment.js';
import { recent } from '../../../src/ext/match/recent.js';
import { physdev } from '../../../src/ext/match/physdev.js';
import { string } from '../../../src/ext/match/string.js';
import { tos } from '../../../src/ext/match/tos.js';
import { build, host, ip, mctx, pkt } from '../ctx.js';

const C = { family: 4 as const, table: 'filter', chain: 'INPUT' };

describe('mark', () => {
  it('value/mask and negation', () => {
    expect(mark.match(build(mark, '--mark 0x4000/0x4000'), mctx({ pkt: pkt({ mark: 0x4001 }) }))).toBe(true);
    expect(mark.match(build(mark, '! --mark 0x4000/0x4000'), mctx({ pkt: pkt({ mark: 0x4001 }) }))).toBe(false);
    expect(mark.match(build(mark, '--mark 1'), mctx({ pkt: pkt({ mark: 0x101 }) }))).toBe(false);
    expect(mark.save(build(mark, '--mark 16/255'), C)).toBe(' --mark 0x10/0xff');
  });
});

describe('addrtype', () => {
  it('asks the host, optionally per interface', () => {
    const seen: [number, string | undefined][] = [];
    const h = host({ addrType: (a, dev) => (seen.push([a, dev]), a === ip('10.0.0.2') ? 'LOCAL' : 'UNICAST') });
    expect(addrtype.match(build(addrtype, '--dst-type LOCAL'), mctx({ host: h }))).toBe(true);
    expect(addrtype.match(build(addrtype, '--src-type LOCAL'), mctx({ host: h }))).toBe(false);
    expect(addrtype.match(build(addrtype, '! --dst-type LOCAL,BROADCAST'), mctx({ host: h }))).toBe(false);
    addrtype.match(build(addrtype, '--dst-type LOCAL --limit-iface-in'), mctx({ host: h, inIface: 'eth0' }));
    expect(seen.at(-1)).toEqual([ip('10.0.0.2'), 'eth0']);
    expect(addrtype.save(build(addrtype, '--dst-type multicast,LOCAL'), C)).toBe(' --dst-type LOCAL,MULTICAST');
  });
});

describe('iprange', () => {
  it('inclusive ranges', () => {
    const a = build(iprange, '--src-range 10.0.0.1-10.0.0.9');
    expect(iprange.match(a, mctx())).toBe(true);
    expect(iprange.match(a, mctx({ pkt: pkt({ src: ip('10.0.0.10') }) }))).toBe(false);
    expect(iprange.match(build(iprange, '! --dst-range 10.0.0.2-10.0.0.2'), mctx())).toBe(false);
  });
});

describe('statistic', () => {
  it('random: the kernel fixed-point probability, printed with 11 decimals', () => {
    const a = build<StatisticArgs>(statistic, '--mode random --probability 0.33333333333');
    expect(a.probability).toBe(Math.round(0x80000000 / 3));
    expect(statistic.save(a, C)).toBe(' --mode random --probability 0.33333333349');
    expect(statistic.match(a, mctx())).toEqual({ random: a.probability! / 0x80000000, why: expect.any(String) });
    const inv = build<StatisticArgs>(statistic, '--mode random ! --probability 0.25');
    expect((statistic.match(inv, mctx()) as { random: number }).random).toBeCloseTo(0.75, 9);
  });
  it('nth: counter per rule, --packet P matches the (P+1)-th packet, then every N-th (as on Linux 6.18)', () => {
    const a = build(statistic, '--mode nth --every 3 --packet 0');
    const c = mctx();
    expect([1, 2, 3, 4, 5, 6].map(() => statistic.match(a, c))).toEqual([true, false, false, true, false, false]);
    const b = build(statistic, '--mode nth --every 3 --packet 2');
    const d = mctx();
    expect([1, 2, 3, 4].map(() => statistic.match(b, d))).toEqual([false, false, true, false]);
  });
  it('iptables 1.8.9 quirk: --every needs --packet', () => {
    expect(() => build(statistic, '--mode nth --every 3')).toThrow(/also requires "--packet"/);
  });
});

describe('others', () => {
  it('limit is assumed under the rate and saves in iptables units', () => {
    const a = build(limit, '--limit 10/minute --limit-burst 20');
    expect(limit.match(a, mctx())).toEqual({ assumed: true, why: expect.stringContaining('assumed under the rate limit') });
    expect(limit.save(a, C)).toBe(' --limit 10/min --limit-burst 20');
    expect(limit.save(build(limit, ''), C)).toBe(' --limit 3/hour');
  });
  it('icmp types, codes and names', () => {
    const P = { protocol: { value: 'icmp', invert: false } };
    const echo = pkt({ proto: 1, sport: undefined, dport: undefined, icmp: { type: 8, code: 0 } });
    expect(icmp.match(build(icmp, '--icmp-type echo-request', P), mctx({ pkt: echo }))).toBe(true);
    expect(icmp.match(build(icmp, '--icmp-type 3/4', P), mctx({ pkt: echo }))).toBe(false);
    expect(icmp.match(build(icmp, '--icmp-type any', P), mctx({ pkt: echo }))).toBe(true);
    expect(icmp.save(build(icmp, '--icmp-type fragmentation-needed', P), C)).toBe(' --icmp-type 3/4');
  });
  it('length, ttl, tos', () => {
    expect(length.match(build(length, '--length 0:100'), mctx())).toBe(true);
    expect(ttl.match(build(ttl, '--ttl-lt 10'), mctx())).toBe(false);
    expect(ttl.match(build(ttl, '! --ttl-eq 1'), mctx())).toBe(true);
    expect(tos.match(build(tos, '--tos Minimize-Delay'), mctx({ pkt: pkt({ tos: 0x10 }) }))).toBe(true);
    expect(tos.save(build(tos, '--tos Minimize-Delay'), C)).toBe(' --tos 0x10/0x3f');
  });
  it('mac: redacted MACs decode but cannot decide', () => {
    expect(mac.match(build(mac, '--mac-source XX:XX:XX:XX:XX:XX'), mctx())).toEqual({ unsupported: expect.any(String) });
    expect(mac.match(build(mac, '--mac-source 02:00:00:00:00:0A'), mctx({ pkt: pkt({ srcMac: '02:00:00:00:00:0a' }) }))).toBe(true);
  });
  it('set asks the host; unknown set is unsupported', () => {
    const a = build(set, '--match-set allow src');
    expect(set.match(a, mctx())).toEqual({ unsupported: expect.stringContaining('allow') });
    const h = host({ ipset: (n) => (n === 'allow' ? { type: 'hash:ip', has: (x) => x === ip('10.0.0.1') } : undefined) });
    expect(set.match(a, mctx({ host: h }))).toBe(true);
    expect(set.match(build(set, '! --match-set allow dst'), mctx({ host: h }))).toBe(true);
  });
  it('comment always matches; quoting as xtables_save_string', () => {
    expect(comment.match(build(comment, '--comment x'), mctx())).toBe(true);
    expect(comment.save({ comment: 'ns/svc:http cluster IP' }, C)).toBe(' --comment "ns/svc:http cluster IP"');
    expect(comment.save({ comment: '' }, C)).toBe(' --comment ""');
  });
  it('recent: --set matches, checks assume an empty list', () => {
    expect(recent.match(build(recent, '--set --name x'), mctx())).toBe(true);
    expect(recent.match(build(recent, '--update --seconds 60 --hitcount 4'), mctx())).toEqual({ assumed: false, why: expect.any(String) });
  });
  it('physdev needs bridge info', () => {
    expect(physdev.match(build(physdev, '--physdev-is-bridged'), mctx())).toBe(false);
    expect(physdev.match(build(physdev, '--physdev-in veth+'), mctx({ host: host({ isBridged: true, physIn: 'veth12' }) }))).toBe(true);
  });
  it('string needs a payload', () => {
    const a = build(string, '--algo bm --string GET');
    expect(string.match(a, mctx())).toEqual({ unsupported: expect.any(String) });
    expect(string.match(a, mctx({ pkt: pkt({ payload: 'GET / HTTP/1.1' }) }))).toBe(true);
  });
});
