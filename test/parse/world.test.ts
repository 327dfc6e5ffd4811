import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorld } from '../../src/parse/world.js';
import { InputError, formatIssue } from '../../src/model/source.js';

const FIX = join(import.meta.dirname, '../fixtures/worlds');
const errorsOf = (p: string): string[] => {
  try {
    loadWorld(p);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).issues.filter((i) => i.severity === 'error').map((i) => `${i.loc.file.slice(FIX.length + 1)}:${i.loc.line}:${i.loc.col}: ${i.message}`);
  }
  throw new Error('expected an InputError');
};

describe('world directory', () => {
  const w = loadWorld(join(FIX, 'two-hosts'));
  it('hosts in name order, links from topology', () => {
    expect(w.hosts.map((h) => h.name)).toEqual(['client', 'router']);
    expect(w.links).toEqual([{ a: { host: 'client', iface: 'eth0' }, b: { host: 'router', iface: 'veth1' }, kind: 'veth', loc: { file: join(FIX, 'two-hosts/topology'), line: 2, col: 1 } }]);
  });
  it('ip-link and ip-addr merge by name; bridge line sets master', () => {
    const r = w.hosts[1];
    expect(r.interfaces.map((i) => [i.name, i.kind, i.master ?? null, i.addresses.map((a) => `${a.local.addr}/${a.local.len}`)])).toEqual([
      ['lo', 'loopback', null, ['127.0.0.1/8']],
      ['eth0', 'ether', null, ['192.0.2.10/24']],
      ['br0', 'bridge', null, ['10.0.0.1/24']],
      ['veth1', 'veth', 'br0', []],
      ['veth2', 'veth', 'br0', []],
    ]);
    expect(r.interfaces[3].peer).toEqual({ index: 2, netns: 'client' });
  });
  it('inputs present and absent', () => {
    const r = w.hosts[1];
    expect(Object.keys(r.inputs).sort()).toEqual(['ip-addr', 'ip-link', 'ip-route', 'ip-rule', 'sysctl']);
    expect(r.inputs['ip-route']).toBe(join(FIX, 'two-hosts/router/ip-route'));
    expect(r.iptables).toBeUndefined();
    expect(r.absent).toEqual({});
    expect(r.routes.filter((x) => x.table === 'local')).toHaveLength(3);
    expect(r.sysctl?.values['net.ipv4.ip_forward']).toBe('1');
    const c = w.hosts[0];
    expect(c.interfaces.map((i) => i.name)).toEqual(['lo', 'eth0']);
  });
});

describe('host directory', () => {
  it('is a one-host world named after the folder', () => {
    const w = loadWorld(join(FIX, 'single-host'));
    expect(w.hosts.map((h) => h.name)).toEqual(['single-host']);
    expect(w.links).toEqual([]);
    expect(w.hosts[0].routes).toHaveLength(6);
  });
});

describe('bundle', () => {
  const p = join(FIX, 'two-hosts.bundle');
  const w = loadWorld(p);
  it('two hosts, sections, absent, non-zero exit warning', () => {
    expect(w.hosts.map((h) => h.name)).toEqual(['gw', 'web']);
    const gw = w.hosts[0];
    expect(gw.absent).toEqual({ conntrack: 'sh: 1: conntrack: not found' });
    expect(gw.conntrack).toBeUndefined();
    expect(Object.keys(gw.inputs).sort()).toEqual(['ip-addr', 'ip-route', 'ss']);
    expect(gw.sockets).toHaveLength(1);
    expect(gw.issues.map(formatIssue)).toEqual([`${p}:14:1: warning: 'ss -ltnupa' exited with status 1; what it printed is used as is\n    #nfsim-section ss exit=1`]);
  });
  it('locations are lines of the bundle file', () => {
    const gw = w.hosts[0];
    expect(gw.interfaces[1].addresses[0].loc).toEqual({ file: p, line: 9, col: 5 });
    expect(gw.routes[0].loc).toEqual({ file: p, line: 11, col: 1 });
    expect(w.hosts[1].sysctl?.locs['net.ipv4.ip_forward']).toEqual({ file: p, line: 25, col: 1 });
  });
});

