/** End to end: same-snapshot corpus dumps assembled into a temporary host folder (outside the repo). */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorld } from '../../src/parse/world.js';
import { SysctlView } from '../../src/parse/sysctlView.js';
import { corpusAvailable, readCorpus } from './ipCorpusFiles.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function hostDir(name: string, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'nfsim-corpus-'));
  dirs.push(root);
  const d = join(root, name);
  mkdirSync(d);
  for (const [k, text] of Object.entries(files)) writeFileSync(join(d, k), text);
  return d;
}

describe.runIf(corpusAvailable)('corpus snapshots as hosts', () => {
  it('TUM chair 2016-03-16: iptables + ip6tables + addr + routes + rules', () => {
    const T = 'net-network/configs_chair_for_Network_Architectures_and_Services/';
    const s = '2016-03-16_13-53-28';
    const d = hostDir('tum', {
      'iptables-save': readCorpus(`${T}iptables-save-${s}`),
      'ip6tables-save': readCorpus(`${T}ip6tables-save-${s}`),
      'ip-addr': readCorpus(`${T}ip-addr-${s}`) + readCorpus(`${T}ip6-addr-${s}`),
      'ip-route': readCorpus(`${T}ip-route-${s}`),
      'ip6-route': readCorpus(`${T}ip6-route-${s}`),
      'ip-rule': readCorpus(`${T}ip-rule-${s}`),
      'ip6-rule': readCorpus(`${T}ip6-rule-${s}`),
    });
    const w = loadWorld(d);
    const h = w.hosts[0];
    expect(h.interfaces.length).toBe(27);
    expect(h.interfaces.some((i) => i.addresses.some((a) => a.family === 4)) && h.interfaces.some((i) => i.addresses.some((a) => a.family === 6))).toBe(true);
    expect(h.rules.filter((r) => r.table === '500' && r.family === 4)).toHaveLength(6);
    expect(h.iptables?.tables.map((t) => t.name)).toEqual(['raw', 'nat', 'filter']);
    expect(h.ip6tables?.tables.length).toBeGreaterThan(0);
  });
  it('coreos sosreport: addr, routes (v4+v6 in one file), rules, sysctl, conntrack', () => {
    const N = 'coreos-sosreport/sos_commands/networking/';
    const d = hostDir('master1', {
      'ip-addr': readCorpus(`${N}ip_-d_address`),
      'ip-route': readCorpus(`${N}ip_route_show_table_all`),
      'ip6-route': readCorpus(`${N}ip_-6_route_show_table_all`),
      'ip-rule': readCorpus(`${N}ip_-4_rule`),
      'ip6-rule': readCorpus(`${N}ip_-6_rule`),
      sysctl: readCorpus('coreos-sosreport/sos_commands/kernel/sysctl_-a'),
      conntrack: readCorpus('coreos-sosreport/proc/3255/net/nf_conntrack'),
    });
    const h = loadWorld(d).hosts[0];
    // the IPv6 copies in ip_route_show_table_all are dropped in favour of the ip -6 file
    expect(h.routes.filter((r) => r.family === 6)).toHaveLength(5);
    expect(h.routes.filter((r) => r.family === 4)).toHaveLength(8);
    expect(h.conntrack).toHaveLength(678);
    const v = new SysctlView(h.sysctl);
    expect(v.ipForward().source).toBe('dump');
    expect(v.conf('eth0').forwarding.source).toBe('dump');
  });
});
