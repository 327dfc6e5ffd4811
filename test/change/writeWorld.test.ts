import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeWorld } from '../../src/change/index.js';
import { loadWorld } from '../../src/parse/world.js';
import type { World } from '../../src/model/host.js';
import { worldJson } from '../../src/report/worldJson.js';
import { FIXTURES, apply, twoHosts } from './helpers.js';

const SCRIPT = `on r
iptables -A INPUT -p tcp --dport 80 -m comment --comment "web in" -j ACCEPT
iptables -t raw -A PREROUTING -j CT --notrack
ip addr add 10.1.0.2/24 dev eth0
ip addr add 10.3.0.1/24 brd + dev eth1
ip route add 192.168.5.0/24 via 10.1.0.254 metric 5
ip rule add from 10.3.0.0/24 table 100
sysctl -w net.ipv4.ip_forward=1
`;
/** The model without source locations and file names (they name the files the model came from), and without
 * how a rule was written (`-p tcp --dport 80` as typed in the script loads back as iptables-save prints it,
 * `-p tcp -m tcp --dport 80`: the same rule). */
// worldJson: rules, matches and targets with their `loc` objects (stripped here like every other loc)
const model = (w: World) => JSON.parse(JSON.stringify(worldJson(w), (k, v) => (['loc', 'locs', 'file', 'source', 'inputs', 'text', 'implicit'].includes(k) ? undefined : v)));

describe('writeWorld', () => {
  it('writes a world directory that loads back into the same model; untouched files are copied', () => {
    const out = mkdtempSync(join(tmpdir(), 'nfchg-out-'));
    try {
      const before = twoHosts();
      const res = apply(SCRIPT, before);
      writeWorld(res.world, before, out);
      const again = loadWorld(out);
      expect(again.issues).toEqual([]);
      expect(again.hosts.flatMap((h) => h.issues)).toEqual([]);
      expect(model(again)).toEqual(model(res.world));
      // s was not touched: its files are the originals, byte for byte
      for (const f of ['ip-addr', 'ip-route', 'iptables-save']) expect(readFileSync(join(out, 's', f), 'utf8')).toBe(readFileSync(join(FIXTURES, 'world', 's', f), 'utf8'));
      expect(readFileSync(join(out, 'topology'), 'utf8')).toBe(readFileSync(join(FIXTURES, 'world', 'topology'), 'utf8'));
      expect(readFileSync(join(out, 'r', 'iptables-save'), 'utf8')).toContain('-A INPUT -p tcp -m tcp --dport 80 -m comment --comment "web in" -j ACCEPT\n');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  const cli = join(import.meta.dirname, '../../dist/cli.js');
  it('nfsim apply prints what was applied, writes --out, and reports a refusal with its location (exit 2)', () => {
    const out = mkdtempSync(join(tmpdir(), 'nfchg-cli-'));
    try {
      const ok = spawnSync('node', [cli, 'apply', join(FIXTURES, 'world'), '--change', join(FIXTURES, 'change.sh'), '--out', out], { encoding: 'utf8' });
      expect(ok.stderr).toBe('');
      expect(ok.status).toBe(0);
      expect(ok.stdout).toContain('change.sh:3: r: iptables -A INPUT -p tcp --dport 80 -j ACCEPT\n    filter INPUT: rule 2 appended: -A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\n');
      expect(ok.stdout).toMatch(/3 commands applied\nchanged world written to .* \(\d+ files\)\n$/);
      expect(loadWorld(out).hosts.map((h) => h.name)).toEqual(['r', 's']);
      const bad = spawnSync('node', [cli, 'apply', join(FIXTURES, 'world'), '--change', join(FIXTURES, 'refused.sh')], { encoding: 'utf8' });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toBe(`${join(FIXTURES, 'refused.sh')}:3:13: error: iptables: No chain/target/match by that name.\n    iptables -D NOPE 1\n  hint: table filter has chains INPUT, FORWARD, OUTPUT\n`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('writeWorld on the scenario worlds', () => {
  const root = join(import.meta.dirname, '../../scenarios');
  const worlds = readdirSync(root).flatMap((d) => readdirSync(join(root, d)).filter((w) => w.startsWith('world')).map((w) => join(root, d, w)));
  it('adding an address, a route, a rule and a sysctl on every host writes a world that loads back the same', () => {
    expect(worlds.length).toBeGreaterThan(10);
    for (const dir of worlds) {
      const before = loadWorld(dir);
      const lines = before.hosts.flatMap((h) => {
        const dev = h.interfaces.find((i) => i.name !== 'lo' && i.flags.includes('UP'));
        return [
          `on ${h.name}`,
          ...(h.iptables ? ['iptables -I INPUT -p udp --dport 5353 -m comment --comment "mdns test" -j ACCEPT'] : []),
          ...(dev && h.inputs['ip-route'] ? [`ip addr add 198.51.100.7/24 dev ${dev.name}`, 'ip route add 203.0.113.0/24 via 198.51.100.1'] : []),
          ...(h.inputs['ip-rule'] ? ['ip rule add from 198.51.100.0/24 table 200'] : []),
          'sysctl -w net.ipv4.conf.all.rp_filter=2',
        ];
      });
      const res = apply(lines.join('\n') + '\n', before);
      const out = mkdtempSync(join(tmpdir(), 'nfchg-sc-'));
      try {
        writeWorld(res.world, before, out);
        const again = loadWorld(out);
        expect(again.hosts.flatMap((h) => h.issues.filter((i) => i.severity === 'error')), dir).toEqual([]);
        expect(model(again), dir).toEqual(model(res.world));
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }
  }, 60_000);
});
