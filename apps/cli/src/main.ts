// The `tensorgrad` command: dispatch to a subcommand, report failures as one line.
import { CliError, EXIT_FAILURE, EXIT_USAGE, oneLine, UsageError } from "./args.js";
import { commands, findCommand, type Io } from "./commands/index.js";
import { cliVersion, libraryVersion } from "./version.js";

function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4) + 3;
  const list = [...commands.map((c) => [c.name, c.summary]), ["help", "show the help of a command: tensorgrad help grad"]]
    .map(([name, summary]) => `  ${name!.padEnd(width)}${summary}`)
    .join("\n");
  return `tensorgrad: PyTorch-style autograd (Rust core, WebAssembly) from the command line

Usage:
  tensorgrad <command> [options]
  tensorgrad <command> --help

Commands:
${list}

Options:
  -h, --help       show this help
  -v, --version    print the versions of the CLI and of the tensorgrad library

Examples:
  tensorgrad run examples/seed.mjs
  tensorgrad grad "A*5" --at A=[5.0]
  tensorgrad grad "(A @ B).sum()" --at 'A=[[1,2],[3,4]]' --at 'B=[[5,6],[7,8]]' --json
`;
}

export const processIo: Io = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/**
 * Run the CLI with `argv` (the arguments after `tensorgrad`). Resolves to the exit status, or to
 * undefined when a script run by `tensorgrad run` owns it. Never throws for a user error.
 */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number | undefined> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined) {
      io.stderr(topLevelHelp());
      return EXIT_USAGE;
    }
    if (first === "-h" || first === "--help") {
      io.stdout(topLevelHelp());
      return 0;
    }
    if (first === "-v" || first === "-V" || first === "--version") {
      const lib = libraryVersion();
      io.stdout(`tensorgrad-cli ${cliVersion()}${lib ? ` (tensorgrad ${lib})` : ""}\n`);
      return 0;
    }
    if (first === "help") {
      if (rest.length === 0) {
        io.stdout(topLevelHelp());
        return 0;
      }
      const command = findCommand(rest[0]!);
      if (!command) throw unknownCommand(rest[0]!);
      io.stdout(command.help + "\n");
      return 0;
    }
    if (first.startsWith("-")) throw new UsageError(`unknown option '${first}' (see: tensorgrad --help)`);
    const command = findCommand(first);
    if (!command) throw unknownCommand(first);
    return await command.run([...rest], io);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`error: ${oneLine(err.message)}\n`);
      return err.exitCode;
    }
    const message = err instanceof Error ? `${err.message}` : String(err);
    io.stderr(`error: ${oneLine(message)}\n`);
    return EXIT_FAILURE;
  }
}

function unknownCommand(name: string): UsageError {
  return new UsageError(
    `unknown command '${name}' (commands: ${commands.map((c) => c.name).join(", ")}; see: tensorgrad --help)`,
  );
}

/** Entry point used by bin/tensorgrad.js. */
export async function cli(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const code = await main(argv);
  if (code === undefined) return;
  if (code !== 0) {
    // Stop now, as Node does on an uncaught error, even if a failed script left timers behind.
    // (stdout/stderr writes to files, pipes and terminals are synchronous, nothing is lost.)
    process.exit(code);
  }
  process.exitCode = code;
}