describe('error cases: every issue, exact file:line:col', () => {
  it('topology messages (full list)', () => {
    expect(errorsOf(join(FIX, 'bad-topology'))).toEqual([
      "bad-topology/topology:1:13: unknown host 'c'",
      "bad-topology/topology:2:15: host b has no interface 'eth9'",
      'bad-topology/topology:4:12: expected `link HOST:IF HOST:IF`',
      "bad-topology/topology:5:1: unknown topology keyword 'frobnicate'",
    ]);
  });
  it('errors of several files of one host in one InputError', () => {
    expect(errorsOf(join(FIX, 'bad-files'))).toEqual([
      "bad-files/h/ip-route:2:1: expected a route destination (prefix or 'default'): prefix length '/40' is not in 0..32",
      'bad-files/h/sysctl:2:1: expected `key = value`',
    ]);
  });
  it('bundle errors carry bundle line numbers', () => {
    expect(errorsOf(join(FIX, 'bad.bundle'))).toEqual([
      "bad.bundle:10:16: unknown section kind 'nonsense'",
      "bad.bundle:5:1: expected a route destination (prefix or 'default'): prefix length '/99' is not in 0..32",
      'bad.bundle:9:17: rule without an action',
    ]);
  });
  it('missing path and non-bundle file', () => {
    expect(errorsOf(join(FIX, 'nope'))).toEqual(['nope:0:0: no such file or directory']);
    expect(errorsOf(join(FIX, 'two-hosts/topology'))).toEqual(["two-hosts/topology:1:1: a bundle starts with '#nfsim-bundle v1'"]);
  });
});

const SCEN = join(import.meta.dirname, '../../scenarios');
describe.runIf(existsSync(SCEN))('scenario worlds load', () => {
  for (const s of existsSync(SCEN) ? readdirSync(SCEN).sort() : []) {
    for (const w of ['world', 'world-fixed']) {
      const p = join(SCEN, s, w);
      if (!existsSync(p)) continue;
      it(`${s}/${w}`, () => {
        const world = loadWorld(p);
        expect(world.hosts.length).toBeGreaterThan(0);
      });
    }
  }
});

describe('topology cross-check with ip-link', () => {
  it('warns when the link contradicts the @ifN peer index', () => {
    const w = loadWorld(join(FIX, 'peer-mismatch'));
    expect(w.links).toHaveLength(1);
    expect(w.issues.map((i) => `${i.loc.line}:${i.loc.col} ${i.severity} ${i.message}`)).toEqual([
      '1:18 warning ip-link says the peer of router:veth2 is ifindex 9, but client:eth0 has index 2',
    ]);
  });
});

describe('unreadable inputs', () => {
  it('a directory where a file is expected is an InputError, not an fs exception', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const d = mkdtempSync(join(tmpdir(), 'nfsim-w-'));
    try {
      mkdirSync(join(d, 'ip-route'));
      writeFileSync(join(d, 'ip-rule'), '0:\tfrom all lookup local\n');
      try {
        loadWorld(d);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        expect((e as InputError).issues[0].message).toMatch(/cannot read: not a regular file/);
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('topology grammar', () => {
  it('comments, spacing, and syntax errors per line', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const d = mkdtempSync(join(tmpdir(), 'nfsim-t-'));
    try {
      for (const h of ['a', 'b']) {
        mkdirSync(join(d, h));
        writeFileSync(join(d, h, 'ip-addr'), '1: lo    inet 127.0.0.1/8 scope host lo\n2: eth0    inet 10.0.0.1/24 scope global eth0\n');
      }
      writeFileSync(join(d, 'topology'), '# comment only\n\t link   a:eth0\tb:eth0   # trailing\n\nlink a:eth0 b:\nbridge a:lo port\n');
      try {
        loadWorld(d);
        expect.unreachable();
      } catch (e) {
        expect((e as InputError).issues.map((i) => `${i.loc.line}:${i.loc.col} ${i.message} | ${i.hint}`)).toEqual([
          '4:13 expected `link HOST:IF HOST:IF` | Expected HOST:IF but "b" found.',
          '5:17 expected `bridge HOST:BR port IF [IF...]` | the line ends too early',
        ]);
      }
      writeFileSync(join(d, 'topology'), '# comment only\n\t link   a:eth0\tb:eth0   # trailing\n');
      const w = loadWorld(d);
      expect(w.links).toEqual([{ a: { host: 'a', iface: 'eth0' }, b: { host: 'b', iface: 'eth0' }, kind: 'cable', loc: { file: join(d, 'topology'), line: 2, col: 3 } }]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
