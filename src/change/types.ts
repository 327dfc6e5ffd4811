/** A parsed change script: the commands operators type, each with the host it applies to. */
import type { SourceLoc } from '../model/source.js';
import type { Word } from './shellWords.js';
import type { IptablesCommand } from './iptablesCommand.js';
import type { RestoreCommand } from './iptablesRestore.js';
import type { SysctlCommand } from './sysctl.js';
import type { RouteCommand } from './ipRoute.js';
import type { AddrCommand } from './ipAddr.js';
import type { RuleCommand } from './ipRule.js';

interface CommandBase {
  /** Host named by the last `on HOST` line before the command (undefined: none yet). */
  host?: string;
  /** Where `on HOST` named it. */
  hostLoc?: SourceLoc;
  /** The command as typed (continuations joined). */
  text: string;
  loc: SourceLoc;
  words: Word[];
}

export type ChangeCommand = CommandBase &
  (
    | { kind: 'iptables'; cmd: IptablesCommand }
    | { kind: 'iptables-restore'; cmd: RestoreCommand }
    | { kind: 'sysctl'; cmd: SysctlCommand }
    | { kind: 'ip-route'; cmd: RouteCommand }
    | { kind: 'ip-addr'; cmd: AddrCommand }
    | { kind: 'ip-rule'; cmd: RuleCommand }
  );

export interface ChangeScript {
  file: string;
  commands: ChangeCommand[];
}

/** One command applied to the model. */
export interface AppliedChange {
  host: string;
  /** The command as typed. */
  command: string;
  loc: SourceLoc;
  /** One line: what changed (`filter INPUT: rule 3 appended`, `route 10.0.0.0/8 via 10.1.0.1 added`...). */
  description: string;
}
