/** Conntrack state bits shared by `state` and `conntrack` (print order of libxt_conntrack). */
import type { CtView } from './types.js';
import { fail } from './helpers.js';

export const STATE_ORDER = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT'] as const;
export type CtStateName = (typeof STATE_ORDER)[number];

export function parseStates(s: string, allowNat: boolean): CtStateName[] {
  const set = new Set<CtStateName>();
  for (const raw of s.split(',')) {
    const u = raw.toUpperCase() as CtStateName;
    if (!STATE_ORDER.includes(u) || (!allowNat && (u === 'SNAT' || u === 'DNAT'))) fail(`Bad ctstate "${raw}"`, `states are ${STATE_ORDER.filter((x) => allowNat || (x !== 'SNAT' && x !== 'DNAT')).join(', ')}`);
    set.add(u);
  }
  return STATE_ORDER.filter((x) => set.has(x));
}

/** Does the packet's conntrack view have any of these states (xt_conntrack's statebit test)? */
export function stateHit(states: CtStateName[], ct: CtView): boolean {
  for (const s of states) {
    if (s === 'SNAT' ? ct.snat : s === 'DNAT' ? ct.dnat : ct.state === s) return true;
  }
  return false;
}
