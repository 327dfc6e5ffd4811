/**
 * Apply a change script to a world with immer: the input world is never mutated, and hosts, tables, chains
 * and route lists a command does not touch keep their identity. The first refused command stops the
 * script (like `set -e`) with the tool's own message, located in the script.
 */
import { Immer } from 'immer';
import type { Host, World } from '../model/host.js';
import { type InputIssue } from '../model/source.js';
import { applyIptables, type CommandContext } from './iptablesApply.js';
import { applyRestore } from './iptablesRestore.js';
import { applySysctl } from './sysctl.js';
import { applyRoute } from './ipRoute.js';
import { applyAddr } from './ipAddr.js';
import { applyRule } from './ipRule.js';
import { refuse } from './refuse.js';
import type { AppliedChange, ChangeCommand, ChangeScript } from './types.js';

// Same settings as the engine: no freezing (the engine and the loaders hand out plain objects).
const immer = new Immer({ autoFreeze: false });

function hostIndex(world: World, c: ChangeCommand): number {
  const names = world.hosts.map((h) => h.name);
  if (c.host === undefined) {
    if (world.hosts.length === 1) return 0;
    refuse(c.loc, c.text, `which host? the world has ${world.hosts.length} hosts`, `put an \`on HOST\` line before this command (hosts: ${names.join(', ')})`);
  }
  const i = names.indexOf(c.host);
  if (i < 0) refuse(c.hostLoc ?? c.loc, c.text, `no host '${c.host}' in the world`, `hosts: ${names.join(', ')}`);
  return i;
}

function applyOne(c: ChangeCommand, host: Host, file: string, warnings: InputIssue[], tables: Set<string>): string {
  const ctx: CommandContext = { host, file, text: c.text, loc: c.loc, warnings };
  switch (c.kind) {
    case 'iptables':
      return applyIptables(c.cmd, ctx);
    case 'iptables-restore':
      return applyRestore(c.cmd, ctx);
    case 'sysctl':
      return applySysctl(c.cmd, host, c.loc, file, c.text);
    case 'ip-route':
      return applyRoute(c.cmd, host, c.loc, c.text, tables);
    case 'ip-addr':
      return applyAddr(c.cmd, host, c.loc, c.text);
    case 'ip-rule':
      return applyRule(c.cmd, host, c.loc, c.text);
  }
}

export interface ApplyResult {
  world: World;
  applied: AppliedChange[];
  /** Warnings the rule decoder raised for added rules (as for a dump). */
  warnings: InputIssue[];
}

/** Apply every command in order. Throws InputError at the first command the real tool would refuse. */
export function applyChanges(world: World, script: ChangeScript): ApplyResult {
  const applied: AppliedChange[] = [];
  const warnings: InputIssue[] = [];
  // routing tables created by the script, per host (the model lists routes, not tables)
  const tables = new Map<number, Set<string>>();
  const next = immer.produce(world, (draft) => {
    for (const c of script.commands) {
      const i = hostIndex(world, c);
      const host = draft.hosts[i] as Host;
      if (!tables.has(i)) tables.set(i, new Set());
      const description = applyOne(c, host, script.file, warnings, tables.get(i)!);
      applied.push({ host: host.name, command: c.text, loc: c.loc, description });
    }
  });
  return { world: next, applied, warnings };
}
