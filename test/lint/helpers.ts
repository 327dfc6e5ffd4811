/** Small worlds for the lint tests (built like the engine tests' worlds) and finding filters. */
import type { Finding } from '../../src/lint/index.js';
import { lintWorld } from '../../src/lint/index.js';
import type { World } from '../../src/model/host.js';
import { host, world, type HostDesc } from '../engine/build.js';

export { host, world };

/** A one-host world. */
export function oneHost(d: HostDesc, name = 'h'): World {
  return world([host(name, d)]);
}

export function findings(w: World, check: string): Finding[] {
  return lintWorld(w, { checks: [check] });
}

/** iptables-save text from table bodies (each a list of lines after the `*table` line, COMMIT added). */
export function save(tables: Record<string, string[]>): string {
  return Object.entries(tables)
    .map(([t, lines]) => `*${t}\n${lines.join('\n')}\nCOMMIT\n`)
    .join('');
}
