/** Shared checks of the dump loaders' tests: the issues an InputError carries, and random edits of a text. */
import fc from 'fast-check';
import { InputError } from '../../src/model/source.js';

/** The issues of the InputError `f` throws, as `severity line:col message` (fails when it throws none). */
export function issuesOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.issues.map((i) => `${i.severity} ${i.loc.line}:${i.loc.col} ${i.message}`);
    throw e;
  }
  throw new Error('expected an InputError');
}

/** Up to five edits: at a position, delete up to 6 characters and insert a short random string. */
export const edits = fc.array(fc.tuple(fc.nat(), fc.nat(6), fc.string({ maxLength: 6 })), { maxLength: 5 });

export function applyEdits(text: string, muts: [number, number, string][]): string {
  let t = text;
  for (const [p, d, ins] of muts) t = t.slice(0, p % (t.length + 1)) + ins + t.slice((p % (t.length + 1)) + d);
  return t;
}

/** Loading `text` either succeeds or throws the loader's own InputError, nothing else. */
export function onlyInputErrors(load: (text: string) => unknown, text: string): void {
  try {
    load(text);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
  }
}
