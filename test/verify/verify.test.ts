import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadWorld } from '../../src/parse/world.js';
import { parseQueries } from '../../src/parse/queries.js';
import { labScript } from '../../src/verify/labScript.js';

const DIR = 'test/conformance/router-nat';

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
  });

});
