/**
 * Engine benchmarks on a kube-proxy-shaped node: the time to trace a NEW connection to a service in the
 * middle of a 100k-rule dump (after loading), and the throughput for packets of an established connection
 * (after the SYN, the endpoint's SYN/ACK and the client's ACK: data in both directions, each packet
 * forwarded with its NAT bindings applied, no trace built).
 */
import { parsePacketSpec } from '../engine/packetSpec.js';
import { initialState, simulate } from '../engine/simulate.js';
import { formatIpv4, parseIpv4, prefixMask } from '../model/addr.js';
import type { Host, Route, World } from '../model/host.js';
import type { RunState } from '../engine/types.js';
import { parseIptablesSave } from '../parse/iptablesSave.js';
import { generateKubeProxyDump } from './kubeProxyGen.js';

function net(text: string) {
  const [a, l] = text.split('/');
  const len = Number(l ?? 32);
  return { family: 4 as const, addr: a, len, v4: parseIpv4(a)!, maskBits: prefixMask(len) };
}

export function kubeNode(rules: number): { world: World; service: { ip: string; port: number; proto: string }; ruleCount: number } {
  const dump = generateKubeProxyDump({ rules });
  const rs = parseIptablesSave(dump.text, 'kube-node/iptables-save', 4);
  // The service in the middle of KUBE-SERVICES.
  const nat = rs.tables.find((t) => t.name === 'nat')!;
  const svcRules = nat.chains.find((c) => c.name === 'KUBE-SERVICES')!.rules.filter((r) => r.target?.name.startsWith('KUBE-SVC-'));
  const mid = svcRules[Math.floor(svcRules.length / 2)];
  const m = /-d (\S+)\/32 -p (\w+) .* --dport (\d+)/.exec(mid.text)!;
  const loc = { file: 'kube-node/ip-route', line: 1, col: 1 };
  const route = (dst: string, dev: string, via?: string): Route => ({ family: 4, table: 'main', type: 'unicast', dst: net(dst), nexthops: [{ dev, via, flags: [] }], flags: [], loc });
  const host: Host = {
    name: 'node',
    interfaces: [
      { name: 'lo', kind: 'loopback', flags: ['UP'], addresses: [{ family: 4, local: net('127.0.0.1/8'), scope: 'host', secondary: false, flags: [], loc }] },
      { name: 'eth0', flags: ['UP'], mtu: 1500, addresses: [{ family: 4, local: net('192.168.0.10/24'), scope: 'global', secondary: false, flags: [], loc }] },
      { name: 'cni0', flags: ['UP'], mtu: 1500, addresses: [{ family: 4, local: net('10.244.0.1/16'), scope: 'global', secondary: false, flags: [], loc }] },
    ],
    routes: [route('192.168.0.0/24', 'eth0'), route('10.244.0.0/16', 'cni0'), route('0.0.0.0/0', 'eth0', '192.168.0.1')],
    rules: [],
    sysctl: { file: 'kube-node/sysctl', values: { 'net.ipv4.ip_forward': '1', 'net.ipv4.conf.eth0.forwarding': '1', 'net.ipv4.conf.cni0.forwarding': '1' }, locs: {} },
    iptables: rs,
    inputs: { 'iptables-save': 'kube-node/iptables-save', 'ip-route': 'kube-node/ip-route', 'ip-addr': 'kube-node/ip-addr', sysctl: 'kube-node/sysctl' },
    absent: {},
    issues: [],
  };
  return { world: { source: '(bench)', hosts: [host], links: [], issues: [] }, service: { ip: m[1], port: Number(m[3]), proto: m[2] }, ruleCount: dump.rules };
}

