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

describe('sysctl syntax (grammar/sysctl.peggy)', () => {
  const issues = (text: string): string[] => {
    const w: InputIssue[] = [];
    try {
      parseSysctl(text, 's', { warnings: w });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return e.issues.map((i) => `${i.severity} ${i.loc.line}:${i.loc.col} ${i.text} | ${i.message}`);
    }
    return w.map((i) => `${i.severity} ${i.loc.line}:${i.loc.col} ${i.text} | ${i.message}`);
  };
  it('errors sysctl -a prints among the settings are warnings; the settings around them load', () => {
    const w: InputIssue[] = [];
    const s = parseSysctl('fs.binfmt_misc.status = enabled\nsysctl: permission denied on key "fs.protected_regular"\n  sysctl: unable to open directory "/proc/sys/fs/binfmt_misc/"  \nkernel.sysrq = 16\n', 's', { warnings: w });
    expect(s.values).toEqual({ 'fs.binfmt_misc.status': 'enabled', 'kernel.sysrq': '16' });
    expect(w.map((i) => `${i.loc.line}:${i.loc.col} ${i.text}`)).toEqual(['2:1 sysctl: permission denied on key "fs.protected_regular"', '3:3 sysctl: unable to open directory "/proc/sys/fs/binfmt_misc/"']);
    // `sysctl:` needs the blank and a message after it, as sysctl prints it
    expect(issues('sysctl:\nsysctl:x\n')).toEqual(['error 1:1 sysctl: | expected `key = value`', 'error 2:1 sysctl:x | expected `key = value`']);
  });
  it('what is not a key, with the text and column of the line', () => {
    expect(issues('a b = 1\n  =1\n- = 1\n--x = 1\n\tnet.ipv4.ip_forward 1  \n#ok\n;ok\n')).toEqual([
      "error 1:1 a b | 'a b' is not a sysctl key",
      "error 2:3 =1 | '' is not a sysctl key",
      "error 3:1 - = 1 | '' is not a sysctl key",
      "error 4:1 -x | '-x' is not a sysctl key",
      'error 5:2 net.ipv4.ip_forward 1 | expected `key = value`',
    ]);
  });
  it('values: everything after the first `=`, blanks around it dropped, blanks inside kept', () => {
    const s = parseSysctl('kernel.core_pattern = |/bin/x -p %p = y \t\nnet.ipv4.tcp_rmem=4096 \t 87380\nkernel.domainname =\nkernel.hostname =   \n-  net.ipv4.conf.all.rp_filter=2\n', 's');
    expect(s.values).toEqual({
      'kernel.core_pattern': '|/bin/x -p %p = y',
      'net.ipv4.tcp_rmem': '4096 \t 87380',
      'kernel.domainname': '',
      'kernel.hostname': '',
      'net.ipv4.conf.all.rp_filter': '2',
    });
    expect(s.locs['net.ipv4.conf.all.rp_filter']).toEqual({ file: 's', line: 5, col: 1 });
  });
  it('LF, CRLF and CR line ends and Unicode blanks (what trim() drops) read alike', () => {
    const lines = ['\ufeffnet.ipv4.ip_forward = 1', '', '\u00a0kernel.x\u3000=\u2003y z\u00a0', 'a.b = 2'];
    const [lf, crlf, cr] = ['\n', '\r\n', '\r'].map((eol) => parseSysctl(lines.join(eol) + eol, 's'));
    expect(crlf).toEqual(lf);
    expect(cr).toEqual(lf);
    expect(lf.values).toEqual({ 'net.ipv4.ip_forward': '1', 'kernel.x': 'y z', 'a.b': '2' });
    expect(Object.values(lf.locs).map((l) => `${l.line}:${l.col}`)).toEqual(['1:2', '3:2', '4:1']);
  });
  it('a key named like an Object property is an ordinary key', () => {
    const w: InputIssue[] = [];
    expect(parseSysctl('constructor = 1\ntoString = 2\n', 's', { warnings: w }).values).toEqual({ constructor: '1', toString: '2' });
    expect(w).toEqual([]);
  });
  it('a repeated key on the next line continues a multi-line value; later it is set again', () => {
    expect(parseSysctl('dev.cdrom.info = a\ndev.cdrom.info = b\n\ndev.cdrom.info = c\n', 's').values['dev.cdrom.info']).toBe('c');
    expect(issues('dev.cdrom.info = a\ndev.cdrom.info = b\n\ndev.cdrom.info = c\n')).toEqual(["warning 4:1 dev.cdrom.info = c | 'dev.cdrom.info' is set again (line 1 set it first); the later value wins, as with sysctl -p"]);
  });
});

