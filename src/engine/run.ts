/** Running a list of packets in order with shared state, and comparing outcomes with expectations. */
import { produce } from 'immer';
import type { World } from '../model/host.js';
import type { Ruleset } from '../model/iptables.js';
import type { Expectation, Query } from '../parse/queries.js';
import { initialState, simulate, type SimResult } from './simulate.js';
import type { Outcome, PacketSpec, RunState, Verdict } from './types.js';
import { TCP_FLAGS } from '../model/packet.js';
import { formatIpv4 } from '../model/addr.js';
import { arrivalSender } from '../model/topology.js';

export interface RunResult {
  query: Query;
  result: SimResult;
  mismatch?: string;
  /** With closeSenders: the packets the sending TCP socket sends on its own after the SYN (probeFollowUps()). */
  followUps?: { spec: PacketSpec; outcomes: Outcome[] }[];
}

export function runQueries(world: World, queries: Query[], start?: RunState, opts: { trace?: boolean; closeSenders?: boolean } = {}): { results: RunResult[]; state: RunState } {
  let state = start ?? initialState(world);
  const results: RunResult[] = [];
  for (const q of queries) {
    const sender = opts.closeSenders ? probeSender(world, q.spec) : undefined;
    const follow = sender ? probeFollowUps(q.spec) : undefined;
    // (a probe that may connect keeps its socket until its follow-ups are decided)
    const result = simulate(world, state, q.spec, { trace: opts.trace, closeSenders: opts.closeSenders && !follow });
    // The run goes on along the first branch (the kernel takes one of them; later packets see that one).
    state = result.states[0] ?? state;
    const mismatch = q.expect ? compare(q.expect, result.outcomes) : undefined;
    const r: RunResult = { query: q, result, mismatch };
    if (follow && sender) {
      const connected = result.outcomes.length === 1 && synAckReachedSocket(result.outcomes[0].verdict, q.spec, sender);
      // Connected: the stack's ACK, then close() with SO_LINGER 0 sends RST|ACK (tcp_disconnect(): a reset for
      // an ESTABLISHED socket). Not connected: closing a SYN_SENT socket sends nothing.
      const specs = connected ? follow : [];
      r.followUps = [];
      for (const spec of specs) {
        const fr = simulate(world, state, spec, { trace: opts.trace });
        state = fr.states[0] ?? state;
        r.followUps.push({ spec, outcomes: fr.outcomes });
      }
      state = closeSocket(state, q.spec, sender);
    }
    results.push(r);
  }
  return { results, state };
}

/**
 * The packets a one-shot TCP probe (as `nfsim verify` and the conformance lab send it: connect() with one SYN,
 * then close() with SO_LINGER 0) sends by itself when the handshake succeeds: the ACK of the SYN/ACK and the
 * RST|ACK of the abortive close. Both carry the timestamp option (52 bytes), as the SYN's answer enabled it.
 */
function probeFollowUps(spec: PacketSpec): PacketSpec[] | undefined {
  const p = spec.packet;
  if (spec.raw || p.proto !== 6 || (p.tcpFlags ?? 0) !== TCP_FLAGS.SYN) return undefined;
  const o = spec.origin;
  const seg = (flags: number, name: string): PacketSpec => ({
    ...spec,
    packet: { ...p, tcpFlags: flags, length: 52, df: true, tos: p.tos },
    text: `${o.kind === 'local' ? `local ${o.host}` : `arrive ${o.host}:${o.iface}`} tcp ${formatIpv4(p.src)}:${p.sport} > ${formatIpv4(p.dst)}:${p.dport} flags ${name} len 52`,
  });
  return [seg(TCP_FLAGS.ACK, 'A'), seg(TCP_FLAGS.RST | TCP_FLAGS.ACK, 'RA')];
}

/**
 * The host whose socket sends a probe: the sender of a local packet; for an arriving packet, the modelled host
 * at the link's other end when it owns the source (the lab sends from its socket; otherwise a frame is
 * crafted and nothing answers the SYN/ACK).
 */
function probeSender(world: World, spec: PacketSpec): string | undefined {
  const o = spec.origin;
  return o.kind === 'local' ? o.host : arrivalSender(world, o.host, o.iface, spec.packet.src)?.name;
}

