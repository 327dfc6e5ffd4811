import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { generateKubeProxyDump, kubeHash, probabilityText } from '../../src/bench/kubeProxyGen.js';
import { parseIptablesSave } from '../../src/parse/iptablesSave.js';
import { saveRuleset } from '../../src/parse/iptablesSaveWrite.js';

describe('kube-proxy dump generator', () => {
  it('is deterministic and produces the requested number of rules', () => {
    const a = generateKubeProxyDump({ rules: 2000 });
    expect(generateKubeProxyDump({ rules: 2000 }).text).toBe(a.text);
    expect(a.rules).toBeGreaterThanOrEqual(2000);
    expect(a.rules).toBeLessThan(2020);
    const rs = parseIptablesSave(a.text, 'kube', 4);
    expect(rs.tables.reduce((n, t) => n + t.chains.reduce((m, c) => m + c.rules.length, 0), 0)).toBe(a.rules);
  });
  it('prints exactly what iptables-save prints (re-save is identical)', () => {
    const { text } = generateKubeProxyDump({ rules: 3000 });
    const lines = (t: string) => t.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines(saveRuleset(parseIptablesSave(text, 'kube', 4)))).toEqual(lines(text));
  });
  it('uses kube-proxy style names and statistic probabilities', () => {
    expect(kubeHash('KUBE-SVC-', 'ns/svc:http' + 'tcp')).toMatch(/^KUBE-SVC-[A-Z2-7]{16}$/);
    expect(probabilityText(3)).toBe('0.33333333349');
    expect(probabilityText(2)).toBe('0.50000000000');
    const { text } = generateKubeProxyDump({ rules: 200 });
    expect(text).toContain('-m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-');
    expect(text).toContain('-j MASQUERADE --random-fully');
  });
  const canRestore = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v iptables-legacy-restore && command -v ip']).status === 0;
  it.skipIf(!canRestore)('iptables-restore --test accepts a generated dump', () => {
    const ns = `nfsim-kube-${process.pid}`;
    expect(spawnSync('ip', ['netns', 'add', ns]).status).toBe(0);
    try {
      const r = spawnSync('ip', ['netns', 'exec', ns, 'iptables-legacy-restore', '--test'], { input: generateKubeProxyDump({ rules: 1000 }).text, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
    }
  });
});
