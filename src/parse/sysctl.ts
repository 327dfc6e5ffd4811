/**
 * `sysctl -a` output (`key = value`) and sysctl.conf-style files (`key=value`, `#`/`;` comments, `-key` to
 * ignore errors, slashed keys `net/ipv4/ip_forward`). Keys are stored in sysctl(8)'s dotted form, where a
 * dot inside an interface name is written as `/` (`net.ipv4.conf.eth0/100.rp_filter`).
 * The line syntax is grammar/sysctl.peggy; this file gives the lines their meaning.
 */
import type { Sysctls } from '../model/host.js';
import { IssueSink, parseAcceptingGrammar, type LoadOptions } from './lineSource.js';
import { parse as parseSysctlLines, SyntaxError as SysctlSyntaxError } from './generated/sysctl.js';

/** One line of the file as grammar/sysctl.peggy returns it (null: blank or comment). `col` is 1-based. */
type SysctlLine =
  | null
  | { kind: 'message'; col: number; text: string }
  | { kind: 'setting'; col: number; ignoreErrors: boolean; key: string; value: string; text: string }
  | { kind: 'badKey'; col: number; keyText: string; text: string }
  | { kind: 'noValue'; col: number; text: string };

/** Normalise a key to dotted form. Slashed form separates components with `/` (dots inside components,
 * e.g. interface names, stay literal and become `/` in dotted form). */
export function normalizeSysctlKey(key: string): string {
  const k = key.trim();
  const slash = k.indexOf('/');
  // Slashed form when the first component has no dot: net/ipv4/conf/eth0.100/rp_filter.
  if (slash < 0 || k.slice(0, slash).includes('.')) return k;
  return k
    .split('/')
    .filter((c) => c !== '')
    .map((c) => c.replace(/\./g, '/'))
    .join('.');
}

function grammarLines(text: string, file: string): SysctlLine[] {
  return parseAcceptingGrammar<SysctlLine[]>(parseSysctlLines, SysctlSyntaxError, text, file);
}

export function parseSysctl(text: string, file: string, opts: LoadOptions = {}): Sysctls {
  const sink = new IssueSink(file);
  const out: Sysctls = { file, values: {}, locs: {} };
  const lines = grammarLines(text, file);
  let lastKey: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const l = lines[i];
    if (l === null) {
      lastKey = undefined;
      continue;
    }
    if (l.kind === 'message') {
      sink.warn(lineNo, l.col, l.text, 'sysctl reported an error while dumping; that key is unknown');
      lastKey = undefined;
      continue;
    }
    if (l.kind === 'noValue') {
      sink.error(lineNo, l.col, l.text, 'expected `key = value`', 'sysctl -a prints `key = value`; sysctl.conf uses `key=value`');
      lastKey = undefined;
      continue;
    }
    if (l.kind === 'badKey') {
      let keyText = l.keyText.trim();
      if (keyText.startsWith('-')) keyText = keyText.slice(1).trim(); // sysctl.conf: ignore errors on this key
      sink.error(lineNo, l.col, keyText || l.text, `'${keyText}' is not a sysctl key`, 'keys look like net.ipv4.ip_forward or net/ipv4/ip_forward');
      lastKey = undefined;
      continue;
    }
    // `-key` (ignoreErrors) only changes what sysctl -p does with a key the kernel lacks; the value is the same.
    const key = normalizeSysctlKey(l.key);
    const value = l.value;
    if (Object.hasOwn(out.values, key)) {
      if (lastKey === key) {
        // sysctl -a prints a multi-line value (dev.cdrom.info) as the key repeated on every line.
        out.values[key] += `\n${value}`;
        continue;
      }
      sink.warn(lineNo, l.col, l.text, `'${key}' is set again (line ${out.locs[key].line} set it first); the later value wins, as with sysctl -p`);
    }
    out.values[key] = value;
    out.locs[key] = sink.loc(lineNo, l.col);
    lastKey = key;
  }
  sink.throwIfErrors();
  sink.flushWarnings(opts.warnings);
  return out;
}
