/**
 * `ipset save` loader: `create NAME TYPE [options]` and `add NAME ELEMENT [options]`.
 * The syntax of a line is grammar/ipset.peggy; this file builds the sets.
 */
import type { IpSet } from '../model/host.js';
import { IssueSink, splitLines, type LoadOptions } from './lineSource.js';
import { parse as parseIpsetLine } from './generated/ipset.js';

/** A word of the line and its 1-based column. */
interface IpsetWord {
  text: string;
  col: number;
}

/** What grammar/ipset.peggy makes of a line: null for a blank or comment line. */
type IpsetLine =
  | null
  | {
      kind: 'create';
      cmd: IpsetWord;
      name: IpsetWord | null;
      type: (IpsetWord & { valid: boolean }) | null;
      /** Known options; `unknown` ones carry the column of their word for the warning. */
      options: ({ key: string; value: string; unknown?: undefined } | { key: string; value: string; unknown: true; col: number })[];
    }
  | { kind: 'add'; cmd: IpsetWord; name: IpsetWord | null; member: IpsetWord | null }
  | { kind: 'other'; word: IpsetWord };

export function parseIpset(text: string, file: string, opts: LoadOptions = {}): IpSet[] {
  const sink = new IssueSink(file);
  const sets = new Map<string, IpSet>();
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    // The grammar accepts every line: what is not a create or add line is reported below.
    const l = parseIpsetLine(lines[i], { grammarSource: file }) as IpsetLine;
    if (l === null) continue;
    if (l.kind === 'create') {
      const { cmd, name, type } = l;
      if (!name || !type || !type.valid) {
        const at = type ?? name ?? cmd;
        sink.error(lineNo, at.col, at.text, 'expected `create NAME TYPE [options]` with TYPE like hash:ip');
        continue;
      }
      if (sets.has(name.text)) sink.error(lineNo, name.col, name.text, `set ${name.text} is created twice`);
      const s: IpSet = { name: name.text, type: type.text, options: {}, members: [], loc: sink.loc(lineNo, cmd.col) };
      for (const o of l.options) {
        s.options[o.key] = o.value;
        if (o.unknown) sink.warn(lineNo, o.col, o.key, `unknown ipset option '${o.key}'; kept, not interpreted`);
      }
      if (s.options.family) s.family = s.options.family;
      sets.set(s.name, s);
    } else if (l.kind === 'add') {
      const { cmd, name, member } = l;
      if (!name || !member) {
        sink.error(lineNo, cmd.col, lines[i].trim(), 'expected `add NAME ELEMENT`');
        continue;
      }
      const s = sets.get(name.text);
      if (!s) {
        sink.error(lineNo, name.col, name.text, `add to set '${name.text}' before its create line`);
        continue;
      }
      s.members.push(member.text.trim());
    } else {
      sink.error(lineNo, l.word.col, l.word.text, `expected 'create' or 'add', got '${l.word.text}'`, 'the file should be the output of `ipset save`');
    }
  }
  sink.throwIfErrors();
  sink.flushWarnings(opts.warnings);
  return [...sets.values()];
}
