/** `ipset save` loader: `create NAME TYPE [options]` and `add NAME ELEMENT [options]`. */
import type { IpSet } from '../model/host.js';
import { IssueSink, splitLines, tokenize, type LoadOptions } from './lineSource.js';

const VALUE_OPTS = new Set(['family', 'hashsize', 'maxelem', 'timeout', 'range', 'netmask', 'bucketsize', 'initval', 'size', 'markmask', 'revision', 'comment']);
const FLAG_OPTS = new Set(['counters', 'comment', 'skbinfo', 'forceadd', 'nomatch']);
const TYPES = /^(hash|bitmap|list):[a-z,]+$/;

export function parseIpset(text: string, file: string, opts: LoadOptions = {}): IpSet[] {
  const sink = new IssueSink(file);
  const sets = new Map<string, IpSet>();
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const toks = tokenize(lines[i]);
    if (toks.length === 0 || toks[0].text.startsWith('#')) continue;
    const [cmd, name] = toks;
    if (cmd.text === 'create' || cmd.text === '-N' || cmd.text === '-exist') {
      const type = toks[2];
      if (!name || !type || !TYPES.test(type.text)) {
        sink.error(lineNo, (type ?? name ?? cmd).col, (type ?? name ?? cmd).text, 'expected `create NAME TYPE [options]` with TYPE like hash:ip');
        continue;
      }
      if (sets.has(name.text)) sink.error(lineNo, name.col, name.text, `set ${name.text} is created twice`);
      const s: IpSet = { name: name.text, type: type.text, options: {}, members: [], loc: sink.loc(lineNo, cmd.col) };
      for (let k = 3; k < toks.length; k++) {
        const o = toks[k].text;
        const next = toks[k + 1];
        if (VALUE_OPTS.has(o) && next && !(FLAG_OPTS.has(o) && (VALUE_OPTS.has(next.text) || FLAG_OPTS.has(next.text)))) {
          s.options[o] = next.text;
          k++;
        } else if (FLAG_OPTS.has(o)) s.options[o] = '';
        else {
          s.options[o] = next?.text ?? '';
          sink.warn(lineNo, toks[k].col, o, `unknown ipset option '${o}'; kept, not interpreted`);
          k++;
        }
      }
      if (s.options.family) s.family = s.options.family;
      sets.set(s.name, s);
    } else if (cmd.text === 'add' || cmd.text === '-A') {
      const s = name ? sets.get(name.text) : undefined;
      if (!name || toks.length < 3) {
        sink.error(lineNo, cmd.col, lines[i].trim(), 'expected `add NAME ELEMENT`');
        continue;
      }
      if (!s) {
        sink.error(lineNo, name.col, name.text, `add to set '${name.text}' before its create line`);
        continue;
      }
      s.members.push(lines[i].slice(toks[2].col - 1).trim());
    } else {
      sink.error(lineNo, cmd.col, cmd.text, `expected 'create' or 'add', got '${cmd.text}'`, 'the file should be the output of `ipset save`');
    }
  }
  sink.throwIfErrors();
  sink.flushWarnings(opts.warnings);
  return [...sets.values()];
}
