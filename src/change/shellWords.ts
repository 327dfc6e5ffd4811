/**
 * Split a change script into logical command lines of shell words: `\` at the end of a line continues the
 * command on the next line, `#` at the start of a word comments out the rest of the line, single quotes are
 * literal, double quotes keep spaces and honour `\"`, `\\`, `\$`, `` \` ``, and a backslash outside quotes
 * escapes the next character (as sh does). An unquoted `<` is a redirection word of its own.
 */
import type { InputIssue, SourceLoc } from '../model/source.js';

/** One shell word with where it starts in the script. */
export interface Word {
  text: string;
  loc: SourceLoc;
  /** Some part of the word was quoted (a quoted `!` or `-x` is a value, not an option). */
  quoted: boolean;
  /** An unquoted `<` (input redirection). */
  redirect?: boolean;
}

/** A command as typed: its words, the physical text and where it starts. */
export interface LogicalLine {
  words: Word[];
  /** The command's text (continuation lines joined with a space, comment removed). */
  text: string;
  loc: SourceLoc;
}

export function splitScript(text: string, file: string, issues: InputIssue[]): LogicalLine[] {
  const lines = text.split(/\r\n|\n|\r/);
  const out: LogicalLine[] = [];
  let words: Word[] = [];
  let parts: string[] = [];
  let start: SourceLoc | undefined;
  let cur: { text: string; loc: SourceLoc; quoted: boolean } | undefined;
  let quote: '"' | "'" | undefined;
  let quoteLoc: SourceLoc | undefined;

  const endWord = () => {
    if (cur) words.push({ text: cur.text, loc: cur.loc, quoted: cur.quoted });
    cur = undefined;
  };
  const flush = () => {
    endWord();
    if (words.length) out.push({ words, text: parts.join(' ').trim(), loc: start ?? words[0].loc });
    words = [];
    parts = [];
    start = undefined;
  };

  for (let li = 0; li < lines.length; li++) {
    const line = lines[li];
    const lineNo = li + 1;
    const loc = (i: number): SourceLoc => ({ file, line: lineNo, col: i + 1 });
    let continued = false;
    let commentAt = -1;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quote === "'") {
        if (ch === "'") quote = undefined;
        else cur!.text += ch;
        continue;
      }
      if (quote === '"') {
        if (ch === '"') quote = undefined;
        else if (ch === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) cur!.text += line[++i];
        else if (ch === '\\' && i + 1 === line.length) continued = true; // backslash-newline inside "" joins lines
        else cur!.text += ch;
        continue;
      }
      if (ch === ' ' || ch === '\t') {
        endWord();
        continue;
      }
      if (ch === '#' && !cur) {
        commentAt = i;
        break;
      }
      if (ch === '\\') {
        if (i + 1 === line.length) {
          continued = true;
          break;
        }
        cur ??= { text: '', loc: loc(i), quoted: false };
        cur.text += line[++i];
        cur.quoted = true;
        continue;
      }
      if (ch === '<' && !cur) {
        words.push({ text: '<', loc: loc(i), quoted: false, redirect: true });
        start ??= loc(i);
        continue;
      }
      if (ch === ';' || ch === '|' || ch === '&' || ch === '>' || ch === '$' || ch === '`') {
        issues.push({
          severity: 'error', loc: loc(i), text: line.trim(),
          message: `shell syntax '${ch}' is not part of a change script`,
          hint: 'one command per line; quote the character if it belongs to a value',
        });
        commentAt = line.length;
        words = [];
        cur = undefined;
        break;
      }
      if (!cur) {
        cur = { text: '', loc: loc(i), quoted: false };
        start ??= loc(i);
      }
      if (ch === '"' || ch === "'") {
        quote = ch;
        quoteLoc = loc(i);
        cur.quoted = true;
        continue;
      }
      cur.text += ch;
    }
    const body = commentAt >= 0 ? line.slice(0, commentAt) : continued && !quote ? line.slice(0, -1) : line;
    if (body.trim() !== '') parts.push(body.trim());
    if (quote) {
      if (li + 1 < lines.length) {
        // a quoted newline belongs to the word (sh); continued lines inside "" join without it
        if (!continued) cur!.text += '\n';
        continue;
      }
      issues.push({ severity: 'error', loc: quoteLoc!, text: line.trim(), message: `unterminated ${quote} quote`, hint: `close the ${quote} quote` });
      quote = undefined;
      cur = undefined;
      words = [];
      continue;
    }
    if (continued) continue; // sh: backslash-newline vanishes (a word may go on on the next line)
    flush();
  }
  flush();
  return out;
}
