import type { MatchExtension } from '../types.js';
import { fail, saveString } from '../helpers.js';

export interface CommentArgs {
  comment: string;
}

export const comment: MatchExtension<CommentArgs> = {
  kind: 'match',
  name: 'comment',
  families: [4, 6],
  options: [{ name: 'comment', args: 1, required: true }],
  build(opts) {
    const c = opts[0].values[0];
    if (Buffer.byteLength(c) > 255) fail('comment too long', 'at most 255 bytes (XT_MAX_COMMENT_LEN 256)', opts[0]);
    return { comment: c };
  },
  save: (a) => ' --comment' + saveString(a.comment),
  describe: (a) => `comment "${a.comment}"`,
  reads: () => [],
  match: () => true,
};
