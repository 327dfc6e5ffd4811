import type { MatchExtension } from '../types.js';
import { fail, parseAddr, parseUInt } from '../helpers.js';

export interface RecentArgs {
  cmd: 'set' | 'rcheck' | 'update' | 'remove';
  invert: boolean;
  seconds?: number;
  reap: boolean;
  hitcount?: number;
  rttl: boolean;
  name: string;
  side: 'source' | 'dest';
  mask?: string;
}

const CMDS = ['set', 'rcheck', 'update', 'remove'];

export const recent: MatchExtension<RecentArgs> = {
  kind: 'match',
  name: 'recent',
  families: [4, 6],
  options: [
    ...CMDS.map((c) => ({ name: c, args: 0 as const, invertible: true, excludes: CMDS.filter((x) => x !== c) })),
    { name: 'seconds', args: 1 },
    { name: 'reap', args: 0 },
    { name: 'hitcount', args: 1 },
    { name: 'rttl', args: 0 },
    { name: 'name', args: 1 },
    { name: 'rsource', args: 0, excludes: ['rdest'] },
    { name: 'rdest', args: 0, excludes: ['rsource'] },
    { name: 'mask', args: 1 },
  ],
  build(opts, ctx) {
    const a: RecentArgs = { cmd: 'set', invert: false, reap: false, rttl: false, name: 'DEFAULT', side: 'source' };
    let cmd = false;
    for (const o of opts) {
      if (CMDS.includes(o.name)) {
        a.cmd = o.name as RecentArgs['cmd'];
        a.invert = o.invert;
        cmd = true;
      } else if (o.name === 'seconds') a.seconds = parseUInt(o.values[0], 0xffffffff, 'seconds');
      else if (o.name === 'reap') a.reap = true;
      else if (o.name === 'hitcount') a.hitcount = parseUInt(o.values[0], 0xffffffff, 'hitcount');
      else if (o.name === 'rttl') a.rttl = true;
      else if (o.name === 'name') a.name = o.values[0];
      else if (o.name === 'rsource') a.side = 'source';
      else if (o.name === 'rdest') a.side = 'dest';
      else if (o.name === 'mask') a.mask = parseAddr(o.values[0], ctx.family).text;
    }
    if (!cmd) fail('recent: you must specify one of `--set\', `--rcheck\' `--update\' or `--remove\'');
    if (a.rttl && (a.cmd === 'set' || a.cmd === 'remove')) fail(`recent: option "--rttl" cannot be used together with "--${a.cmd}".`);
    if (a.hitcount !== undefined && a.hitcount >= 256) ctx.warn?.(`recent --hitcount ${a.hitcount}: current kernels refuse hit counts >= 256 (XT_RECENT_MAX_NSTAMPS); older kernels accepted it and it never matched`);
    if (a.reap && !a.seconds) fail('recent: --reap is only valid with --seconds');
    if ((a.seconds || a.hitcount || a.reap) && (a.cmd === 'set' || a.cmd === 'remove')) fail('recent: --seconds/--hitcount/--reap only go with --rcheck or --update');
    return a;
  },
  save(a, ctx) {
    let s = a.invert ? ' !' : '';
    s += ` --${a.cmd}`;
    if (a.seconds) s += ` --seconds ${a.seconds}`;
    if (a.reap) s += ' --reap';
    if (a.hitcount) s += ` --hitcount ${a.hitcount}`;
    if (a.rttl) s += ' --rttl';
    s += ` --name ${a.name}`;
    s += ` --mask ${a.mask ?? (ctx.family === 4 ? '255.255.255.255' : 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')}`;
    s += a.side === 'source' ? ' --rsource' : ' --rdest';
    return s;
  },
  describe: (a) => `${a.invert ? 'not ' : ''}recent ${a.cmd} ${a.side} in list ${a.name}${a.seconds ? ` within ${a.seconds}s` : ''}${a.hitcount ? ` ${a.hitcount}+ hits` : ''}`,
  reads: () => ['src', 'dst'],
  match(a) {
    if (a.cmd === 'set') return !a.invert;
    if (a.cmd === 'remove') return { assumed: a.invert, why: `recent list ${a.name} assumed empty (address not listed)` };
    return { assumed: a.invert, why: `recent list ${a.name} assumed empty (no earlier hits)` };
  },
};
