/**
 * Packet classes: split a region of the header space into classes on which every given world behaves
 * uniformly. Each class is found by simulating one representative packet with dependency recording
 * (src/engine/deps.ts): on the dimensions the paths read, the class is the representative's atom
 * (src/space/atoms.ts); on the others it spans the whole region. The rest of the region is split into
 * disjoint boxes and explored the same way, so the classes cover the region exactly.
 */
import type { World } from '../model/host.js';
import { formatIpv4 } from '../model/addr.js';
import { InputError, formatIssue } from '../model/source.js';
import { hostIndex } from '../engine/hostIndex.js';
import { parsePacketSpec } from '../engine/packetSpec.js';
import { initialState, simulate } from '../engine/simulate.js';
import type { Outcome, PacketSpec, RunState } from '../engine/types.js';
import { finishDeps, type DepRecorder } from '../engine/deps.js';
import type { Atoms } from './atoms.js';
import { DEP, DIMS, DIM_INDEX, boxIsEmpty, boxSubtract, universe, type Box, type Dim } from './box.js';
import * as I from './intervals.js';

export interface IngressPoint {
  kind: 'arrive' | 'local';
  host: string;
  iface?: string;
  /** `arrive h:eth0` / `local h` */
  label: string;
}

/** What one world did with a class's representative. */
export interface ClassRun {
  outcomes: Outcome[];
  /** The packet cannot exist in this world (unknown host or interface), with the reason. */
  absent?: string;
  deps: number;
  /** Per dimension, the set the path's tests confine the first packet to. */
  sets?: (I.IntervalSet | undefined)[];
}

export interface PacketClass {
  box: Box;
  spec: PacketSpec;
  runs: ClassRun[];
}

export const PORTED = new Set([6, 17, 132, 136]);

/** Every place a first packet can enter, over all worlds: each interface of each host (bridges excepted:
 * frames enter through their ports) and each host's local sockets. */
export function ingressPoints(worlds: readonly World[]): IngressPoint[] {
  const seen = new Map<string, IngressPoint>();
  for (const w of worlds)
    for (const h of w.hosts) {
      for (const i of h.interfaces) {
        if (i.name === 'lo' || i.kind === 'bridge' || i.linkType === 'loopback') continue;
        const label = `arrive ${h.name}:${i.name}`;
        if (!seen.has(label)) seen.set(label, { kind: 'arrive', host: h.name, iface: i.name, label });
      }
      const label = `local ${h.name}`;
      if (!seen.has(label)) seen.set(label, { kind: 'local', host: h.name, label });
    }
  return [...seen.values()].sort((a, b) => (a.host === b.host ? (a.kind === b.kind ? a.label.localeCompare(b.label) : a.kind === 'arrive' ? -1 : 1) : a.host.localeCompare(b.host)));
}

/** The whole space as one box per ingress point; a local sender's source is one of the host's addresses
 * or 0.0.0.0 (unbound: routing picks it). */
export function ingressUniverse(worlds: readonly World[], points: readonly IngressPoint[]): Box[] {
  const all = universe(points.length);
  return points.map((p, k) => {
    const b = all.slice();
    b[DIM_INDEX.ingress] = I.single(k);
    if (p.kind === 'local') {
      const addrs = new Set<number>([0]);
      for (const w of worlds) {
        const h = w.hosts.find((x) => x.name === p.host);
        if (h) for (const a of hostIndex(h).addrs) addrs.add(a.addr);
      }
      b[DIM_INDEX.src] = I.fromValues(addrs);
    }
    return b;
  });
}

/** Dimensions that do not exist for a protocol (ports without ports, flags outside TCP, ICMP type outside ICMP). */
export function irrelevantDims(proto: number): number {
  let m = 0;
  if (!PORTED.has(proto)) m |= DEP.sport | DEP.dport;
  if (proto !== 6) m |= DEP.flags;
  if (proto !== 1) m |= DEP.icmp;
  return m;
}

function pick(set: I.IntervalSet, preferred: readonly number[]): number {
  for (const p of preferred) if (I.contains(set, p)) return p;
  const [lo, hi] = set[0];
  return lo;
}

function pickAddr(set: I.IntervalSet): number {
  const [lo, hi] = set[0];
  // Avoid the network address of a range when the range has others: an example reads better.
  return hi > lo && (lo & 0xff) === 0 ? lo + 1 : lo;
}

const FLAG_TEXT: [number, string][] = [[0x02, 'S'], [0x10, 'A'], [0x01, 'F'], [0x04, 'R'], [0x08, 'P'], [0x20, 'U'], [0x40, 'E'], [0x80, 'W']];

function flagsText(f: number): string {
  if (f === 0) return 'none';
  return FLAG_TEXT.filter(([b]) => f & b).map(([, t]) => t).join('');
}

function protoText(p: number): string {
  return p === 6 ? 'tcp' : p === 17 ? 'udp' : p === 1 ? 'icmp' : String(p);
}

const DEFAULT_LEN = (proto: number, flags: number) => (proto === 6 ? (flags & 0x02 ? 60 : 52) : proto === 17 ? 33 : proto === 1 ? 84 : 20);

