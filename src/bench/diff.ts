/**
 * Diff benchmark: two versions of a kube-proxy node that differ by one service (the second has the service
 * in the middle of KUBE-SERVICES removed, with its KUBE-SVC-* and KUBE-SEP-* chains), as a deploy would.
 * Times `diffWorlds` after loading, and checks that the one service's traffic is what it reports.
 */
import { diffWorlds } from '../diff/diff.js';
import type { World } from '../model/host.js';
import { parseIptablesSave } from '../parse/iptablesSave.js';
import { generateKubeProxyDump } from './kubeProxyGen.js';
import { kubeNode } from './engine.js';

export interface DiffBenchRow {
  rules: number;
  changes: number;
  classes: number;
  differing: number;
  ms: number;
  /** CPU time of the process (user + system) during the diff. */
  cpuMs: number;
  service: string;
}

/** The dump without one service (the one in the middle of KUBE-SERVICES). */
function withoutService(text: string): { text: string; service: string } {
  const lines = text.split('\n');
  const svcLines = lines.filter((l) => l.startsWith('-A KUBE-SERVICES ') && / -j KUBE-SVC-/.test(l));
  const mid = svcLines[Math.floor(svcLines.length / 2)];
  const svc = / -j (KUBE-SVC-\S+)/.exec(mid)![1];
  const service = /-d (\S+)\/32 -p (\w+) .* --dport (\d+)/.exec(mid)!;
  const seps = new Set(lines.filter((l) => l.startsWith(`-A ${svc} `)).map((l) => / -j (KUBE-SEP-\S+)/.exec(l)?.[1]).filter(Boolean) as string[]);
  const gone = (l: string) => {
    if (l === mid) return true;
    const chain = /^(?:-A |:)(\S+)/.exec(l)?.[1];
    return chain === svc || (chain !== undefined && seps.has(chain));
  };
  return { text: lines.filter((l) => !gone(l)).join('\n'), service: `${service[2]} ${service[1]}:${service[3]}` };
}

export function benchDiff(sizes: number[] = [10_000, 100_000]): DiffBenchRow[] {
  const rows: DiffBenchRow[] = [];
  for (const size of sizes) {
    const { world } = kubeNode(size);
    const dump = generateKubeProxyDump({ rules: size });
    const cut = withoutService(dump.text);
    const rsB = parseIptablesSave(cut.text, 'kube-node-b/iptables-save', 4);
    const b: World = { ...world, hosts: [{ ...world.hosts[0], iptables: rsB }] };
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = diffWorlds(world, b, { traces: false });
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    rows.push({ rules: dump.rules, changes: r.deltas.length, classes: r.examined, differing: r.differing.length, ms, cpuMs: (c.user + c.system) / 1000, service: cut.service });
  }
  return rows;
}

export function formatDiffBench(rows: DiffBenchRow[]): string {
  const out = ['diff of two kube-proxy node versions differing by one service (after loading)', 'rules    changes  classes  differing  wall      CPU       removed service'];
  for (const r of rows) out.push(`${String(r.rules).padEnd(9)}${String(r.changes).padEnd(9)}${String(r.classes).padEnd(9)}${String(r.differing).padEnd(11)}${`${(r.ms / 1000).toFixed(2)} s`.padEnd(10)}${`${(r.cpuMs / 1000).toFixed(2)} s`.padEnd(10)}${r.service}`);
  return out.join('\n');
}
