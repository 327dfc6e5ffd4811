/** The sub-command table. Add a command by adding a file and one line here. */
import { applyCommand } from './apply.js';
import { parseCommand } from './parse.js';
import { runCommand } from './run.js';
import { scenarioCommand } from './scenario.js';
import { traceCommand } from './trace.js';
import { verifyCommand } from './verify.js';
import { diffCommand } from './diff.js';
import { lintCommand } from './lint.js';
import { checkCommand } from './check.js';

export interface Command {
  name: string;
  usage: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}

export const commands: Command[] = [traceCommand, runCommand, scenarioCommand, parseCommand, verifyCommand, lintCommand, applyCommand, diffCommand, checkCommand];
