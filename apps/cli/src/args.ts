// Command-line plumbing shared by the subcommands: errors with exit codes, and node:util's
// parseArgs made friendly to expressions that start with a minus sign.
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Exit status for a bad command line (unknown option, missing or malformed argument). */
export const EXIT_USAGE = 2;
/** Exit status for everything else that fails (bad expression, library error, script error). */
export const EXIT_FAILURE = 1;

/** A failure that the CLI reports as `error: <message>` and exits with `exitCode`. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  override name = "UsageError";
  constructor(message: string) {
    super(message, EXIT_USAGE);
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * parseArgs with two conveniences for math on the command line:
 *  - an argument that starts with "-" but is not a known option (e.g. "-A**2", "-1") is a
 *    positional, not an unknown short option;
 *  - a string option's value may start with "-" (`--grad-output -1`), which parseArgs would
 *    otherwise reject as ambiguous.
 * Errors become UsageError naming `command`.
 */
export function parseCommandArgs<T extends Options>(args: readonly string[], options: T, command: string) {
  const shorts = new Map<string, string>();
  for (const [name, spec] of Object.entries(options)) if (spec.short) shorts.set(spec.short, name);

  const flags: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline = false;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = arg.slice(2, eq < 0 ? undefined : eq);
      inline = eq >= 0;
    } else if (arg.length === 2 && arg[0] === "-" && shorts.has(arg[1]!)) {
      name = shorts.get(arg[1]!);
    } else {
      positionals.push(arg);
      continue;
    }
    const spec = name === undefined ? undefined : options[name];
    if (spec?.type === "string" && !inline && i + 1 < args.length) {
      flags.push(`--${name}=${args[++i]}`);
    } else {
      flags.push(arg);
    }
  }

  try {
    return parseArgs({ args: [...flags, "--", ...positionals], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message} (see: tensorgrad ${command} --help)`);
  }
}

/** Collapse a (possibly multi-line) message onto one line. */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ").trim();
}
