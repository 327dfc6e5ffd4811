/**
 * Apply an iptables command to a host's ruleset (an immer draft). Refusals carry the message iptables
 * 1.8.9 prints (checked on the kernel with the nf_tables backend; where iptables-legacy words it
 * differently, a ruleset dumped by iptables-legacy gets the legacy wording).
 */
import { BUILTIN_CHAINS, TABLE_NAMES, type Chain, type Hook, type Rule, type Ruleset, type Table, type TableName } from '../model/iptables.js';
import type { Host } from '../model/host.js';
import { InputError, type InputIssue, type SourceLoc } from '../model/source.js';
import { parseRuleWords, VERDICTS } from '../parse/iptablesSave.js';
import { saveRuleBody } from '../parse/iptablesSaveWrite.js';
import { findTarget } from '../ext/registry.js';
import type { IptablesCommand } from './iptablesCommand.js';
import { refuse } from './refuse.js';
import type { Word } from './shellWords.js';

/** Order in which iptables-nft-save prints the tables (iptables/nft.c xtables_ipv4[]). */
export const NFT_TABLE_ORDER: readonly TableName[] = ['mangle', 'security', 'raw', 'filter', 'nat'];

export interface CommandContext {
  host: Host;
  file: string;
  /** The command as typed (for messages). */
  text: string;
  loc: SourceLoc;
  warnings: InputIssue[];
}

/** `iptables: MESSAGE` as the tool prints a kernel/libiptc refusal. */
function tool(cmd: IptablesCommand, at: Word | SourceLoc, ctx: CommandContext, message: string, hint?: string): never {
  return refuse(at, ctx.text, `${cmd.program}: ${message}`, hint);
}
/** `iptables v1.8.9 (nf_tables): MESSAGE` as the tool prints a refusal of the command line. */
function usage(cmd: IptablesCommand, at: Word | SourceLoc, ctx: CommandContext, message: string, hint?: string, legacy = false): never {
  return refuse(at, ctx.text, `${cmd.program} v1.8.9 (${legacy ? 'legacy' : 'nf_tables'}): ${message}`, hint);
}

const NFT_OP: Partial<Record<IptablesCommand['op'], string>> = { A: 'RULE_APPEND', I: 'RULE_INSERT', R: 'RULE_REPLACE' };
/** The nf_tables batch operation iptables-nft names in its error: -I N (N > 1) is an append after rule N-1. */
const nftOp = (cmd: IptablesCommand) => (cmd.op === 'I' && (cmd.num ?? 1) > 1 ? 'RULE_APPEND' : NFT_OP[cmd.op] ?? 'RULE_APPEND');

export function rulesetOf(ctx: CommandContext, family: 4 | 6, at: Word | SourceLoc): Ruleset {
  const rs = family === 4 ? ctx.host.iptables : ctx.host.ip6tables;
  if (!rs)
    refuse(at, ctx.text, `host ${ctx.host.name} has no ${family === 4 ? 'iptables-save' : 'ip6tables-save'} input: its ruleset is not known`,
      `add ${ctx.host.name}/${family === 4 ? 'iptables-save' : 'ip6tables-save'} to the world (an empty file is an empty ruleset)`);
  return rs;
}

/** The table, created with its built-in chains (policy ACCEPT) when the ruleset has none yet: the kernel
 * registers a table on first use. */
export function tableOf(rs: Ruleset, name: string, at: SourceLoc, onBad: () => never): Table {
  if (!(TABLE_NAMES as readonly string[]).includes(name)) onBad();
  const tn = name as TableName;
  let t = rs.tables.find((x) => x.name === tn);
  if (!t) {
    t = { name: tn, loc: at, chains: BUILTIN_CHAINS[tn].map((h) => ({ name: h, builtin: true, policy: 'ACCEPT' as const, counters: { packets: 0, bytes: 0 }, declared: true, loc: at, rules: [] })) };
    // iptables-legacy-save lists the tables newest first (xt_register_table adds at the head);
    // iptables-nft-save in a fixed order
    const rank = (x: TableName) => NFT_TABLE_ORDER.indexOf(x);
    let i = rs.backend === 'legacy' ? 0 : rs.tables.findIndex((x) => rank(x.name) > rank(tn));
    if (i < 0) i = rs.tables.length;
    rs.tables.splice(i, 0, t);
    t = rs.tables[i];
  }
  return t;
}

