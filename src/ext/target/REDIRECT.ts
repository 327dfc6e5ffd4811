import type { TargetExtension } from '../types.js';
import { parsePorts } from '../nat.js';

export interface RedirectArgs {
  ports?: { min: number; max: number };
  random: boolean;
}

export const REDIRECT: TargetExtension<RedirectArgs> = {
  kind: 'target',
  name: 'REDIRECT',
  families: [4, 6],
  tables: ['nat'],
  hooks: ['PREROUTING', 'OUTPUT'],
  options: [
    { name: 'to-ports', args: 1 },
    { name: 'random', args: 0 },
  ],
  build(opts, ctx) {
    const a: RedirectArgs = { random: false };
    for (const o of opts) {
      if (o.name === 'to-ports') { const p = parsePorts(o.values[0], ctx.protocol, 'REDIRECT', true); a.ports = { min: p.min, max: p.max }; }
      else a.random = true;
    }
    return a;
  },
  save: (a) => (a.ports ? ` --to-ports ${a.ports.min}${a.ports.max !== a.ports.min ? `-${a.ports.max}` : ''}` : '') + (a.random ? ' --random' : ''),
  describe: (a) => `redirect to this host${a.ports ? ` port ${a.ports.min}${a.ports.max !== a.ports.min ? `-${a.ports.max}` : ''}` : ''}`,
  apply: (a) => ({ verdict: 'accept', effects: [{ kind: 'nat', nat: { type: 'redirect', ports: a.ports, random: a.random } }] }),
};
