/**
 * Atoms: per header dimension, the coarsest partition of its values on which every condition of the
 * worlds (rule matches, routes, addresses, sockets, NAT ranges, conntrack entries, the engine's own
 * tests) is uniform. Two packets whose values fall in the same atom on every dimension a path reads are
 * treated alike by that path. Addresses and ports share one partition for source and destination: answers
 * swap them.
 */
import type { World } from '../model/host.js';
import type { Rule } from '../model/iptables.js';
import { parseIpv4 } from '../model/addr.js';
import { hostIndex } from '../engine/hostIndex.js';
import { TCP_FLAGS } from '../model/packet.js';
import { DIMS, DIM_RANGE, type Dim } from './box.js';
import * as I from './intervals.js';
import type { IntervalSet } from './intervals.js';
import { ruleSpace } from './ruleBox.js';

export interface Atoms {
  /** The atom (within the dimension's universe) holding value v. */
  atomOf(dim: Dim, v: number): IntervalSet;
  /** Number of atoms per dimension (for reports and benchmarks). */
  counts: Record<Dim, number>;
}

type Sets = Record<Dim, IntervalSet[]>;

/** Dimensions small enough to partition by membership signature (flags are bit masks, not ranges). */
const SIGNATURE_DIMS: readonly Dim[] = ['flags', 'tos'];

export function emptySets(): Sets {
  return Object.fromEntries(DIMS.map((d) => [d, []])) as unknown as Sets;
}

const ip = (t: string | undefined) => (t === undefined ? undefined : parseIpv4(t.split('/')[0]));

/** The kernel's own address classes (ip_route_input_slow(): zeronet, loopback, multicast, limited broadcast, class E). */
const SPECIAL_NETS: [number, number][] = [
  [0x00000000, 8], [0x7f000000, 8], [0xe0000000, 4], [0xf0000000, 4], [0xffffffff, 32],
];

/** ICMP types the engine treats specially (echo, errors carrying a packet, timestamp, info, mask). */
const ICMP_TYPES = [0, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];

export function collectWorldSets(world: World, sets: Sets): void {
  const add = (d: Dim, s: IntervalSet | undefined) => {
    if (s && s.length) sets[d].push(s);
  };
  const addAddr = (a: number | undefined, len = 32) => {
    if (a === undefined) return;
    const s = I.prefix(a, len);
    add('src', s);
    add('dst', s);
  };
  const addPorts = (s: IntervalSet) => {
    add('sport', s);
    add('dport', s);
  };
  for (const [a, len] of SPECIAL_NETS) addAddr(a, len);
  add('proto', I.fromValues([1, 6, 17]));
  for (const t of ICMP_TYPES) add('icmp', I.range(t << 8, (t << 8) | 0xff));
  add('ttl', I.range(0, 1));
  for (const h of world.hosts) {
    const x = hostIndex(h);
    for (const a of x.addrs) {
      addAddr(a.addr, 32);
      addAddr(a.addr, a.len);
      // the subnet's broadcast address
      addAddr((a.addr | (~a.mask >>> 0)) >>> 0, 32);
      addAddr(ip(a.ifa.peer?.addr), a.ifa.peer?.len ?? 32);
    }
    for (const i of h.interfaces) if (i.mtu) add('length', I.range(20, i.mtu));
    for (const rs of x.tables.values())
      for (const r of rs) {
        if (r.family !== 4) continue;
        addAddr(r.dst.v4, r.dst.len < 0 ? 32 : r.dst.len);
        addAddr(ip(r.prefsrc));
        for (const nh of r.nexthops) addAddr(ip(nh.via));
        if (r.tos !== undefined) add('tos', I.single(r.tos));
        if (r.mtu) add('length', I.range(20, r.mtu));
      }
    for (const r of h.rules) {
      if (r.family !== 4) continue;
      if (r.from) addAddr(r.from.v4, r.from.len);
      if (r.to) addAddr(r.to.v4, r.to.len);
      if (r.tos !== undefined) add('tos', I.single(r.tos));
      if (r.ipproto !== undefined) add('proto', I.single(r.ipproto));
      if (r.sport) addPorts(I.range(r.sport[0], r.sport[1]));
      if (r.dport) addPorts(I.range(r.dport[0], r.dport[1]));
    }
    for (const s of h.sockets ?? []) {
      addAddr(ip(s.local.addr));
      addAddr(ip(s.peer?.addr));
      if (s.local.port) addPorts(I.single(s.local.port));
      if (s.peer?.port) addPorts(I.single(s.peer.port));
    }
    for (const c of h.conntrack ?? []) {
      for (const t of [c.orig, c.reply]) {
        addAddr(ip(t.src));
        addAddr(ip(t.dst));
        if (t.sport !== undefined) addPorts(I.single(t.sport));
        if (t.dport !== undefined) addPorts(I.single(t.dport));
      }
    }
    for (const set of h.ipsets ?? []) {
      for (const m of set.members) {
        const [a, rest] = m.split(/[\s,]/)[0].split('/');
        const v = ip(a);
        if (v !== undefined) addAddr(v, rest ? Number(rest) : 32);
      }
    }
    for (const rs of [h.iptables]) {
      if (!rs) continue;
      for (const t of rs.tables) for (const c of t.chains) for (const r of c.rules) collectRuleSets(r, sets);
    }
  }
}

