/**
 * Many worlds on the kernel in one lab run (scripts/lab/batch.py): each world in its own namespaces
 * ("PREFIX-K-HOST"), all probed round by round under one trace instance. Device names must be unique across
 * the batch (the generator's case tag does that): the kernel's drop events name only the device.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { World } from '../model/host.js';
import type { Query } from '../parse/queries.js';
import { labBuild, labProbe } from '../verify/labScript.js';
import type { KernelAnswer } from './compare.js';

export interface BatchItem {
  id: string;
  world: World;
  queries: Query[];
}

export interface BatchWorldResult {
  id: string;
  /** The kernel refused to build the world (iptables-restore, ip ...): the last lines of its message. */
  error?: string;
  queries?: KernelAnswer[];
  counters?: Record<string, string>;
  conntrack?: Record<string, string>;
  /** Queries the lab could not send, with the reason (they are not in `queries`). */
  notSent: { index: number; why: string }[];
  /** Index in the item's queries of each entry of `queries`. */
  sentIndex: number[];
}

export interface BatchResult {
  kernel: string;
  iptables: string;
  worlds: BatchWorldResult[];
}

export function labDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const c of [resolve(here, '../scripts/lab'), resolve(here, '../../scripts/lab'), resolve(here, '../../../scripts/lab'), resolve('scripts/lab')]) if (existsSync(join(c, 'batch.py'))) return c;
  throw new Error('cannot find scripts/lab/batch.py next to nfsim');
}

/** The running lab process, so that an interrupt can wait for its cleanup. */
let running: ReturnType<typeof spawn> | undefined;

/**
 * Every address of the world that is on-link for another host's interface is entered as a permanent
 * neighbour there: ARP is outside the model (nfsim takes a modelled peer's address as resolved), and a fresh
 * namespace's first ARP request would carry the first packet's source address, which rp_filter or a martian
 * check on the peer can refuse (arp_process) — the packet would then wait for ARP and die as NEIGH_FAILED.
 */
/**
 * The lab's TCP probes last less than a second; a server whose SYN/ACK was not acknowledged (dropped on the
 * way back) would send it again after 1 s, into a later probe's time. No retransmission: tcp_synack_retries=0.
 * No IGMP reports of the interfaces' own link-local groups either: they pass OUTPUT and POSTROUTING at times of
 * their own (igmp_link_local_mcast_reports=0).
 */
function noSynAckRetries(world: World): string[] {
  return world.hosts.map((h) => `ip netns exec "$LAB_PREFIX-${h.name}" sysctl -qw net.ipv4.tcp_synack_retries=0 net.ipv4.igmp_link_local_mcast_reports=0`);
}

export function neighbourLines(world: World): string[] {
  const out: string[] = [];
  for (const h of world.hosts) {
    for (const i of h.interfaces) {
      if (i.name === 'lo') continue;
      for (const a of i.addresses) {
        if (a.family !== 4 || a.local.len >= 32) continue;
        const mask = a.local.len === 0 ? 0 : (0xffffffff << (32 - a.local.len)) >>> 0;
        for (const o of world.hosts) {
          if (o === h) continue;
          for (const j of o.interfaces) {
            if (j.name === 'lo' || !j.mac) continue;
            for (const b of j.addresses) {
              if (b.family !== 4 || ((b.local.v4! & mask) >>> 0) !== ((a.local.v4! & mask) >>> 0)) continue;
              out.push(`ip -n "$LAB_PREFIX-${h.name}" neigh replace ${b.local.addr} lladdr ${j.mac} dev ${i.name} nud permanent`);
            }
          }
        }
      }
    }
  }
  // Bridges know where every modelled MAC is (nfsim's bridge delivers to the port behind which the
  // destination is): without learning traffic a fresh bridge would flood unknown unicast to every port,
  // and the other hosts would drop the copies (OTHERHOST).
  for (const h of world.hosts) {
    for (const i of h.interfaces) {
      if (!i.master) continue;
      for (const mac of macsBehind(world, h.name, i.name)) out.push(`ip netns exec "$LAB_PREFIX-${h.name}" bridge fdb replace ${mac} dev ${i.name} master static`);
    }
  }
  return out;
}

