import { spiMatch } from '../spi.js';
export const ah = spiMatch('ah', 'ahspi', 51, [4, 6], true);