/** Insert a user chain where iptables-save lists it: built-in chains first, then user chains by name. */
export function insertUserChain(t: Table, ch: Chain): void {
  let i = t.chains.findIndex((c) => !c.builtin && c.name > ch.name);
  if (i < 0) i = t.chains.length;
  t.chains.splice(i, 0, ch);
}

const quoteWord = (w: Word) => (/^[^\s"'\\]+$/.test(w.text) && !w.quoted ? w.text : `"${w.text.replace(/["\\]/g, (c) => '\\' + c)}"`);

const NAT_DROP = '\nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.';

/** Decode the rule specification of the command with the dump's rule decoder. `commitCheck` throws what
 * the kernel says when the rule is committed (after the chain was found). */
export function buildRule(cmd: IptablesCommand, table: Table, chain: string, ctx: CommandContext, legacy: boolean): { rule: Rule; commitCheck: () => void } {
  const words = cmd.spec;
  // Columns passed to the decoder are word numbers (words may sit on continuation lines); mapped back below.
  const cols = words.map((_, k) => k + 1);
  const line = ctx.loc.line;
  const back = (loc: SourceLoc): SourceLoc => (loc.file === ctx.file && loc.line === line && words[loc.col - 1] ? words[loc.col - 1].loc : ctx.loc);
  let res: ReturnType<typeof parseRuleWords>;
  try {
    res = parseRuleWords(words.map((w) => w.text), cols, words.map((w) => w.quoted), {
      file: ctx.file, line, family: cmd.family, table, chain, text: words.map(quoteWord).join(' '),
    });
  } catch (e) {
    // the decoder refuses -i/-o in the wrong built-in chain while reading the options; iptables checks the
    // nat table's -j DROP first
    const k = words.findIndex((w) => !w.quoted && (w.text === '-j' || w.text === '--jump') && words[words.indexOf(w) + 1]?.text === 'DROP');
    if (e instanceof InputError && table.name === 'nat' && k >= 0 && /^Can't use -[io] with/.test(e.issues[0]?.message ?? ''))
      usage(cmd, words[k + 1], ctx, NAT_DROP, 'filter in the filter table', legacy);
    if (e instanceof InputError)
      throw new InputError(e.issues.map((i) => ({ ...i, loc: back(i.loc), message: `${cmd.program} v1.8.9 (${legacy ? 'legacy' : 'nf_tables'}): ${i.message}`, text: ctx.text })));
    throw e;
  }
  const rule = res.rule;
  // iptables checks -i/-o against the chain's name, whatever the table (generic_opt_check in do_command4);
  // the dump decoder only does so for the table's built-in chains
  const dir = (chain === 'PREROUTING' || chain === 'INPUT') && rule.outIface ? 'o' : (chain === 'POSTROUTING' || chain === 'OUTPUT') && rule.inIface ? 'i' : undefined;
  if (dir) usage(cmd, words.find((w) => !w.quoted && (w.text === `-${dir}` || w.text === (dir === 'o' ? '--out-interface' : '--in-interface'))) ?? cmd.opWord, ctx, `Can't use -${dir} with ${chain}\n`, undefined, legacy);
  if (res.missingChain) {
    const w = words[res.missingChain.col - 1] ?? cmd.opWord;
    if (legacy) usage(cmd, w, ctx, `Couldn't load target \`${res.missingChain.name}':No such file or directory`, `create the chain first: ${cmd.program} -t ${table.name} -N ${res.missingChain.name}`, true);
    usage(cmd, w, ctx, `Chain '${res.missingChain.name}' does not exist`, `create the chain first: ${cmd.program} -t ${table.name} -N ${res.missingChain.name}`);
  }
  // iptables' command line check (iptables.c do_command4), before anything reaches the kernel
  if (table.name === 'nat' && rule.target?.kind === 'verdict' && rule.target.name === 'DROP')
    usage(cmd, back(rule.target.loc), ctx, NAT_DROP, 'filter in the filter table', legacy);
  let commitCheck = () => {};
  for (const w of res.warnings) {
    const loc = back(w.loc);
    // x_tables check_target refuses a target outside its tables when the rule is committed
    if (/is only valid in the/.test(w.message)) {
      const hint = `${w.message.replace(/ \(the kernel.*$/, '')}: the kernel refuses the rule (x_tables check_target); use the right table with -t`;
      commitCheck = () => {
        if (legacy) tool(cmd, loc, ctx, "Invalid argument. Run `dmesg' for more information.", hint);
        usage(cmd, loc, ctx, ` ${nftOp(cmd)} failed (Invalid argument): rule in chain ${chain}`, hint);
      };
      continue;
    }
    ctx.warnings.push({ ...w, loc });
  }
  rule.loc = ctx.loc;
  for (const m of rule.matches) m.loc = back(m.loc);
  if (rule.target) rule.target.loc = back(rule.target.loc);
  return { rule, commitCheck };
}

/** iptables-nft registers a table on the first command that writes to it (and iptables-save lists only
 * registered tables); -F CHAIN of a built-in chain creates it too. */
function createsTable(cmd: IptablesCommand): boolean {
  if (cmd.op === 'A' || cmd.op === 'I' || cmd.op === 'N' || cmd.op === 'P') return true;
  return cmd.op === 'F' && !!cmd.chain && (BUILTIN_CHAINS[cmd.table as TableName] as readonly string[]).includes(cmd.chain.text);
}

/** A command on a table iptables-nft has not registered: nothing to flush/zero/delete, or no such chain. */
function missingTable(cmd: IptablesCommand, ctx: CommandContext): string {
  const tn = cmd.table as TableName;
  if (cmd.spec.length) {
    // the rule is decoded first: its errors come before the chain lookup
    const scratch: Table = { name: tn, loc: ctx.loc, chains: BUILTIN_CHAINS[tn].map((h) => ({ name: h, builtin: true, policy: 'ACCEPT' as const, declared: true, loc: ctx.loc, rules: [] })) };
    buildRule(cmd, scratch, cmd.chain!.text, ctx, false);
  }
  if (!cmd.chain && (cmd.op === 'F' || cmd.op === 'Z' || cmd.op === 'X')) return `${tn}: the table is not in use: nothing to do`;
  if (cmd.op === 'D' && cmd.num === undefined) tool(cmd, cmd.opWord, ctx, 'Bad rule (does a matching rule exist in that chain?).', `table ${tn} is not in use (no rules)`);
  return tool(cmd, cmd.chain ?? cmd.opWord, ctx, 'No chain/target/match by that name.', `table ${tn} is not in use (iptables-nft registers it on the first rule, chain or policy)`);
}

/** A jump loop reachable from a built-in chain: x_tables mark_source_chains (ELOOP) and nf_tables'
 * chain validation (EMLINK) refuse the rule that closes it; loops among unreachable chains are accepted. */
function hasReachableLoop(t: Table): boolean {
  const by = new Map(t.chains.map((c) => [c.name, c]));
  const state = new Map<string, 1 | 2>(); // 1: on the path, 2: done
  const visit = (c: Chain): boolean => {
    state.set(c.name, 1);
    for (const r of c.rules) {
      if (r.target?.kind !== 'chain') continue;
      const n = by.get(r.target.name);
      if (!n || n.builtin) continue;
      const st = state.get(n.name);
      if (st === 1 || (st === undefined && visit(n))) return true;
    }
    state.set(c.name, 2);
    return false;
  };
  return t.chains.some((c) => c.builtin && visit(c));
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

/** A target used where its hooks forbid it (xt_check_target: "only valid in ... hooks", EINVAL), counting
 * user chains by where they are reached from. Returns the offending rule's description. */
function hookViolation(t: Table, family: 4 | 6): string | undefined {
  const hooks = reachingHooks(t);
  for (const c of t.chains) {
    const from = hooks.get(c.name);
    if (!from) continue;
    for (const r of c.rules) {
      if (r.target?.kind !== 'extension' || r.target.unsupported) continue;
      const ext = findTarget(r.target.name, family);
      const bad = ext?.hooks ? [...from].filter((h) => !ext.hooks!.includes(h)) : [];
      if (bad.length) return `${r.target.name} is valid only from ${ext!.hooks!.join('/')}; ${c.name} is reached from ${bad.join(', ')}`;
    }
  }
  return undefined;
}

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
          if (legacy) tool(cmd, rule.target!.loc, ctx, 'Too many levels of symbolic links.', hint);
          usage(cmd, rule.target!.loc, ctx, ` ${nftOp(cmd)} failed (Too many links): rule in chain ${ch.name}`, hint);
        }
        const bad = hookViolation(t, cmd.family);
        if (bad) {
          if (legacy) tool(cmd, rule.target?.loc ?? ctx.loc, ctx, "Invalid argument. Run `dmesg' for more information.", bad);
          usage(cmd, rule.target?.loc ?? ctx.loc, ctx, ` ${nftOp(cmd)} failed (Invalid argument): rule in chain ${ch.name}`, bad);
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
