import type { MatchExtension } from '../types.js';
import { fail, parseUInt } from '../helpers.js';
import { parseRate, printRate } from '../ratelimit.js';

export interface LimitArgs {
  /** xt_rateinfo.avg: period per packet in 1/10000 s. */
  avg: number;
  burst: number;
}

export const limit: MatchExtension<LimitArgs> = {
  kind: 'match',
  name: 'limit',
  families: [4, 6],
  options: [
    { name: 'limit', args: 1 },
    { name: 'limit-burst', args: 1 },
  ],
  build(opts) {
    const a: LimitArgs = { avg: parseRate('3/hour'), burst: 5 };
    for (const o of opts) {
      if (o.name === 'limit') a.avg = parseRate(o.values[0]);
      else a.burst = parseUInt(o.values[0], 10000, 'limit-burst');
    }
    if (a.burst === 0) fail('limit-burst must be > 0');
    return a;
  },
  save: (a) => ` --limit ${printRate(a.avg)}${a.burst !== 5 ? ` --limit-burst ${a.burst}` : ''}`,
  describe: (a) => `rate limit ${printRate(a.avg)} (burst ${a.burst})`,
  reads: () => [],
  match: (a) => ({ assumed: true, why: `assumed under the rate limit ${printRate(a.avg)} burst ${a.burst}` }),
};
