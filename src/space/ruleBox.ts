/**
 * A rule's matches as a header-space constraint: the set of packets the rule can select, over the header
 * dimensions of src/space/box.ts. `exact` says the constraint is the rule's whole condition on the header
 * (every match expressible, no interface condition, nothing opaque); otherwise it is a sound
 * over-approximation (every packet the rule selects satisfies it).
 */
import type { Rule } from '../model/iptables.js';
import { findMatch } from '../ext/registry.js';
import { protocolNumber } from '../engine/chains.js';
import type { Constraint, Dim } from './box.js';
import * as I from './intervals.js';
import type { IntervalSet } from './intervals.js';
import { netSet } from './helpers.js';

export { netSet };

export interface RuleSpace {
  constraint: Constraint;
  /** The constraint is exactly the rule's header condition (see `ifaces` for interface conditions). */
  exact: boolean;
  /** -i / -o conditions, kept aside: they are not header fields. */
  ifaces: { in?: { name: string; invert: boolean }; out?: { name: string; invert: boolean } };
  /** Reasons the constraint is not exact (opaque matches), for reports. */
  opaque: string[];
}

const cache = new WeakMap<Rule, RuleSpace>();

export function ruleSpace(rule: Rule): RuleSpace {
  const hit = cache.get(rule);
  if (hit) return hit;
  const c: Partial<Record<Dim, IntervalSet>> = {};
  const opaque: string[] = [];
  let exact = true;
  const add = (d: Dim, s: IntervalSet) => {
    c[d] = c[d] ? I.intersect(c[d]!, s) : s;
  };
  const full = (lo: number, hi: number) => I.range(lo, hi);
  if (rule.protocol) {
    const n = protocolNumber(rule.protocol.value);
    if (n === undefined) {
      exact = false;
      opaque.push(`unknown protocol ${rule.protocol.value}`);
    } else if (n !== 0) add('proto', rule.protocol.invert ? I.subtract(full(0, 255), I.single(n)) : I.single(n));
    else if (rule.protocol.invert) add('proto', I.EMPTY);
  }
  for (const k of ['src', 'dst'] as const) {
    const sel = rule[k];
    if (!sel) continue;
    const { set, exact: ex } = netSet(sel.value);
    if (!ex) {
      exact = false;
      opaque.push(`${k} mask ${sel.value.addr}`);
      if (!sel.invert) add(k, set);
    } else add(k, sel.invert ? I.subtract(full(0, 0xffffffff), set) : set);
  }
  // -f: later fragments only; nfsim's packets are whole datagrams.
  if (rule.fragment && !rule.fragment.invert) add('proto', I.EMPTY);
  for (const m of rule.matches) {
    const ext = m.unsupported ? undefined : findMatch(m.name);
    if (!ext || ext.kind !== 'match' || !ext.space) {
      exact = false;
      opaque.push(`-m ${m.name}`);
      continue;
    }
    const sp = ext.space(m.args);
    for (const [d, s] of Object.entries(sp.constraint) as [Dim, IntervalSet][]) add(d, s);
    if (!sp.exact) {
      exact = false;
      opaque.push(`-m ${m.name} (partly)`);
    }
  }
  const ifaces: RuleSpace['ifaces'] = {};
  if (rule.inIface) ifaces.in = { name: rule.inIface.value, invert: rule.inIface.invert };
  if (rule.outIface) ifaces.out = { name: rule.outIface.value, invert: rule.outIface.invert };
  const out: RuleSpace = { constraint: c, exact, ifaces, opaque };
  cache.set(rule, out);
  return out;
}
