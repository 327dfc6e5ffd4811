/**
 * `sysctl [-w] [-q] key=value [key=value ...]` (dotted or slashed keys) and `sysctl -p FILE`. Writing ip_forward (or
 * conf.all.forwarding, the same variable) also sets conf.default.forwarding and every interface's
 * forwarding, and all.accept_redirects to the opposite, as devinet_sysctl_forward → inet_forward_change does.
 */
import type { Host } from '../model/host.js';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { InputError, type InputIssue, type SourceLoc } from '../model/source.js';
import { normalizeSysctlKey, parseSysctl } from '../parse/sysctl.js';
import { issueAt, refuse } from './refuse.js';
import type { Word } from './shellWords.js';

export interface SysctlCommand {
  sets: { key: string; value: string; word: Word }[];
}

/** `sysctl -p FILE`: the file's `key = value` lines (sysctl.conf syntax), each located in that file. */
function loadFile(w: Word, scriptFile: string, issues: InputIssue[], text: string): SysctlCommand['sets'] | undefined {
  const file = isAbsolute(w.text) ? w.text : join(dirname(scriptFile), w.text);
  let body: string;
  try {
    body = readFileSync(file, 'utf8');
  } catch {
    issues.push(issueAt(w, text, `sysctl: cannot open "${file}": No such file or directory`, 'the path is relative to the change script'));
    return undefined;
  }
  try {
    const sc = parseSysctl(body, file);
    return Object.entries(sc.values).map(([key, value]) => ({ key, value, word: { text: `${key} = ${value}`, loc: sc.locs[key], quoted: false } }));
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    issues.push(...e.issues);
    return undefined;
  }
}

export function parseSysctlCommand(program: Word, args: Word[], issues: InputIssue[], text: string, scriptFile: string): SysctlCommand | undefined {
  const sets: SysctlCommand['sets'] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    if (!w.quoted && (w.text === '-p' || w.text === '--load' || w.text.startsWith('--load=') || (w.text.startsWith('-p') && w.text.length > 2))) {
      const f = w.text.startsWith('--load=') ? { ...w, text: w.text.slice(7) } : w.text.startsWith('-p') && w.text.length > 2 ? { ...w, text: w.text.slice(2) } : args[++i];
      if (!f) {
        issues.push(issueAt(w, text, 'sysctl -p: the file is missing', 'name the file (relative to the change script): /etc/sysctl.conf is not part of the world'));
        return undefined;
      }
      const loaded = loadFile(f, scriptFile, issues, text);
      if (!loaded) return undefined;
      sets.push(...loaded);
      continue;
    }
    if (!w.quoted && /^-[wqeN]+$/.test(w.text)) continue;
    if (!w.quoted && w.text.startsWith('-')) {
      issues.push(issueAt(w, text, `sysctl: option ${w.text} is not supported in a change script`, 'write `sysctl -w key=value`'));
      return undefined;
    }
    const eq = w.text.indexOf('=');
    if (eq < 0) {
      issues.push(issueAt(w, text, `sysctl: "${w.text}" has no value: reading a key changes nothing`, 'write `sysctl -w key=value`'));
      return undefined;
    }
    const keyText = w.text.slice(0, eq).trim();
    if (!/^[A-Za-z0-9_][A-Za-z0-9_./:@+-]*$/.test(keyText)) {
      issues.push(issueAt(w, text, `sysctl: "${keyText}" is not a sysctl key`, 'keys look like net.ipv4.ip_forward or net/ipv4/ip_forward'));
      return undefined;
    }
    sets.push({ key: normalizeSysctlKey(keyText), value: w.text.slice(eq + 1).trim(), word: w });
  }
  if (!sets.length) {
    issues.push(issueAt(args[0] ?? program, text, 'sysctl: no key=value given', 'sysctl -w net.ipv4.ip_forward=1'));
    return undefined;
  }
  return { sets };
}

/** A `sysctl -a` dump lists every key: a key it lacks does not exist on that host. */
const FULL_DUMP_KEYS = 200;
const PER_IFACE = /^net\.ipv[46]\.(conf|neigh)\.([^.]+)\./;

const keyPath = (key: string) => '/proc/sys/' + key.split('.').map((c) => c.replace(/\//g, '.')).join('/');

export function applySysctl(cmd: SysctlCommand, host: Host, loc: SourceLoc, file: string, text: string): string {
  const out: string[] = [];
  for (const s of cmd.sets) {
    const m = PER_IFACE.exec(s.key);
    const ifaceName = m ? m[2].replace(/\//g, '.') : undefined;
    const known = host.interfaces.length > 0;
    const noFile = () =>
      refuse(s.word, text, `sysctl: cannot stat ${keyPath(s.key)}: No such file or directory`,
        ifaceName && known ? `host ${host.name} has no interface ${ifaceName} (interfaces: ${host.interfaces.map((i) => i.name).join(', ')})` : 'no such key on this host (check the spelling)');
    if (ifaceName && ifaceName !== 'all' && ifaceName !== 'default' && known && !host.interfaces.some((i) => i.name === ifaceName)) noFile();
    const sc = (host.sysctl ??= { file, values: {}, locs: {} });
    if (Object.keys(sc.values).length >= FULL_DUMP_KEYS && !(s.key in sc.values)) noFile();
    const value = /^-?[0-9]+$/.test(s.value) ? String(Number(s.value)) : s.value;
    const set = (k: string) => {
      if (sc.values[k] !== value) sc.values[k] = value;
      sc.locs[k] = loc;
    };
    const was = sc.values[s.key];
    set(s.key);
    let also = '';
    // devinet_sysctl_forward acts only when the value changes (unknown before: assume it does)
    if ((s.key === 'net.ipv4.ip_forward' || s.key === 'net.ipv4.conf.all.forwarding') && was !== value) {
      // inet_forward_change: all, default and every interface follow
      const ifs = new Set<string>(host.interfaces.map((i) => i.name.replace(/\./g, '/')));
      for (const k of Object.keys(sc.values)) {
        const mm = /^net\.ipv4\.conf\.([^.]+)\.forwarding$/.exec(k);
        if (mm) ifs.add(mm[1]);
      }
      ifs.delete('all');
      ifs.delete('default');
      const keys = ['net.ipv4.ip_forward', 'net.ipv4.conf.all.forwarding', 'net.ipv4.conf.default.forwarding', ...[...ifs].map((i) => `net.ipv4.conf.${i}.forwarding`)].filter((k) => k !== s.key);
      for (const k of keys) set(k);
      // inet_forward_change also sets all.accept_redirects = !forwarding
      const redirects = 'net.ipv4.conf.all.accept_redirects';
      const on = value !== '0';
      const rv = on ? '0' : '1';
      if (sc.values[redirects] !== rv) sc.values[redirects] = rv;
      sc.locs[redirects] = loc;
      also = ` (also ${keys.join(', ')}; ${redirects} = ${rv})`;
    }
    out.push(`${s.key} = ${value}${was !== undefined && was !== value ? ` (was ${was})` : ''}${also}`);
  }
  return out.join('; ');
}
