import { spiMatch } from '../spi.js';
export const esp = spiMatch('esp', 'espspi', 50, [4, 6], false);
