import { describe, expect, it } from 'vitest';
import { findings, oneHost, save } from '../helpers.js';

function dockerUfw(input: string[], forward = ['-A FORWARD -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT']) {
  return oneHost({
    ifaces: { eth0: ['192.168.1.10/24'], docker0: ['172.17.0.1/16'] },
    routes: ['default via 192.168.1.1 dev eth0'],
    sysctl: { 'net.ipv4.ip_forward': 1 },
    iptables: save({
      filter: [':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ...input, ...forward],
      nat: [':PREROUTING ACCEPT [0:0]', ':DOCKER - [0:0]', '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER', '-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80'],
    }),
  });
}

describe('published-port-bypasses-input', () => {
  it('INPUT drops the port, but the DNATed packet is forwarded: names both rules and the path', () => {
    const f = findings(dockerUfw(['-A INPUT -p tcp -m tcp --dport 8080 -j DROP']), 'published-port-bypasses-input');
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('warning');
    expect(f[0].subject).toBe('-t nat -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80');
    expect(f[0].message).toContain('tcp/8080 on 192.168.1.10 is published to 172.17.0.2:80');
    expect(f[0].message).toContain('Checked with `arrive h:eth0 tcp 203.0.113.10:40000 > 192.168.1.10:8080 flags S`: forwarded out of docker0');
    expect(f[0].related?.[0]).toMatchObject({ what: 'the INPUT rule that does not apply', text: '-A INPUT -p tcp -m tcp --dport 8080 -j DROP' });
    expect(f[0].related?.map((r) => r.text)).toContain('-A FORWARD -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT');
    expect(f[0].fix).toContain('iptables -I FORWARD -i eth0 -p tcp -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j DROP');
  });

  it('an INPUT policy DROP counts too', () => {
    const w = dockerUfw([]);
    const filter = w.hosts[0].iptables!.tables.find((t) => t.name === 'filter')!;
    filter.chains.find((c) => c.name === 'INPUT')!.policy = 'DROP';
    const f = findings(w, 'published-port-bypasses-input');
    expect(f).toHaveLength(1);
    expect(f[0].related?.[0].text).toBe('policy DROP of filter INPUT');
  });

  it('nothing when INPUT would accept the port anyway, or when FORWARD blocks it too', () => {
    expect(findings(dockerUfw(['-A INPUT -p tcp -m tcp --dport 22 -j DROP']), 'published-port-bypasses-input')).toEqual([]);
    expect(findings(dockerUfw(['-A INPUT -p tcp -m tcp --dport 8080 -j DROP'], []), 'published-port-bypasses-input')).toEqual([]);
  });

  it('says so (info) when it cannot decide: no interfaces in the dump', () => {
    const w = dockerUfw(['-A INPUT -p tcp -m tcp --dport 8080 -j DROP']);
    w.hosts[0].interfaces = [];
    w.hosts[0].routes = [];
    const f = findings(w, 'published-port-bypasses-input');
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('info');
    expect(f[0].message).toContain('could not be decided: no interface with an address admits the rule');
  });
});
