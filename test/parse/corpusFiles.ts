/** The iptables-save / ip6tables-save dumps of the shared corpus (found by content, read in place). */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The shared corpus: NFSIM_CORPUS, else `../shared/corpus` beside the checkout (the project's layout), else
 * /work/shared/corpus (a clone made elsewhere on this machine). Missing: corpus tests skip, and
 * test/parse/corpusPresent.test.ts fails under CI=true.
 */
export const CORPUS =
  process.env.NFSIM_CORPUS ??
  [join(import.meta.dirname, '../../../shared/corpus'), '/work/shared/corpus'].find((d) => existsSync(d)) ??
  join(import.meta.dirname, '../../../shared/corpus');

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (st.size < 5_000_000) out.push(p);
  }
}

const DUMP_LINE = /^(COMMIT|\*(filter|nat|mangle|raw|security))\s*$/m;

export interface CorpusDump {
  /** path relative to the corpus root */
  rel: string;
  path: string;
  family: 4 | 6;
  text: string;
}

export function corpusDumps(): CorpusDump[] {
  if (!existsSync(CORPUS)) return [];
  const files: string[] = [];
  walk(CORPUS, files);
  const out: CorpusDump[] = [];
  for (const p of files.sort()) {
    const rel = relative(CORPUS, p);
    if (rel.startsWith('iptables-upstream/extensions-t/')) continue;
    const text = readFileSync(p, 'latin1');
    if (!DUMP_LINE.test(text)) continue;
    const v6hint = /--icmpv6-type|-p ipv6-icmp|icmp6-[a-z]|(^| )-[sd] [0-9a-fA-F:]*::/m.test(text);
    const v4hint = /(^| )(-[sd]|--to-destination|--to-source) [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/m.test(text);
    const family: 4 | 6 = /ip6tables/.test(rel) || (v6hint && !v4hint) ? 6 : 4;
    out.push({ rel, path: p, family, text });
  }
  return out;
}