export interface EngineBenchRow {
  rules: number;
  newMedianMs: number;
  /** median CPU time of one NEW trace (all threads of the process) */
  newMedianCpuMs: number;
  outcomes: number;
  establishedPps: number;
  /** established packets per second of CPU time (less sensitive to other load on the machine) */
  establishedCpuPps: number;
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

export function benchEngine(sizes: number[] = [10_000, 100_000], established = 100_000): EngineBenchRow[] {
  const rows: EngineBenchRow[] = [];
  for (const size of sizes) {
    const { world, service, ruleCount } = kubeNode(size);
    const syn = parsePacketSpec(`arrive node:eth0 ${service.proto} 192.168.0.50:40000 > ${service.ip}:${service.port}${service.proto === 'tcp' ? ' flags S' : ''}`);
    const base = initialState(world);
    for (let i = 0; i < 10; i++) simulate(world, base, syn); // warm up (host index, caches, JIT)
    const times: number[] = [];
    const cpu: number[] = [];
    let outcomes = 0;
    for (let i = 0; i < 31; i++) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const r = simulate(world, base, syn);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      cpu.push(cpuMs(c0));
      outcomes = r.outcomes.length;
    }
    times.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    // The connection along the first branch: the endpoint answers, the client acknowledges.
    const first = simulate(world, base, syn);
    const sent = first.outcomes[0].verdict;
    const m = sent.fate === 'forwarded' ? /^\w+ (\S+):(\d+) > (\S+):(\d+)/.exec(sent.packet) : null;
    if (!m) throw new Error(`bench: the SYN to the service was not forwarded to an endpoint (${sent.fate})`);
    const flags = (f: string) => (service.proto === 'tcp' ? ` flags ${f}` : '');
    const fromClient = parsePacketSpec(`arrive node:eth0 ${service.proto} 192.168.0.50:40000 > ${service.ip}:${service.port}${flags('A')}`);
    const fromEndpoint = (f: string) => parsePacketSpec(`arrive node:cni0 ${service.proto} ${m[3]}:${m[4]} > ${m[1]}:${m[2]}${flags(f)}`);
    const step = (st: RunState, spec: ReturnType<typeof parsePacketSpec>): RunState => {
      const r = simulate(world, st, spec, { trace: false });
      if (r.outcomes[0].verdict.fate !== 'forwarded') throw new Error(`bench: ${spec.text}: ${r.outcomes[0].verdict.fate}, expected forwarded`);
      return r.states[0];
    };
    let state = step(step(first.states[0], fromEndpoint('SA')), fromClient);
    const toClient = fromEndpoint('A');
    // Steady state: the loop warmed up (JIT), and the garbage of loading the dump collected first (with
    // --expose-gc, as `npm run bench` runs).
    for (let i = 0; i < 2000; i++) state = simulate(world, state, i % 2 ? toClient : fromClient, { trace: false }).states[0];
    (globalThis as { gc?: () => void }).gc?.();
    const n = established;
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    let forwarded = 0;
    for (let i = 0; i < n; i++) {
      const r = simulate(world, state, i % 2 ? toClient : fromClient, { trace: false });
      if (r.outcomes[0].verdict.fate === 'forwarded') forwarded++;
      state = r.states[0];
    }
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpuSecs = cpuMs(c0) / 1000;
    if (forwarded !== n) throw new Error(`bench: ${n - forwarded} of ${n} established packets were not forwarded`);
    rows.push({ rules: ruleCount, newMedianMs: times[15], newMedianCpuMs: cpu[15], outcomes, establishedPps: Math.round(n / secs), establishedCpuPps: Math.round(n / cpuSecs) });
  }
  return rows;
}

export function formatEngineBench(rows: EngineBenchRow[]): string {
  const lines = [
    'engine: NEW connection to a service in the middle of KUBE-SERVICES (median of 31, all random branches), then established packets (wall clock; CPU time in parentheses)',
    '| rules | NEW trace (median) | branches | established packets/s |',
    '|---:|---:|---:|---:|',
  ];
  for (const r of rows) lines.push(`| ${r.rules} | ${r.newMedianMs.toFixed(3)} ms (${r.newMedianCpuMs.toFixed(3)} ms) | ${r.outcomes} | ${r.establishedPps} (${r.establishedCpuPps} per CPU second) |`);
  return lines.join('\n');
}

export { formatIpv4 };
