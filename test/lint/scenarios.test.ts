/** The teaching scenarios as lint fixtures: the finding names the incident in the broken state, not in the fixed one. */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { lintWorld } from '../../src/lint/index.js';
import { rpfAsymmetry } from '../../src/lint/checks/rpFilterAsymmetric.js';
import type { Host, World } from '../../src/model/host.js';
import { loadWorld } from '../../src/parse/world.js';
import * as I from '../../src/space/intervals.js';
import { ip } from '../ext/ctx.js';

const S = 'scenarios';
const lint = (w: World, check: string) => lintWorld(w, { checks: [check] });

function withHost(w: World, name: string, f: (h: Host) => Host): World {
  return { ...w, hosts: w.hosts.map((h) => (h.name === name ? f(h) : h)) };
}
function withSysctl(w: World, name: string, values: Record<string, string>): World {
  return withHost(w, name, (h) => ({ ...h, sysctl: { ...h.sysctl!, values: { ...h.sysctl!.values, ...values } } }));
}

describe('lint on the scenarios', () => {
  it('01: forwarding off is found, with the DNAT rule that expects it; not in the fixed world', () => {
    const f = lint(loadWorld(`${S}/01-published-port-forwarding-off/world`), 'forwarding-disabled');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ host: 'docker-host', severity: 'warning', subject: 'net.ipv4.ip_forward = 0' });
    expect(f[0].loc).toEqual({ file: `${S}/01-published-port-forwarding-off/world/docker-host/sysctl`, line: 434, col: 1 });
    expect(f[0].related?.[0].text).toBe('-A DOCKER ! -i docker0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 172.17.0.2:80');
    expect(lint(loadWorld(`${S}/01-published-port-forwarding-off/world-fixed`), 'forwarding-disabled')).toEqual([]);
  });

  it('04: the node with forwarding off is named; not in the fixed world', () => {
    const f = lint(loadWorld(`${S}/04-node-forwarding-off/world`), 'forwarding-disabled');
    expect(f.map((x) => x.host)).toEqual(['node2']);
    expect(lint(loadWorld(`${S}/04-node-forwarding-off/world-fixed`), 'forwarding-disabled')).toEqual([]);
  });

  it('01 fixed, behind an INPUT policy DROP (ufw-like): the published port bypasses INPUT and reaches the container', () => {
    const fixed = loadWorld(`${S}/01-published-port-forwarding-off/world-fixed`);
    expect(lint(fixed, 'published-port-bypasses-input')).toEqual([]);
    const closed = withHost(fixed, 'docker-host', (h) => ({
      ...h,
      iptables: { ...h.iptables!, tables: h.iptables!.tables.map((t) => (t.name !== 'filter' ? t : { ...t, chains: t.chains.map((c) => (c.name === 'INPUT' ? { ...c, policy: 'DROP' as const } : c)) })) },
    }));
    const f = lint(closed, 'published-port-bypasses-input');
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('tcp/80 on 10.211.55.15 is published to 172.17.0.2:80');
    expect(f[0].message).toContain('delivered on ctr');
    expect(f[0].fix).toContain('iptables -I DOCKER-USER -i eth0 -p tcp -m conntrack --ctorigdstport 80 --ctdir ORIGINAL -j DROP');
  });

  it('03 on a strict-rp_filter target: requests from 192.144.52.10 on eth1 are dropped; the fixed route clears them', () => {
    const strict = { 'net.ipv4.conf.all.rp_filter': '1' };
    const broken = withSysctl(loadWorld(`${S}/03-no-return-route/world`), 'target', strict);
    const f = lint(broken, 'rp-filter-asymmetric').filter((x) => x.host === 'target');
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('warning');
    expect(f[0].subject).toContain('rp_filter = 1 on eth1');
    expect(f[0].message).toContain('gw, linked to eth1, forwards packets');
    const t = broken.hosts.find((h) => h.name === 'target')!;
    expect(rpfAsymmetry(t, 'eth1').byRoute.some((b) => I.contains(b.sources, ip('192.144.52.10')))).toBe(true);

    const fixed = withSysctl(loadWorld(`${S}/03-no-return-route/world-fixed`), 'target', strict);
    const t2 = fixed.hosts.find((h) => h.name === 'target')!;
    expect(rpfAsymmetry(t2, 'eth1').byRoute.some((b) => I.contains(b.sources, ip('192.144.52.10')))).toBe(false);
    // As captured (rp_filter 0, the kernel default), there is nothing to say.
    expect(lint(loadWorld(`${S}/03-no-return-route/world`), 'rp-filter-asymmetric')).toEqual([]);
  });

  it('08: a FORWARD that only rejects does not expect forwarding', () => {
    expect(lint(loadWorld(`${S}/08-master-rejects-vxlan/world`), 'forwarding-disabled')).toEqual([]);
  });

  it('every scenario state lints without error and the same way twice', () => {
    for (const d of readdirSync(S).sort()) {
      for (const state of readdirSync(`${S}/${d}`).filter((x) => x.startsWith('world')).sort()) {
        const a = JSON.stringify(lintWorld(loadWorld(`${S}/${d}/${state}`)));
        const b = JSON.stringify(lintWorld(loadWorld(`${S}/${d}/${state}`)));
        expect(a, `${d}/${state}`).toBe(b);
      }
    }
  });
});

describe('lint --host', () => {
  it('keeps the findings that depend on other hosts (the router on the link)', () => {
    const w = withSysctl(loadWorld(`${S}/03-no-return-route/world`), 'target', { 'net.ipv4.conf.all.rp_filter': '1' });
    const all = lintWorld(w).filter((f) => f.host === 'target');
    expect(lintWorld(w, { host: 'target' })).toEqual(all);
    expect(all.some((f) => f.check === 'rp-filter-asymmetric' && f.severity === 'warning')).toBe(true);
  });
});
