import { describe, expect, it } from 'vitest';
import { MARK } from '../../../src/ext/target/MARK.js';
import { CONNMARK } from '../../../src/ext/target/CONNMARK.js';
import { REJECT } from '../../../src/ext/target/REJECT.js';
import { DNAT } from '../../../src/ext/target/DNAT.js';
import { SNAT } from '../../../src/ext/target/SNAT.js';
import { MASQUERADE } from '../../../src/ext/target/MASQUERADE.js';
import { CT } from '../../../src/ext/target/CT.js';
import { LOG } from '../../../src/ext/target/LOG.js';
import { TOS } from '../../../src/ext/target/TOS.js';
import { allExtensions, findMatch, findTarget } from '../../../src/ext/registry.js';
import { build, ip, mctx } from '../ctx.js';

const C = { family: 4 as const, table: 'mangle', chain: 'PREROUTING' };
const TCP = { protocol: { value: 'tcp', invert: false } };

describe('MARK', () => {
  it('every operation becomes the kernel xset form, saved as --set-xmark', () => {
    const s = (t: string) => MARK.save(build(MARK, t), C);
    expect(s('--set-mark 0x10')).toBe(' --set-xmark 0x10/0xffffffff');
    expect(s('--set-mark 0x10/0xf0')).toBe(' --set-xmark 0x10/0xf0');
    expect(s('--or-mark 0x4000')).toBe(' --set-xmark 0x4000/0x4000');
    expect(s('--and-mark 0xff')).toBe(' --set-xmark 0x0/0xffffff00');
    expect(s('--xor-mark 0x1')).toBe(' --set-xmark 0x1/0x0');
    expect(MARK.apply(build(MARK, '--or-mark 0x4000'), mctx())).toEqual({ verdict: 'continue', effects: [{ kind: 'mark', value: 0x4000, mask: 0x4000, op: 'xset' }] });
  });
});

describe('CONNMARK', () => {
  it('save/restore masks and set', () => {
    expect(CONNMARK.save(build(CONNMARK, '--save-mark'), C)).toBe(' --save-mark --nfmask 0xffffffff --ctmask 0xffffffff');
    expect(CONNMARK.save(build(CONNMARK, '--restore-mark --mask 0xff'), C)).toBe(' --restore-mark --nfmask 0xff --ctmask 0xff');
    expect(CONNMARK.save(build(CONNMARK, '--set-mark 1'), C)).toBe(' --set-xmark 0x1/0xffffffff');
    expect(CONNMARK.apply(build(CONNMARK, '--restore-mark'), mctx()).effects[0]).toMatchObject({ kind: 'connmark', op: 'restore' });
  });
});

describe('REJECT', () => {
  it('aliases print canonical names; tcp-reset needs -p tcp', () => {
    const s = (t: string, ctx = {}) => REJECT.save(build(REJECT, t, ctx), C);
    expect(s('')).toBe(' --reject-with icmp-port-unreachable');
    expect(s('--reject-with proto-unreach')).toBe(' --reject-with icmp-proto-unreachable');
    expect(s('--reject-with tcp-rst', TCP)).toBe(' --reject-with tcp-reset');
    expect(() => build(REJECT, '--reject-with tcp-reset')).toThrow(/needs -p tcp/);
    expect(REJECT.save(build(REJECT, '', { family: 6 }), C)).toBe(' --reject-with icmp6-port-unreachable');
    expect(REJECT.apply(build(REJECT, '--reject-with icmp-host-prohibited'), mctx())).toEqual({ verdict: 'drop', effects: [{ kind: 'reject', with: 'icmp-host-prohibited' }] });
  });
});

describe('NAT targets', () => {
  it('DNAT range parsing and effect', () => {
    const a = build(DNAT, '--to-destination 10.1.0.1-10.1.0.3:8080-8090', TCP);
    expect(DNAT.save(a, C)).toBe(' --to-destination 10.1.0.1-10.1.0.3:8080-8090');
    expect(DNAT.apply(a, mctx()).effects[0]).toEqual({ kind: 'nat', nat: { type: 'dnat', ranges: [{ minAddr: ip('10.1.0.1'), maxAddr: ip('10.1.0.3'), minPort: 8080, maxPort: 8090 }], random: false, persistent: false } });
    expect(() => build(DNAT, '--to-destination 1.2.3.4:80')).toThrow(/Need TCP, UDP, SCTP or DCCP/);
    expect(DNAT.save(build(DNAT, '--to-destination [fe80::1]:80', { ...TCP, family: 6 }), { ...C, family: 6 })).toBe(' --to-destination [fe80::1]:80');
  });
  it('SNAT / MASQUERADE flags', () => {
    expect(SNAT.save(build(SNAT, '--to-source 1.2.3.4 --random-fully'), C)).toBe(' --to-source 1.2.3.4 --random-fully');
    expect(MASQUERADE.apply(build(MASQUERADE, '--random-fully'), mctx()).effects[0]).toMatchObject({ kind: 'nat', nat: { type: 'masquerade', randomFully: true } });
  });
});

describe('misc targets', () => {
  it('CT, LOG, TOS', () => {
    expect(CT.apply(build(CT, '--notrack'), mctx()).effects).toEqual([{ kind: 'notrack' }]);
    expect(CT.save(build(CT, '--helper ftp --zone 3'), C)).toBe(' --helper ftp --zone 3');
    expect(LOG.save(build(LOG, '--log-prefix a: --log-level info'), C)).toBe(' --log-prefix "a:" --log-level 6');
    expect(TOS.save(build(TOS, '--and-tos 0x0f'), C)).toBe(' --set-tos 0x00/0xf0');
  });
});

describe('registry', () => {
  it('one module per name; all corpus modules present', () => {
    const names = allExtensions.map((e) => `${e.kind}:${e.name}`);
    expect(new Set(names).size).toBe(names.length);
    for (const m of ['tcp', 'udp', 'icmp', 'icmp6', 'sctp', 'multiport', 'state', 'conntrack', 'comment', 'mark', 'connmark', 'addrtype', 'iprange', 'mac', 'physdev', 'pkttype', 'length', 'ttl', 'hl', 'tos', 'dscp', 'limit', 'hashlimit', 'recent', 'statistic', 'owner', 'set', 'string', 'time', 'connlimit', 'policy', 'rt', 'rpfilter', 'helper', 'socket', 'u32', 'ah', 'esp'])
      expect(findMatch(m), m).toBeDefined();
    for (const t of ['REJECT', 'LOG', 'NFLOG', 'ULOG', 'TRACE', 'MARK', 'CONNMARK', 'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'CT', 'NOTRACK', 'TCPMSS', 'CHECKSUM', 'NFQUEUE', 'TOS', 'DSCP', 'TTL', 'CLASSIFY'])
      expect(findTarget(t), t).toBeDefined();
    expect(findMatch('icmp6', 4)).toBeUndefined();
  });
});
