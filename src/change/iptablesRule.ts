/** An iptables command's rule specification, decoded with the dump's rule decoder and checked as iptables does. */
import { BUILTIN_CHAINS, locOf, type Rule, type Table, type TableName } from '../model/iptables.js';
import { InputError, type SourceLoc } from '../model/source.js';
import { parseRuleWords } from '../parse/iptablesSave.js';
import { nftOp, tool, usage, type CommandContext } from './iptablesCommon.js';
import type { IptablesCommand } from './iptablesCommand.js';
import type { Word } from './shellWords.js';

const quoteWord = (w: Word) => (/^[^\s"'\\]+$/.test(w.text) && !w.quoted ? w.text : `"${w.text.replace(/["\\]/g, (c) => '\\' + c)}"`);

export const NAT_DROP = '\nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.';

/** Decode the rule specification of the command with the dump's rule decoder. `commitCheck` throws what
 * the kernel says when the rule is committed (after the chain was found). */
export function buildRule(cmd: IptablesCommand, table: Table, chain: string, ctx: CommandContext, legacy: boolean): { rule: Rule; commitCheck: () => void } {
  const words = cmd.spec;
  // Columns passed to the decoder are word numbers (words may sit on continuation lines); mapped back below.
  const cols = words.map((_, k) => k + 1);
  const line = ctx.loc.line;
  const back = (loc: SourceLoc): SourceLoc => (loc.file === ctx.file && loc.line === line && words[loc.col - 1] ? words[loc.col - 1].loc : ctx.loc);
  // a match's or target's position: the word it was written at (line and column), else the command's
  const backTo = (u: { line: number; col: number }): void => {
    const loc = back({ file: ctx.file, line: u.line, col: u.col });
    u.line = loc.line;
    u.col = loc.col;
  };
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
    usage(cmd, back(locOf(rule, rule.target)), ctx, NAT_DROP, 'filter in the filter table', legacy);
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
  for (const m of rule.matches) backTo(m);
  if (rule.target) backTo(rule.target);
  rule.file = ctx.loc.file;
  rule.line = ctx.loc.line;
  rule.col = ctx.loc.col;
  return { rule, commitCheck };
}

/** iptables-nft registers a table on the first command that writes to it (and iptables-save lists only
 * registered tables); -F CHAIN of a built-in chain creates it too. */
export function createsTable(cmd: IptablesCommand): boolean {
  if (cmd.op === 'A' || cmd.op === 'I' || cmd.op === 'N' || cmd.op === 'P') return true;
  return cmd.op === 'F' && !!cmd.chain && (BUILTIN_CHAINS[cmd.table as TableName] as readonly string[]).includes(cmd.chain.text);
}

/** A command on a table iptables-nft has not registered: nothing to flush/zero/delete, or no such chain. */
export function missingTable(cmd: IptablesCommand, ctx: CommandContext): string {
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

