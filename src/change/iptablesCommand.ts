/**
 * `iptables ...` / `ip6tables ...` command lines → a command record. Like iptables' getopt loop, the
 * command (-A/-I/-D/-R/-N/-X/-F/-Z/-P/-E) and the global options (-t, -w, -W, -v, -n) may appear anywhere;
 * every other word belongs to the rule specification, which is decoded against the host's ruleset when the
 * command is applied (iptablesApply.ts), with the same rule decoder as the dumps.
 */
import type { InputIssue } from '../model/source.js';
import { issueAt } from './refuse.js';
import type { Word } from './shellWords.js';

export type IptablesOp = 'A' | 'I' | 'D' | 'R' | 'N' | 'X' | 'F' | 'Z' | 'P' | 'E';

export interface IptablesCommand {
  family: 4 | 6;
  /** The program name as typed (iptables, ip6tables, iptables-nft, ...). */
  program: string;
  op: IptablesOp;
  opWord: Word;
  table: string;
  tableWord?: Word;
  chain?: Word;
  /** -I N, -R N, -D N, -Z CHAIN N */
  num?: number;
  numWord?: Word;
  /** -P CHAIN POLICY */
  policy?: Word;
  /** -E OLD NEW */
  newName?: Word;
  /** Rule specification words (-A, -I, -D by spec, -R). */
  spec: Word[];
}

const OPS: Record<string, IptablesOp> = {
  '-A': 'A', '--append': 'A', '-I': 'I', '--insert': 'I', '-D': 'D', '--delete': 'D', '-R': 'R', '--replace': 'R',
  '-N': 'N', '--new-chain': 'N', '--new': 'N', '-X': 'X', '--delete-chain': 'X', '-F': 'F', '--flush': 'F',
  '-Z': 'Z', '--zero': 'Z', '-P': 'P', '--policy': 'P', '-E': 'E', '--rename-chain': 'E',
};
const READ_ONLY = new Set(['-L', '--list', '-S', '--list-rules', '-C', '--check', '-h', '--help', '-V', '--version']);
const FLAGS = new Set(['-v', '--verbose', '-n', '--numeric', '-x', '--exact', '--line-numbers', '-4', '--ipv4', '-6', '--ipv6']);

const isNum = (w: Word | undefined): boolean => !!w && /^[0-9]+$/.test(w.text);

