import { ttlTarget } from '../ttltarget.js';
export const HL = ttlTarget('HL', [6]);
