import type { MatchExtension } from '../types.js';
import { fail, parseUInt } from '../helpers.js';
import { parseRate, printRate } from '../ratelimit.js';

const SCALE = 1000000; // XT_HASHLIMIT_SCALE_v2
export interface HashlimitArgs {
  above: boolean;
  /** period per packet in 1/1000000 s, or a byte rate kept as text */
  avg: number;
  bytes?: string;
  burst: number;
  /** byte mode: burst as written (e.g. 400kb) */
  burstText?: string;
  mode: string[];
  name: string;
  size?: number;
  max?: number;
  gcinterval: number;
  expire?: number;
  srcmask?: number;
  dstmask?: number;
  rateMatch: boolean;
  rateInterval?: number;
}

const MODES = ['srcip', 'srcport', 'dstip', 'dstport'];
const UNIT_MS: Record<string, number> = { sec: 1000, min: 60000, hour: 3600000, day: 86400000 };

export const hashlimit: MatchExtension<HashlimitArgs> = {
  kind: 'match',
  name: 'hashlimit',
  families: [4, 6],
  options: [
    { name: 'hashlimit-upto', aliases: ['hashlimit'], args: 1, excludes: ['hashlimit-above'] },
    { name: 'hashlimit-above', args: 1, excludes: ['hashlimit-upto'] },
    { name: 'hashlimit-burst', args: 1 },
    { name: 'hashlimit-mode', args: 1 },
    { name: 'hashlimit-name', args: 1, required: true },
    { name: 'hashlimit-htable-size', args: 1 },
    { name: 'hashlimit-htable-max', args: 1 },
    { name: 'hashlimit-htable-gcinterval', args: 1 },
    { name: 'hashlimit-htable-expire', args: 1 },
    { name: 'hashlimit-srcmask', args: 1 },
    { name: 'hashlimit-dstmask', args: 1 },
    { name: 'hashlimit-rate-match', args: 0 },
    { name: 'hashlimit-rate-interval', args: 1 },
  ],
  build(opts, ctx) {
    const a: HashlimitArgs = { above: false, avg: 0, burst: 5, mode: [], name: '', gcinterval: 1000, rateMatch: false };
    let rateGiven = false;
    const maxMask = ctx.family === 4 ? 32 : 128;
    for (const o of opts) {
      const v = o.values[0];
      switch (o.name) {
        case 'hashlimit-upto':
        case 'hashlimit-above':
          a.above = o.name === 'hashlimit-above';
          if (/b\//i.test(v) || /^[0-9]+[kmg]?b/i.test(v)) a.bytes = v;
          else a.avg = parseRate(v, SCALE);
          rateGiven = true;
          break;
        case 'hashlimit-burst':
          if (/^[0-9]+[kmg]?b$/i.test(v)) a.burstText = v;
          else a.burst = parseUInt(v, 0xffffffff, 'burst');
          break;
        case 'hashlimit-mode': {
          const set = new Set(v.split(','));
          for (const m of set) if (!MODES.includes(m)) fail(`Invalid mode "${m}"`, MODES.join(', '), o);
          a.mode = MODES.filter((m) => set.has(m));
          break;
        }
        case 'hashlimit-name':
          if (v.length > 255) fail('name too long', undefined, o);
          a.name = v;
          break;
        case 'hashlimit-htable-size': a.size = parseUInt(v); break;
        case 'hashlimit-htable-max': a.max = parseUInt(v); break;
        case 'hashlimit-htable-gcinterval': a.gcinterval = parseUInt(v); break;
        case 'hashlimit-htable-expire': a.expire = parseUInt(v); break;
        case 'hashlimit-srcmask': a.srcmask = parseUInt(v, maxMask, 'srcmask'); break;
        case 'hashlimit-dstmask': a.dstmask = parseUInt(v, maxMask, 'dstmask'); break;
        case 'hashlimit-rate-match': a.rateMatch = true; break;
        case 'hashlimit-rate-interval': a.rateInterval = parseUInt(v); break;
      }
    }
    if (a.burstText && !a.bytes) fail(`burst "${a.burstText}" is a byte count but the rate is in packets`);
    if (!rateGiven) fail('hashlimit: you have to specify --hashlimit-upto or --hashlimit-above');
    return a;
  },
  save(a, ctx) {
    const maxMask = ctx.family === 4 ? 32 : 128;
    let s = a.above ? ' --hashlimit-above' : ' --hashlimit-upto';
    let quantum = 0;
    if (a.bytes) s += ` ${a.bytes}${a.burstText ? ` --hashlimit-burst ${a.burstText}` : ''}`;
    else {
      const r = printRate(a.avg, SCALE);
      quantum = UNIT_MS[r.split('/')[1]] ?? 0;
      s += ` ${r} --hashlimit-burst ${a.burst}`;
    }
    if (a.mode.length) s += ` --hashlimit-mode ${a.mode.join(',')}`;
    s += ` --hashlimit-name ${a.name}`;
    if (a.size) s += ` --hashlimit-htable-size ${a.size}`;
    if (a.max) s += ` --hashlimit-htable-max ${a.max}`;
    if (a.gcinterval !== 1000) s += ` --hashlimit-htable-gcinterval ${a.gcinterval}`;
    const expire = a.expire ?? quantum;
    if (expire !== quantum) s += ` --hashlimit-htable-expire ${expire}`;
    if (a.srcmask !== undefined && a.srcmask !== maxMask) s += ` --hashlimit-srcmask ${a.srcmask}`;
    if (a.dstmask !== undefined && a.dstmask !== maxMask) s += ` --hashlimit-dstmask ${a.dstmask}`;
    if (a.rateMatch) s += ' --hashlimit-rate-match';
    if (a.rateMatch && a.rateInterval !== undefined && a.rateInterval !== 1) s += ` --hashlimit-rate-interval ${a.rateInterval}`;
    return s;
  },
  describe: (a) => `per-${a.mode.join('+') || 'rule'} rate ${a.above ? 'above' : 'up to'} ${a.bytes ?? printRate(a.avg, SCALE)} (table ${a.name})`,
  reads: () => [],
  match: (a) => ({ assumed: !a.above, why: `assumed under the hashlimit rate (${a.name})` }),
};
