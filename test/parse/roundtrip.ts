/** Helpers shared by the corpus tests: text normalisation for round-trip comparison. */
import type { Ruleset } from '../../src/model/iptables.js';
import { saveRuleset } from '../../src/parse/iptablesSaveWrite.js';

export const normLines = (t: string) =>
  t.split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).filter((l) => l && !l.startsWith('#'));

/** Input lines that belong to the dump (prose before it, ignored by the loader, is removed). */
export function inputLines(text: string, rs: Ruleset): string[] {
  const skip = new Set(rs.issues.filter((i) => i.message.startsWith('ignored')).map((i) => i.loc.line));
  return normLines(text.split('\n').filter((_, i) => !skip.has(i + 1)).join('\n'));
}

/** Output lines, leaving out declarations of built-in chains the input did not declare. */
export function outputLines(rs: Ruleset): string[] {
  const undeclared = new Set(rs.tables.flatMap((t) => t.chains.filter((c) => !c.declared).map((c) => `${t.name}:${c.name}`)));
  let tb = '';
  return normLines(saveRuleset(rs, { counters: rs.hasCounters })).filter((l) => {
    if (l.startsWith('*')) tb = l.slice(1);
    return !(l.startsWith(':') && undeclared.has(tb + ':' + l.slice(1).split(' ')[0]));
  });
}

export function diffCount(a: string[], b: string[]): { count: number; first: string[] } {
  let count = 0;
  const first: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if (a[i] !== b[i]) {
      count++;
      if (first.length < 3) first.push(`  in : ${a[i]}\n  out: ${b[i]}`);
    }
  return { count, first };
}
