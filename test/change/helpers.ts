import { join } from 'node:path';
import { expect } from 'vitest';
import { applyChanges, parseChangeScript } from '../../src/change/index.js';
import { InputError, type InputIssue } from '../../src/model/source.js';
import type { Host, World } from '../../src/model/host.js';
import { loadWorld } from '../../src/parse/world.js';

export const FIXTURES = join(import.meta.dirname, 'fixtures');
/** Two hosts: r (captured from a namespace: eth0 10.1.0.1/24, eth1 10.2.0.1/24, a BASE chain, MASQUERADE), s. */
export const twoHosts = (): World => loadWorld(join(FIXTURES, 'world'));
/** The single host r. */
export const oneHost = (): World => loadWorld(join(FIXTURES, 'world', 'r'));

export const SCRIPT = 'change.sh';

export function apply(script: string, world: World = oneHost()) {
  return applyChanges(world, parseChangeScript(script, join(FIXTURES, SCRIPT)));
}

export function host(w: World, name = 'r'): Host {
  return w.hosts.find((h) => h.name === name)!;
}

/** The single issue of a refused script (parse or apply). */
export function refusal(script: string, world?: World): InputIssue {
  try {
    apply(script, world);
  } catch (e) {
    if (e instanceof InputError) {
      expect(e.issues).toHaveLength(1);
      return e.issues[0];
    }
    throw e;
  }
  throw new Error(`expected a refusal of: ${script}`);
}

/** Where an issue points: "line:col". */
export const at = (i: InputIssue) => `${i.loc.line}:${i.loc.col}`;