/** Did a SYN/ACK answer reach the probe's own socket (so its connect() completes)? */
function synAckReachedSocket(v: Verdict, spec: PacketSpec, sender: string): boolean {
  const p = spec.packet;
  const socket = `tcp:${formatIpv4(p.src)}:${p.sport}`;
  const hit = (x: Verdict): boolean =>
    x.answers.some((a) => (a.verdict.fate === 'delivered' && a.verdict.host === sender && a.verdict.socket === socket && / flags SA\b/.test(a.packet)) || hit(a.verdict));
  return hit(v);
}

/** The probe's socket is closed: later packets of the run cannot reach it. */
function closeSocket(state: RunState, spec: PacketSpec, sender: string): RunState {
  const p = spec.packet;
  const hs = state.hosts[sender];
  if (!hs) return state;
  const sockets = hs.sockets.filter((s) => !(s.proto === 6 && s.peer?.addr === p.dst && s.peer.port === p.dport && s.local.port === p.sport));
  return sockets.length === hs.sockets.length ? state : { ...state, hosts: { ...state.hosts, [sender]: { ...hs, sockets } } };
}

function field(v: Verdict, k: string): string | undefined {
  switch (k) {
    case 'reason':
      return 'reason' in v ? v.reason : undefined;
    case 'at':
      return 'at' in v ? v.at : undefined;
    case 'host':
      return v.host;
    case 'socket':
      return 'socket' in v ? v.socket : undefined;
    case 'out':
      return v.fate === 'forwarded' ? `${v.host}:${v.iface}` : undefined;
    case 'with':
      return v.fate === 'rejected' ? v.with : undefined;
    case 'errno':
      return v.fate === 'send-error' ? v.errno : undefined;
  }
  return undefined;
}

/** Undefined when every outcome satisfies the expectation; otherwise what differs. */
export function compare(e: Expectation, outcomes: Outcome[]): string | undefined {
  for (const o of outcomes) {
    const v = o.verdict;
    if (v.fate !== e.fate) return `expected ${e.fate}, got ${v.fate}${'reason' in v && v.reason ? ` (${v.reason})` : ''}`;
    for (const [k, want] of Object.entries(e.fields)) {
      if (k === 'answer') {
        // Compare without the type names nfsim adds: `type 3 (destination-unreachable) code 3` ~ `type 3 code 3`.
        const norm = (x: string) => x.replace(/ \([a-z-]+\)/g, '').replace(/_/g, ' ');
        const got = v.answers.map((a) => a.packet);
        if (!got.some((g) => norm(g).includes(norm(want)))) return `expected an answer like '${want}', got ${got.length ? got.join('; ') : 'none'}`;
        continue;
      }
      const got = field(v, k);
      if (got !== want) return `expected ${k}=${want}, got ${k}=${got ?? '(none)'}`;
    }
  }
  return undefined;
}

/** The host's ruleset with counters = dump counters + what the run counted (as `iptables-save -c` would show). */
export function rulesetWithCounters(world: World, state: RunState, host: string): Ruleset | undefined {
  const h = world.hosts.find((x) => x.name === host);
  if (!h?.iptables) return undefined;
  const hs = state.hosts[host];
  const c = (key: string) => (hs?.packets[key] ? { packets: hs.packets[key], bytes: hs.bytes[key] } : undefined);
  return produce(h.iptables, (rs) => {
    rs.hasCounters = true;
    for (const t of rs.tables) {
      for (const ch of t.chains) {
        if (ch.builtin) {
          const add = c(`${t.name}/${ch.name}/policy`);
          ch.counters = { packets: (ch.counters?.packets ?? 0) + (add?.packets ?? 0), bytes: (ch.counters?.bytes ?? 0) + (add?.bytes ?? 0) };
        }
        ch.rules.forEach((r, i) => {
          const add = c(`${t.name}/${ch.name}/${i}`);
          r.counters = { packets: (r.counters?.packets ?? 0) + (add?.packets ?? 0), bytes: (r.counters?.bytes ?? 0) + (add?.bytes ?? 0) };
        });
      }
    }
  });
}
