/**
 * `nfsim check`: each assertion of a policy against one world.
 * - allow / deny: the class (region.ts) is split into packet classes on which the world behaves uniformly
 *   (src/space/classes.ts); every outcome (every random branch) of every class must reach / must not reach
 *   (fate.ts). The first class that breaks the assertion is the counterexample, with its description, its
 *   representative packet and that packet's trace.
 * - reach: one example packet, every outcome must reach.
 * - nat: the class's packets that a host forwards out of the named interface must leave with the promised
 *   source (masqueraded: a MASQUERADE binding on that host and an address of that interface; an address
 *   set; none: untranslated). If no packet of the class leaves that way the assertion fails too.
 */
import type { World } from '../model/host.js';
import { formatIpv4 } from '../model/addr.js';
import { hostIndex } from '../engine/hostIndex.js';
import { parsePacketSpec } from '../engine/packetSpec.js';
import { initialState, simulate } from '../engine/simulate.js';
import type { Outcome, PacketSpec } from '../engine/types.js';
import { describeBox } from '../diff/describe.js';
import { renderOutcomes } from '../report/traceText.js';
import { buildAtoms } from '../space/atoms.js';
import { exploreClasses, type PacketClass } from '../space/classes.js';
import * as I from '../space/intervals.js';
import { InputError } from '../model/source.js';
import { egressHops, type EgressHop } from './egress.js';
import { classFate, fateText } from './fate.js';
import { findHost, hostAddrs, itemAddrSet, ownedAddrs, viaPoints } from './names.js';
import { classRegion, type ClassRegion } from './region.js';
import type { Assertion, CheckResult, Counterexample, Policy } from './types.js';

export interface CheckOptions {
  /** Stop exploring an assertion's class after this many packet classes (the result is `incomplete`). */
  maxClasses?: number;
}

/** An assertion with its names resolved against the world: its class, or its example packet. */
type Prepared = { region: ClassRegion; egress: Egress[] } | { spec: PacketSpec; origin: string };
type Egress = { host: string; ifaces: string[] };

function prepare(world: World, a: Assertion): Prepared {
  if (a.kind === 'reach') return reachSpec(world, a);
  const region = classRegion(world, a);
  const egress = a.kind === 'nat' ? (a.via ?? []).flatMap((v) => viaPoints(world, region.points, v, undefined, 'every-egress')) : [];
  return { region, egress };
}

/** Every assertion of the policy, in order. Names are resolved for all assertions first: a policy with
 * unknown names is refused as a whole, with every bad name located, before anything is simulated. */
export function checkPolicy(world: World, policy: Policy, opts: CheckOptions = {}): CheckResult[] {
  const issues: InputError['issues'] = [];
  const prepared = policy.assertions.map((a) => {
    try {
      return prepare(world, a);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      issues.push(...e.issues);
      return undefined;
    }
  });
  if (issues.length) throw new InputError(issues);
  return policy.assertions.map((a, i) => run(world, a, prepared[i]!, opts));
}

export function checkAssertion(world: World, a: Assertion, opts: CheckOptions = {}): CheckResult {
  return run(world, a, prepare(world, a), opts);
}

function run(world: World, a: Assertion, p: Prepared, opts: CheckOptions): CheckResult {
  if ('spec' in p) return checkReach(world, a as Assertion & { kind: 'reach' }, p.spec, p.origin);
  if (a.kind === 'nat') return checkNat(world, a, p.region, p.egress, opts);
  return checkAllowDeny(world, a as Assertion & { kind: 'allow' | 'deny' }, p.region, opts);
}

function traced(world: World, spec: PacketSpec, explain = true): Outcome[] {
  return simulate(world, initialState(world), spec, { closeSenders: true, explain }).outcomes;
}

