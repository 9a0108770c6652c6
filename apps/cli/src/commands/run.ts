// `tensorgrad run <file> [args...]`: run a user script that imports "tensorgrad".
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { register } from "node:module";
import { extname, relative, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { CliError, oneLine, UsageError } from "../args.js";
import type { HookData } from "../hooks/resolve-tensorgrad.js";
import type { Command, Io } from "./types.js";

const JS_EXTENSIONS = [".js", ".mjs", ".cjs"];
const TS_EXTENSIONS = [".ts", ".mts", ".cts"];

const HELP = `Usage: tensorgrad run [--stack] <file> [args...]

Run a script that imports "tensorgrad", e.g.

  import { tensor } from "tensorgrad";
  const A = tensor([5.0], { requiresGrad: true });
  A.mul(5).backward();
  console.log(String(A.grad)); // tensor([5.])

The script may live anywhere: its import of "tensorgrad" (and "tensorgrad/...") resolves to the
library this CLI is installed with, so it needs no node_modules of its own. Scripts are ES
modules: .js .mjs .cjs as Node runs them; .ts .mts .cts are compiled on the fly by tsx (no type
checking). Arguments after <file> are passed to the script: process.argv.slice(2).

Options:
  --stack      if the script fails, print the full stack trace instead of one line
  -h, --help   show this help

Exit status: the script's (process.exitCode / process.exit) when it completes; 1 with a one-line
reason on stderr if the file is missing or the script throws; 2 for a bad command line.`;

export const runCommand: Command = {
  name: "run",
  summary: "run a JavaScript or TypeScript file that imports tensorgrad",
  help: HELP,
  async run(args: string[], io: Io): Promise<number | undefined> {
    // Options come before the file; everything after it belongs to the script.
    let stack = false;
    let i = 0;
    for (; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === "--") {
        i++;
        break;
      }
      if (arg === "-h" || arg === "--help") {
        io.stdout(HELP + "\n");
        return 0;
      }
      if (arg === "--stack") stack = true;
      else if (arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown option '${arg}' (see: tensorgrad run --help)`);
      else break;
    }
    const file = args[i];
    if (file === undefined) throw new UsageError("missing script file, e.g. tensorgrad run train.ts (see: tensorgrad run --help)");
    const scriptArgs = args.slice(i + 1);

    const path = resolvePath(file);
    let isFile = false;
    try {
      isFile = statSync(path).isFile();
    } catch {
      throw new CliError(`no such file: ${file}`);
    }
    if (!isFile) throw new CliError(`not a file: ${file}`);
    const ext = extname(path).toLowerCase();
    if (!JS_EXTENSIONS.includes(ext) && !TS_EXTENSIONS.includes(ext)) {
      throw new UsageError(
        `cannot run '${file}': expected a ${[...JS_EXTENSIONS, ...TS_EXTENSIONS].join(" ")} file`,
      );
    }

    if (TS_EXTENSIONS.includes(ext)) {
      const tsx = await import("tsx/esm/api");
      tsx.register();
    }
    // Registered last so that it runs first: "tensorgrad" never reaches other resolvers as a
    // bare name from the script's directory.
    register<HookData>(new URL("../hooks/resolve-tensorgrad.js", import.meta.url), {
      data: { parentURL: import.meta.url },
    });

    const fail = (err: unknown): never => {
      io.stderr(`error: ${describeFailure(err, path, stack)}\n`);
      process.exit(1);
    };
    // After the script's top level has finished, its async errors end the run the same way.
    process.on("uncaughtException", fail);

    process.argv = [process.argv[0]!, path, ...scriptArgs];
    try {
      await import(pathToFileURL(path).href);
    } catch (err) {
      fail(err);
    }
    return undefined;
  },
};

function describeFailure(err: unknown, path: string, stack: boolean): string {
  if (!(err instanceof Error)) return `${relative(process.cwd(), path) || path} threw ${String(err)}`;
  if (stack && err.stack) return err.stack;
  const head = oneLine(`${err.name}: ${err.message}`);
  const location = scriptFrame(err, path) ?? (err instanceof SyntaxError ? syntaxErrorLocation(path) : undefined);
  return location ? `${head} (at ${location})` : head;
}

/** URLs of the CLI's and the library's own files, which are never where the user's error is. */
function notUserCode(): string[] {
  const urls = [new URL("../../", import.meta.url).href];
  try {
    urls.push(new URL("../", import.meta.resolve("tensorgrad")).href);
  } catch {
    // library not resolvable: nothing more to exclude
  }
  return urls;
}

/** "file:line:col" of the innermost stack frame in the user's script (else in another user file). */
function scriptFrame(err: Error, path: string): string | undefined {
  const url = pathToFileURL(path).href;
  const lines = (err.stack ?? "").split("\n");
  const frames = lines.filter((l) => /^\s+at /.test(l));
  const frame =
    frames.find((f) => f.includes(url) || f.includes(path)) ??
    frames.find((f) => f.includes("file://") && !f.includes("/node_modules/") && !notUserCode().some((u) => f.includes(u))) ??
    // a SyntaxError's stack starts with the location instead: "file:///x.mjs:3"
    (lines[0]?.startsWith("file://") ? lines[0] : undefined);
  const match = frame?.match(/((?:file:\/\/|\/)[^\s()]*?):(\d+)(?::(\d+))?(?=[\s)]|$)/);
  if (!match) return undefined;
  const file = match[1]!.startsWith("file://") ? new URL(match[1]!).pathname : match[1]!;
  return `${relative(process.cwd(), file) || file}:${match[2]}${match[3] ? `:${match[3]}` : ""}`;
}

/**
 * Node keeps the location of a SyntaxError in an ES module out of err.stack; `node --check`
 * prints it ("file:///x.mjs:3"). Only for plain JavaScript (tsx reports its own locations).
 */
function syntaxErrorLocation(path: string): string | undefined {
  if (!JS_EXTENSIONS.includes(extname(path).toLowerCase())) return undefined;
  const check = spawnSync(process.execPath, ["--check", path], { encoding: "utf8", timeout: 10_000 });
  const match = check.stderr?.match(/^(file:\/\/\S+|\/\S+):(\d+)$/m);
  if (!match) return undefined;
  const file = match[1]!.startsWith("file://") ? new URL(match[1]!).pathname : match[1]!;
  return `${relative(process.cwd(), file) || file}:${match[2]}`;
}
