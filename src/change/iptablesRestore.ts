/**
 * `iptables-restore [--noflush|-n] [-T TABLE] FILE` and `iptables-restore [-n] < FILE` (FILE relative to
 * the script). Without --noflush each table in the file replaces the host's table; with it, chain lines
 * flush existing user chains (or create them), set built-in policies, and the rules are appended, as
 * iptables-restore does.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { BUILTIN_CHAINS, type Ruleset } from '../model/iptables.js';
import { InputError, type InputIssue, type SourceLoc } from '../model/source.js';
import { parseIptablesSave } from '../parse/iptablesSave.js';
import { insertUserChain, NFT_TABLE_ORDER, rulesetOf, tableOf, type CommandContext } from './iptablesApply.js';
import { issueAt, refuse } from './refuse.js';
import { hookViolationRule, loopRule } from './iptablesGraph.js';
import type { Word } from './shellWords.js';

export interface RestoreCommand {
  family: 4 | 6;
  program: string;
  noflush: boolean;
  table?: string;
  file: string;
  fileWord: Word;
  ruleset: Ruleset;
  /** Line of each table's COMMIT in the file (iptables-legacy-restore reports a refused table there). */
  commitLines: Record<string, number>;
}

export function parseRestoreCommand(program: Word, args: Word[], family: 4 | 6, scriptFile: string, issues: InputIssue[], text: string): RestoreCommand | undefined {
  const prog = program.text.replace(/^.*\//, '').replace(/-(nft|legacy)-restore$/, '-restore');
  let noflush = false;
  let table: string | undefined;
  let fileWord: Word | undefined;
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    if (w.redirect) continue;
    if (!w.quoted && (w.text === '-n' || w.text === '--noflush')) noflush = true;
    else if (!w.quoted && (w.text === '-w' || w.text === '--wait')) {
      if (/^[0-9]+$/.test(args[i + 1]?.text ?? '')) i++;
    } else if (!w.quoted && (w.text === '-T' || w.text === '--table')) {
      table = args[++i]?.text;
    } else if (!w.quoted && (w.text === '-c' || w.text === '--counters' || w.text === '-v' || w.text === '--verbose')) continue;
    else if (!w.quoted && w.text.startsWith('-')) {
      issues.push(issueAt(w, text, `${prog}: option ${w.text} is not supported in a change script`, 'use --noflush, -T TABLE and a file'));
      return undefined;
    } else if (fileWord) {
      issues.push(issueAt(w, text, `${prog}: more than one file given`));
      return undefined;
    } else fileWord = w;
  }
  if (!fileWord) {
    issues.push(issueAt(program, text, `${prog}: no input file`, `${prog} FILE or ${prog} < FILE (relative to the change script)`));
    return undefined;
  }
  const file = isAbsolute(fileWord.text) ? fileWord.text : join(dirname(scriptFile), fileWord.text);
  let body: string;
  try {
    body = readFileSync(file, 'utf8');
  } catch (e) {
    issues.push(issueAt(fileWord, text, `${prog}: cannot open ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : String(e)}`, 'the path is relative to the change script'));
    return undefined;
  }
  try {
    const ruleset = parseIptablesSave(body, file, family);
    if (table && !ruleset.tables.some((t) => t.name === table)) {
      issues.push(issueAt(fileWord, text, `${prog}: table ${table} is not in ${file}`));
      return undefined;
    }
    const commitLines: Record<string, number> = {};
    let cur = '';
    body.split(/\r?\n/).forEach((l, k) => {
      if (l.startsWith('*')) cur = l.slice(1).trim();
      else if (l.trim() === 'COMMIT') commitLines[cur] = k + 1;
    });
    return { family, program: prog, noflush, ...(table ? { table } : {}), file, fileWord, ruleset, commitLines };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    issues.push(...e.issues);
    return undefined;
  }
}

export function applyRestore(cmd: RestoreCommand, ctx: CommandContext): string {
  const rs = rulesetOf(ctx, cmd.family, cmd.fileWord);
  const tables = cmd.ruleset.tables.filter((t) => !cmd.table || t.name === cmd.table);
  const loc: SourceLoc = ctx.loc;
  const parts: string[] = [];
  for (const nt of tables) {
    const n = nt.chains.reduce((k, c) => k + c.rules.length, 0);
    if (!cmd.noflush) {
      // iptables-save lists built-in chains in hook order, then user chains by name, whatever the file's order
      const hooks = BUILTIN_CHAINS[nt.name] as readonly string[];
      const chains = [...nt.chains.filter((c) => c.builtin).sort((a, b) => hooks.indexOf(a.name) - hooks.indexOf(b.name)), ...nt.chains.filter((c) => !c.builtin).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))];
      const table = chains.every((c, k) => c === nt.chains[k]) ? nt : { ...nt, chains };
      const i = rs.tables.findIndex((t) => t.name === nt.name);
      if (i >= 0) rs.tables[i] = table;
      else {
        let j = rs.backend === 'legacy' ? 0 : rs.tables.findIndex((t) => NFT_TABLE_ORDER.indexOf(t.name) > NFT_TABLE_ORDER.indexOf(nt.name));
        if (j < 0) j = rs.tables.length;
        rs.tables.splice(j, 0, table);
      }
      parts.push(`${nt.name} replaced (${nt.chains.length} chains, ${n} rules)`);
      continue;
    }
    const t = tableOf(rs, nt.name, loc, () => {
      throw new InputError([issueAt(cmd.fileWord, ctx.text, `${cmd.program}: table '${nt.name}' does not exist`)]);
    });
    for (const c of nt.chains) {
      if (!c.declared) continue;
      const have = t.chains.find((x) => x.name === c.name);
      if (c.builtin) {
        if (have && c.policy && have.policy !== c.policy) have.policy = c.policy;
      } else if (have) {
        if (have.rules.length) have.rules = [];
      } else insertUserChain(t, { ...c, rules: [] });
    }
    for (const c of nt.chains) {
      const have = t.chains.find((x) => x.name === c.name)!;
      have.rules.push(...c.rules);
    }
    parts.push(`${nt.name}: ${n} rules added (--noflush)`);
  }
  // the kernel checks each committed table as for a single rule: jump loops and target hooks
  const legacy = rs.backend === 'legacy';
  for (const nt of tables) {
    const t = rs.tables.find((x) => x.name === nt.name)!;
    const loop = loopRule(t);
    const hook = loop ? undefined : hookViolationRule(t, cmd.family);
    const bad = loop ? { rule: loop, message: 'a jump loop reachable from a built-in chain', errno: 'Too many links' } : hook ? { ...hook, errno: 'Invalid argument' } : undefined;
    if (!bad) continue;
    const inFile = bad.rule.file === cmd.file;
    if (legacy) refuse(cmd.fileWord, ctx.text, `${cmd.program}: line ${cmd.commitLines[nt.name] ?? '?'} failed`, `${bad.message} (${cmd.file})`);
    refuse(cmd.fileWord, ctx.text, `${cmd.program} v1.8.9 (nf_tables): \nline ${inFile ? bad.rule.line : '?'}: RULE_APPEND failed (${bad.errno}): rule in chain ${bad.rule.chain}`, `${bad.message} (${cmd.file})`);
  }
  return `${cmd.program} ${cmd.file}: ${parts.join('; ') || 'no tables'}`;
}