function counterexample(world: World, region: ClassRegion, c: PacketClass, reason: string): Counterexample {
  return { packet: c.spec.text, description: describeBox(c.box, region.points), reason, trace: renderOutcomes(c.spec.text, traced(world, c.spec)) };
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 'es'}`;

function explore(world: World, region: ClassRegion, opts: CheckOptions) {
  return exploreClasses([world], region.points, region.boxes, buildAtoms([world]), { maxClasses: opts.maxClasses ?? 20_000 });
}

function checkAllowDeny(world: World, a: Assertion & { kind: 'allow' | 'deny' }, region: ClassRegion, opts: CheckOptions): CheckResult {
  const owned = ownedAddrs(world);
  const ex = explore(world, region, opts);
  const base = { assertion: a, classes: ex.classes.length, from: region.from };
  let undecided: { c: PacketClass; o: Outcome } | undefined;
  for (const c of ex.classes) {
    const run = c.runs[0];
    if (run.absent) return { ...base, status: 'fail', summary: `a packet of the class cannot be sent: ${run.absent}`, counterexample: { packet: c.spec.text, description: describeBox(c.box, region.points), reason: run.absent, trace: '' } };
    const f = classFate(run.outcomes, owned);
    const bad = a.kind === 'allow' ? f.no : f.yes;
    if (bad.length) {
      const o = bad[0];
      const reason = `${a.kind === 'allow' ? 'not allowed' : 'not denied'}: ${fateText(o, owned)}`;
      return { ...base, status: 'fail', summary: reason, counterexample: counterexample(world, region, c, reason) };
    }
    if (f.unknown.length && !undecided) undecided = { c, o: f.unknown[0] };
  }
  if (undecided) {
    const reason = `undecided: ${fateText(undecided.o, owned)}`;
    return { ...base, status: 'unsupported', summary: reason, counterexample: counterexample(world, region, undecided.c, reason) };
  }
  if (ex.truncated) return { ...base, status: 'incomplete', summary: `stopped after ${plural(ex.classes.length, 'class')} (the class limit) with no counterexample so far` };
  const what = a.kind === 'allow' ? 'every packet gets through' : 'no packet gets through';
  return { ...base, status: 'pass', summary: `${what} (${plural(ex.classes.length, 'class')} from ${region.from.join(', ')})` };
}

/** The example packet of a reach assertion. */
function reachSpec(world: World, a: Assertion & { kind: 'reach' }): { spec: PacketSpec; origin: string } {
  const proto = a.header.protos[0];
  const t = a.target;
  let dst: number;
  if (t.addr.kind === 'host') dst = hostAddrs(world, t)[0];
  else if (t.addr.kind === 'set' && t.addr.set.length === 1 && t.addr.set[0][0] === t.addr.set[0][1]) dst = t.addr.set[0][0];
  else throw new InputError([{ severity: 'error', loc: t.loc, text: t.text, message: 'reach needs one destination address', hint: 'write HOST:PORT, HOST:IF:PORT or A.B.C.D:PORT' }]);
  const ported = proto !== 1;
  if (ported && (!t.ports || t.ports.length !== 1 || t.ports[0][0] !== t.ports[0][1])) throw new InputError([{ severity: 'error', loc: t.loc, text: t.text, message: `reach ${proto === 6 ? 'tcp' : 'udp'} needs one destination port`, hint: `write ${t.text.split(':')[0]}:80` }]);
  if (!ported && t.ports) throw new InputError([{ severity: 'error', loc: t.loc, text: t.text, message: 'icmp has no ports' }]);
  const s = a.source;
  let origin: string;
  let src: number;
  if (a.via?.length) {
    if (a.via.length > 1) throw new InputError([{ severity: 'error', loc: a.via[1].loc, text: a.via[1].text, message: 'reach sends one packet: one via interface' }]);
    const [p] = viaPoints(world, [], a.via[0], undefined, 'egress');
    origin = `arrive ${p.host}:${p.ifaces[0]}`;
    const set = itemAddrSet(world, s);
    if (s.addr.kind === 'any' || (s.addr.kind === 'set' && I.size(set) !== 1)) throw new InputError([{ severity: 'error', loc: s.loc, text: s.text, message: 'reach needs one source address', hint: 'write HOST, HOST:IF or A.B.C.D' }]);
    src = I.min(set)!;
  } else if (s.addr.kind === 'host') {
    const h = findHost(world, s, s.addr.host);
    origin = `local ${h.name}`;
    // HOST: an unbound socket (routing picks the source); HOST:IF: bound to that interface's address.
    src = s.addr.iface !== undefined ? hostAddrs(world, s)[0] : 0;
  } else {
    const set = itemAddrSet(world, s);
    const v = s.addr.kind === 'set' && I.size(set) === 1 ? I.min(set)! : undefined;
    const owner = v === undefined ? undefined : world.hosts.find((h) => hostIndex(h).addrs.some((x) => x.addr === v));
    if (v === undefined || !owner) throw new InputError([{ severity: 'error', loc: s.loc, text: s.text, message: v === undefined ? 'reach needs one source address' : `no modelled host owns ${s.text}: say where the packet arrives`, hint: 'write `from HOST`, `from HOST:IF`, or `from A.B.C.D via HOST:IF`' }]);
    origin = `local ${owner.name}`;
    src = v;
  }
  const h = a.header;
  const pick = (s: I.IntervalSet | undefined, d: number) => (s ? (I.contains(s, d) ? d : I.min(s)!) : d);
  const parts = [origin, proto === 6 ? 'tcp' : proto === 17 ? 'udp' : 'icmp'];
  if (ported) parts.push(`${formatIpv4(src)}:${pick(h.sport, 40000)} > ${formatIpv4(dst)}:${t.ports![0][0]}`);
  else parts.push(`${formatIpv4(src)} > ${formatIpv4(dst)}`);
  if (proto === 6) parts.push(`flags ${flagLetters(pick(h.flags, 0x02))}`);
  if (proto === 1) {
    const ic = pick(h.icmp, 8 << 8);
    parts.push(`type ${ic >> 8} code ${ic & 0xff}`, 'id 1 seq 1');
  }
  if (h.ttl) parts.push(`ttl ${pick(h.ttl, 64)}`);
  if (h.tos) parts.push(`tos ${pick(h.tos, 0)}`);
  if (h.length) parts.push(`len ${I.min(h.length)}`);
  return { spec: parsePacketSpec(parts.join(' '), a.loc.file, a.loc.line), origin };
}

function checkReach(world: World, a: Assertion & { kind: 'reach' }, spec: PacketSpec, origin: string): CheckResult {
  const outcomes = traced(world, spec);
  const owned = ownedAddrs(world);
  const f = classFate(outcomes, owned);
  const base = { assertion: a, classes: 1, from: [origin] };
  const trace = renderOutcomes(spec.text, outcomes);
  if (f.no.length || f.unknown.length) {
    const o = f.no[0] ?? f.unknown[0];
    const reason = `${f.no.length ? 'does not reach' : 'undecided'}: ${fateText(o, owned)}`;
    return { ...base, status: f.no.length ? 'fail' : 'unsupported', summary: reason, counterexample: { packet: spec.text, description: 'the example packet', reason, trace } };
  }
  return { ...base, status: 'pass', summary: `${spec.text}: ${f.yes.map((o) => fateText(o, owned)).join('; ')}` };
}

function flagLetters(f: number): string {
  const L: [number, string][] = [[0x02, 'S'], [0x10, 'A'], [0x01, 'F'], [0x04, 'R'], [0x08, 'P'], [0x20, 'U'], [0x40, 'E'], [0x80, 'W']];
  return f === 0 ? 'none' : L.filter(([b]) => f & b).map(([, t]) => t).join('');
}

function checkNat(world: World, a: Assertion & { kind: 'nat' }, region: ClassRegion, egress: Egress[], opts: CheckOptions): CheckResult {
  // The egress interfaces: `via [HOST:]IF`; without via (empty), every interface of every host.
  const matches = (hop: EgressHop) => hop.forwarded && (!egress.length || egress.some((e) => e.host === hop.host && e.ifaces.includes(hop.iface)));
  const ex = explore(world, region, opts);
  const base = { assertion: a, classes: ex.classes.length, from: region.from };
  const origSrc = (spec: PacketSpec) => spec.packet.src;
  let seen = 0;
  let undecided: { c: PacketClass; reason: string } | undefined;
  for (const c of ex.classes) {
    const run = c.runs[0];
    if (run.absent) continue;
    // the trace shows where the packet leaves each host (no explanation needed to find the exits)
    const outcomes = traced(world, c.spec, false);
    for (const o of outcomes) {
      if (o.verdict.fate === 'unsupported' && !undecided) undecided = { c, reason: `undecided: ${fateText(o, ownedAddrs(world))}` };
      for (const hop of egressHops(c.spec, o)) {
        if (!matches(hop)) continue;
        seen++;
        const bad = natBroken(world, a, hop, origSrc(c.spec));
        if (bad) {
          const reason = `leaves ${hop.host}:${hop.iface} from ${formatIpv4(hop.src)}: ${bad}`;
          return { ...base, status: 'fail', summary: reason, counterexample: counterexample(world, region, c, reason) };
        }
      }
    }
  }
  if (undecided) return { ...base, status: 'unsupported', summary: undecided.reason, counterexample: counterexample(world, region, undecided.c, undecided.reason) };
  if (ex.truncated) return { ...base, status: 'incomplete', summary: `stopped after ${plural(ex.classes.length, 'class')} (the class limit) with no counterexample so far` };
  const where = egress.length ? egress.map((e) => `${e.host}:${e.ifaces[0]}`).join(', ') : 'any interface';
  if (!seen) return { ...base, status: 'fail', summary: `no packet of the class is forwarded out of ${where} (${plural(ex.classes.length, 'class')} from ${region.from.join(', ')})` };
  return { ...base, status: 'pass', summary: `every packet forwarded out of ${where} leaves ${resultText(a)} (${plural(ex.classes.length, 'class')}, ${seen} exit${seen === 1 ? '' : 's'} checked)` };
}

function resultText(a: Assertion & { kind: 'nat' }): string {
  const r = a.result;
  return r.kind === 'masquerade' ? 'masqueraded' : r.kind === 'none' ? 'with its own source' : `from ${r.text}`;
}

/** Why a hop breaks the nat assertion, or undefined. */
function natBroken(world: World, a: Assertion & { kind: 'nat' }, hop: EgressHop, original: number): string | undefined {
  const r = a.result;
  if (r.kind === 'none') return hop.src === original && !hop.snatted ? undefined : `source translated from ${formatIpv4(original)} (expected no translation)`;
  if (r.kind === 'snat') return I.contains(r.set, hop.src) ? undefined : hop.src === original ? 'not translated' : `expected a source in ${r.text}`;
  const h = world.hosts.find((x) => x.name === hop.host)!;
  const x = hostIndex(h);
  const dev = h.interfaces.find((i) => i.name === hop.iface);
  const devs = [hop.iface, ...(dev?.master ? [dev.master] : [])];
  const onIface = x.addrs.some((ad) => devs.includes(ad.iface) && ad.addr === hop.src);
  if (!hop.masqueraded) return hop.src === original ? 'not masqueraded (no MASQUERADE on this host)' : `not masqueraded (source changed from ${formatIpv4(original)} without MASQUERADE)`;
  if (!onIface) return `masqueraded, but to an address not on ${hop.iface}`;
  return undefined;
}
