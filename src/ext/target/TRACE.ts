import type { TargetExtension } from '../types.js';

export const TRACE: TargetExtension<Record<string, never>> = {
  kind: 'target',
  name: 'TRACE',
  families: [4, 6],
  tables: ['raw'],
  options: [],
  build: () => ({}),
  save: () => '',
  describe: () => 'trace the packet through all later rules',
  apply: () => ({ verdict: 'continue', effects: [{ kind: 'trace' }] }),
};
