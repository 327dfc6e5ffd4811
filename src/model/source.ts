/** Where a piece of the model came from: the dump file, 1-based line and column. */
export interface SourceLoc {
  file: string;
  line: number;
  col: number;
}

/** One problem found in an input file. Loaders collect many of these rather than stopping at the first. */
export interface InputIssue {
  severity: 'error' | 'warning';
  loc: SourceLoc;
  /** The offending text (the token or the whole line). */
  text: string;
  /** What was wrong / what was expected. */
  message: string;
  /** A hint on how to fix it, when there is one. */
  hint?: string;
}

/** Thrown (only) by loaders when input is unusable. Carries every issue found. */
export class InputError extends Error {
  readonly issues: InputIssue[];
  constructor(issues: InputIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'InputError';
    this.issues = issues;
  }
}

export function formatIssue(i: InputIssue): string {
  const head = `${i.loc.file}:${i.loc.line}:${i.loc.col}: ${i.severity}: ${i.message}`;
  const text = i.text ? `\n    ${i.text}` : '';
  const hint = i.hint ? `\n  hint: ${i.hint}` : '';
  return head + text + hint;
}
