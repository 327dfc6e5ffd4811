import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalizeSysctlKey, parseSysctl } from '../../src/parse/sysctl.js';
import { SysctlView } from '../../src/parse/sysctlView.js';
import { InputError, type InputIssue } from '../../src/model/source.js';
import { SYSCTL_FILES, corpusAvailable, readCorpus } from './ipCorpusFiles.js';

describe.runIf(corpusAvailable)('corpus sysctl files', () => {
  for (const f of SYSCTL_FILES) {
    it(`loads ${f}`, () => {
      const warnings: InputIssue[] = [];
      const s = parseSysctl(readCorpus(f), f, { warnings });
      expect(Object.keys(s.values).length).toBeGreaterThan(800);
      for (const w of warnings) expect(w.message).toMatch(/sysctl reported an error/);
    });
  }
  it('coreos: forwarding on, rp_filter per interface', () => {
    const f = 'coreos-sosreport/sos_commands/kernel/sysctl_-a';
    const v = new SysctlView(parseSysctl(readCorpus(f), f));
    const fwd = v.ipForward();
    expect(fwd.source).toBe('dump');
    expect(fwd.loc?.file).toBe(f);
    expect(v.conf('eth0').rp_filter.source).toBe('dump');
  });
  it('multi-line values (dev.cdrom.info) are joined', () => {
    const f = 'jc/ubuntu-18.04/sysctl-a.out';
    const s = parseSysctl(readCorpus(f), f);
    expect(s.values['dev.cdrom.info'].split('\n').length).toBeGreaterThan(3);
  });
});

describe('sysctl formats', () => {
  it('sysctl.conf style: comments, slashes, -key, spaces', () => {
    const s = parseSysctl('# c\n; c2\nnet/ipv4/ip_forward=1\n  -net.ipv4.conf.all.rp_filter = 2\nnet/ipv4/conf/eth0.100/rp_filter=1\nnet.ipv4.conf.eth0/100.forwarding = 1\nnet.ipv4.tcp_rmem = 4096\t87380\t6291456\n', 'conf');
    expect(s.values).toEqual({
      'net.ipv4.ip_forward': '1',
      'net.ipv4.conf.all.rp_filter': '2',
      'net.ipv4.conf.eth0/100.rp_filter': '1',
      'net.ipv4.conf.eth0/100.forwarding': '1',
      'net.ipv4.tcp_rmem': '4096\t87380\t6291456',
    });
    expect(s.locs['net.ipv4.conf.all.rp_filter']).toEqual({ file: 'conf', line: 4, col: 3 });
  });
  it('normalizeSysctlKey', () => {
    expect(normalizeSysctlKey('net/ipv4/conf/eth0.100/rp_filter')).toBe('net.ipv4.conf.eth0/100.rp_filter');
    expect(normalizeSysctlKey('net.ipv4.conf.eth0/100.rp_filter')).toBe('net.ipv4.conf.eth0/100.rp_filter');
    expect(normalizeSysctlKey('net.ipv4.ip_forward')).toBe('net.ipv4.ip_forward');
  });
  it('errors and duplicates', () => {
    const w: InputIssue[] = [];
    const s = parseSysctl('a.b = 1\nc.d = 0\na.b = 2\n', 'd', { warnings: w });
    expect(s.values['a.b']).toBe('2');
    expect(w.map((x) => x.message)).toEqual([expect.stringMatching(/set again \(line 1/)]);
    try {
      parseSysctl('net.ipv4.ip_forward 1\nfoo bar = 1\n', 'e');
      expect.unreachable();
    } catch (e) {
      expect((e as InputError).issues.map((i) => `${i.loc.line}:${i.loc.col}`)).toEqual(['1:1', '2:1']);
    }
  });
  it('arbitrary text throws only InputError', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseSysctl(s, 'f');
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('SysctlView combination rules and defaults', () => {
  const view = (t: string) => new SysctlView(parseSysctl(t, 's'));
  it('defaults of a fresh namespace, marked as such', () => {
    const v = new SysctlView(undefined);
    expect(v.ipForward()).toEqual({ value: 0, source: 'default', key: 'net.ipv4.ip_forward' });
    expect(v.tcpLoose()).toMatchObject({ value: 1, source: 'default' });
    expect(v.tcpBeLiberal()).toMatchObject({ value: 0, source: 'default' });
    expect(v.icmpEchoIgnoreBroadcasts()).toMatchObject({ value: 1, source: 'default' });
    expect(v.conf('eth0').send_redirects).toMatchObject({ value: 1, source: 'default' });
    expect(v.conf('eth0').rp_filter).toMatchObject({ value: 0, source: 'default' });
    expect(v.bridgeNfCallIptables()).toMatchObject({ value: 1, source: 'default' });
  });
  it('forwarding is the ingress interface only', () => {
    const v = view('net.ipv4.conf.all.forwarding = 1\nnet.ipv4.conf.eth0.forwarding = 0\nnet.ipv4.conf.eth1.forwarding = 1\n');
    expect(v.conf('eth0').forwarding).toMatchObject({ value: 0, source: 'dump', key: 'net.ipv4.conf.eth0.forwarding', loc: { line: 2 } });
    expect(v.conf('eth1').forwarding.value).toBe(1);
    expect(v.ipForward()).toMatchObject({ value: 1, key: 'net.ipv4.conf.all.forwarding' });
  });
  it('rp_filter = max(all, iface); OR for accept_local & co', () => {
    const v = view('net.ipv4.conf.all.rp_filter = 2\nnet.ipv4.conf.eth0.rp_filter = 1\nnet.ipv4.conf.all.route_localnet = 0\nnet.ipv4.conf.eth0.route_localnet = 1\nnet.ipv4.conf.all.accept_local = 1\nnet.ipv4.conf.eth0.accept_local = 0\n');
    expect(v.conf('eth0').rp_filter).toMatchObject({ value: 2, key: 'net.ipv4.conf.all.rp_filter', source: 'dump' });
    expect(v.conf('eth0').route_localnet).toMatchObject({ value: 1, key: 'net.ipv4.conf.eth0.route_localnet' });
    expect(v.conf('eth0').accept_local).toMatchObject({ value: 1, key: 'net.ipv4.conf.all.accept_local' });
    expect(view('net.ipv4.conf.all.rp_filter = 0\nnet.ipv4.conf.eth0.rp_filter = 1\n').conf('eth0').rp_filter.value).toBe(1);
  });
  it('dotted interface names; missing interface inherits conf.default', () => {
    const v = view('net.ipv4.conf.eth0/100.rp_filter = 1\nnet.ipv4.conf.default.rp_filter = 2\nnet.ipv4.ip_forward = 1\n');
    expect(v.conf('eth0.100').rp_filter).toMatchObject({ value: 1, key: 'net.ipv4.conf.eth0/100.rp_filter' });
    expect(v.conf('veth9').rp_filter).toMatchObject({ value: 2, source: 'dump' });
    expect(v.conf('veth9').forwarding).toMatchObject({ value: 1, key: 'net.ipv4.ip_forward' });
  });
  it('br_netfilter not loaded when the dump has no net.bridge keys', () => {
    expect(view('net.ipv4.ip_forward = 1\n').bridgeNfCallIptables()).toMatchObject({ value: 0, source: 'default' });
    expect(view('net.bridge.bridge-nf-call-iptables = 0\n').bridgeNfCallIptables()).toMatchObject({ value: 0, source: 'dump' });
  });
});
