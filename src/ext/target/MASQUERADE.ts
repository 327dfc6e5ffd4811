import type { TargetExtension } from '../types.js';
import { parsePorts } from '../nat.js';

export interface MasqArgs {
  ports?: { min: number; max: number };
  random: boolean;
  randomFully: boolean;
}

export const MASQUERADE: TargetExtension<MasqArgs> = {
  kind: 'target',
  name: 'MASQUERADE',
  families: [4, 6],
  tables: ['nat'],
  hooks: ['POSTROUTING'],
  options: [
    { name: 'to-ports', args: 1 },
    { name: 'random', args: 0 },
    { name: 'random-fully', args: 0 },
  ],
  build(opts, ctx) {
    const a: MasqArgs = { random: false, randomFully: false };
    for (const o of opts) {
      if (o.name === 'to-ports') { const p = parsePorts(o.values[0], ctx.protocol, 'MASQUERADE', true); a.ports = { min: p.min, max: p.max }; }
      else if (o.name === 'random') a.random = true;
      else a.randomFully = true;
    }
    return a;
  },
  save: (a) => (a.ports ? ` --to-ports ${a.ports.min}${a.ports.max !== a.ports.min ? `-${a.ports.max}` : ''}` : '') + (a.random ? ' --random' : '') + (a.randomFully ? ' --random-fully' : ''),
  describe: (a) => `masquerade (source NAT to the outgoing interface's address)${a.ports ? ` ports ${a.ports.min}-${a.ports.max}` : ''}`,
  apply: (a) => ({ verdict: 'accept', effects: [{ kind: 'nat', nat: { type: 'masquerade', ports: a.ports, random: a.random, randomFully: a.randomFully } }] }),
};
