import type { MatchExtension } from '../types.js';
import { fail } from '../helpers.js';

export interface TimeArgs {
  timestart?: string;
  timestop?: string;
  datestart?: string;
  datestop?: string;
  monthdays?: { days: number[]; invert: boolean };
  weekdays?: { days: number[]; invert: boolean };
  kerneltz: boolean;
  contiguous: boolean;
}

const WEEK = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function hms(s: string): string {
  const m = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?$/.exec(s);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) fail(`invalid time "${s}"`, 'hh:mm[:ss]');
  return `${m[1].padStart(2, '0')}:${m[2].padStart(2, '0')}:${(m[3] ?? '0').padStart(2, '0')}`;
}
function date(s: string): string {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2}))?)?)?)?)?$/.exec(s);
  if (!m) fail(`invalid date "${s}"`, 'YYYY[-MM[-DD[Thh[:mm[:ss]]]]]');
  return `${m[1]}-${m[2] ?? '01'}-${m[3] ?? '01'}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}`;
}

export const time: MatchExtension<TimeArgs> = {
  kind: 'match',
  name: 'time',
  families: [4, 6],
  options: [
    { name: 'datestart', args: 1 },
    { name: 'datestop', args: 1 },
    { name: 'timestart', args: 1 },
    { name: 'timestop', args: 1 },
    { name: 'monthdays', args: 1, invertible: true },
    { name: 'weekdays', args: 1, invertible: true },
    { name: 'localtz', args: 0, excludes: ['utc'] },
    { name: 'utc', args: 0, excludes: ['localtz', 'kerneltz'] },
    { name: 'kerneltz', args: 0, excludes: ['utc'] },
    { name: 'contiguous', args: 0 },
  ],
  build(opts) {
    const a: TimeArgs = { kerneltz: false, contiguous: false };
    for (const o of opts) {
      const v = o.values[0];
      switch (o.name) {
        case 'datestart': a.datestart = date(v); break;
        case 'datestop': a.datestop = date(v); break;
        case 'timestart': a.timestart = hms(v); break;
        case 'timestop': a.timestop = hms(v); break;
        case 'monthdays': {
          const days = v.split(',').map((d) => { const n = Number(d); if (!/^\d+$/.test(d) || n < 1 || n > 31) fail(`invalid month day "${d}"`, undefined, o); return n; });
          a.monthdays = { days: [...new Set(days)].sort((x, y) => x - y), invert: o.invert };
          break;
        }
        case 'weekdays': {
          const days = v.split(',').map((d) => {
            const n = /^\d$/.test(d) ? Number(d) : WEEK.findIndex((w) => w.toLowerCase() === d.slice(0, 3).toLowerCase()) + 1;
            if (n < 1 || n > 7) fail(`invalid weekday "${d}"`, 'Mon..Sun or 1..7', o);
            return n;
          });
          a.weekdays = { days: [...new Set(days)].sort((x, y) => x - y), invert: o.invert };
          break;
        }
        case 'localtz': case 'kerneltz': a.kerneltz = true; break;
        case 'utc': a.kerneltz = false; break;
        case 'contiguous': a.contiguous = true; break;
      }
    }
    return a;
  },
  save(a) {
    let s = '';
    if (a.timestart && !(a.timestart === '00:00:00' && a.timestop === '23:59:59')) s += ` --timestart ${a.timestart}`;
    if (a.timestop && !(a.timestart === '00:00:00' && a.timestop === '23:59:59')) s += ` --timestop ${a.timestop}`;
    if (a.monthdays) s += `${a.monthdays.invert ? ' !' : ''} --monthdays ${a.monthdays.days.join(',')}`;
    if (a.weekdays) s += `${a.weekdays.invert ? ' !' : ''} --weekdays ${a.weekdays.days.map((d) => WEEK[d - 1]).join(',')}`;
    if (a.datestart) s += ` --datestart ${a.datestart}`;
    s += ` --datestop ${a.datestop ?? '2038-01-19T03:14:07'}`;
    if (a.kerneltz) s += ' --kerneltz';
    if (a.contiguous) s += ' --contiguous';
    return s;
  },
  describe: (a) => `time ${a.timestart ?? '00:00:00'}-${a.timestop ?? '23:59:59'}${a.weekdays ? ' on ' + a.weekdays.days.map((d) => WEEK[d - 1]).join(',') : ''}`,
  reads: () => [],
  match: () => ({ unsupported: 'time of day is not part of the simulation' }),
};