/** Parse the words after the program name. Pushes located issues and returns undefined on a refusal. */
export function parseIptablesCommand(program: Word, args: Word[], family: 4 | 6, issues: InputIssue[], text: string): IptablesCommand | undefined {
  // iptables-legacy / iptables-nft print their messages as `iptables`
  const prog = program.text.replace(/^.*\//, '').replace(/-(nft|legacy)$/, '');
  // the backend is known when the command names it; otherwise iptables 1.8 defaults to nf_tables
  const backend = /-legacy$/.test(program.text) ? 'legacy' : 'nf_tables';
  const fail = (w: Word, message: string, hint?: string) => {
    issues.push(issueAt(w, text, `${prog} v1.8.9 (${backend}): ${message}`, hint));
    return undefined;
  };
  let table = 'filter';
  let tableWord: Word | undefined;
  let op: IptablesOp | undefined;
  let opWord: Word | undefined;
  const positional: Word[] = [];
  const spec: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    const t = w.quoted ? '' : w.text;
    const eq = t.startsWith('--') ? t.indexOf('=') : -1;
    const name = eq > 0 ? t.slice(0, eq) : t;
    if (name === '-t' || name === '--table') {
      const v = eq > 0 ? { ...w, text: t.slice(eq + 1) } : args[++i];
      if (!v) return fail(w, `option "${t}" requires an argument`);
      if (tableWord) return fail(w, 'multiple -t flags not allowed');
      table = v.text;
      tableWord = v;
      continue;
    }
    if (name === '-w' || name === '--wait') {
      if (eq < 0 && isNum(args[i + 1])) i++; // -w [seconds]: waiting for the xtables lock changes nothing here
      continue;
    }
    if (name === '-W' || name === '--wait-interval') {
      if (eq < 0) i++;
      continue;
    }
    if (/^-w[0-9]+$/.test(t) || FLAGS.has(name)) continue;
    if (READ_ONLY.has(name)) return fail(w, `${t} changes nothing`, 'a change script holds only commands that change the ruleset; remove this line');
    const o = OPS[name];
    if (o) {
      if (op) return fail(w, `Cannot use -${o} with -${op}`, 'one command per line');
      op = o;
      opWord = w;
      // the command's own arguments: words up to the next option
      const max = o === 'A' || o === 'N' ? 1 : o === 'I' || o === 'R' || o === 'P' || o === 'E' || o === 'Z' ? 2 : 1;
      while (positional.length < max && i + 1 < args.length && (args[i + 1].quoted || !args[i + 1].text.startsWith('-') || args[i + 1].text === '-')) {
        const nxt = args[i + 1];
        if (positional.length === 1 && (o === 'I' || o === 'Z') && !isNum(nxt)) break;
        if (positional.length === 1 && o === 'R' && !isNum(nxt)) break;
        if (nxt.text === '!' && !nxt.quoted) break;
        positional.push(nxt);
        i++;
      }
      continue;
    }
    spec.push(w);
  }
  if (!op || !opWord) return fail(program, 'no command specified', 'use -A, -I, -D, -R, -N, -X, -F, -Z, -P or -E');
  const cmd: IptablesCommand = { family, program: prog, op, opWord, table, spec: [], ...(tableWord ? { tableWord } : {}) };
  const chain = positional[0];
  const needsChain = op !== 'X' && op !== 'F' && op !== 'Z';
  if (needsChain && !chain) return fail(opWord, `option "${opWord.text}" requires an argument`);
  if (chain) cmd.chain = chain;
  const num = (w: Word): number | undefined => {
    const n = Number(w.text);
    if (!/^[0-9]+$/.test(w.text) || n < 1) {
      fail(w, `Invalid rule number \`${w.text}'`, 'rule numbers start at 1');
      return undefined;
    }
    return n;
  };
  switch (op) {
    case 'A':
      cmd.spec = spec;
      break;
    case 'I':
      if (positional[1]) {
        const n = num(positional[1]);
        if (n === undefined) return undefined;
        cmd.num = n;
        cmd.numWord = positional[1];
      }
      cmd.spec = spec;
      break;
    case 'R': {
      if (!positional[1]) return fail(opWord, `-R requires a rule number`, `${prog} -R CHAIN N RULE-SPEC`);
      const n = num(positional[1]);
      if (n === undefined) return undefined;
      cmd.num = n;
      cmd.numWord = positional[1];
      cmd.spec = spec;
      break;
    }
    case 'D':
      if (spec.length === 1 && isNum(spec[0])) {
        const n = num(spec[0]);
        if (n === undefined) return undefined;
        cmd.num = n;
        cmd.numWord = spec[0];
      } else if (spec.length === 1 && /^-?[0-9]+$/.test(spec[0].text)) {
        return fail(spec[0], `Invalid rule number \`${spec[0].text}'`);
      } else cmd.spec = spec;
      break;
    case 'P':
      if (!positional[1]) return fail(opWord, '-P requires a chain and a policy', `${prog} -P CHAIN ACCEPT|DROP`);
      cmd.policy = positional[1];
      break;
    case 'E':
      if (!positional[1]) return fail(opWord, '-E requires old-chain-name and new-chain-name', `${prog} -E OLD NEW`);
      cmd.newName = positional[1];
      break;
    case 'Z':
      if (positional[1]) {
        const n = num(positional[1]);
        if (n === undefined) return undefined;
        cmd.num = n;
        cmd.numWord = positional[1];
      }
      break;
  }
  if ((op === 'N' || op === 'X' || op === 'F' || op === 'Z' || op === 'P' || op === 'E') && spec.length)
    return fail(spec[0], `Illegal option \`${spec[0].text}' with this command`, `-${op} takes no rule specification`);
  if (op === 'N' && chain) {
    if (chain.text.length > 28) return fail(chain, `chain name \`${chain.text}' too long (must be under 29 chars)`);
    if (chain.text.startsWith('-') || chain.text.startsWith('!')) return fail(chain, `chain name not allowed to start with \`${chain.text[0]}'`);
  }
  return cmd;
}
