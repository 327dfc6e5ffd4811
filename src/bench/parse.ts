/**
 * Parse benchmark: kube-proxy-shaped dumps of ~1k, 10k, 100k rules through parseIptablesSave, compared
 * with `iptables-restore --test` on the same file (inside a throwaway network namespace) when available.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKubeProxyDump } from './kubeProxyGen.js';
import { parseIptablesSave } from '../parse/iptablesSave.js';

export interface ParseBenchRow {
  rules: number;
  bytes: number;
  nfsimMs: number;
  /** CPU time of the parse (all threads of the process: the collector's helpers too) */
  nfsimCpuMs: number;
  /** process peak RSS after this size (monotonic; sizes run smallest first) */
  nfsimPeakMB: number;
  restoreMs?: number;
  /** user + system CPU time of iptables-restore */
  restoreCpuMs?: number;
  restorePeakMB?: number;
  /** nfsim time / iptables-restore time */
  ratio?: number;
  /** the same for CPU time (less sensitive to other load on the machine) */
  cpuRatio?: number;
  restoreNote?: string;
  /** which binary was timed */
  restoreBin?: string;
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Time `iptables-restore --test` (legacy backend: pure userspace parse + blob build) in a private namespace. */
function timeRestore(file: string): { ms: number; cpuMs?: number; peakMB?: number; bin: string } | string {
  if (process.getuid?.() !== 0) return 'not root';
  const bin = have('iptables-legacy-restore') ? 'iptables-legacy-restore' : have('iptables-restore') ? 'iptables-restore' : undefined;
  if (!bin || !have('ip')) return 'iptables-restore or ip(8) not installed';
  const ns = `nfsim-bench-${process.pid}`;
  if (spawnSync('ip', ['netns', 'add', ns]).status !== 0) return 'cannot create a network namespace';
  try {
    const timeBin = have('/usr/bin/time') ? `/usr/bin/time -f '%U %S %M'` : '';
    const t0 = performance.now();
    const r = spawnSync('sh', ['-c', `${timeBin} ip netns exec ${ns} ${bin} --test < ${file}`], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const ms = performance.now() - t0;
    if (r.status !== 0) return `${bin} --test failed: ${r.stderr.trim().split('\n')[0]}`;
    const [user, sys, kb] = (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
    const cpuMs = Number.isFinite(user) && Number.isFinite(sys) ? (user + sys) * 1000 : undefined;
    return { ms, cpuMs, peakMB: Number.isFinite(kb) ? kb / 1024 : undefined, bin };
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}

export function benchParse(sizes: number[] = [1_000, 10_000, 100_000]): ParseBenchRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'nfsim-bench-'));
  const rows: ParseBenchRow[] = [];
  try {
    for (const n of sizes) {
      const { text, rules } = generateKubeProxyDump({ rules: n });
      const file = join(dir, `kube-${n}.rules`);
      writeFileSync(file, text);
      (globalThis as { gc?: () => void }).gc?.();
      parseIptablesSave(text, file, 4); // warm-up (JIT)
      (globalThis as { gc?: () => void }).gc?.();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const rs = parseIptablesSave(text, file, 4);
      const nfsimMs = performance.now() - t0;
      const cu = process.cpuUsage(c0);
      const nfsimCpuMs = (cu.user + cu.system) / 1000;
      const peak = process.resourceUsage().maxRSS / 1024;
      const got = rs.tables.reduce((a, t) => a + t.chains.reduce((b, c) => b + c.rules.length, 0), 0);
      if (got !== rules) throw new Error(`bench: parsed ${got} rules, generated ${rules}`);
      const row: ParseBenchRow = { rules, bytes: text.length, nfsimMs, nfsimCpuMs, nfsimPeakMB: peak };
      const r = timeRestore(file);
      if (typeof r === 'string') row.restoreNote = r;
      else {
        row.restoreMs = r.ms;
        row.restoreCpuMs = r.cpuMs;
        row.restorePeakMB = r.peakMB;
        row.ratio = nfsimMs / r.ms;
        if (r.cpuMs) row.cpuRatio = nfsimCpuMs / r.cpuMs;
        row.restoreBin = r.bin;
      }
      rows.push(row);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export function formatParseBench(rows: ParseBenchRow[]): string {
  const bin = rows.find((r) => r.restoreBin)?.restoreBin;
  const out = [
    `parse: kube-proxy-shaped iptables-save dumps${bin ? ` (vs ${bin} --test in a throwaway netns, wall time incl. process start; CPU = user + system)` : ''}`,
    'rules      bytes      nfsim ms  (CPU)  nfsim peak MB  restore --test ms  (CPU)  restore peak MB  ratio  CPU ratio',
  ];
  for (const r of rows)
    out.push(
      `${String(r.rules).padEnd(10)} ${String(r.bytes).padEnd(10)} ${r.nfsimMs.toFixed(0).padStart(8)} ${r.nfsimCpuMs.toFixed(0).padStart(6)}  ${r.nfsimPeakMB.toFixed(0).padStart(13)}  ` +
        (r.restoreMs !== undefined
          ? `${r.restoreMs.toFixed(0).padStart(17)} ${(r.restoreCpuMs ?? NaN).toFixed(0).padStart(6)}  ${(r.restorePeakMB ?? NaN).toFixed(0).padStart(15)}  ${r.ratio!.toFixed(2).padStart(5)}  ${(r.cpuRatio ?? NaN).toFixed(2).padStart(9)}`
          : `(iptables-restore: ${r.restoreNote})`),
    );
  return out.join('\n');
}
