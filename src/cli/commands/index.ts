/** The sub-command table. Add a command by adding a file and one line here. */
export interface Command {
  name: string;
  usage: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}

export const commands: Command[] = [];
