import type { MatchExtension } from '../types.js';
import { fail, parseUInt } from '../helpers.js';

export interface StatisticArgs {
  mode: 'random' | 'nth';
  invert: boolean;
  /** random: fixed-point probability as the kernel stores it (0..2^31). */
  probability?: number;
  /** nth: every N (as written; the kernel stores N-1) and start packet. */
  every?: number;
  packet?: number;
}

export const statistic: MatchExtension<StatisticArgs> = {
  kind: 'match',
  name: 'statistic',
  families: [4, 6],
  options: [
    { name: 'mode', args: 1, required: true },
    { name: 'probability', args: 1, invertible: true, excludes: ['every', 'packet'] },
    { name: 'every', args: 1, invertible: true, excludes: ['probability'] },
    { name: 'packet', args: 1, excludes: ['probability'] },
  ],
  build(opts) {
    const a: StatisticArgs = { mode: 'random', invert: false };
    const mode = opts.find((o) => o.name === 'mode')!.values[0];
    if (mode !== 'random' && mode !== 'nth') fail(`Bad mode "${mode}"`, 'random or nth');
    a.mode = mode;
    for (const o of opts) {
      if (o.name === 'probability') {
        const p = Number(o.values[0]);
        if (!/^[0-9.eE+-]+$/.test(o.values[0]) || !Number.isFinite(p) || p < 0 || p > 1) fail(`invalid --probability "${o.values[0]}"`, 'must be between 0 and 1', o);
        a.probability = Math.round(0x80000000 * p);
        a.invert = o.invert;
      } else if (o.name === 'every') {
        a.every = parseUInt(o.values[0], 0xffffffff, 'every');
        if (a.every === 0) fail('--every must be > 0', undefined, o);
        a.invert = o.invert;
      } else if (o.name === 'packet') a.packet = parseUInt(o.values[0], 0xffffffff, 'packet');
    }
    if (a.mode === 'random' && a.probability === undefined) fail('--probability must be specified when using random mode');
    if (a.mode === 'random' && (a.every !== undefined || a.packet !== undefined)) fail('--every and --packet are only valid in nth mode');
    if (a.mode === 'nth') {
      if (a.every === undefined) fail('--every must be specified when using nth mode');
      if (a.packet === undefined) fail('option "--every" also requires "--packet"', 'iptables 1.8.9 refuses --every without --packet (the kernel default would be --packet 0)');
      if (a.probability !== undefined) fail('--probability is only valid in random mode');
      if ((a.packet ?? 0) > a.every - 1) fail('the --packet p must be 0 <= p <= n-1');
    }
    return a;
  },
  save(a) {
    if (a.mode === 'random') return ` --mode random${a.invert ? ' !' : ''} --probability ${(a.probability! / 0x80000000).toFixed(11)}`;
    // libxt_statistic statistic_print(): in save form (prefix "--") the packet is always printed, 0 included
    return ` --mode nth${a.invert ? ' !' : ''} --every ${a.every} --packet ${a.packet ?? 0}`;
  },
  describe: (a) =>
    a.mode === 'random'
      ? `${a.invert ? 'not ' : ''}at random with probability ${(a.probability! / 0x80000000).toFixed(11)}`
      : `${a.invert ? 'not ' : ''}every ${a.every}th packet (starting at ${a.packet ?? 0})`,
  reads: () => [],
  match(a, { state }) {
    if (a.mode === 'random') {
      // xt_statistic: (prandom_u32() & 0x7FFFFFFF) < probability
      const p = a.probability! / 0x80000000;
      return { random: a.invert ? 1 - p : p, why: `statistic --mode random --probability ${p.toFixed(11)}` };
    }
    // xt_statistic statistic_mt(): nval = count == every-1 ? 0 : count + 1; match when nval == 0. The count
    // starts at u.nth.count, which iptables sets to (every-1) - packet (libxt_statistic statistic_check(), the
    // kernel keeps every-1): `--every N --packet P` matches the (P+1)-th packet, then every N-th (checked on
    // Linux 6.18: --every 3 --packet 0 matches packets 1, 4, ...).
    const every = a.every! - 1;
    const count = state.get<number>() ?? every - (a.packet ?? 0);
    const nval = count === every ? 0 : count + 1;
    state.set(nval);
    return (nval === 0) !== a.invert;
  },
};
