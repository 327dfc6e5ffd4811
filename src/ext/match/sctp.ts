import type { MatchExtension } from '../types.js';
import { describePort, portOpt, requireProto, savePort, type PortSel } from '../ports.js';

export interface SctpArgs {
  sport?: PortSel;
  dport?: PortSel;
  /** --chunk-types as written: [all|any|only, chunk list], decoded only. */
  chunks?: { invert: boolean; mode: string; list: string };
}

export const sctp: MatchExtension<SctpArgs> = {
  kind: 'match',
  name: 'sctp',
  families: [4, 6],
  options: [
    { name: 'sport', aliases: ['source-port'], args: 1, invertible: true },
    { name: 'dport', aliases: ['destination-port'], args: 1, invertible: true },
    { name: 'chunk-types', args: 2, invertible: true },
  ],
  build(opts, ctx) {
    requireProto(ctx, ['sctp'], 'SCTP match');
    const a: SctpArgs = {};
    for (const o of opts) {
      if (o.name === 'sport') a.sport = portOpt(o, 'sctp');
      else if (o.name === 'dport') a.dport = portOpt(o, 'sctp');
      else a.chunks = { invert: o.invert, mode: o.values[0], list: o.values[1].toUpperCase() };
    }
    return a;
  },
  save(a) {
    let s = savePort('sport', a.sport) + savePort('dport', a.dport);
    if (a.chunks) s += `${a.chunks.invert ? ' !' : ''} --chunk-types ${a.chunks.mode} ${a.chunks.list}`;
    return s;
  },
  describe: (a) => [describePort('SCTP source port', a.sport), describePort('SCTP destination port', a.dport), a.chunks ? `chunk types ${a.chunks.mode} ${a.chunks.list}` : ''].filter(Boolean).join(', ') || 'SCTP',
  reads: () => ['proto', 'sport', 'dport'],
  match: () => ({ unsupported: 'SCTP is not modelled by nfsim' }),
};
