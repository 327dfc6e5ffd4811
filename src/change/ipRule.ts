/**
 * `ip rule add|del ...` (IPv4). Without `pref` the kernel picks the priority of the second rule minus one
 * (fib_default_rule_pref); a rule goes after the rules of the same priority; `add` with an explicit
 * priority refuses an identical rule (NLM_F_EXCL, rule_exists); `del` removes the first rule whose given
 * attributes all match (fib_nl_delrule).
 */
import type { Host, IpRule } from '../model/host.js';
import type { InputIssue, SourceLoc } from '../model/source.js';
import { parseIpRule, formatRule } from '../parse/ipRule.js';
import { InputError } from '../model/source.js';
import { issueAt, refuse } from './refuse.js';
import { unknownVerb } from './ipRoute.js';
import type { Word } from './shellWords.js';

export interface RuleCommand {
  op: 'add' | 'del';
  opWord: Word;
  /** The selector and action as the rule parser reads them (priority 0 when not given). */
  rule: IpRule;
  prefGiven: boolean;
  /** Which selector keywords were written (del matches only those). */
  given: Set<string>;
}

const KEY_ALIAS: Record<string, string> = { priority: 'pref', preference: 'pref', order: 'pref', table: 'lookup', fwmark: 'fwmark' };

export function parseRuleCommand(opWord: Word, args: Word[], issues: InputIssue[], text: string, file: string): RuleCommand | undefined {
  const op = ({ add: 'add', a: 'add', del: 'del', delete: 'del', d: 'del' } as const)[opWord.text as 'add'];
  if (!op) {
    issues.push(issueAt(opWord, text, unknownVerb('rule', opWord.text), 'a change script uses ip rule add|del'));
    return undefined;
  }
  let pref: string | undefined;
  const rest: Word[] = [];
  const given = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    const k = KEY_ALIAS[w.text] ?? w.text;
    if (k === 'pref') {
      const v = args[++i];
      if (!v || !/^[0-9]+$/.test(v.text)) {
        issues.push(issueAt(v ?? w, text, `Error: argument "${v?.text ?? ''}" is wrong: preference value is invalid`));
        return undefined;
      }
      pref = v.text;
      continue;
    }
    given.add(k === 'type' ? 'action' : ['blackhole', 'unreachable', 'prohibit', 'nop', 'goto', 'lookup'].includes(k) ? 'action' : k);
    rest.push(k === 'lookup' ? { ...w, text: 'lookup' } : w);
    if (k === 'type') rest.pop();
  }
  if (!rest.some((w) => ['lookup', 'goto', 'blackhole', 'unreachable', 'prohibit', 'nop'].includes(w.text))) rest.push({ text: 'lookup', loc: opWord.loc, quoted: false }, { text: 'main', loc: opWord.loc, quoted: false });
  // Reuse the `ip rule show` reader: lay the words out on one line `PREF: words...` and map columns back.
  const line = `${pref ?? '0'}: ` + rest.map((w) => w.text).join(' ');
  const starts: number[] = [];
  let col = `${pref ?? '0'}: `.length + 1;
  for (const w of rest) {
    starts.push(col);
    col += w.text.length + 1;
  }
  try {
    const [rule] = parseIpRule(line, file, { family: 4 });
    rule.table = rule.table !== undefined ? ({ '254': 'main', '255': 'local', '253': 'default' } as Record<string, string>)[rule.table] ?? rule.table : rule.table;
    return { op, opWord, rule, prefGiven: pref !== undefined, given };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    for (const i of e.issues) {
      const k = starts.findIndex((s, j) => i.loc.col >= s && i.loc.col < s + rest[j].text.length + 1);
      issues.push({ ...i, loc: rest[k]?.loc ?? opWord.loc, text, message: `ip rule: ${i.message}` });
    }
    return undefined;
  }
}

const key = (r: IpRule) => formatRule({ ...r, priority: 0 });

/** fib_default_rule_pref */
function defaultPref(rules: IpRule[]): number {
  const second = rules[1];
  return second && second.priority ? second.priority - 1 : 0;
}

function matches(r: IpRule, c: RuleCommand): boolean {
  const w = c.rule;
  if (c.prefGiven && r.priority !== w.priority) return false;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (c.given.has('from') && !same(r.from, w.from)) return false;
  if (c.given.has('to') && !same(r.to, w.to)) return false;
  if (c.given.has('not') && r.not !== w.not) return false;
  if (c.given.has('fwmark') && !same(r.fwmark, w.fwmark)) return false;
  if (c.given.has('iif') && r.iif !== w.iif) return false;
  if (c.given.has('oif') && r.oif !== w.oif) return false;
  if (c.given.has('tos') && r.tos !== w.tos) return false;
  if (c.given.has('action') && (r.action !== w.action || r.table !== w.table || r.gotoPriority !== w.gotoPriority)) return false;
  return true;
}

export function applyRule(cmd: RuleCommand, host: Host, loc: SourceLoc, text: string): string {
  if (!host.inputs['ip-rule'])
    refuse(cmd.opWord, text, `host ${host.name} has no ip-rule input: its policy rules are not known`, `add ${host.name}/ip-rule (ip rule show)`);
  const v4 = host.rules.filter((r) => r.family === 4);
  if (cmd.op === 'del') {
    const i = host.rules.findIndex((r) => r.family === 4 && matches(r, cmd));
    if (i < 0) refuse(cmd.opWord, text, 'RTNETLINK answers: No such file or directory', 'no ip rule matches every selector given');
    const [gone] = host.rules.splice(i, 1);
    return `ip rule deleted: ${formatRule(gone)}`;
  }
  const r: IpRule = { ...cmd.rule, loc, priority: cmd.prefGiven ? cmd.rule.priority : defaultPref(v4) };
  if (cmd.prefGiven && v4.some((x) => x.priority === r.priority && key(x) === key(r))) refuse(cmd.opWord, text, 'RTNETLINK answers: File exists', 'an identical rule with this priority exists');
  // after the last IPv4 rule with priority <= r.priority
  let at = -1;
  for (let i = 0; i < host.rules.length; i++) if (host.rules[i].family === 4 && host.rules[i].priority <= r.priority) at = i;
  host.rules.splice(at >= 0 ? at + 1 : Math.max(0, host.rules.findIndex((x) => x.family === 4)), 0, r);
  return `ip rule added: ${formatRule(r)}`;
}
