import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { applyChanges, parseChangeScript } from '../../src/change/index.js';
import { saveRuleset } from '../../src/parse/iptablesSaveWrite.js';
import { apply, at, host, oneHost, refusal } from './helpers.js';
import type { World } from '../../src/model/host.js';
import { locOf } from '../../src/model/iptables.js';

const save = (w: World, table = 'filter') => {
  const rs = host(w).iptables!;
  const t = saveRuleset({ ...rs, tables: rs.tables.filter((x) => x.name === table) });
  return t.split('\n').filter((l) => l.startsWith('-') || l.startsWith(':'));
};

describe('iptables commands', () => {
  it('-A, -I N, -R N, -D by spec and by number print as iptables-save does', () => {
    const r = apply(`iptables -A INPUT -p tcp --dport 80 -m comment --comment "web in" -j ACCEPT
iptables --insert INPUT 2 -s 10.0.0.1 -j DROP
iptables -I INPUT -i lo -j ACCEPT
iptables -R INPUT 4 -p udp --dport 53 -j ACCEPT
iptables -D INPUT -s 10.0.0.1/32 -j DROP
iptables --delete BASE 1
`);
    expect(save(r.world)).toEqual([
      ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':BASE - [0:0]',
      '-A INPUT -i lo -j ACCEPT', '-A INPUT -j BASE', '-A INPUT -p udp -m udp --dport 53 -j ACCEPT',
    ]);
    expect(r.applied.map((a) => a.description)).toEqual([
      'filter INPUT: rule 2 appended: -A INPUT -p tcp -m tcp --dport 80 -m comment --comment "web in" -j ACCEPT',
      'filter INPUT: rule inserted at 2: -A INPUT -s 10.0.0.1/32 -j DROP',
      'filter INPUT: rule inserted at 1: -A INPUT -i lo -j ACCEPT',
      'filter INPUT: rule 4 replaced: -A INPUT -p udp -m udp --dport 53 -j ACCEPT',
      'filter INPUT: rule 3 deleted: -A INPUT -s 10.0.0.1/32 -j DROP',
      'filter BASE: rule 1 deleted: -A BASE -p tcp -m tcp --dport 22 -j ACCEPT',
    ]);
  });
  it('added rules are located in the script', () => {
    const r = apply('\niptables -A INPUT -p tcp --dport 80 -j ACCEPT\n');
    const rule = host(r.world).iptables!.tables.find((t) => t.name === 'filter')!.chains[0].rules[1];
    expect(locOf(rule)).toMatchObject({ line: 2, col: 1 });
    expect(locOf(rule, rule.target!)).toMatchObject({ line: 2, col: 40 });
  });
  it('-N, -E (jumps follow), -X, -F, -P, -Z; user chains listed by name', () => {
    const r = apply(`iptables -N ZED
iptables -N ALPHA
iptables -E BASE MIDDLE
iptables -F MIDDLE
iptables -D INPUT -j MIDDLE
iptables -X MIDDLE
iptables -P FORWARD DROP
iptables -t nat -F
iptables -t nat -X
iptables -Z
`);
    expect(save(r.world)).toEqual([':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ':ALPHA - [0:0]', ':ZED - [0:0]']);
    expect(save(r.world, 'nat')).toEqual([':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]']);
    const e = apply('iptables -E BASE B2\n');
    expect(save(e.world)).toContain('-A INPUT -j B2');
  });
  it('a table not yet in the dump is created with its built-in chains, in iptables-nft-save order', () => {
    const r = apply('iptables -t raw -A PREROUTING -j CT --notrack\niptables -t mangle -N M\n');
    expect(host(r.world).iptables!.tables.map((t) => t.name)).toEqual(['mangle', 'raw', 'filter', 'nat']);
    expect(save(r.world, 'raw')).toEqual([':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', '-A PREROUTING -j CT --notrack']);
  });
  it('-w, -t and the command may come in any order; long options', () => {
    const r = apply('iptables -w 5 --table nat --append POSTROUTING -s 10.2.0.0/24 -j MASQUERADE\niptables -t nat --new-chain X\niptables --table=nat --rename-chain X Y\n');
    expect(save(r.world, 'nat')).toEqual([
      ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ':Y - [0:0]',
      '-A POSTROUTING -o eth0 -j MASQUERADE', '-A POSTROUTING -s 10.2.0.0/24 -j MASQUERADE',
    ]);
  });
  it('-D by spec compares the whole rule (a different comment is another rule)', () => {
    const i = refusal('iptables -D BASE -p tcp --dport 22 -m comment --comment x -j ACCEPT\n');
    expect(i.message).toBe('iptables: Bad rule (does a matching rule exist in that chain?).');
    expect(apply('iptables -D BASE -p tcp -m tcp --dport 22 -j ACCEPT\n').applied).toHaveLength(1);
  });

  const cases: [string, string, string][] = [
    ['iptables -D INPUT 5', '1:19', 'iptables: Index of deletion too big.'],
    ['iptables -I INPUT 3 -j DROP', '1:19', 'iptables: Index of insertion too big.'],
    ['iptables -R INPUT 2 -j DROP', '1:19', 'iptables: Index of replacement too big.'],
    ['iptables -A NOPE -j DROP', '1:13', 'iptables: No chain/target/match by that name.'],
    ['iptables -N BASE', '1:13', 'iptables: Chain already exists.'],
    ['iptables -N INPUT', '1:13', 'iptables: Chain already exists.'],
    ['iptables -X BASE', '1:13', 'iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain BASE'],
    ['iptables -P BASE DROP', '1:13', 'iptables: Bad built-in chain name.'],
    ['iptables -P INPUT REJECT', '1:19', "iptables: Bad policy name. Run `dmesg' for more information."],
    ['iptables -t bogus -F', '1:13', "iptables v1.8.9 (nf_tables): table 'bogus' does not exist"],
    ['iptables -A INPUT -j NOSUCH', '1:22', "iptables v1.8.9 (nf_tables): Chain 'NOSUCH' does not exist"],
    ['iptables -E BASE INPUT', '1:18', 'iptables: File exists.'],
    ['iptables -A OUTPUT -i eth0 -j DROP', '1:20', "iptables v1.8.9 (nf_tables): Can't use -i with OUTPUT"],
    ['iptables -A INPUT --bogus', '1:19', 'iptables v1.8.9 (nf_tables): unknown option "--bogus"'],
    ['iptables -D INPUT 0', '1:19', "iptables v1.8.9 (nf_tables): Invalid rule number `0'"],
    ['iptables -A INPUT -j DNAT --to-destination 1.2.3.4', '1:22', 'iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain INPUT'],
    ['iptables -A BASE -p tcp -j BASE', '1:28', 'iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Too many links): rule in chain BASE'],
    ['iptables -E NOPE ACCEPT', '1:18', 'iptables: File exists.'],
    ['iptables -t nat -A PREROUTING -o eth1 -j DROP', '1:42', 'iptables v1.8.9 (nf_tables): \nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.'],
    ['iptables -t raw -A INPUT -o eth1 -j ACCEPT', '1:26', "iptables v1.8.9 (nf_tables): Can't use -o with INPUT\n"],
    ['iptables -t mangle -D INPUT 1', '1:23', 'iptables: No chain/target/match by that name.'],
    ['iptables -D FORWARD 1', '1:13', 'iptables: No chain/target/match by that name.'],
    ['iptables -L INPUT', '1:10', 'iptables v1.8.9 (nf_tables): -L changes nothing'],
    ['iptables -A INPUT -D INPUT 1', '1:19', 'iptables v1.8.9 (nf_tables): Cannot use -D with -A'],
  ];
  for (const [cmd, where, msg] of cases)
    it(`refuses: ${cmd}`, () => {
      const i = refusal(cmd + '\n');
      expect([at(i), i.message]).toEqual([where, msg]);
      expect(i.text).toBe(cmd);
    });

  it('a loop among chains no built-in chain reaches is accepted', () => {
    expect(apply('iptables -N A\niptables -N B\niptables -A A -j B\niptables -A B -j A\n').applied).toHaveLength(4);
  });
  it('iptables-nft: flushing, zeroing or deleting chains of a table not in use does nothing, and adds no table', () => {
    const r = apply('iptables -t mangle -F\niptables -t mangle -Z\niptables -t mangle -X\n');
    expect(r.applied.map((a) => a.description)).toEqual(Array(3).fill('mangle: the table is not in use: nothing to do'));
    expect(host(r.world).iptables!.tables.map((t) => t.name)).toEqual(['filter', 'nat']);
    expect(host(apply('iptables -t mangle -F INPUT\n').world).iptables!.tables.map((t) => t.name)).toEqual(['mangle', 'filter', 'nat']);
  });
  it('a ruleset dumped by iptables-legacy gets the legacy wording for -X', () => {
    const w = oneHost();
    const legacy: World = { ...w, hosts: [{ ...w.hosts[0], iptables: { ...w.hosts[0].iptables!, backend: 'legacy' } }] };
    expect(refusal('iptables -X BASE\n', legacy).message).toBe('iptables: Too many links.');
    expect(refusal('iptables -D INPUT -j BASE\niptables -X BASE\n', legacy).message).toBe('iptables: Directory not empty.');
    expect(refusal('iptables -A INPUT -j NOSUCH\n', legacy).message).toBe("iptables v1.8.9 (legacy): Couldn't load target `NOSUCH':No such file or directory");
    expect(refusal('iptables -E INPUT X\n', legacy).message).toBe('iptables: No chain/target/match by that name.');
    expect(refusal('iptables -E INPUT X\n').message).toBe('unsupported: renaming the built-in chain INPUT is not modelled by nfsim');
  });
  it('a host without iptables-save input is refused (its ruleset is not known)', () => {
    const w = oneHost();
    const none: World = { ...w, hosts: [{ ...w.hosts[0], iptables: undefined }] };
    expect(refusal('iptables -A INPUT -j DROP\n', none).message).toBe('host r has no iptables-save input: its ruleset is not known');
  });
  it('ip6tables changes the IPv6 ruleset only', () => {
    const w = oneHost();
    const six: World = { ...w, hosts: [{ ...w.hosts[0], ip6tables: { family: 6, file: 'x', backend: 'nf_tables', hasCounters: false, tables: [], issues: [] } }] };
    const r = apply('ip6tables -A INPUT -s 2001:db8::/32 -p ipv6-icmp -j ACCEPT\n', six);
    expect(saveRuleset(host(r.world).ip6tables!)).toContain('-A INPUT -s 2001:db8::/32 -p ipv6-icmp -j ACCEPT');
    expect(host(r.world).iptables).toBe(six.hosts[0].iptables);
  });
});

describe('iptables-restore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nfchg-restore-'));
  writeFileSync(join(dir, 'new.rules'), '*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:BASE - [0:0]\n-A INPUT -j BASE\n-A BASE -p tcp --dport 443 -j ACCEPT\nCOMMIT\n');
  const base = oneHost();
  const run = (s: string) => applyChanges(base, parseChangeScript(s, join(dir, 'c.sh')));
  it('replaces the tables in the file, keeps the others', () => {
    const r = run('iptables-restore new.rules\n');
    expect(save(r.world)).toEqual([':INPUT DROP [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':BASE - [0:0]', '-A INPUT -j BASE', '-A BASE -p tcp -m tcp --dport 443 -j ACCEPT']);
    const nat = (w: World) => host(w).iptables!.tables.find((t) => t.name === 'nat');
    expect(nat(r.world)).toBe(nat(base));
  });
  it('--noflush flushes the chains it declares and appends', () => {
    const r = run('iptables-restore --noflush < new.rules\n');
    expect(save(r.world)).toEqual([':INPUT DROP [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':BASE - [0:0]', '-A INPUT -j BASE', '-A INPUT -j BASE', '-A BASE -p tcp -m tcp --dport 443 -j ACCEPT']);
  });
  it('-T restores one table of the file; ip6tables-restore the IPv6 ruleset', () => {
    writeFileSync(join(dir, 'two.rules'), '*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n*filter\n:INPUT DROP [0:0]\nCOMMIT\n');
    const r = run('iptables-restore -T nat two.rules\n');
    expect(save(r.world)).toEqual(save(base));
    expect(save(r.world, 'nat')).toEqual([':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]']);
    writeFileSync(join(dir, 'v6.rules'), '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p ipv6-icmp -j ACCEPT\nCOMMIT\n');
    const six: World = { ...base, hosts: [{ ...base.hosts[0], ip6tables: { family: 6, file: 'x', backend: 'nf_tables', hasCounters: false, tables: [], issues: [] } }] };
    const r6 = applyChanges(six, parseChangeScript('ip6tables-restore v6.rules\n', join(dir, 'c.sh')));
    expect(saveRuleset(host(r6.world).ip6tables!)).toContain('-A INPUT -p ipv6-icmp -j ACCEPT');
    expect(host(r6.world).iptables).toBe(six.hosts[0].iptables);
  });
  it('errors in the restored file are reported in that file', () => {
    writeFileSync(join(dir, 'bad.rules'), '*filter\n-A INPUT -j NOPE\nCOMMIT\n');
    expect(() => run('iptables-restore bad.rules\n')).toThrow(/bad.rules:2:/);
  });
  it('the kernel checks the restored table: a target outside its hooks through a user chain, a loop', () => {
    writeFileSync(join(dir, 'hook.rules'), '*nat\n:PREROUTING ACCEPT [0:0]\n:U - [0:0]\n-A PREROUTING -j U\n-A U -j MASQUERADE\nCOMMIT\n');
    expect(() => run('iptables-restore --noflush hook.rules\n')).toThrow('iptables-restore v1.8.9 (nf_tables): \nline 5: RULE_APPEND failed (Invalid argument): rule in chain U');
    writeFileSync(join(dir, 'loop.rules'), '*filter\n:U - [0:0]\n-A INPUT -j U\n-A U -j U\nCOMMIT\n');
    const legacy: World = { ...base, hosts: [{ ...base.hosts[0], iptables: { ...base.hosts[0].iptables!, backend: 'legacy' } }] };
    expect(() => applyChanges(legacy, parseChangeScript('iptables-restore -n loop.rules\n', join(dir, 'c.sh')))).toThrow('iptables-restore: line 5 failed');
  });
  it('a missing file is refused at parse time', () => {
    expect(() => run('iptables-restore nope.rules\n')).toThrow(/cannot open .*nope.rules: No such file or directory/);
  });
});
