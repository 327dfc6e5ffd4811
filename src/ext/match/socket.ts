import type { MatchExtension } from '../types.js';

export interface SocketArgs {
  transparent: boolean;
  nowildcard: boolean;
  restoreSkmark: boolean;
}

export const socket: MatchExtension<SocketArgs> = {
  kind: 'match',
  name: 'socket',
  families: [4, 6],
  options: [
    { name: 'transparent', args: 0 },
    { name: 'nowildcard', args: 0 },
    { name: 'restore-skmark', args: 0 },
  ],
  build: (opts) => ({
    transparent: opts.some((o) => o.name === 'transparent'),
    nowildcard: opts.some((o) => o.name === 'nowildcard'),
    restoreSkmark: opts.some((o) => o.name === 'restore-skmark'),
  }),
  save: (a) => (a.transparent ? ' --transparent' : '') + (a.nowildcard ? ' --nowildcard' : '') + (a.restoreSkmark ? ' --restore-skmark' : ''),
  describe: (a) => `a local socket exists for the packet${a.transparent ? ' (transparent)' : ''}`,
  match: () => ({ unsupported: 'socket lookup is not modelled by the match layer' }),
};
