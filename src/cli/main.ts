#!/usr/bin/env node
/** nfsim command line. Each sub-command lives in its own file under src/cli/commands/. */
import { InputError, formatIssue } from '../model/source.js';
import { commands } from './commands/index.js';
import { CliUsageError } from './args.js';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`nfsim: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return cmd.run(rest);
}

function usage(): string {
  const lines = commands.map((c) => `  ${c.usage.padEnd(44)} ${c.summary}`);
  return `nfsim — offline simulator of the Linux packet path\n\nUsage:\n${lines.join('\n')}\n`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof InputError) {
      process.stderr.write(err.issues.map(formatIssue).join('\n') + '\n');
      process.exitCode = 2;
    } else if (err instanceof CliUsageError) {
      process.stderr.write(`nfsim: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      // An internal error is a bug in nfsim: say so plainly.
      const msg = err instanceof Error ? err.message : String(err);
      process.stderr.write(`nfsim: internal error: ${msg}\n(this is a bug in nfsim; please report it with the input that caused it)\n`);
      if (process.env.NFSIM_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
      process.exitCode = 70;
    }
  },
);
