import type { MatchExtension } from '../types.js';

export interface RpfilterArgs {
  loose: boolean;
  validmark: boolean;
  acceptLocal: boolean;
  invert: boolean;
}

export const rpfilter: MatchExtension<RpfilterArgs> = {
  kind: 'match',
  name: 'rpfilter',
  families: [4, 6],
  options: [
    { name: 'loose', args: 0 },
    { name: 'validmark', args: 0 },
    { name: 'accept-local', args: 0 },
    { name: 'invert', args: 0 },
  ],
  build(opts, ctx) {
    const has = (n: string) => opts.some((o) => o.name === n);
    void ctx;
    return { loose: has('loose'), validmark: has('validmark'), acceptLocal: has('accept-local'), invert: has('invert') };
  },
  save: (a) => (a.loose ? ' --loose' : '') + (a.validmark ? ' --validmark' : '') + (a.acceptLocal ? ' --accept-local' : '') + (a.invert ? ' --invert' : ''),
  describe: (a) => `reverse path ${a.invert ? 'fails' : 'passes'} (${a.loose ? 'loose' : 'strict'})`,
  reads: () => ['ingress', 'src', 'dst', 'tos'],
  match: () => ({ unsupported: 'rpfilter needs a reverse FIB lookup that the match layer cannot ask yet' }),
};
