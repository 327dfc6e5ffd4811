/** ah / esp SPI matches. */
import type { MatchExtension } from './types.js';
import { fail, parseUInt } from './helpers.js';

export interface SpiArgs {
  spi: [number, number];
  invert: boolean;
  len?: { value: number; invert: boolean };
  res: boolean;
}

function parseSpis(s: string): [number, number] {
  const i = s.indexOf(':');
  if (i < 0) { const v = parseUInt(s, 0xffffffff, 'SPI'); return [v, v]; }
  const lo = i === 0 ? 0 : parseUInt(s.slice(0, i), 0xffffffff, 'SPI');
  const hi = s.slice(i + 1) === '' ? 0xffffffff : parseUInt(s.slice(i + 1), 0xffffffff, 'SPI');
  return [lo, hi];
}

export function spiMatch(name: 'ah' | 'esp', opt: string, proto: number, families: (4 | 6)[], extra: boolean): MatchExtension<SpiArgs> {
  return {
    kind: 'match',
    name,
    families,
    options: [
      { name: opt, args: 1, invertible: true },
      ...(extra ? [{ name: 'ahlen', args: 1 as const, invertible: true }, { name: 'ahres', args: 0 as const }] : []),
    ],
    build(opts, ctx) {
      const p = ctx.protocol;
      if (ctx.family === 4 && (!p || p.invert || p.value !== name)) fail(`${name} match requires '-p ${name}'`);
      const a: SpiArgs = { spi: [0, 0xffffffff], invert: false, res: false };
      for (const o of opts) {
        if (o.name === opt) { a.spi = parseSpis(o.values[0]); a.invert = o.invert; }
        else if (o.name === 'ahlen') a.len = { value: parseUInt(o.values[0], 0xffffffff, 'length'), invert: o.invert };
        else if (o.name === 'ahres') a.res = true;
      }
      return a;
    },
    save(a) {
      let s = '';
      if (a.spi[0] !== 0 || a.spi[1] !== 0xffffffff || a.invert) {
        s += `${a.invert ? ' !' : ''} --${opt} ${a.spi[0] === a.spi[1] ? a.spi[0] : `${a.spi[0]}:${a.spi[1]}`}`;
      }
      if (a.len) s += `${a.len.invert ? ' !' : ''} --ahlen ${a.len.value}`;
      if (a.res) s += ' --ahres';
      return s;
    },
    describe: (a) => `${name.toUpperCase()} SPI ${a.invert ? 'not ' : ''}${a.spi[0]}-${a.spi[1]}`,
    match(_a, { pkt }) {
      if (pkt.proto !== proto) return false;
      return { unsupported: `${name.toUpperCase()} SPIs are not modelled` };
    },
  };
}
