import type { TargetExtension } from '../types.js';
import { fail, parseNet } from '../helpers.js';
import type { IpNet } from '../../model/addr.js';

export interface NetmapArgs {
  to: IpNet;
}

export const NETMAP: TargetExtension<NetmapArgs> = {
  kind: 'target',
  name: 'NETMAP',
  families: [4, 6],
  tables: ['nat'],
  options: [{ name: 'to', args: 1, required: true }],
  build(opts, ctx) {
    const n = parseNet(opts[0].values[0], ctx.family);
    if (n.len === -1) fail('NETMAP: non-contiguous netmask', undefined, opts[0]);
    return { to: n };
  },
  save: (a) => ` --to ${a.to.addr}/${a.to.len}`,
  describe: (a) => `map the network 1:1 onto ${a.to.addr}/${a.to.len}`,
  apply: (a) => ({ verdict: 'accept', effects: [{ kind: 'nat', nat: { type: 'netmap', to: { addr: a.to.v4 ?? 0, len: a.to.len } } }] }),
};
