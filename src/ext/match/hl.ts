import { ttlLike } from '../ttlmatch.js';
export const hl = ttlLike('hl', [6]);
