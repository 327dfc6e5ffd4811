/** Rate parsing/printing shared by limit and hashlimit (libxt_limit.c / libxt_hashlimit.c). */
import { fail } from './helpers.js';

export const XT_LIMIT_SCALE = 10000;
const RATES: [string, number][] = [
  ['day', XT_LIMIT_SCALE * 24 * 60 * 60],
  ['hour', XT_LIMIT_SCALE * 60 * 60],
  ['min', XT_LIMIT_SCALE * 60],
  ['sec', XT_LIMIT_SCALE],
];

/** "3/hour" → period in 1/10000 s units per packet (xt_rateinfo.avg). */
export function parseRate(s: string, scale = XT_LIMIT_SCALE): number {
  const m = /^([0-9]+)(?:\/(.*))?$/.exec(s);
  if (!m) fail(`bad rate "${s}"`, 'N/second, N/minute, N/hour or N/day');
  const r = Number(m[1]);
  let mult = 1;
  const u = m[2];
  if (u !== undefined) {
    if (/^s(ec(ond)?)?$/.test(u)) mult = 1;
    else if (/^m(in(ute)?)?$/.test(u)) mult = 60;
    else if (/^h(our)?$/.test(u)) mult = 3600;
    else if (/^d(ay)?$/.test(u)) mult = 86400;
    else fail(`bad rate unit "${u}"`, 'second, minute, hour or day');
  }
  if (r === 0) fail(`bad rate "${s}": rate must be > 0`);
  const period = Math.floor((scale * mult) / r);
  if (period === 0) fail(`Rate too fast "${s}"`);
  return period;
}

export function printRate(period: number, scale = XT_LIMIT_SCALE): string {
  if (period === 0) return 'max';
  const rates = RATES.map(([n, m]) => [n, (m / XT_LIMIT_SCALE) * scale] as [string, number]);
  let i = 1;
  for (; i < rates.length; ++i) if (period > rates[i][1] || Math.floor(rates[i][1] / period) < rates[i][1] % period) break;
  return `${Math.floor(rates[i - 1][1] / period)}/${rates[i - 1][0]}`;
}
