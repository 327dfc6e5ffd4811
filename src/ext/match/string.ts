import type { MatchExtension } from '../types.js';
import { fail, parseUInt } from '../helpers.js';

export interface StringArgs {
  algo: 'bm' | 'kmp';
  pattern: string;
  hex: boolean;
  invert: boolean;
  from: number;
  to: number;
  icase: boolean;
}

/** Decode --hex-string: |41 42| blocks mixed with text (libxt_string parse_hex_string). */
function decodeHex(s: string): string {
  let out = '';
  let inHex = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '|') { inHex = !inHex; continue; }
    if (inHex) {
      if (c === ' ') continue;
      const h = s.slice(i, i + 2);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) fail(`Invalid hex char at "${s.slice(i)}"`);
      out += String.fromCharCode(parseInt(h, 16));
      i++;
    } else {
      if (c === '\\') { i++; out += s[i] ?? ''; continue; }
      out += c;
    }
  }
  if (inHex) fail('Invalid hex block: missing closing |');
  return out;
}

function isPrintable(s: string): boolean {
  for (const ch of s) { const c = ch.charCodeAt(0); if (c < 0x20 || c > 0x7e) return false; }
  return true;
}

export const string: MatchExtension<StringArgs> = {
  kind: 'match',
  name: 'string',
  families: [4, 6],
  options: [
    { name: 'from', args: 1 },
    { name: 'to', args: 1 },
    { name: 'algo', args: 1, required: true },
    { name: 'string', args: 1, invertible: true, excludes: ['hex-string'] },
    { name: 'hex-string', args: 1, invertible: true, excludes: ['string'] },
    { name: 'icase', args: 0 },
  ],
  build(opts) {
    const a: StringArgs = { algo: 'bm', pattern: '', hex: false, invert: false, from: 0, to: 65535, icase: false };
    let given = false;
    for (const o of opts) {
      if (o.name === 'algo') {
        if (o.values[0] !== 'bm' && o.values[0] !== 'kmp') fail(`unknown algorithm "${o.values[0]}"`, 'bm or kmp', o);
        a.algo = o.values[0];
      } else if (o.name === 'from') a.from = parseUInt(o.values[0], 65535, 'from');
      else if (o.name === 'to') a.to = parseUInt(o.values[0], 65535, 'to');
      else if (o.name === 'icase') a.icase = true;
      else {
        a.pattern = o.name === 'hex-string' ? decodeHex(o.values[0]) : o.values[0];
        if (a.pattern.length > 128) fail('STRING too long', 'at most 128 bytes', o);
        a.hex = o.name === 'hex-string';
        a.invert = o.invert;
        given = true;
      }
    }
    if (!given) fail('STRING match: You must specify `--string\' or `--hex-string\'');
    if (a.pattern === '') fail('STRING match: empty string');
    return a;
  },
  save(a) {
    let s = a.invert ? ' !' : '';
    if (!a.hex || isPrintable(a.pattern)) {
      s += ' --string "' + a.pattern.replace(/["\\]/g, (c) => '\\' + c) + '"';
    } else {
      s += ' --hex-string "|' + [...a.pattern].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('') + '|"';
    }
    s += ` --algo ${a.algo}`;
    if (a.from !== 0) s += ` --from ${a.from}`;
    if (a.to !== 65535) s += ` --to ${a.to}`;
    if (a.icase) s += ' --icase';
    return s;
  },
  describe: (a) => `payload ${a.invert ? 'does not contain' : 'contains'} "${a.pattern}"${a.icase ? ' (any case)' : ''}`,
  reads: () => [],
  match(a, { pkt }) {
    if (pkt.payload === undefined) return { unsupported: 'packet payload unknown (give one to match -m string)' };
    const hay = a.icase ? pkt.payload.toLowerCase() : pkt.payload;
    const needle = a.icase ? a.pattern.toLowerCase() : a.pattern;
    return hay.includes(needle) !== a.invert;
  },
};
