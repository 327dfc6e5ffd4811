import type { MatchExtension } from '../types.js';
import { parseStates, stateHit, type CtStateName } from '../ctstate.js';

export interface StateArgs {
  states: CtStateName[];
  invert: boolean;
}

export const state: MatchExtension<StateArgs> = {
  kind: 'match',
  name: 'state',
  families: [4, 6],
  options: [{ name: 'state', args: 1, invertible: true, required: true }],
  build(opts) {
    const o = opts[0];
    return { states: parseStates(o.values[0], false), invert: o.invert };
  },
  save: (a) => `${a.invert ? ' !' : ''} --state ${a.states.join(',')}`,
  describe: (a) => `connection state ${a.invert ? 'not ' : ''}${a.states.join(' or ')}`,
  reads: () => [],
  match: (a, { ct }) => stateHit(a.states, ct) !== a.invert,
};
