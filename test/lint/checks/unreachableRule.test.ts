import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/lint/index.js';
import { findings, oneHost, save } from '../helpers.js';

const HEAD = [':INPUT DROP [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];

function lintFilter(lines: string[], extraChains: string[] = [], ifaces: Record<string, string[]> = { eth0: ['10.0.0.1/24'], eth1: ['10.1.0.1/24'] }, more: Record<string, string[]> = {}) {
  return findings(oneHost({ ifaces, iptables: save({ filter: [...HEAD, ...extraChains, ...lines], ...more }) }), 'unreachable-rule');
}

/** "rule N shadowed by rule M" pairs, by rule text line order. */
function shadowed(f: Finding[]): string[] {
  return f.filter((x) => x.related?.[0]?.what.startsWith('shadowed')).map((x) => `${x.loc!.line}<${x.related![0].loc!.line}`);
}

describe('unreachable-rule: shadowing', () => {
  it('names the earlier rule that covers a later one (ports, prefixes, multiport, state sets)', () => {
    const f = lintFilter([
      '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', // line 5
      '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', // 6
      '-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j DROP', // 7: shadowed by 6
      '-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT', // 8
      '-A INPUT -p tcp -m tcp --dport 443 -m state --state NEW -j ACCEPT', // 9: shadowed by 8
      '-A INPUT -m state --state ESTABLISHED -j ACCEPT', // 10: shadowed by 5
      '-A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT', // 11: not covered by anything
    ]);
    expect(shadowed(f)).toEqual(['7<6', '9<8', '10<5']);
    const r7 = f.find((x) => x.loc!.line === 7)!;
    expect(r7.message).toBe('rule 3 of INPUT can never match: rule 2 matches every packet it would, and accepts it');
    expect(r7.fix).toBe('iptables -D INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j DROP   # or move it above rule 2');
    expect(r7.related![0].text).toBe('-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT');
  });

  it('makes no claim for a partial cover, a stateful match or a narrower earlier rule', () => {
    const f = lintFilter([
      '-A INPUT -s 10.0.0.0/16 -j ACCEPT',
      '-A INPUT -s 10.0.0.0/8 -j DROP', // wider than the earlier rule
      '-A INPUT -p udp -m udp --dport 53 -m limit --limit 1/sec -j ACCEPT',
      '-A INPUT -p udp -m udp --dport 53 -m limit --limit 1/sec -j ACCEPT', // limit has its own bucket per rule
      '-A INPUT -p tcp -m tcp --dport 1:1000 -j ACCEPT',
      '-A INPUT -p tcp -m tcp --dport 999:1001 -j DROP', // 1001 is outside
      '-A INPUT -p tcp -m tcp --dport 2500 -j LOG',
      '-A INPUT -p tcp -m tcp --dport 2500 -j DROP', // LOG does not end the walk
      '-A INPUT -m conntrack --ctstate NEW -j ACCEPT',
      '-A INPUT -m conntrack --ctstate NEW,INVALID -j DROP',
    ]);
    expect(shadowed(f)).toEqual([]);
  });

  it('knows identical stateless matches imply each other, and RETURN / goto end the chain', () => {
    const f = lintFilter(
      [
        '-A INPUT -j CHK',
        '-A CHK -m addrtype --dst-type LOCAL -j RETURN',
        '-A CHK -p tcp -m addrtype --dst-type LOCAL -j DROP', // shadowed by the RETURN (same addrtype)
        '-A CHK -g OTHER',
        '-A CHK -p udp -j ACCEPT', // shadowed by the unconditional goto
        '-A OTHER -j ACCEPT',
      ],
      [':CHK - [0:0]', ':OTHER - [0:0]'],
    );
    expect(shadowed(f)).toEqual(['9<8', '11<10']);
    expect(f.find((x) => x.loc!.line === 11)!.message).toContain('goes to OTHER');
  });

  it('a jump to a chain that never returns ends the walk; one that may return does not', () => {
    const f = lintFilter(
      [
        '-A INPUT -i eth0 -j LOGDROP',
        '-A INPUT -i eth0 -p tcp -j ACCEPT', // shadowed: LOGDROP always drops
        '-A INPUT -i eth1 -j MAYBE',
        '-A INPUT -i eth1 -p tcp -j ACCEPT', // MAYBE returns for non-udp
        '-A LOGDROP -j LOG --log-prefix "drop: "',
        '-A LOGDROP -j DROP',
        '-A MAYBE -p udp -j DROP',
      ],
      [':LOGDROP - [0:0]', ':MAYBE - [0:0]'],
    );
    expect(shadowed(f)).toEqual(['8<7']);
    expect(f[0].message).toContain('jumps to LOGDROP, which never returns');
  });

  it('interface names: prefixes with + and negations', () => {
    const f = lintFilter([
      '-A INPUT -i eth+ -j DROP',
      '-A INPUT -i eth1 -p udp -j ACCEPT', // shadowed
      '-A INPUT ! -i lo -j DROP',
      '-A INPUT -i wlan0 -j ACCEPT', // shadowed by ! -i lo
      '-A INPUT -i lo -j ACCEPT', // not shadowed
    ], [], { eth0: ['10.0.0.1/24'], eth1: ['10.1.0.1/24'], wlan0: ['10.2.0.1/24'] });
    expect(shadowed(f)).toEqual(['6<5', '8<7']);
  });

  it('no claim across a rule that rewrites the packet (MARK between two mark matches)', () => {
    const f = findings(
      oneHost({
        iptables: save({
          mangle: [
            ':PREROUTING ACCEPT [0:0]',
            '-A PREROUTING -m mark --mark 0x1 -j ACCEPT',
            '-A PREROUTING -j MARK --set-xmark 0x1/0xffffffff',
            '-A PREROUTING -m mark --mark 0x1 -j ACCEPT',
          ],
        }),
      }),
      'unreachable-rule',
    );
    expect(shadowed(f)).toEqual([]);
  });

  it('nat targets end the nat chain', () => {
    const f = findings(
      oneHost({
        ifaces: { eth0: ['10.0.0.1/24'] },
        iptables: save({
          nat: [':POSTROUTING ACCEPT [0:0]', '-A POSTROUTING -o eth0 -j MASQUERADE', '-A POSTROUTING -s 10.9.0.0/16 -o eth0 -j SNAT --to-source 10.0.0.1'],
        }),
      }),
      'unreachable-rule',
    );
    expect(shadowed(f)).toEqual(['4<3']);
    expect(f[0].subject).toBe('-t nat -A POSTROUTING -s 10.9.0.0/16 -o eth0 -j SNAT --to-source 10.0.0.1');
    expect(f[0].fix.startsWith('iptables -t nat -D POSTROUTING')).toBe(true);
  });

  it('a port match does not cover later fragments unless connection tracking (defragmentation) is active', () => {
    const rules = ['-A INPUT -p tcp -m multiport --dports 0:65535 -j ACCEPT', '-A INPUT -p tcp -j DROP'];
    expect(shadowed(lintFilter(rules))).toEqual([]);
    expect(shadowed(lintFilter(['-A INPUT -m conntrack --ctstate INVALID -j DROP', ...rules]))).toEqual(['7<6']);
  });
});

describe('unreachable-rule: never matches on its own', () => {
  it('contradictory conditions and reversed ranges', () => {
    const f = lintFilter([
      '-A INPUT -s 10.0.0.0/8 -m iprange --src-range 192.168.0.1-192.168.0.9 -j ACCEPT',
      '-A INPUT -m iprange --dst-range 10.0.0.9-10.0.0.1 -j ACCEPT',
    ]);
    expect(f).toHaveLength(2);
    expect(f[0].message).toBe('this rule can never match: its conditions on the source address (-s 10.0.0.0/8 with -m iprange --src-range 192.168.0.1-192.168.0.9) leave no packet');
    expect(f[1].message).toContain('destination address (-m iprange --dst-range 10.0.0.9-10.0.0.1 (matches nothing by itself))');
  });

  it('-i in a chain reached only from OUTPUT, -o in one reached only from INPUT', () => {
    const f = lintFilter(
      ['-A OUTPUT -j OUT', '-A INPUT -j IN', '-A FORWARD -j BOTH', '-A OUTPUT -j BOTH', '-A OUT -i eth0 -j DROP', '-A IN -o eth0 -j DROP', '-A BOTH -i eth0 -j DROP', '-A OUT ! -i eth0 -j DROP'],
      [':OUT - [0:0]', ':IN - [0:0]', ':BOTH - [0:0]'],
    );
    const msgs = f.map((x) => `${x.loc!.line}: ${x.message.split(':')[0]}`);
    expect(msgs).toEqual(['12: -i eth0 can never match', '13: -o eth0 can never match']);
    expect(f[0].message).toContain('only reached from OUTPUT');
  });

  it('an interface the host does not have: a warning that says interfaces come and go', () => {
    const f = lintFilter(['-A INPUT -i wg0 -j ACCEPT', '-A INPUT -i tun+ -j ACCEPT', '-A INPUT -i eth+ -j ACCEPT', '-A INPUT ! -i wg1 -j ACCEPT']);
    expect(f.map((x) => x.loc!.line)).toEqual([5, 6]);
    expect(f[0].severity).toBe('warning');
    expect(f[0].message).toContain('Interfaces come and go');
    expect(f[1].message).toContain('no interface whose name starts with tun');
  });

  it('without an interface list, unknown interfaces are not reported', () => {
    const w = oneHost({ iptables: save({ filter: [...HEAD, '-A INPUT -i wg0 -j ACCEPT'] }) });
    w.hosts[0].inputs = { 'iptables-save': 'h/iptables-save' };
    expect(findings(w, 'unreachable-rule')).toEqual([]);
  });
});
