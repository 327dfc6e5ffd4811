/**
 * `unused-chain`: user chains no packet can enter. A chain nothing jumps to (or only chains that are
 * themselves unreachable jump to) never sees a packet; a referenced chain without rules just returns.
 */
import type { Host, World } from '../../model/host.js';
import { locOf, type Ruleset } from '../../model/iptables.js';
import { chainGraph } from '../chainGraph.js';
import type { Finding, LintCheck } from '../types.js';

function tableFlag(table: string): string {
  return table === 'filter' ? '' : ` -t ${table}`;
}

export function unusedChainsOf(host: Host, rs: Ruleset, cmd: 'iptables' | 'ip6tables'): Finding[] {
  const out: Finding[] = [];
  for (const table of rs.tables) {
    const g = chainGraph(table);
    for (const c of table.chains) {
      if (c.builtin) continue;
      const refs = g.refs.get(c.name) ?? [];
      const t = tableFlag(table.name);
      if (refs.length === 0) {
        out.push({
          check: 'unused-chain',
          severity: 'warning',
          host: host.name,
          loc: c.loc,
          subject: `${cmd}${t} chain ${c.name}`,
          message: `chain ${c.name} in table ${table.name} is never the target of a jump or goto: its ${c.rules.length} rule(s) never see a packet`,
          fix: c.rules.length ? `${cmd}${t} -F ${c.name} && ${cmd}${t} -X ${c.name}   # or jump to it from where it was meant to apply` : `${cmd}${t} -X ${c.name}`,
        });
        continue;
      }
      if ((g.hooks.get(c.name)?.size ?? 0) === 0) {
        const from = [...new Set(refs.map((r) => r.from.name))];
        out.push({
          check: 'unused-chain',
          severity: 'warning',
          host: host.name,
          loc: c.loc,
          subject: `${cmd}${t} chain ${c.name}`,
          message: `chain ${c.name} in table ${table.name} is only reached from ${from.join(', ')}, which no built-in chain leads to: it never sees a packet`,
          fix: `jump to ${from.length === 1 ? from[0] : 'one of them'} from a built-in chain, or delete the chains`,
          related: refs.map((r) => ({ what: 'referenced by', loc: locOf(r.rule), text: `-A ${r.from.name} ${r.rule.text}` })),
        });
        continue;
      }
      if (c.rules.length === 0) {
        out.push({
          check: 'unused-chain',
          severity: 'info',
          host: host.name,
          loc: c.loc,
          subject: `${cmd}${t} chain ${c.name}`,
          message: `chain ${c.name} in table ${table.name} is empty: the ${refs.length} rule(s) jumping to it do nothing${refs.some((r) => r.goto) ? ' (a goto to it ends the calling chain as RETURN would)' : ''}`,
          fix: 'nothing to do if rules are added to it at run time (Docker, kube-proxy, fail2ban do)',
          related: refs.map((r) => ({ what: 'referenced by', loc: locOf(r.rule), text: `-A ${r.from.name} ${r.rule.text}` })),
        });
      }
    }
  }
  return out;
}

export const unusedChain: LintCheck = {
  id: 'unused-chain',
  summary: 'user chains never jumped to (or only from unreachable chains); referenced chains that are empty (info)',
  run(world: World) {
    return world.hosts.flatMap((h) => [
      ...(h.iptables ? unusedChainsOf(h, h.iptables, 'iptables') : []),
      ...(h.ip6tables ? unusedChainsOf(h, h.ip6tables, 'ip6tables') : []),
    ]);
  },
};
