/**
 * The engine's entry point: `(world, state, packet spec) → (state', outcomes)`. Pure: neither the world nor
 * the input state is ever changed; each step writes its own copies of the parts of the run state it
 * changes (copy-on-write, sim.ts: hostState()), and unchanged parts are shared with the input state.
 * Where the kernel decides at random (statistic --mode random, multipath), every branch is explored and
 * returned with its probability.
 */
import { formatIpv4 } from '../model/addr.js';
import type { World } from '../model/host.js';
import { InputError } from '../model/source.js';
import { seedEntries } from './conntrack.js';
import type { DepRecorder } from './deps.js';
import { explain } from './explain.js';
import { packetSummary } from './format.js';
import { hostIndex } from './hostIndex.js';
import { addrType } from './fib.js';
import { linkPeer } from './link.js';
import { localOut } from './localOut.js';
import { receive } from './receive.js';
import { emit, hostByName, hostState, newSkb, type Sim } from './sim.js';
import { sysctlRead } from './sysctl.js';
import type { Outcome, PacketSpec, RunState, Verdict } from './types.js';

export interface SimResult {
  outcomes: Outcome[];
  /** The run state after each outcome (same order). */
  states: RunState[];
  /** More branches existed than were explored. */
  truncated: boolean;
}

const MAX_BRANCHES = 256;

export function initialState(world: World): RunState {
  const hosts: RunState['hosts'] = {};
  for (const h of world.hosts) {
    const conntrack = seedEntries(h);
    hosts[h.name] = { conntrack, packets: {}, bytes: {}, ruleState: {}, sockets: [], nextCtId: conntrack.length + 1, natPortCursor: {} };
  }
  return { hosts };
}

function checkSpec(world: World, spec: PacketSpec): void {
  const o = spec.origin;
  const host = world.hosts.find((h) => h.name === o.host);
  const loc = { file: '(packet)', line: 1, col: 1 };
  if (!host) {
    throw new InputError([{ severity: 'error', loc, text: spec.text, message: `unknown host '${o.host}'`, hint: `hosts in this world: ${world.hosts.map((h) => h.name).join(', ') || '(none)'}` }]);
  }
  if (o.kind === 'arrive' && !host.interfaces.some((i) => i.name === o.iface)) {
    throw new InputError([{ severity: 'error', loc, text: spec.text, message: `host '${o.host}' has no interface '${o.iface}'`, hint: `its interfaces: ${host.interfaces.map((i) => i.name).join(', ') || '(none known: add an ip-addr or ip-link dump)'}` }]);
  }
}

function runOnce(sim: Sim, spec: PacketSpec, closeSenders = false): Verdict {
  const o = spec.origin;
  const pkt = spec.packet;
  if (o.kind === 'arrive') {
    const skb = newSkb(o.host, pkt, false, 0);
    skb.inIface = o.iface;
    emit(sim, () => ({ type: 'start', host: o.host, summary: packetSummary(pkt), where: `arrives on ${o.host}:${o.iface}` }));
    const peer = linkPeer(sim, o.host, o.iface);
    if (peer && hostByName(sim, peer.host) && hostIndex(hostByName(sim, peer.host)!).localAddrs.has(pkt.src)) registerSender(sim, peer.host, spec);
    return receive(sim, skb);
  }
  const host = hostByName(sim, o.host)!;
  const h = hostIndex(host);
  emit(sim, () => ({ type: 'start', host: o.host, summary: packetSummary(pkt), where: `sent by a local socket on ${o.host}${spec.unboundSource ? ' (unbound: routing picks the source)' : ''}` }));
  // bind(): any address the local table calls local (127.0.0.11 is local through `local 127.0.0.0/8 dev lo`).
  if (!spec.unboundSource && !spec.raw && addrType(h, pkt.src) !== 'LOCAL') {
    const nl = sysctlRead(host, 'net.ipv4.ip_nonlocal_bind');
    emit(sim, () => ({ type: 'sysctl', host: o.host, key: nl.key, value: String(nl.value), source: nl.source, loc: nl.loc, effect: nl.value ? 'bind() to an absent address succeeds, but sending from it still fails' : 'bind() to an address the host does not have fails' }));
    return { fate: 'send-error', host: o.host, errno: nl.value ? 'ENETUNREACH' : 'EADDRNOTAVAIL', detail: `${formatIpv4(pkt.src)} is not an address of ${o.host}: a socket cannot send from it (use \`raw\` for a raw socket, or 0.0.0.0 to let routing choose)`, answers: [] };
  }
  const skb = newSkb(o.host, pkt, true, 0);
  skb.uid = spec.uid;
  skb.gid = spec.gid;
  // (a raw socket's header is the spec's own)
  if (!spec.dfGiven && !spec.raw && pkt.proto !== 6) skb.dfFromRoute = true;
  // An unbound sender is registered with the wildcard address: its port and peer identify it.
  if (!spec.raw) registerSender(sim, o.host, spec);
  const v = localOut(sim, skb, { routeSource: spec.unboundSource, generated: false });
  // A ping program lives for its one request (ping -c 1): its socket is gone after the query. TCP and UDP
  // sockets stay, so later packets of the run can be their replies.
  const st = hostState(sim, o.host);
  st.sockets = st.sockets.filter((s) => s.proto !== 1 && !(closeSenders && s.peer?.addr === pkt.dst && s.peer.port === pkt.dport && s.local.port === pkt.sport));
  return v;
}

