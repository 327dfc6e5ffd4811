import { describe, expect, it } from 'vitest';
import { parseChangeScript } from '../../src/change/index.js';
import { splitScript } from '../../src/change/shellWords.js';
import { InputError, type InputIssue } from '../../src/model/source.js';
import { apply, at, host, refusal, twoHosts } from './helpers.js';
import { saveRuleset } from '../../src/parse/iptablesSaveWrite.js';

describe('shell words', () => {
  const words = (t: string) => {
    const issues: InputIssue[] = [];
    const l = splitScript(t, 'f', issues);
    expect(issues).toEqual([]);
    return l.map((x) => x.words.map((w) => w.text));
  };
  it('quotes, escapes, comments and continuations', () => {
    expect(words(`iptables -A INPUT -m comment --comment "a b" -j ACCEPT # why\n`)).toEqual([['iptables', '-A', 'INPUT', '-m', 'comment', '--comment', 'a b', '-j', 'ACCEPT']]);
    expect(words(`echo 'it''s' "say \\"hi\\"" a\\ b x#y`)).toEqual([['echo', 'its', 'say "hi"', 'a b', 'x#y']]);
    expect(words('# only a comment\n\n  \nsysctl \\\n  -w \\\n  a.b=1\nip r')).toEqual([['sysctl', '-w', 'a.b=1'], ['ip', 'r']]);
    expect(words('iptables-restore < file')).toEqual([['iptables-restore', '<', 'file']]);
  });
  it('locates every word, also on continuation lines', () => {
    const l = splitScript('iptables -A INPUT \\\n    -j DROP\n', 'f', []);
    expect(l[0].words.map((w) => `${w.loc.line}:${w.loc.col}`)).toEqual(['1:1', '1:10', '1:13', '2:5', '2:8']);
    expect(l[0].text).toBe('iptables -A INPUT -j DROP');
  });
  it('refuses shell syntax and unterminated quotes with their location', () => {
    const issues: InputIssue[] = [];
    splitScript('iptables -F; iptables -X\nsysctl "a=1\n', 'f', issues);
    expect(issues.map((i) => `${at(i)} ${i.message}`)).toEqual([
      "1:12 shell syntax ';' is not part of a change script",
      '2:8 unterminated " quote',
    ]);
  });
});

describe('change scripts: hosts and commands', () => {
  it('a one-host world needs no `on` line; `sudo` is ignored', () => {
    const r = apply('sudo iptables -A INPUT -j DROP\n');
    expect(r.applied).toEqual([{ host: 'r', command: 'sudo iptables -A INPUT -j DROP', loc: { file: expect.stringContaining('change.sh'), line: 1, col: 6 }, description: 'filter INPUT: rule 2 appended: -A INPUT -j DROP' }]);
  });
  it('`on HOST` switches the host', () => {
    const w = twoHosts();
    const r = apply('on s\niptables -A INPUT -j DROP\non r\nsysctl -w net.ipv4.ip_forward=1\n', w);
    expect(r.applied.map((a) => a.host)).toEqual(['s', 'r']);
    expect(saveRuleset(host(r.world, 's').iptables!)).toContain('-A INPUT -j DROP');
  });
  it('a command before any `on` line of a multi-host world is refused with the hosts listed', () => {
    const i = refusal('\niptables -A INPUT -j DROP\n', twoHosts());
    expect(i.message).toBe('which host? the world has 2 hosts');
    expect(i.hint).toContain('hosts: r, s');
    expect(at(i)).toBe('2:1');
  });
  it('an unknown host is refused where it is named', () => {
    const i = refusal('on x\nsysctl -w net.ipv4.ip_forward=1\n', twoHosts());
    expect([at(i), i.message, i.hint]).toEqual(['1:4', "no host 'x' in the world", 'hosts: r, s']);
  });
  it('every unknown command of the script is reported at once', () => {
    try {
      parseChangeScript('nft add table x\niptables -A INPUT -j ACCEPT\nip link set eth0 down\nip -6 route add ::/0 dev eth0\n', 'c');
      expect.fail('accepted');
    } catch (e) {
      const issues = (e as InputError).issues;
      expect(issues.map((i) => `${at(i)} ${i.message}`)).toEqual([
        "1:1 unknown command 'nft'",
        '3:4 Object "link" is unknown, try "ip help".',
        '4:4 ip -6: IPv6 routes, addresses and rules are not modelled by nfsim',
      ]);
      expect(issues[0].hint).toContain('iptables');
    }
  });
  it('the input world is not changed and the result is deterministic', () => {
    const w = twoHosts();
    const before = JSON.stringify(w);
    const s = 'on r\niptables -N X\nip route add 10.9.0.0/16 via 10.1.0.254\nip addr add 10.1.0.7/24 dev eth0\n';
    const a = apply(s, w);
    const b = apply(s, w);
    expect(JSON.stringify(w)).toBe(before);
    expect(JSON.stringify(a.world)).toBe(JSON.stringify(b.world));
  });
});
