/**
 * Change script reader: one command per line, as typed at a shell (docs/change-format.md). `on HOST`
 * lines name the host the following commands apply to.
 */
import { InputError, type InputIssue } from '../model/source.js';
import { parseIptablesCommand } from './iptablesCommand.js';
import { parseRestoreCommand } from './iptablesRestore.js';
import { parseSysctlCommand } from './sysctl.js';
import { parseRouteCommand } from './ipRoute.js';
import { parseAddrCommand } from './ipAddr.js';
import { parseRuleCommand } from './ipRule.js';
import { issueAt } from './refuse.js';
import { splitScript, type Word } from './shellWords.js';
import type { ChangeCommand, ChangeScript } from './types.js';

const IPTABLES = /^(?:.*\/)?(ip6?tables)(?:-nft|-legacy)?$/;
const RESTORE = /^(?:.*\/)?(ip6?tables)(?:-nft|-legacy)?-restore$/;

/** Which `ip` object a word abbreviates (iproute2 tries its objects in order with a prefix match:
 * address, addrlabel, maddress, route, rule: `a` is address, `r` route, `ru` rule). */
function ipObject(w: string): 'route' | 'addr' | 'rule' | undefined {
  if ('address'.startsWith(w)) return 'addr';
  if ('route'.startsWith(w)) return 'route';
  if ('rule'.startsWith(w)) return 'rule';
  return undefined;
}

/** Parse a change script. Throws InputError listing every problem (file, line, column, hint). */
export function parseChangeScript(text: string, file: string): ChangeScript {
  const issues: InputIssue[] = [];
  const commands: ChangeCommand[] = [];
  let host: { name: string; loc: Word['loc'] } | undefined;
  for (const line of splitScript(text, file, issues)) {
    let words = line.words;
    if (words[0].text === 'sudo' && !words[0].quoted) words = words.slice(1);
    if (!words.length) continue;
    const [w0, ...rest] = words;
    const base = { text: line.text, loc: w0.loc, words, ...(host ? { host: host.name, hostLoc: host.loc } : {}) };
    const before = issues.length;
    const name = w0.quoted ? '' : w0.text;
    if (name === 'on') {
      if (rest.length !== 1) issues.push(issueAt(w0, line.text, 'expected `on HOST`', 'name one host of the world: the commands after this line apply to it'));
      else host = { name: rest[0].text, loc: rest[0].loc };
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = IPTABLES.exec(name))) {
      const cmd = parseIptablesCommand(w0, rest, m[1] === 'ip6tables' ? 6 : 4, issues, line.text);
      if (cmd) commands.push({ ...base, kind: 'iptables', cmd });
    } else if ((m = RESTORE.exec(name))) {
      const cmd = parseRestoreCommand(w0, rest, m[1] === 'ip6tables' ? 6 : 4, file, issues, line.text);
      if (cmd) commands.push({ ...base, kind: 'iptables-restore', cmd });
    } else if (name === 'sysctl' || name === '/sbin/sysctl' || name === '/usr/sbin/sysctl') {
      const cmd = parseSysctlCommand(w0, rest, issues, line.text, file);
      if (cmd) commands.push({ ...base, kind: 'sysctl', cmd });
    } else if (name === 'ip' || /\/ip$/.test(name)) {
      let i = 0;
      while (i < rest.length && rest[i].text.startsWith('-')) {
        const o = rest[i].text;
        if (o === '-4' || o === '-s' || o === '-d' || o === '-b' || o === '-force') i++;
        else if ((o === '-f' || o === '-family') && (rest[i + 1]?.text === 'inet' || rest[i + 1]?.text === 'ipv4')) i += 2;
        else if (o === '-6' || ((o === '-f' || o === '-family') && rest[i + 1]?.text === 'inet6')) {
          issues.push(issueAt(rest[i], line.text, 'ip -6: IPv6 routes, addresses and rules are not modelled by nfsim', 'nfsim simulates the IPv4 path'));
          break;
        } else {
          issues.push(issueAt(rest[i], line.text, `ip: option "${o}" is not supported in a change script`));
          break;
        }
      }
      if (issues.length > before) continue;
      const obj = rest[i];
      const verb = rest[i + 1];
      const kind = obj ? ipObject(obj.text) : undefined;
      if (!obj || !kind) {
        issues.push(issueAt(obj ?? w0, line.text, `Object "${obj?.text ?? ''}" is unknown, try "ip help".`, 'a change script uses ip route, ip rule and ip addr'));
        continue;
      }
      if (!verb) {
        issues.push(issueAt(obj, line.text, `ip ${kind}: a verb is missing`, `ip ${kind} add|del ...`));
        continue;
      }
      const args = rest.slice(i + 2);
      if (kind === 'route') {
        const cmd = parseRouteCommand(verb, args, issues, line.text);
        if (cmd) commands.push({ ...base, kind: 'ip-route', cmd });
      } else if (kind === 'addr') {
        const cmd = parseAddrCommand(verb, args, issues, line.text);
        if (cmd) commands.push({ ...base, kind: 'ip-addr', cmd });
      } else {
        const cmd = parseRuleCommand(verb, args, issues, line.text, file);
        if (cmd) commands.push({ ...base, kind: 'ip-rule', cmd });
      }
    } else {
      issues.push(issueAt(w0, line.text, `unknown command '${w0.text}'`,
        'a change script holds iptables, ip6tables, iptables-restore, sysctl, ip route, ip rule and ip addr commands, and `on HOST` lines'));
    }
  }
  if (issues.some((i) => i.severity === 'error')) throw new InputError(issues);
  return { file, commands };
}
