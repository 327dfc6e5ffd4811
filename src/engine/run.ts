/** Running a list of packets in order with shared state, and comparing outcomes with expectations. */
import { produce } from 'immer';
import type { World } from '../model/host.js';
import type { Ruleset } from '../model/iptables.js';
import type { Expectation, Query } from '../parse/queries.js';
import { initialState, simulate, type SimResult } from './simulate.js';
import type { Outcome, RunState, Verdict } from './types.js';

export interface RunResult {
  query: Query;
  result: SimResult;
  mismatch?: string;
}

export function runQueries(world: World, queries: Query[], start?: RunState, opts: { trace?: boolean; closeSenders?: boolean } = {}): { results: RunResult[]; state: RunState } {
  let state = start ?? initialState(world);
  const results: RunResult[] = [];
  for (const q of queries) {
    const result = simulate(world, state, q.spec, { trace: opts.trace, closeSenders: opts.closeSenders });
    // The run goes on along the first branch (the kernel takes one of them; later packets see that one).
    state = result.states[0] ?? state;
    const mismatch = q.expect ? compare(q.expect, result.outcomes) : undefined;
    results.push({ query: q, result, mismatch });
  }
  return { results, state };
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