function collectRuleSets(r: Rule, sets: Sets): void {
  const sp = ruleSpace(r);
  for (const d of DIMS) {
    const s = sp.constraint[d];
    if (!s || !s.length) continue;
    if (d === 'src' || d === 'dst') {
      sets.src.push(s);
      sets.dst.push(s);
    } else if (d === 'sport' || d === 'dport') {
      sets.sport.push(s);
      sets.dport.push(s);
    } else sets[d].push(s);
  }
  // NAT targets: the addresses and ports they map to.
  if (r.target?.kind === 'extension') walkNat(r.target.args, sets);
}

function walkNat(v: unknown, sets: Sets, depth = 0): void {
  if (!v || typeof v !== 'object' || depth > 4) return;
  const o = v as Record<string, unknown>;
  if (typeof o.minAddr === 'number') {
    const s = I.range(o.minAddr, typeof o.maxAddr === 'number' ? o.maxAddr : o.minAddr);
    sets.src.push(s);
    sets.dst.push(s);
  }
  if (typeof o.minPort === 'number') {
    const s = I.range(o.minPort, typeof o.maxPort === 'number' ? o.maxPort : o.minPort);
    sets.sport.push(s);
    sets.dport.push(s);
  }
  if (typeof o.min === 'number' && typeof o.max === 'number' && o.max <= 65535) {
    const s = I.range(Math.min(o.min, o.max), Math.max(o.min, o.max));
    sets.sport.push(s);
    sets.dport.push(s);
  }
  if (o.family === 4 && typeof o.v4 === 'number' && typeof o.len === 'number' && o.len >= 0) {
    const s = I.prefix(o.v4, o.len);
    sets.src.push(s);
    sets.dst.push(s);
  }
  for (const x of Object.values(o)) if (x && typeof x === 'object') walkNat(x, sets, depth + 1);
}

/** The engine's own TCP flag tests (tcp_new(), the RST answer, --syn): kept apart by signature. */
function engineFlagSets(tracked: boolean): IntervalSet[] {
  const F = TCP_FLAGS;
  const where = (pred: (v: number) => boolean) => I.fromValues([...Array(256).keys()].filter(pred));
  const sets = [
    // tcp_new(): a SYN alone starts a connection, an ACK alone may be picked up (tcp_loose)
    where((v) => (v & (F.SYN | F.ACK | F.RST | F.FIN)) === F.SYN),
    where((v) => (v & (F.SYN | F.ACK | F.RST | F.FIN)) === F.ACK),
    // no RST answers a RST; the answer's flags depend on ACK
    where((v) => (v & F.RST) !== 0),
    where((v) => (v & F.ACK) !== 0),
    // a listener answers a SYN without ACK
    where((v) => (v & (F.SYN | F.ACK)) === F.SYN),
  ];
  // tcp_conntrack index of segments of tracked connections (get_conntrack_index())
  if (tracked) sets.push(where((v) => (v & F.SYN) !== 0), where((v) => (v & F.FIN) !== 0));
  return sets;
}

export function buildAtoms(worlds: readonly World[]): Atoms {
  const sets = emptySets();
  for (const w of worlds) collectWorldSets(w, sets);
  sets.flags.push(...engineFlagSets(worlds.some((w) => w.hosts.some((h) => (h.conntrack ?? []).length > 0))));
  const cutsByDim = new Map<Dim, number[]>();
  const sigAtoms = new Map<Dim, { byValue: number[]; atoms: IntervalSet[] }>();
  const counts = {} as Record<Dim, number>;
  for (const d of DIMS) {
    const [lo, hi] = DIM_RANGE[d];
    if (SIGNATURE_DIMS.includes(d)) {
      const uniq = dedupe(sets[d]);
      const key = new Map<string, number>();
      const byValue: number[] = [];
      const members: number[][] = [];
      for (let v = lo; v <= hi; v++) {
        const sig = uniq.map((s) => (I.contains(s, v) ? '1' : '0')).join('');
        let id = key.get(sig);
        if (id === undefined) {
          id = members.length;
          key.set(sig, id);
          members.push([]);
        }
        members[id].push(v);
        byValue[v] = id;
      }
      const atoms = members.map((m) => I.fromValues(m));
      sigAtoms.set(d, { byValue, atoms });
      counts[d] = atoms.length;
      continue;
    }
    const cuts = new Set<number>([lo]);
    for (const s of sets[d])
      for (const [a, b] of s) {
        if (a > lo && a <= hi) cuts.add(a);
        if (b + 1 <= hi && b + 1 > lo) cuts.add(b + 1);
      }
    const sorted = [...cuts].sort((x, y) => x - y);
    cutsByDim.set(d, sorted);
    counts[d] = sorted.length;
  }
  return {
    counts,
    atomOf(d, v) {
      // Ingress points are never merged: each is its own atom.
      if (d === 'ingress') return I.single(v);
      const sig = sigAtoms.get(d);
      if (sig) return sig.atoms[sig.byValue[v]] ?? I.EMPTY;
      const cuts = cutsByDim.get(d)!;
      const hi = DIM_RANGE[d][1];
      // the last cut <= v
      let a = 0;
      let b = cuts.length - 1;
      while (a < b) {
        const m = (a + b + 1) >> 1;
        if (cuts[m] <= v) a = m;
        else b = m - 1;
      }
      const start = cuts[a];
      const end = a + 1 < cuts.length ? cuts[a + 1] - 1 : hi;
      return I.range(start, end);
    },
  };
}

function dedupe(list: IntervalSet[]): IntervalSet[] {
  const seen = new Set<string>();
  const out: IntervalSet[] = [];
  for (const s of list) {
    const k = JSON.stringify(s);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(s);
  }
  return out;
}