/** A representative packet of a box, as a packet spec people can paste into `nfsim trace`. */
export function representative(box: Box, points: readonly IngressPoint[]): PacketSpec {
  const g = (d: Dim) => box[DIM_INDEX[d]];
  const ing = points[g('ingress')[0][0]];
  const proto = pick(g('proto'), [6, 17, 1]);
  const src = ing.kind === 'local' ? pick(g('src'), [0]) : pickAddr(g('src'));
  const dst = pickAddr(g('dst'));
  const parts = [ing.label, protoText(proto)];
  if (PORTED.has(proto)) {
    const sp = pick(g('sport'), [40000, 1024]);
    const dp = pick(g('dport'), [80, 443, 53, 1024]);
    parts.push(`${formatIpv4(src)}:${sp} > ${formatIpv4(dst)}:${dp}`);
  } else parts.push(`${formatIpv4(src)} > ${formatIpv4(dst)}`);
  let flags = 0;
  if (proto === 6) {
    flags = pick(g('flags'), [0x02, 0x10, 0x12]);
    parts.push(`flags ${flagsText(flags)}`);
  }
  if (proto === 1) {
    const t = pick(g('icmp'), [0x0800, 0x0000]);
    parts.push(`type ${t >> 8} code ${t & 0xff}`);
  }
  const ttl = g('ttl');
  if (!I.contains(ttl, 64)) parts.push(`ttl ${pick(ttl, [])}`);
  const len = g('length');
  const dl = DEFAULT_LEN(proto, flags);
  if (!I.contains(len, dl)) parts.push(`len ${pick(len, [])}`);
  const tos = g('tos');
  if (!I.contains(tos, 0)) parts.push(`tos ${pick(tos, [])}`);
  return parsePacketSpec(parts.join(' '), '(class)');
}

/** The representative's value on each dimension (what the engine really simulated). */
export function specValues(spec: PacketSpec, k: number): number[] {
  const p = spec.packet;
  const v: Record<Dim, number> = {
    ingress: k,
    proto: p.proto,
    src: p.src,
    dst: p.dst,
    sport: p.sport ?? 0,
    dport: p.dport ?? 0,
    flags: p.tcpFlags ?? 0,
    icmp: p.icmp ? (p.icmp.type << 8) | p.icmp.code : 0,
    ttl: p.ttl,
    length: p.length,
    tos: p.tos,
  };
  return DIMS.map((d) => v[d]);
}

export interface ExploreOptions {
  /** Stop after this many classes (the result says it was truncated). */
  maxClasses?: number;
}

export interface Exploration {
  classes: PacketClass[];
  truncated: boolean;
  runs: number;
}

export function runClass(world: World, state: RunState, spec: PacketSpec, initial: readonly number[]): ClassRun {
  const deps: DepRecorder = { mask: 0, initial, sets: [] };
  try {
    const r = simulate(world, state, spec, { trace: false, explain: false, deps, closeSenders: true });
    return { outcomes: r.outcomes, deps: deps.mask, sets: finishDeps(deps) };
  } catch (e) {
    if (e instanceof InputError) return { outcomes: [], absent: e.issues.map((i) => i.message).join('; '), deps: deps.mask, sets: finishDeps(deps) };
    throw e;
  }
}

export function exploreClasses(worlds: readonly World[], points: readonly IngressPoint[], region: readonly Box[], atoms: Atoms, opts: ExploreOptions = {}): Exploration {
  const states = worlds.map((w) => initialState(w));
  const classes: PacketClass[] = [];
  const work: Box[] = region.filter((b) => !boxIsEmpty(b)).slice().reverse();
  let runs = 0;
  const max = opts.maxClasses ?? Infinity;
  while (work.length) {
    if (classes.length >= max) return { classes, truncated: true, runs };
    const box = work.pop()!;
    const spec = representative(box, points);
    const k = box[DIM_INDEX.ingress][0][0];
    const values = specValues(spec, k);
    const runsHere = worlds.map((w, i) => runClass(w, states[i], spec, values));
    runs += worlds.length;
    let deps = DEP.ingress | DEP.proto;
    for (const r of runsHere) deps |= r.deps;
    const irrelevant = irrelevantDims(spec.packet.proto);
    deps &= ~irrelevant;
    const cls: I.IntervalSet[] = box.map((s0, d) => {
      if ((irrelevant >> d) & 1) return s0;
      let s = s0;
      for (const r of runsHere) {
        const c = r.sets?.[d];
        if (c) s = I.intersect(s, c);
      }
      return (deps >> d) & 1 ? I.intersect(s, atoms.atomOf(DIMS[d], values[d])) : s;
    });
    // the representative must lie in its own class; anything else is a bug in atoms or deps
    if (cls.some((s) => s.length === 0)) throw new Error(`class of ${spec.text} is empty`);
    classes.push({ box: cls, spec, runs: runsHere });
    const rest = boxSubtract(box, cls);
    for (let i = rest.length - 1; i >= 0; i--) work.push(rest[i]);
  }
  return { classes, truncated: false, runs };
}

export { formatIssue };
