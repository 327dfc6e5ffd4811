/** Refusals: the message the real tool prints, located at the offending word of the script. */
import { InputError, type InputIssue, type SourceLoc } from '../model/source.js';
import type { Word } from './shellWords.js';

export function issueAt(at: Word | SourceLoc, text: string, message: string, hint?: string): InputIssue {
  const loc = 'loc' in at ? at.loc : at;
  return { severity: 'error', loc, text, message, ...(hint ? { hint } : {}) };
}

/** Throw one located error (parse or apply time). */
export function refuse(at: Word | SourceLoc, text: string, message: string, hint?: string): never {
  throw new InputError([issueAt(at, text, message, hint)]);
}
