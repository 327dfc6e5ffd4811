/**
 * Apply an iptables command to a host's ruleset (an immer draft). Refusals carry the message iptables
 * 1.8.9 prints (checked on the kernel with the nf_tables backend; where iptables-legacy words it
 * differently, a ruleset dumped by iptables-legacy gets the legacy wording).
 */
import { BUILTIN_CHAINS, TABLE_NAMES, locOf, type Chain, type Rule } from '../model/iptables.js';
import { VERDICTS } from '../parse/iptablesSave.js';
import { saveRuleBody } from '../parse/iptablesSaveWrite.js';
import { hasReachableLoop, hookViolation } from './iptablesGraph.js';
import { buildRule, createsTable, missingTable, NAT_DROP } from './iptablesRule.js';
import { insertUserChain, nftOp, rulesetOf, tableOf, tool, usage, type CommandContext } from './iptablesCommon.js';
import type { IptablesCommand } from './iptablesCommand.js';
import { refuse } from './refuse.js';
import type { Word } from './shellWords.js';

export { insertUserChain, NFT_TABLE_ORDER, rulesetOf, tableOf, type CommandContext } from './iptablesCommon.js';

const sameRule = (a: Rule, b: Rule, family: 4 | 6, table: string) => saveRuleBody(a, family, table) === saveRuleBody(b, family, table);

