import { describe, expect, it } from 'vitest';
import { findings, host, oneHost, save, world } from '../helpers.js';

const DOCKERISH = save({
  filter: [':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', '-A FORWARD -i docker0 ! -o docker0 -j ACCEPT'],
  nat: [':PREROUTING ACCEPT [0:0]', '-A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80'],
});
const IFACES = { eth0: ['192.168.1.10/24'], docker0: ['172.17.0.1/16'] };

describe('forwarding-disabled', () => {
  it('ip_forward=0 while DNAT to another host and accepting FORWARD rules expect forwarding', () => {
    const f = findings(oneHost({ ifaces: IFACES, sysctl: { 'net.ipv4.ip_forward': 0 }, iptables: DOCKERISH }), 'forwarding-disabled');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', subject: 'net.ipv4.ip_forward = 0', fix: 'sysctl -w net.ipv4.ip_forward=1   # and persist it in /etc/sysctl.d/' });
    expect(f[0].loc?.file).toBe('h/sysctl');
    expect(f[0].related?.map((r) => r.text)).toEqual(['-A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80', '-A FORWARD -i docker0 ! -o docker0 -j ACCEPT']);
  });

  it('ip_forward=1 but the ingress interface of the DNAT is off: names that interface', () => {
    const f = findings(oneHost({ ifaces: IFACES, sysctl: { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.eth0.forwarding': 0, 'net.ipv4.conf.docker0.forwarding': 1 }, iptables: DOCKERISH }), 'forwarding-disabled');
    expect(f).toHaveLength(1);
    expect(f[0].subject).toBe('net.ipv4.conf.eth0.forwarding = 0');
    expect(f[0].fix).toBe('sysctl -w net.ipv4.conf.eth0.forwarding=1');
    expect(f[0].related?.map((r) => r.text)).toEqual(['-A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80']);
  });

  it('nothing when forwarding is on, when DNAT stays local, or when FORWARD only drops', () => {
    expect(findings(oneHost({ ifaces: IFACES, sysctl: { 'net.ipv4.ip_forward': 1 }, iptables: DOCKERISH }), 'forwarding-disabled')).toEqual([]);
    const local = save({
      filter: [':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', '-A FORWARD -j REJECT --reject-with icmp-host-prohibited'],
      nat: [':PREROUTING ACCEPT [0:0]', '-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 192.168.1.10:8080', '-A PREROUTING -p tcp -m tcp --dport 81 -j DNAT --to-destination :8081'],
    });
    expect(findings(oneHost({ ifaces: IFACES, sysctl: { 'net.ipv4.ip_forward': 0 }, iptables: local }), 'forwarding-disabled')).toEqual([]);
  });

  it('without a sysctl dump the fresh-namespace default is used, and said (info only)', () => {
    const h = host('h', { ifaces: IFACES, iptables: DOCKERISH });
    delete h.sysctl;
    delete h.inputs.sysctl;
    const f = findings(world([h]), 'forwarding-disabled');
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('info');
    expect(f[0].subject).toBe('net.ipv4.ip_forward = 0 (not in the dump: the fresh-namespace default)');
    expect(f[0].message).toContain('no sysctl dump');
  });
});
