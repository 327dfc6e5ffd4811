/**
 * The call graph of one table's chains: who jumps or goes to whom, and from which built-in hooks a chain
 * can be entered (the kernel checks the same graph at load time: mark_source_chains() in ip_tables.c).
 */
import type { Chain, Hook, Rule, Table } from '../model/iptables.js';
import { HOOKS } from '../model/iptables.js';

export interface ChainRef {
  from: Chain;
  rule: Rule;
  /** 0-based index of the rule in `from`. */
  index: number;
  goto: boolean;
}

export interface ChainGraph {
  table: Table;
  byName: Map<string, Chain>;
  /** References to each chain (jumps and gotos), in dump order. */
  refs: Map<string, ChainRef[]>;
  /** Built-in hooks from which each chain can be reached (empty: unreachable). */
  hooks: Map<string, Set<Hook>>;
}

const cache = new WeakMap<Table, ChainGraph>();

export function chainGraph(table: Table): ChainGraph {
  const hit = cache.get(table);
  if (hit) return hit;
  const byName = new Map(table.chains.map((c) => [c.name, c]));
  const refs = new Map<string, ChainRef[]>(table.chains.map((c) => [c.name, []]));
  for (const c of table.chains) {
    c.rules.forEach((rule, index) => {
      const t = rule.target;
      if (t?.kind === 'chain') refs.get(t.name)?.push({ from: c, rule, index, goto: t.goto });
    });
  }
  const hooks = new Map<string, Set<Hook>>(table.chains.map((c) => [c.name, new Set<Hook>()]));
  for (const c of table.chains) {
    if (!c.builtin || !(HOOKS as readonly string[]).includes(c.name)) continue;
    const hook = c.name as Hook;
    const todo = [c];
    while (todo.length) {
      const cur = todo.pop()!;
      const set = hooks.get(cur.name)!;
      if (set.has(hook)) continue;
      set.add(hook);
      for (const r of cur.rules) {
        const t = r.target;
        const next = t?.kind === 'chain' ? byName.get(t.name) : undefined;
        if (next && !next.builtin) todo.push(next);
      }
    }
  }
  const g = { table, byName, refs, hooks };
  cache.set(table, g);
  return g;
}

/** `-A CHAIN text` as iptables-save prints it. */
export function ruleText(r: Rule): string {
  return `-A ${r.chain} ${r.text}`;
}

/** The command that deletes this rule. */
export function deleteCommand(table: string, r: Rule): string {
  return `iptables${table === 'filter' ? '' : ` -t ${table}`} -D ${r.chain} ${r.text}`;
}
