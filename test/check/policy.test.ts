/** Policy files: every kind of assertion, defaults, and located errors (src/parse/policy.ts). */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/parse/policy.js';
import { InputError, type InputIssue } from '../../src/model/source.js';
import { parseIpv4 } from '../../src/model/addr.js';

const ip = (t: string) => parseIpv4(t)!;

function errors(text: string): InputIssue[] {
  try {
    parsePolicy(text, 'team.policy');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).issues;
  }
  throw new Error(`no error for ${text}`);
}

describe('policy files', () => {
  it('parses the four kinds, with comments and blank lines', () => {
    const p = parsePolicy(
      ['# the web tier', '', 'allow tcp from 10.0.0.0/8 to web:443   # HTTPS from inside', 'deny tcp from any to web:22 via eth0', 'reach ctr:80 from lan:eth0', 'nat 172.17.0.0/16 -> masquerade via eth0', ''].join('\n'),
      'team.policy',
    );
    expect(p.assertions.map((a) => [a.kind, a.text, a.loc.line])).toEqual([
      ['allow', 'allow tcp from 10.0.0.0/8 to web:443', 3],
      ['deny', 'deny tcp from any to web:22 via eth0', 4],
      ['reach', 'reach ctr:80 from lan:eth0', 5],
      ['nat', 'nat 172.17.0.0/16 -> masquerade via eth0', 6],
    ]);
    const [allow, deny, reach, nat] = p.assertions;
    if (allow.kind !== 'allow' || deny.kind !== 'deny' || reach.kind !== 'reach' || nat.kind !== 'nat') throw new Error('kinds');
    expect(allow.from![0].addr).toEqual({ kind: 'set', set: [[ip('10.0.0.0'), ip('10.255.255.255')]] });
    expect(allow.to![0]).toMatchObject({ addr: { kind: 'host', host: 'web' }, ports: [[443, 443]], loc: { file: 'team.policy', line: 3, col: 30 } });
    expect(deny.via![0].addr).toEqual({ kind: 'host', host: 'eth0' });
    expect(reach.target).toMatchObject({ addr: { kind: 'host', host: 'ctr' }, ports: [[80, 80]] });
    expect(reach.source.addr).toEqual({ kind: 'host', host: 'lan', iface: 'eth0' });
    expect(reach.header.protos).toEqual([6]);
    expect(nat.result).toEqual({ kind: 'masquerade' });
    expect(nat.header.protos).toEqual([6, 17, 1]);
  });

  it('lists, ranges, ports, header options and protocol defaults', () => {
    const [a, b, c, d] = parsePolicy(
      ['allow udp from a,b:53,10.0.0.1-10.0.0.9 to web:eth0:1000-2000,80 sport 1024-65535 ttl 2-255', 'deny from any to 192.0.2.1:25', 'allow icmp type destination-unreachable code 4 to any', 'deny flags SA to web:80'].join('\n'),
      'p',
    ).assertions as any[];
    expect(a.from.map((i: any) => i.text)).toEqual(['a', 'b:53', '10.0.0.1-10.0.0.9']);
    expect(a.from[2].addr.set).toEqual([[ip('10.0.0.1'), ip('10.0.0.9')]]);
    expect(a.to[0]).toMatchObject({ addr: { kind: 'host', host: 'web', iface: 'eth0' }, ports: [[80, 80], [1000, 2000]] });
    expect(a.header).toEqual({ protos: [17], sport: [[1024, 65535]], ttl: [[2, 255]] });
    // ports without a protocol: tcp and udp
    expect(b.header.protos).toEqual([6, 17]);
    expect(c.header.icmp).toEqual([[(3 << 8) | 4, (3 << 8) | 4]]);
    expect(d.header).toEqual({ protos: [6], flags: [[0x12, 0x12]] });
    // the protocol may also come after the clauses
    const [e] = parsePolicy('nat 10.0.0.0/8 -> 192.0.2.1-192.0.2.9 via gw:eth1 udp', 'p').assertions as any[];
    expect(e.header.protos).toEqual([17]);
    expect(e.result).toEqual({ kind: 'snat', set: [[ip('192.0.2.1'), ip('192.0.2.9')]], text: '192.0.2.1-192.0.2.9' });
  });

  it('syntax errors are located with what was expected and a hint', () => {
    const [e] = errors('allow tcp from any to web:443\nallow tcp frm 10.0.0.0/8');
    expect(e.loc).toEqual({ file: 'team.policy', line: 2, col: 11 });
    expect(e.message).toContain('Expected');
    expect(e.message).toContain('"from"');
    expect(e.text).toBe('allow tcp frm 10.0.0.0/8');
    expect(e.hint).toContain('docs/check.md');
    const [f] = errors('permit tcp to web:80');
    expect(f.loc).toEqual({ file: 'team.policy', line: 1, col: 1 });
  });

  it('value errors are located at the value', () => {
    const cases: [string, number, string][] = [
      ['deny tcp to 10.0.0.1/33', 13, 'prefix length /33 is over 32'],
      ['deny tcp to 10.0.0.1/8', 13, '10.0.0.1/8 has host bits set'],
      ['deny tcp to 10.0.0.9-10.0.0.1', 13, 'is empty'],
      ['deny tcp to 10.0.0.1:70000', 13, 'port 70000 is out of range'],
      ['deny tcp to 300.0.0.1', 13, 'is not an IPv4 address'],
      ['allow tcp flags SYX', 11, "bad TCP flags 'SYX'"],
      ['allow icmp type bogus', 12, "unknown ICMP type 'bogus'"],
      ['allow tcp to web:80 ttl 300', 21, 'ttl must be'],
      ['allow icmp to web:80', 1, 'icmp has no ports'],
      ['allow udp flags S', 11, 'flags only apply to tcp'],
      ['reach a:80 from b to c', 19, "'to' does not apply to reach"],
      ['allow tcp to a to b', 16, "'to' given twice"],
      ['allow tcp udp to a', 11, 'protocol given twice'],
      ['deny tcp to web:22 via 10.0.0.1', 24, 'via names an interface'],
      ['nat 10.0.0.0/8 -> gw via x', 19, 'a nat result is masquerade, none, or the source address'],
    ];
    for (const [text, col, message] of cases) {
      const [e] = errors(text);
      expect(e.loc, text).toEqual({ file: 'team.policy', line: 1, col });
      expect(e.message, text).toContain(message);
    }
  });

  it('reports every bad line, not only the first', () => {
    const es = errors('deny tcp to 10.0.0.1/33\nallow tcp to ok:80\nallow icmp type bogus');
    expect(es.map((e) => e.loc.line)).toEqual([1, 3]);
  });
});
