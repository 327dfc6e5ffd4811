// Generates src/parse/generated/<name>.js (+ .d.ts) from grammar/<name>.peggy.
// Generated parsers are build output: never edit them, never commit them.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, statSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';
import peggy from 'peggy';

const root = new URL('..', import.meta.url).pathname;
const srcDir = join(root, 'grammar');
const outDir = join(root, 'src/parse/generated');
mkdirSync(outDir, { recursive: true });
let built = 0;
let failed = 0;
for (const f of readdirSync(srcDir).filter((f) => f.endsWith('.peggy')).sort()) {
  const name = basename(f, '.peggy');
  const inPath = join(srcDir, f);
  const outJs = join(outDir, `${name}.js`);
  const outDts = join(outDir, `${name}.d.ts`);
  if (existsSync(outJs) && existsSync(outDts) && statSync(outJs).mtimeMs >= statSync(inPath).mtimeMs) continue;
  const text = readFileSync(inPath, 'utf8');
  let code;
  try {
    code = peggy.generate(text, { output: 'source', format: 'es', grammarSource: `grammar/${f}` });
  } catch (e) {
    // report it and go on: the other grammars are still regenerated
    console.error(e.format ? e.format([{ source: `grammar/${f}`, text }]) : String(e));
    failed++;
    continue;
  }
  writeFileSync(outJs, `// GENERATED from grammar/${f} by scripts/build-grammars.mjs. Do not edit.\n${code}`);
  writeFileSync(
    outDts,
    `// GENERATED. Do not edit.\nexport interface PeggyLocation { start: { offset: number; line: number; column: number }; end: { offset: number; line: number; column: number } }\n` +
      `export declare class SyntaxError extends Error { expected: unknown; found: string | null; location: PeggyLocation; format(sources: { source: string; text: string }[]): string }\n` +
      `export declare function parse(input: string, options?: { grammarSource?: string; startRule?: string; [k: string]: unknown }): any;\n`,
  );
  built++;
}
console.log(`grammars: ${built} regenerated${failed ? `, ${failed} failed` : ''}`);
if (failed) process.exit(1);