/** Apply one iptables command to `host` (a draft). Returns the one-line description. */
export function applyIptables(cmd: IptablesCommand, ctx: CommandContext): string {
  const rs = rulesetOf(ctx, cmd.family, cmd.opWord);
  const legacy = rs.backend === 'legacy';
  const tw = cmd.tableWord ?? cmd.opWord;
  const badTable = (): never =>
    legacy
      ? usage(cmd, tw, ctx, `can't initialize iptables table \`${cmd.table}': Table does not exist (do you need to insmod?)`, `Perhaps iptables or your kernel needs to be upgraded. Tables are ${TABLE_NAMES.join(', ')}`, true)
      : usage(cmd, tw, ctx, `table '${cmd.table}' does not exist`, `Perhaps iptables or your kernel needs to be upgraded. Tables are ${TABLE_NAMES.join(', ')}`);
  if (!(TABLE_NAMES as readonly string[]).includes(cmd.table)) badTable();
  if (!legacy && !rs.tables.some((x) => x.name === cmd.table) && !createsTable(cmd)) return missingTable(cmd, ctx);
  const t = tableOf(rs, cmd.table, ctx.loc, badTable);
  const noChain = (w: Word): never => tool(cmd, w, ctx, 'No chain/target/match by that name.', `table ${t.name} has chains ${t.chains.map((c) => c.name).join(', ')}`);
  /** iptables-nft creates a built-in chain in the kernel on first use, and iptables-save lists it either way:
   * an empty built-in chain with the default policy may not exist, and then -D N, -R N and -X say so. */
  const nftAbsent = (c: Chain) => !legacy && c.builtin && c.rules.length === 0 && (c.policy ?? 'ACCEPT') === 'ACCEPT';
  const find = (w: Word): Chain => t.chains.find((c) => c.name === w.text) ?? noChain(w);
  const where = `${t.name} ${cmd.chain?.text ?? ''}`.trim();
  const counters = () => (rs.hasCounters ? { counters: { packets: 0, bytes: 0 } } : {});

  switch (cmd.op) {
    case 'A':
    case 'I':
    case 'R': {
      const { rule, commitCheck } = buildRule(cmd, t, cmd.chain!.text, ctx, legacy);
      Object.assign(rule, counters());
      const ch = find(cmd.chain!);
      const loopCheck = () => {
        if (hasReachableLoop(t)) {
          const hint = `with this rule, a jump from ${ch.name} leads back to a chain on the way (a loop reachable from a built-in chain)`;
          if (legacy) tool(cmd, locOf(rule, rule.target!), ctx, 'Too many levels of symbolic links.', hint);
          usage(cmd, locOf(rule, rule.target!), ctx, ` ${nftOp(cmd)} failed (Too many links): rule in chain ${ch.name}`, hint);
        }
        const bad = hookViolation(t, cmd.family);
        if (bad) {
          if (legacy) tool(cmd, (rule.target ? locOf(rule, rule.target) : ctx.loc), ctx, "Invalid argument. Run `dmesg' for more information.", bad);
          usage(cmd, (rule.target ? locOf(rule, rule.target) : ctx.loc), ctx, ` ${nftOp(cmd)} failed (Invalid argument): rule in chain ${ch.name}`, bad);
        }
      };
      if (cmd.op === 'A') {
        commitCheck();
        ch.rules.push(rule);
        loopCheck();
        return `${where}: rule ${ch.rules.length} appended: -A ${ch.name}${saveRuleBody(rule, cmd.family, t.name)}`;
      }
      const n = cmd.num ?? 1;
      if (cmd.op === 'R' && nftAbsent(ch)) noChain(cmd.chain!);
      if (cmd.op === 'I') {
        if (n > ch.rules.length + 1) tool(cmd, cmd.numWord!, ctx, 'Index of insertion too big.', `${ch.name} has ${ch.rules.length} rules: insert at 1..${ch.rules.length + 1}`);
        commitCheck();
        ch.rules.splice(n - 1, 0, rule);
        loopCheck();
        return `${where}: rule inserted at ${n}: -A ${ch.name}${saveRuleBody(rule, cmd.family, t.name)}`;
      }
      if (n > ch.rules.length) tool(cmd, cmd.numWord!, ctx, 'Index of replacement too big.', `${ch.name} has ${ch.rules.length} rules`);
      commitCheck();
      ch.rules[n - 1] = rule;
      loopCheck();
      return `${where}: rule ${n} replaced: -A ${ch.name}${saveRuleBody(rule, cmd.family, t.name)}`;
    }
    case 'D': {
      if (cmd.num !== undefined) {
        const ch = find(cmd.chain!);
        if (nftAbsent(ch)) noChain(cmd.chain!);
        if (cmd.num > ch.rules.length) tool(cmd, cmd.numWord!, ctx, 'Index of deletion too big.', `${ch.name} has ${ch.rules.length} rules`);
        const [gone] = ch.rules.splice(cmd.num - 1, 1);
        return `${where}: rule ${cmd.num} deleted: -A ${ch.name}${saveRuleBody(gone, cmd.family, t.name)}`;
      }
      const { rule } = buildRule(cmd, t, cmd.chain!.text, ctx, legacy);
      // iptables looks for the rule, not the chain (both backends): a missing chain is a missing rule
      const ch = t.chains.find((c) => c.name === cmd.chain!.text);
      // iptables -D compares the whole rule as it would be added (matches with their options, target), not
      // the counters: the first rule that prints the same is deleted.
      const i = ch ? ch.rules.findIndex((r) => sameRule(r, rule, cmd.family, t.name)) : -1;
      // iptables-legacy: in an existing chain, a rule with a target module or a jump that matches none is
      // reported as a missing target (libiptc's TC_DELETE_ENTRY has mapped the target by then)
      if (ch && i < 0 && legacy && rule.target && rule.target.kind !== 'verdict') tool(cmd, cmd.opWord, ctx, 'No chain/target/match by that name.', `no rule of ${cmd.chain!.text} reads -A ${cmd.chain!.text}${saveRuleBody(rule, cmd.family, t.name)}`);
      if (!ch || i < 0) tool(cmd, cmd.opWord, ctx, 'Bad rule (does a matching rule exist in that chain?).', ch ? `no rule of ${ch.name} reads -A ${ch.name}${saveRuleBody(rule, cmd.family, t.name)}` : `table ${t.name} has no chain ${cmd.chain!.text}`);
      ch!.rules.splice(i, 1);
      return `${where}: rule ${i + 1} deleted: -A ${ch.name}${saveRuleBody(rule, cmd.family, t.name)}`;
    }
    case 'N': {
      const name = cmd.chain!.text;
      if (t.chains.some((c) => c.name === name)) tool(cmd, cmd.chain!, ctx, 'Chain already exists.');
      insertUserChain(t, { name, builtin: false, declared: true, loc: ctx.loc, rules: [], counters: { packets: 0, bytes: 0 } });
      return `${t.name}: chain ${name} created`;
    }
    case 'X': {
      const targets = cmd.chain ? [find(cmd.chain)] : t.chains.filter((c) => !c.builtin);
      const at = cmd.chain ?? cmd.opWord;
      for (const c of targets) {
        const nftBusy = () => usage(cmd, at, ctx, ` CHAIN_DEL failed (Device or resource busy): chain ${c.name}`, c.builtin ? 'built-in chains cannot be deleted' : `the chain must be empty (-F ${c.name}) and no rule may jump to it`);
        if (c.builtin) {
          if (legacy) tool(cmd, at, ctx, 'Invalid argument. Run `dmesg\' for more information.', 'built-in chains cannot be deleted');
          if (nftAbsent(c)) noChain(at as Word);
          nftBusy();
        }
        const refs = t.chains.flatMap((o) => o.rules.filter((r) => r.target?.kind === 'chain' && r.target.name === c.name).map(() => o.name));
        // libiptc checks the references first (TC_DELETE_CHAIN: EMLINK before ENOTEMPTY)
        if (refs.length) (legacy ? tool(cmd, at, ctx, 'Too many links.', `rules in ${[...new Set(refs)].join(', ')} jump to ${c.name}; delete them first`) : nftBusy());
        if (c.rules.length) (legacy ? tool(cmd, at, ctx, 'Directory not empty.', `flush it first: ${cmd.program} -t ${t.name} -F ${c.name}`) : nftBusy());
      }
      const gone = new Set(targets);
      t.chains = t.chains.filter((c) => !gone.has(c));
      return `${t.name}: ${targets.length ? `chain${targets.length > 1 ? 's' : ''} ${targets.map((c) => c.name).join(', ')} deleted` : 'no user chains to delete'}`;
    }
    case 'F': {
      const chains = cmd.chain ? [find(cmd.chain)] : t.chains;
      let n = 0;
      for (const c of chains) {
        n += c.rules.length;
        if (c.rules.length) c.rules = [];
      }
      return `${where}: flushed (${n} rule${n === 1 ? '' : 's'} removed)`;
    }
    case 'Z': {
      const chains = cmd.chain ? [find(cmd.chain)] : t.chains;
      for (const c of chains) {
        // iptables-legacy refuses a rule number past the end; iptables-nft zeroes nothing and succeeds
        const nth = cmd.num !== undefined ? c.rules[cmd.num - 1] : undefined;
        if (cmd.num !== undefined && !nth && legacy) tool(cmd, cmd.numWord!, ctx, 'Index of counter too big.');
        const rules = cmd.num !== undefined ? (nth ? [nth] : []) : c.rules;
        for (const r of rules) if (r.counters && (r.counters.packets || r.counters.bytes)) r.counters = { packets: 0, bytes: 0 };
        if (cmd.num === undefined && c.counters && (c.counters.packets || c.counters.bytes)) c.counters = { packets: 0, bytes: 0 };
      }
      return `${where}: counters zeroed`;
    }
    case 'P': {
      const pol = cmd.policy!.text;
      // checked on the command line, before the chain (iptables.c)
      if (t.name === 'nat' && pol === 'DROP') usage(cmd, cmd.policy!, ctx, NAT_DROP, 'filter in the filter table', legacy);
      const c = t.chains.find((x) => x.name === cmd.chain!.text);
      if (!c || !c.builtin) tool(cmd, cmd.chain!, ctx, 'Bad built-in chain name.', `built-in chains of ${t.name}: ${BUILTIN_CHAINS[t.name].join(', ')}`);
      if (pol !== 'ACCEPT' && pol !== 'DROP') tool(cmd, cmd.policy!, ctx, "Bad policy name. Run `dmesg' for more information.", 'a built-in chain policy is ACCEPT or DROP');
      const was = c.policy ?? 'ACCEPT';
      c.policy = pol;
      return `${t.name} ${c.name}: policy ${was} → ${pol}`;
    }
    case 'E': {
      const nn = cmd.newName!.text;
      // the new name is checked first (TC_RENAME_CHAIN, nft_chain_user_rename); verdict names are taken too
      if (t.chains.some((x) => x.name === nn) || VERDICTS.has(nn)) tool(cmd, cmd.newName!, ctx, 'File exists.');
      const c = find(cmd.chain!);
      if (c.builtin) {
        if (legacy) tool(cmd, cmd.chain!, ctx, 'No chain/target/match by that name.', 'built-in chains cannot be renamed');
        // iptables-nft renames the base chain; iptables-save then reports "incompatible base-chains"
        refuse(cmd.chain!, ctx.text, `unsupported: renaming the built-in chain ${c.name} is not modelled by nfsim`,
          'iptables-nft renames the base chain, and iptables-save then cannot list the table; iptables-legacy refuses it');
      }
      if (nn.length > 28) usage(cmd, cmd.newName!, ctx, `chain name \`${nn}' too long (must be under 29 chars)`);
      const old = c.name;
      t.chains = t.chains.filter((x) => x !== c);
      // jumps follow the chain (they refer to the chain, not to its name)
      for (const o of t.chains)
        for (const r of o.rules)
          if (r.target?.kind === 'chain' && r.target.name === old) {
            r.target.name = nn;
            r.text = saveRuleBody(r, cmd.family, t.name).trim();
          }
      for (const r of c.rules) r.chain = nn;
      insertUserChain(t, { ...c, name: nn });
      return `${t.name}: chain ${old} renamed to ${nn}`;
    }
  }
}