/** The sending socket exists in the sender's host, so answers can be delivered to it. */
function registerSender(sim: Sim, host: string, spec: PacketSpec): void {
  const p = spec.packet;
  const st = hostState(sim, host);
  const h = hostIndex(hostByName(sim, host)!);
  if (p.proto === 1) {
    if (p.icmp?.type === 8 && !st.sockets.some((s) => s.proto === 1 && s.icmpId === p.icmp?.id)) {
      st.sockets = [...st.sockets, { proto: 1, local: { addr: 0, port: 0 }, icmpId: p.icmp.id, note: `the ping socket of ${host} (id ${p.icmp.id})` }];
    }
    return;
  }
  if (p.proto !== 6 && p.proto !== 17) return;
  // A local packet from the port of a socket in the ss dump is sent by that (bound, unconnected) socket.
  const bound = (h.host.sockets ?? []).some((s) => s.proto === (p.proto === 6 ? 'tcp' : 'udp') && s.local.port === p.sport && (s.state === 'UNCONN' || s.state === 'LISTEN'));
  if (bound) return;
  if (st.sockets.some((s) => s.proto === p.proto && s.local.port === p.sport && s.peer?.addr === p.dst && s.peer?.port === p.dport)) return;
  st.sockets = [
    ...st.sockets,
    {
      proto: p.proto,
      local: { addr: p.src, port: p.sport ?? 0 },
      peer: { addr: p.dst, port: p.dport ?? 0 },
      note: `the ${p.proto === 6 ? 'TCP' : 'connected UDP'} socket of ${host} that sent ${formatIpv4(p.src)}:${p.sport} > ${formatIpv4(p.dst)}:${p.dport}`,
    },
  ];
}

export interface SimulateOptions {
  /** Record trace events (default true). Without them a run is faster; verdicts are the same. */
  trace?: boolean;
  /** Local senders close their socket once the packet and its answers are done (one-shot probes, as
   * `nfsim verify` sends them); by default TCP and UDP sockets stay open for later replies. */
  closeSenders?: boolean;
  /** Record the header fields the path depends on into this mask (src/engine/deps.ts). */
  deps?: DepRecorder;
  /** Compute the plain-English explanation of each outcome (default true). */
  explain?: boolean;
}

export function simulate(world: World, state: RunState, spec: PacketSpec, opts: SimulateOptions = {}): SimResult {
  checkSpec(world, spec);
  const outcomes: Outcome[] = [];
  const states: RunState[] = [];
  const pending: boolean[][] = [[]];
  let truncated = false;
  while (pending.length) {
    if (outcomes.length >= MAX_BRANCHES) {
      truncated = true;
      break;
    }
    const forced = pending.shift()!;
    // The step's own state root: host states are copied into it as the step touches them.
    const next: RunState = { hosts: Object.assign({}, state.hosts) };
    const sim: Sim = { world, tracing: opts.trace !== false, state: next, trace: [], forced, choices: [], answers: [], deps: opts.deps };
    const verdict: Verdict = runOnce(sim, spec, opts.closeSenders);
    let p = 1;
    const branches: string[] = [];
    sim.choices.forEach((c, k) => {
      p *= c.taken ? c.p : 1 - c.p;
      branches.push(`${c.taken ? 'taken' : 'not taken'} (p=${(c.taken ? c.p : 1 - c.p).toFixed(4)}): ${c.why}`);
      if (k >= forced.length) pending.push([...sim.choices.slice(0, k).map((x) => x.taken), !c.taken]);
    });
    const out: Outcome = { packet: spec.text, probability: p, branches, trace: sim.trace, verdict, why: '' };
    if (opts.explain !== false) {
      const ex = explain(world, out);
      out.why = ex.why;
      if (ex.fix) out.fix = ex.fix;
    }
    outcomes.push(out);
    states.push(next);
  }
  return { outcomes, states, truncated };
}
