/** What iptables commands share: the context, the refusal messages as the tool prints them, the tables. */
import { BUILTIN_CHAINS, TABLE_NAMES, type Chain, type Ruleset, type Table, type TableName } from '../model/iptables.js';
import type { Host } from '../model/host.js';
import type { InputIssue, SourceLoc } from '../model/source.js';
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
export function tool(cmd: IptablesCommand, at: Word | SourceLoc, ctx: CommandContext, message: string, hint?: string): never {
  return refuse(at, ctx.text, `${cmd.program}: ${message}`, hint);
}
/** `iptables v1.8.9 (nf_tables): MESSAGE` as the tool prints a refusal of the command line. */
export function usage(cmd: IptablesCommand, at: Word | SourceLoc, ctx: CommandContext, message: string, hint?: string, legacy = false): never {
  return refuse(at, ctx.text, `${cmd.program} v1.8.9 (${legacy ? 'legacy' : 'nf_tables'}): ${message}`, hint);
}

const NFT_OP: Partial<Record<IptablesCommand['op'], string>> = { A: 'RULE_APPEND', I: 'RULE_INSERT', R: 'RULE_REPLACE' };
/** The nf_tables batch operation iptables-nft names in its error: -I N (N > 1) is an append after rule N-1. */
export const nftOp = (cmd: IptablesCommand) => (cmd.op === 'I' && (cmd.num ?? 1) > 1 ? 'RULE_APPEND' : NFT_OP[cmd.op] ?? 'RULE_APPEND');

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

