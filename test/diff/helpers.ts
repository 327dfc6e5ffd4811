/** Shared helpers of the diff tests: scenario worlds with their fix applied, packet specs as header-space points. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyChanges, parseChangeScript } from '../../src/change/index.js';
import { parsePacketSpec } from '../../src/engine/packetSpec.js';
import type { PacketSpec } from '../../src/engine/types.js';
import type { World } from '../../src/model/host.js';
import { loadWorld } from '../../src/parse/world.js';
import { DIMS, type Box } from '../../src/space/box.js';
import { irrelevantDims, specValues, type IngressPoint } from '../../src/space/classes.js';
import * as I from '../../src/space/intervals.js';

export const SCENARIOS = join(import.meta.dirname, '..', '..', 'scenarios');

export interface ScenarioWorlds {
  dir: string;
  world: World;
  /** world with scenarios/NN/fix.change applied */
  fixed: World;
}

export function scenarioWithFix(name: string): ScenarioWorlds {
  const dir = join(SCENARIOS, name);
  const world = loadWorld(join(dir, 'world'));
  const file = join(dir, 'fix.change');
  const fixed = applyChanges(world, parseChangeScript(readFileSync(file, 'utf8'), file)).world;
  return { dir, world, fixed };
}

export function ingressLabel(spec: PacketSpec): string {
  return spec.origin.kind === 'arrive' ? `arrive ${spec.origin.host}:${spec.origin.iface}` : `local ${spec.origin.host}`;
}

/** The header-space point of a packet spec (its value on every dimension), or undefined when its ingress is not among `points`. */
export function pointOf(spec: PacketSpec | string, points: readonly IngressPoint[]): number[] | undefined {
  const s = typeof spec === 'string' ? parsePacketSpec(spec, '(test)') : spec;
  const k = points.findIndex((p) => p.label === ingressLabel(s));
  return k < 0 ? undefined : specValues(s, k);
}

/** Is the point inside the box? Dimensions that do not exist for the packet's protocol are not compared. */
export function boxHas(box: Box, v: readonly number[]): boolean {
  const irrelevant = irrelevantDims(v[1]);
  return DIMS.every((_, d) => (irrelevant >> d) & 1 || I.contains(box[d], v[d]));
}

export const ip = (a: string): number => a.split('.').reduce((n, x) => n * 256 + Number(x), 0);
export const net = (cidr: string): I.IntervalSet => {
  const [a, l] = cidr.split('/');
  return I.prefix(ip(a), l === undefined ? 32 : Number(l));
};
export const nets = (...cidrs: string[]): I.IntervalSet => cidrs.map(net).reduce((x, y) => I.union(x, y), I.EMPTY);
