/** Where a command writes; the real process streams in the CLI, buffers in tests. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface Command {
  /** The word after `tensorgrad`. */
  name: string;
  /** One line for `tensorgrad --help`. */
  summary: string;
  /** Full text for `tensorgrad <name> --help`. */
  help: string;
  /**
   * Run with the arguments after the command name. Resolves to the exit status, or undefined to
   * leave process.exitCode alone (a script run by `tensorgrad run` may set it). Throws CliError
   * (or UsageError) for a failure that is reported as `error: <message>`.
   */
  run(args: string[], io: Io): Promise<number | undefined>;
}
