/** Checks over a table's jump graph that the kernel makes when a rule is committed. */
import type { Chain, Hook, Rule, Table } from '../model/iptables.js';
import { findTarget } from '../ext/registry.js';

/** A jump loop reachable from a built-in chain: x_tables mark_source_chains (ELOOP) and nf_tables'
 * chain validation (EMLINK) refuse the rule that closes it; loops among unreachable chains are accepted. */
export function hasReachableLoop(t: Table): boolean {
  return loopRule(t) !== undefined;
}

/** The rule whose jump closes a loop reachable from a built-in chain (the first found, in listing order). */
export function loopRule(t: Table): Rule | undefined {
  const by = new Map(t.chains.map((c) => [c.name, c]));
  const state = new Map<string, 1 | 2>(); // 1: on the path, 2: done
  const visit = (c: Chain): Rule | undefined => {
    state.set(c.name, 1);
    for (const r of c.rules) {
      if (r.target?.kind !== 'chain') continue;
      const n = by.get(r.target.name);
      if (!n || n.builtin) continue;
      const st = state.get(n.name);
      if (st === 1) return r;
      if (st === undefined) {
        const found = visit(n);
        if (found) return found;
      }
    }
    state.set(c.name, 2);
    return undefined;
  };
  for (const c of t.chains) {
    if (!c.builtin) continue;
    const r = visit(c);
    if (r) return r;
  }
  return undefined;
}

/** The built-in hooks each chain is reached from (a built-in chain: its own; a user chain: those of the
 * chains that jump or go to it). */
function reachingHooks(t: Table): Map<string, Set<Hook>> {
  const by = new Map(t.chains.map((c) => [c.name, c]));
  const out = new Map<string, Set<Hook>>();
  const walk = (c: Chain, hook: Hook) => {
    let set = out.get(c.name);
    if (!set) out.set(c.name, (set = new Set()));
    if (set.has(hook)) return;
    set.add(hook);
    for (const r of c.rules) {
      const n = r.target?.kind === 'chain' ? by.get(r.target.name) : undefined;
      if (n && !n.builtin) walk(n, hook);
    }
  };
  for (const c of t.chains) if (c.builtin) walk(c, c.name as Hook);
  return out;
}

/** A target used where its hooks forbid it (xt_check_target: "only valid in ... hooks", EINVAL).
 * Returns the offending rule's description. */
export function hookViolation(t: Table, family: 4 | 6): string | undefined {
  return hookViolationRule(t, family)?.message;
}

/** The first rule whose target is used from a hook it does not support, with the reason: x_tables
 * (mark_source_chains, comefrom) and nf_tables (nft_chain_validate follows jumps with the base chain's
 * hook) both check through user chains. */
export function hookViolationRule(t: Table, family: 4 | 6): { rule: Rule; message: string } | undefined {
  const hooks = reachingHooks(t);
  for (const c of t.chains) {
    const from = hooks.get(c.name);
    if (!from) continue;
    for (const r of c.rules) {
      if (r.target?.kind !== 'extension' || r.target.unsupported) continue;
      const ext = findTarget(r.target.name, family);
      const bad = ext?.hooks ? [...from].filter((h) => !ext.hooks!.includes(h)) : [];
      if (bad.length) return { rule: r, message: `${r.target.name} is valid only from ${ext!.hooks!.join('/')}; ${c.name} is reached from ${bad.join(', ')}` };
    }
  }
  return undefined;
}