/** Keys as sysctl -a prints them (an interface name may hold `.`, printed as `/`) and values without edge blanks. */
const sysctlKey = fc
  .tuple(fc.constantFrom('net.ipv4.conf', 'net.ipv6.conf', 'net.ipv4.neigh'), fc.constantFrom('all', 'default', 'eth0', 'eth0/100', 'br-1a2b', 'veth@x', 'wg0:1', 'a+b'), fc.constantFrom('rp_filter', 'forwarding', 'accept_local', 'base_reachable_time_ms'))
  .map((p) => p.join('.'));
const sysctlValue = fc.array(fc.constantFrom('0', '1', '4096', 'abc', '=', '|/x', '%p', '#', ';'), { minLength: 0, maxLength: 4 }).chain((ws) =>
  fc.array(fc.constantFrom(' ', '\t', '  '), { minLength: ws.length, maxLength: ws.length }).map((seps) => ws.map((w, i) => (i ? seps[i] : '') + w).join('')),
);
describe('print∘parse of key = value (fast-check)', () => {
  it('a dump printed as sysctl -a (or as sysctl.conf, with blanks and comments) loads to the same values', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(sysctlKey, sysctlValue), { selector: ([k]) => k, maxLength: 20 }),
        fc.array(fc.tuple(fc.constantFrom('', ' ', '\t'), fc.constantFrom('=', ' = ', '\t=\t', '= '), fc.constantFrom('', ' ', '\t '), fc.constantFrom('', '-'), fc.constantFrom('', '# c', '; c', '   ')), { minLength: 20, maxLength: 20 }),
        fc.constantFrom('\n', '\r\n'),
        (kv, styles, eol) => {
          const want = Object.fromEntries(kv);
          const dump = kv.map(([k, v]) => `${k} = ${v}`).join('\n') + '\n';
          expect(parseSysctl(dump, 'a').values).toEqual(want);
          const conf = kv.map(([k, v], i) => {
            const [lead, eq, trail, dash, extra] = styles[i];
            return `${extra}${eol}${lead}${dash}${k}${eq}${v}${trail}`;
          });
          const s = parseSysctl(conf.join(eol) + eol, 'c');
          expect(s.values).toEqual(want);
          expect(Object.keys(s.locs)).toEqual(Object.keys(want));
        },
      ),
      { numRuns: 300 },
    );
  });
  it('a dump with random edits throws nothing but InputError, each issue on a line of the text', () => {
    const base = 'net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.rp_filter = 2\nsysctl: permission denied on key "x"\nnet.ipv4.tcp_rmem = 4096\t87380\t6291456\n';
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.nat(6), fc.constantFrom('', ' ', '\t', '\n', '\r', '=', '-', '#', ';', 'x y', '\u00a0', 'sysctl: ')), { maxLength: 5 }), (edits) => {
        let s = base;
        for (const [pos, del, ins] of edits) {
          const p = pos % (s.length + 1);
          s = s.slice(0, p) + ins + s.slice(p + del);
        }
        const lines = s.split(/\r\n|\r|\n/).length;
        try {
          parseSysctl(s, 'f');
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          for (const i of e.issues) expect(i.loc.line).toBeLessThanOrEqual(lines);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
