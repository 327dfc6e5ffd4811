import { ttlTarget } from '../ttltarget.js';
export const TTL = ttlTarget('TTL', [4]);
