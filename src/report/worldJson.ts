/**
 * The model as `nfsim parse --json` prints it. The model is printed as it is, except that rules, matches
 * and targets keep their source position as plain fields (file, line, col) for compactness: here each of
 * them gets its `loc: {file, line, col}` object back, as in every other part of the model.
 */
import type { Host, World } from '../model/host.js';
import { locOf, type MatchUse, type Rule, type Ruleset, type TargetUse } from '../model/iptables.js';

export function worldJson(world: World): unknown {
  return { ...world, hosts: world.hosts.map(hostJson) };
}

function hostJson(h: Host): unknown {
  return { ...h, iptables: h.iptables && rulesetJson(h.iptables), ip6tables: h.ip6tables && rulesetJson(h.ip6tables) };
}

function rulesetJson(rs: Ruleset): unknown {
  return { ...rs, tables: rs.tables.map((t) => ({ ...t, chains: t.chains.map((c) => ({ ...c, rules: c.rules.map(ruleJson) })) })) };
}

function ruleJson(r: Rule): unknown {
  const { file: _file, line: _line, col: _col, matches, target, ...rest } = r;
  return { ...rest, loc: locOf(r), matches: matches.map((m) => useJson(r, m)), target: target && useJson(r, target) };
}

function useJson(r: Rule, u: MatchUse | TargetUse): unknown {
  const { line: _line, col: _col, ...rest } = u;
  return { ...rest, loc: locOf(r, u) };
}
