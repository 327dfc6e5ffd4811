/**
 * `sysctl -a` output (`key = value`) and sysctl.conf-style files (`key=value`, `#`/`;` comments, `-key` to
 * ignore errors, slashed keys `net/ipv4/ip_forward`). Keys are stored in sysctl(8)'s dotted form, where a
 * dot inside an interface name is written as `/` (`net.ipv4.conf.eth0/100.rp_filter`).
 */
import type { Sysctls } from '../model/host.js';
import { IssueSink, splitLines, type LoadOptions } from './lineSource.js';

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

export function parseSysctl(text: string, file: string, opts: LoadOptions = {}): Sysctls {
  const sink = new IssueSink(file);
  const out: Sysctls = { file, values: {}, locs: {} };
  const lines = splitLines(text);
  let lastKey: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i];
    const lead = raw.length - raw.trimStart().length;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) {
      lastKey = undefined;
      continue;
    }
    if (/^sysctl: /.test(line)) {
      sink.warn(lineNo, lead + 1, line, 'sysctl reported an error while dumping; that key is unknown');
      lastKey = undefined;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) {
      sink.error(lineNo, lead + 1, line, 'expected `key = value`', 'sysctl -a prints `key = value`; sysctl.conf uses `key=value`');
      lastKey = undefined;
      continue;
    }
    let keyText = line.slice(0, eq).trim();
    if (keyText.startsWith('-')) keyText = keyText.slice(1).trim(); // sysctl.conf: ignore errors on this key
    const value = line.slice(eq + 1).trim();
    if (!/^[A-Za-z0-9_][A-Za-z0-9_./:@+*-]*$/.test(keyText)) {
      sink.error(lineNo, lead + 1, keyText || line, `'${keyText}' is not a sysctl key`, 'keys look like net.ipv4.ip_forward or net/ipv4/ip_forward');
      lastKey = undefined;
      continue;
    }
    const key = normalizeSysctlKey(keyText);
    if (key in out.values) {
      if (lastKey === key) {
        // sysctl -a prints a multi-line value (dev.cdrom.info) as the key repeated on every line.
        out.values[key] += `\n${value}`;
        continue;
      }
      sink.warn(lineNo, lead + 1, line, `'${key}' is set again (line ${out.locs[key].line} set it first); the later value wins, as with sysctl -p`);
    }
    out.values[key] = value;
    out.locs[key] = sink.loc(lineNo, lead + 1);
    lastKey = key;
  }
  sink.throwIfErrors();
  sink.flushWarnings(opts.warnings);
  return out;
}