/** MACs of the interfaces on the far end of HOST:IF's link (the hosts behind a bridge port). */
function macsBehind(world: World, host: string, iface: string): string[] {
  const l = world.links.find((x) => (x.a.host === host && x.a.iface === iface) || (x.b.host === host && x.b.iface === iface));
  if (!l) return [];
  const far = l.a.host === host && l.a.iface === iface ? l.b : l.a;
  const m = world.hosts.find((x) => x.name === far.host)?.interfaces.find((x) => x.name === far.iface)?.mac;
  return m ? [m] : [];
}
export function runningLab(): ReturnType<typeof spawn> | undefined {
  return running;
}

export async function runBatch(items: BatchItem[], opts: { prefix: string; gap?: number; settle?: number; counters?: boolean; jobs?: number }): Promise<BatchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'nfsim-batch-'));
  try {
    const notSent = new Map<string, { index: number; why: string }[]>();
    const sentIndex = new Map<string, number[]>();
    // batch.py tells the worlds' kernel events apart by device name (the drop tracepoint and captures name the
    // device, not the namespace): two worlds with the same interface name would be mixed up.
    const owner = new Map<string, string>();
    for (const it of items) {
      for (const h of it.world.hosts) {
        for (const i of h.interfaces) {
          const o = owner.get(i.name);
          if (i.name !== 'lo' && o !== undefined && o !== it.id) throw new Error(`worlds ${o} and ${it.id} both have an interface named ${i.name}: one batch needs distinct interface names (give each world's interfaces a prefix of its own)`);
          owner.set(i.name, it.id);
        }
      }
    }
    const worlds = items.map((it, k) => {
      const b = labBuild(it.world);
      const devs: Record<string, string> = {};
      const ports: Record<string, [string, string]> = {};
      for (const h of it.world.hosts) for (const i of h.interfaces) if (i.name !== 'lo') devs[i.name] = h.name;
      for (const h of it.world.hosts) for (const i of h.interfaces) if (i.master) ports[i.name] = [h.name, i.master];
      const queries: unknown[] = [];
      notSent.set(it.id, []);
      sentIndex.set(it.id, []);
      it.queries.forEach((q, i) => {
        const p = labProbe(it.world, q);
        if ('why' in p) notSent.get(it.id)!.push({ index: i, why: p.why });
        else if (p.args.some((x) => x.startsWith('so:'))) notSent.get(it.id)!.push({ index: i, why: 'the batch lab sets no TTL, TOS, mark, ICMP length or payload on its sockets (nfsim verify does)' });
        else {
          queries.push({ packet: q.spec.text, ...p });
          sentIndex.get(it.id)!.push(i);
        }
      });
      return { id: it.id, prefix: `${opts.prefix}-${k}`, hosts: it.world.hosts.map((h) => h.name), build: [...b.lines, ...neighbourLines(it.world), ...noSynAckRetries(it.world)].join('\n'), devs, ports, listeners: b.listeners, queries };
    });
    const spec = { labdir: labDir(), gap: opts.gap ?? 0.02, settle: opts.settle ?? 0.8, counters: opts.counters ?? false, jobs: opts.jobs ?? 2, worlds };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    const out = join(dir, 'out.json');
    const stderr: string[] = [];
    const code = await new Promise<number>((res) => {
      const p = spawn('python3', [join(spec.labdir, 'batch.py'), join(dir, 'spec.json'), out], { stdio: ['ignore', 'inherit', 'pipe'] });
      running = p;
      p.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
      p.on('close', (c, sig) => {
        running = undefined;
        res(c ?? (sig ? 128 : 1));
      });
    });
    if (code !== 0 || !existsSync(out)) throw new Error(`the batch lab failed (exit ${code}):\n${stderr.join('').split('\n').slice(-20).join('\n')}`);
    const r = JSON.parse(readFileSync(out, 'utf8')) as { kernel: string; iptables: string; worlds: Omit<BatchWorldResult, 'notSent' | 'sentIndex'>[] };
    return { kernel: r.kernel, iptables: r.iptables, worlds: r.worlds.map((w) => ({ ...w, notSent: notSent.get(w.id) ?? [], sentIndex: sentIndex.get(w.id) ?? [] })) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
