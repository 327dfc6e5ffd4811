/**
 * Packet lists for `nfsim run --packets` and scenario `queries` files: one packet spec per line, each
 * optionally followed by an `expect FATE [key=value ...]` line; `#` starts a comment.
 */
import { parsePacketSpec } from '../engine/packetSpec.js';
import type { PacketSpec } from '../engine/types.js';
import { InputError, type InputIssue } from '../model/source.js';

export interface Expectation {
  fate: string;
  fields: Record<string, string>;
  text: string;
  line: number;
}

export interface Query {
  spec: PacketSpec;
  line: number;
  expect?: Expectation;
}

const FATES = new Set(['delivered', 'dropped', 'rejected', 'forwarded', 'send-error', 'unsupported']);
const KEYS = new Set(['reason', 'at', 'host', 'socket', 'out', 'answer', 'with', 'errno']);

export function parseQueries(text: string, file: string): Query[] {
  const issues: InputIssue[] = [];
  const out: Query[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const n = i + 1;
    if (line.startsWith('expect')) {
      const q = out[out.length - 1];
      const words = line.split(/\s+/).slice(1);
      const fate = words.shift() ?? '';
      if (!q || q.expect) {
        issues.push({ severity: 'error', loc: { file, line: n, col: 1 }, text: raw, message: 'an expect line must follow a packet line', hint: 'put one expect line right after the packet it checks' });
        return;
      }
      if (!FATES.has(fate)) {
        issues.push({ severity: 'error', loc: { file, line: n, col: raw.indexOf(fate) + 1 }, text: raw, message: `unknown fate '${fate}'`, hint: `one of ${[...FATES].join(', ')}` });
        return;
      }
      const fields: Record<string, string> = {};
      // `answer=` takes the rest of the line (a packet summary has spaces).
      const ai = words.findIndex((w) => w.startsWith('answer='));
      if (ai >= 0) {
        fields.answer = [words[ai].slice('answer='.length), ...words.slice(ai + 1)].join(' ');
        words.splice(ai);
      }
      for (const w of words) {
        const eq = w.indexOf('=');
        const k = eq > 0 ? w.slice(0, eq) : w;
        if (eq <= 0 || !KEYS.has(k)) {
          issues.push({ severity: 'error', loc: { file, line: n, col: raw.indexOf(w) + 1 }, text: raw, message: `bad expect field '${w}'`, hint: `fields are key=value with keys ${[...KEYS].join(', ')}` });
          continue;
        }
        fields[k] = w.slice(eq + 1);
      }
      q.expect = { fate, fields, text: line, line: n };
      return;
    }
    try {
      out.push({ spec: parsePacketSpec(line, file, n), line: n });
    } catch (e) {
      if (e instanceof InputError) issues.push(...e.issues.map((x) => ({ ...x, loc: { ...x.loc, col: x.loc.col + raw.indexOf(line) } })));
      else throw e;
    }
  });
  if (issues.length) throw new InputError(issues);
  return out;
}
