/** Shared helpers for the line-oriented loaders: tokens with columns, and an issue collector. */
import { InputError, type InputIssue, type SourceLoc } from '../model/source.js';

/** A whitespace-separated word of a line and its 1-based column. */
export interface Tok {
  text: string;
  col: number;
}

/** Split `line` on spaces/tabs; columns are 1-based and count from `offset` (0-based start of `line` in the
 * physical line). */
export function tokenize(line: string, offset = 0): Tok[] {
  const out: Tok[] = [];
  const re = /[^ \t\f\v]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push({ text: m[0], col: offset + m.index + 1 });
  return out;
}

/** Split text into lines (LF, CRLF or CR); a final newline does not add an empty line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Collects every issue of one file; `throwIfErrors` throws a single InputError with all of them. */
export class IssueSink {
  readonly issues: InputIssue[] = [];
  constructor(readonly file: string) {}

  loc(line: number, col: number): SourceLoc {
    return { file: this.file, line, col };
  }

  error(line: number, col: number, text: string, message: string, hint?: string): void {
    this.issues.push({ severity: 'error', loc: this.loc(line, col), text, message, ...(hint ? { hint } : {}) });
  }

  warn(line: number, col: number, text: string, message: string, hint?: string): void {
    this.issues.push({ severity: 'warning', loc: this.loc(line, col), text, message, ...(hint ? { hint } : {}) });
  }

  get hasErrors(): boolean {
    return this.issues.some((i) => i.severity === 'error');
  }

  get warnings(): InputIssue[] {
    return this.issues.filter((i) => i.severity === 'warning');
  }

  /** Throw one InputError carrying every issue (errors and warnings) when there is at least one error. */
  throwIfErrors(): void {
    if (this.hasErrors) throw new InputError(this.issues);
  }

  /** Hand the warnings to an outer collector (when given). */
  flushWarnings(into?: InputIssue[]): void {
    if (into) into.push(...this.warnings);
  }
}

/** Options every loader accepts. */
export interface LoadOptions {
  /** Non-fatal issues are appended here (when omitted, warnings are dropped from the result but an
   * InputError still carries them alongside the errors). */
  warnings?: InputIssue[];
}

/** Strictly a non-negative decimal integer. */
export function parseUint(text: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n <= max ? n : undefined;
}

/** Decimal or 0x-hex unsigned integer (as ip(8) and iptables print marks). */
export function parseUintAny(text: string, max = 0xffffffff): number | undefined {
  let n: number;
  if (/^0x[0-9a-f]+$/i.test(text)) n = parseInt(text.slice(2), 16);
  else if (/^\d+$/.test(text)) n = Number(text);
  else return undefined;
  return Number.isFinite(n) && n <= max ? n : undefined;
}

/**
 * Run a grammar that accepts every line (each line comes back typed, bad ones marked for the loader to report).
 * A SyntaxError from it would be a bug in the grammar: reported at its position all the same, never a stack trace.
 */
export function parseAcceptingGrammar<T>(parse: (text: string, options: { grammarSource: string }) => unknown, syntaxError: new (...args: never[]) => { message: string; location: { start: { line: number; column: number } } }, text: string, file: string): T {
  try {
    return parse(text, { grammarSource: file }) as T;
  } catch (e) {
    if (!(e instanceof syntaxError)) throw e;
    const { line, column } = e.location.start;
    throw new InputError([{ severity: 'error', loc: { file, line, col: column }, text: '', message: `cannot read this line: ${e.message}`, hint: 'this is a bug in nfsim; please report it with the input file' }]);
  }
}
