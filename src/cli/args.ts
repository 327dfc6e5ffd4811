/** Minimal argument parsing shared by the sub-commands. */
export class CliUsageError extends Error {}

export interface ParsedArgs {
  positional: string[];
  flags: Record<string, string | true>;
}

/** `spec` lists flags that take a value; any other `--flag` is boolean. */
export function parseArgs(argv: string[], valued: readonly string[], booleans: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { positional: [], flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (valued.includes(name)) {
        const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new CliUsageError(`option --${name} needs a value`);
        out.flags[name] = v;
      } else if (booleans.includes(name)) {
        out.flags[name] = true;
      } else {
        throw new CliUsageError(`unknown option --${name}`);
      }
    } else {
      out.positional.push(a);
    }
  }
  return out;
}
