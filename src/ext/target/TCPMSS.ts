import type { TargetExtension } from '../types.js';
import { fail, parseUInt } from '../helpers.js';

export interface TcpmssArgs {
  /** undefined = --clamp-mss-to-pmtu */
  mss?: number;
}

export const TCPMSS: TargetExtension<TcpmssArgs> = {
  kind: 'target',
  name: 'TCPMSS',
  families: [4, 6],
  options: [
    { name: 'set-mss', args: 1, excludes: ['clamp-mss-to-pmtu'] },
    { name: 'clamp-mss-to-pmtu', args: 0, excludes: ['set-mss'] },
  ],
  build(opts, ctx) {
    if (!opts.length) fail('TCPMSS target: At least one parameter is required');
    if (!ctx.protocol || ctx.protocol.invert || ctx.protocol.value !== 'tcp') fail('TCPMSS: only valid for TCP (-p tcp)', 'the kernel refuses TCPMSS without -p tcp --tcp-flags SYN,RST SYN');
    const o = opts[0];
    return o.name === 'set-mss' ? { mss: parseUInt(o.values[0], ctx.family === 4 ? 65495 : 65475, 'MSS') } : {};
  },
  save: (a) => (a.mss === undefined ? ' --clamp-mss-to-pmtu' : ` --set-mss ${a.mss}`),
  describe: (a) => (a.mss === undefined ? 'clamp TCP MSS to the path MTU' : `set TCP MSS to ${a.mss}`),
  apply: () => ({ verdict: 'continue', effects: [{ kind: 'noop', why: 'TCP MSS option rewritten (not modelled)' }] }),
};
