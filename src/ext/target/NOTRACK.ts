import type { TargetExtension } from '../types.js';

/** NOTRACK: old name of `CT --notrack`; iptables >= 1.4.x (libxt_NOTRACK as CT alias) still prints `-j NOTRACK`? see test. */
export const NOTRACK: TargetExtension<Record<string, never>> = {
  kind: 'target',
  name: 'NOTRACK',
  families: [4, 6],
  tables: ['raw'],
  options: [],
  build: () => ({}),
  save: () => '',
  describe: () => 'do not track this connection',
  apply: () => ({ verdict: 'continue', effects: [{ kind: 'notrack' }] }),
};
