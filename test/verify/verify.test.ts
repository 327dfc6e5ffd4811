import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadWorld } from '../../src/parse/world.js';
import { parseQueries } from '../../src/parse/queries.js';
import { labBuild, labProbe, labScript } from '../../src/verify/labScript.js';

const DIR = 'test/conformance/router-nat';
const OUT = 'test/verify/outside';

describe('verify: the world rebuilt as namespaces', () => {
  it('the lab script recreates links, addresses, routes, sysctls, rules and listeners, and sends the local packets', () => {
    const w = loadWorld(`${DIR}/world`);
    const q = parseQueries(readFileSync(`${DIR}/queries`, 'utf8'), 'queries');
    const s = labScript(w, q, 'nfvtest');
    expect(s.text).toContain("lab_veth 'client' 'eth0' 02:00:0a:00:01:02 'r' 'eth0' 02:00:0a:00:01:01");
    expect(s.text).toContain("lab_addr 'r' 'eth2' 198.51.100.1/24");
    expect(s.text).toContain("lab_x 'client' ip route add default via 10.0.1.1 dev eth0");
    expect(s.text).toMatch(/lab_sysctl 'r' net\.ipv4\.ip_forward=1 /);
    expect(s.text).toContain('-A PREROUTING -d 10.0.1.1/32 -p udp -m udp --dport 8053 -j DNAT --to-destination 10.0.2.2:53');
    expect(s.text).toContain("lab_listen 'srv' udp 0.0.0.0 53");
    expect(s.sent).toHaveLength(10);
    expect(s.text).toContain("lab_query 'local client tcp 10.0.1.2:40000 > 10.0.2.2:22 flags S' 'client' tcp 10.0.1.2 40000 10.0.2.2 22");
    // a UDP datagram carries the spec's IP total length
    expect(s.text).toContain("lab_query 'local client udp 10.0.1.2:5000 > 10.0.2.2:53 len 39' 'client' udp 10.0.1.2 5000 10.0.2.2 53 39");
    const [big] = parseQueries('local client udp 10.0.1.2:5000 > 10.0.2.2:53 len 200\n', 'q');
    expect(labProbe(w, big, { outside: true })).toMatchObject({ proto: 'udp', args: ['10.0.1.2', '5000', '10.0.2.2', '53', '200'] });
    // TTL, TOS, mark and payload are set on the socket; what connect() cannot send is not sent, with the reason
    const probe = (t: string) => labProbe(w, parseQueries(`${t}\n`, 'q')[0], { outside: true });
    expect(probe('local client udp 10.0.1.2:5000 > 10.0.2.2:53 ttl 3 tos 16 mark 0x5 payload AB')).toMatchObject({ proto: 'udp', args: ['10.0.1.2', '5000', '10.0.2.2', '53', '30', 'so:ttl=3,tos=16,mark=5,payload=4142'] });
    expect(probe('local client icmp 10.0.1.2 > 10.0.2.2 type echo-request id 1 seq 1 len 100')).toMatchObject({ proto: 'icmp', args: ['10.0.1.2', '10.0.2.2', '1', '1', '8', 'so:len=100'] });
    expect(probe('local client tcp 10.0.1.2:40000 > 10.0.2.2:22 flags A')).toEqual({ why: 'a TCP probe from a socket is a connect(): only a SYN (flags S) can be sent' });
    expect(probe('local client tcp 10.0.1.2:40000 > 10.0.2.2:22 flags S len 44')).toEqual({ why: 'connect() sends a 60-byte SYN without data: len 44 cannot be sent from a socket' });
    expect(s.text).not.toContain('lab_outside');
  });

  it('an interface without a link is the end of an outside link, and packets arriving on it are sent from there as frames', () => {
    const w = loadWorld(`${OUT}/world`);
    const q = parseQueries(readFileSync(`${OUT}/queries`, 'utf8'), 'queries');
    const s = labScript(w, q, 'nfvtest');
    expect(s.notRebuilt).toEqual([]);
    expect(s.skipped).toEqual([]);
    expect(s.text).toContain("lab_outside 'r' 'eth0' 02:00:c6:33:64:01");
    // the route through the uplink is rebuilt (it needs the interface)
    expect(s.text).toContain("lab_x 'r' ip route add default via 198.51.100.254 dev eth0");
    expect(s.text).toContain(
      "lab_query 'arrive r:eth0 tcp 203.0.113.5:40000 > 198.51.100.1:8080 flags S' 'x-r-eth0' l2 outside 02:5e:ff:ff:ff:01 02:00:c6:33:64:01 ttl=64,tos=0,df=1,len=60,flags=S tcp 203.0.113.5 40000 198.51.100.1 8080",
    );
    expect(s.text).toContain("'x-r-eth0' l2 outside 02:5e:ff:ff:ff:01 02:00:c6:33:64:01 ttl=64,tos=0,df=0,len=39 udp 203.0.113.5 5000 198.51.100.1 5353");
  });

  it('an arriving packet whose source the linked neighbour does not own is a frame sent from that neighbour', () => {
    const w = loadWorld(`${DIR}/world`);
    const [qu] = parseQueries('arrive r:eth2 udp 203.0.113.9:7 > 198.51.100.1:7 ttl 9 tos 16\n', 'q');
    const p = labProbe(w, qu, { outside: true });
    expect(p).toEqual({ sender: 'ext', proto: 'l2', args: ['eth0', '02:00:c6:33:64:fe', '02:00:c6:33:64:01', 'ttl=9,tos=16,df=0,len=33', 'udp', '203.0.113.9', '7', '198.51.100.1', '7'], len: 33, wait: 3.6 });
    // from the neighbour's own address: its socket sends it, as before
    const [own] = parseQueries('arrive r:eth2 udp 198.51.100.254:7 > 198.51.100.1:7\n', 'q');
    expect(labProbe(w, own, { outside: true })).toMatchObject({ sender: 'ext', proto: 'udp' });
  });

  it('what cannot come from outside is not sent, with the reason', () => {
    const w = loadWorld(`${OUT}/world`);
    const [marked, err] = parseQueries('arrive r:eth0 udp 203.0.113.5:1 > 198.51.100.1:2 mark 0x1\narrive r:eth0 icmp 203.0.113.5 > 198.51.100.1 type 3 code 1\n', 'q');
    expect(labProbe(w, marked, { outside: true })).toEqual({ why: expect.stringContaining('mark') });
    expect(labProbe(w, err, { outside: true })).toEqual({ why: 'only TCP, UDP and ICMP echo packets are sent from outside' });
  });

  it('without the outside option (the batch lab) nothing changes: the interface is reported, the packet not sent', () => {
    const w = loadWorld(`${OUT}/world`);
    const q = parseQueries(readFileSync(`${OUT}/queries`, 'utf8'), 'queries');
    const b = labBuild(w);
    expect(b.notRebuilt).toEqual(['r: interface eth0 has no link in the topology and is not created']);
    expect(b.lines.join('\n')).not.toContain('lab_outside');
    expect(labProbe(w, q[0])).toEqual({ why: expect.stringContaining('outside the modelled world') });
  });
});
