import { ttlLike } from '../ttlmatch.js';
export type { TtlArgs } from '../ttlmatch.js';
export const ttl = ttlLike('ttl', [4]);
