// `tensorgrad grad "<expr>" --at NAME=JSON ...`: evaluate, backward, print output and grads.
import { CliError, oneLine, parseCommandArgs, UsageError } from "../args.js";
import type { Dtype, EvaluateResult, TensorData } from "../expr/evaluate.js";
import type { Command, Io } from "./types.js";

const OPTIONS = {
  at: { type: "string", multiple: true },
  "grad-output": { type: "string" },
  dtype: { type: "string" },
  scale: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const HELP = `Usage: tensorgrad grad <expr> --at NAME=JSON [--at NAME=JSON ...] [options]

Evaluate <expr> over the named input tensors (all of them require grad), call backward() on
the result and print the output and the gradient of every input, as PyTorch prints them.

Options:
  --at NAME=JSON            an input tensor; JSON is a number or a nested array of numbers:
                            --at 'A=[5.0]' --at 'B=[[1,2],[3,4]]'. Repeat for each input.
  --grad-output JSON        the gradient to start backward from, shaped like the output; needed
                            when the output has more than one element (out.backward(gradient))
  --dtype DTYPE             dtype of the inputs and constants: float32 (default), float64,
                            float16 or bfloat16 (16-bit storage, float32 arithmetic rounded)
  --scale S                 loss scaling as amp.GradScaler does it: backward from output × S,
                            then print the scaled gradients and the unscaled ones
                            (× float32(1/S), shown in float32); with --dtype float16 this shows
                            gradients that underflow unscaled surviving when scaled
  --json                    print one JSON object instead of text:
                              {"output":{"value":[25],"shape":[1]},"grads":{"A":[5]},"gradShapes":{"A":[1]}}
                            grads/gradShapes are null for an input the output does not use;
                            NaN and +-Infinity are written as the strings "NaN", "Infinity", "-Infinity"
  -h, --help                show this help

Expressions (Python's syntax and precedence):
  A + B   A - B   A * B   A / B   element-wise, with broadcasting
  A @ B                   matrix product (torch.matmul)
  A ** B                  power; right-associative (2**A**2 is 2**(A**2)) and tighter than a
                          unary minus on its left (-A**2 is -(A**2))
  -A  +A                  unary minus / plus
  ( ... )                 grouping
  2  0.5  1e-3            numbers; number-only parts are computed as plain scalars
  [[1, 0], [0, 1]]        a constant tensor (does not require grad)
  exp(A)  log(A)  neg(A)  element-wise functions
  sum(A)  sum(A, dim)  sum(A, dim, keepdim)      also mean(...) likewise
  t(A)                    transpose of a 2-D tensor
  transpose(A, 0, 1)  reshape(A, 2, -1)  unsqueeze(A, 0)  squeeze(A)  squeeze(A, dim)
  add/sub/mul/div/pow/matmul(A, B)               the operators as functions
  A.sum()  A.mean(0)  (A @ B).exp()  A.T         method forms of all the functions above
  Further element-wise functions (sqrt, tanh, sigmoid, relu, ...) are available when the
  tensorgrad library provides them; an unknown function's error lists what is available.
  An expression starting with "-" may be written as is, or after "--".

Examples:
  $ tensorgrad grad "A*5" --at A=[5.0]
  output: tensor([25.], grad_fn=<MulBackward0>)
  A.grad: tensor([5.])

  $ tensorgrad grad "(A @ B).sum()" --at 'A=[[1,2],[3,4]]' --at 'B=[[5,6],[7,8]]'
  $ tensorgrad grad "A * B" --at A=[1,2] --at B=[3,4] --grad-output [1,1] --json
  $ tensorgrad grad "A*5" --at A=[5.0] --scale 1024            # scaled 5120, unscaled 5
  $ tensorgrad grad "A*1e-8" --at A=[1.0] --dtype float16 --scale 1024

Exit status: 0 on success, 1 if the expression cannot be evaluated (syntax, unknown name,
shape mismatch, ...), 2 for a bad command line (unknown option, malformed --at JSON).
Errors are printed on stderr as one line: error: <reason>.`;

export const gradCommand: Command = {
  name: "grad",
  summary: "evaluate an expression over tensors and print the gradients of its inputs",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, "grad");
    if (values.help) {
      io.stdout(HELP + "\n");
      return 0;
    }
    if (positionals.length === 0) {
      throw new UsageError('missing expression, e.g. tensorgrad grad "A*5" --at A=[5.0] (see: tensorgrad grad --help)');
    }
    if (positionals.length > 1) {
      throw new UsageError(
        `expected one expression, got ${positionals.length} arguments: ${positionals.map((p) => JSON.stringify(p)).join(" ")} (quote the expression)`,
      );
    }
    const expr = positionals[0]!;
    const inputs = parseInputs(values.at ?? []);
    const dtype = parseDtype(values.dtype);
    const scale = values.scale === undefined ? undefined : Number(values.scale);
    if (scale !== undefined && !(scale > 0 && Number.isFinite(scale))) {
      throw new UsageError(`--scale must be a positive number, got '${values.scale}'`);
    }
    const gradOutput =
      values["grad-output"] === undefined ? undefined : parseJson(values["grad-output"], "--grad-output");

    // Loaded here, not at startup, so that --help and --version never need the wasm module.
    const { evaluate, ExpressionError, InputError, NonScalarOutputError } = await import("../expr/evaluate.js");
    let result: EvaluateResult;
    try {
      result = evaluate(expr, inputs, { dtype, gradOutput, scale });
    } catch (err) {
      if (err instanceof InputError) throw new UsageError(err.message);
      if (err instanceof NonScalarOutputError) {
        throw new CliError(
          `${err.message}: the output has shape [${err.shape.join(", ")}]; pass --grad-output with a ` +
            `JSON array of that shape${onesExample(err.shape)}, or reduce the output, e.g. sum(${expr})`,
        );
      }
      if (err instanceof ExpressionError) throw new CliError(err.message);
      // the library's own errors (shape mismatches, ...) carry PyTorch's wording
      throw new CliError(oneLine(err instanceof Error ? err.message : String(err)));
    }
    const { formatJson, formatText } = await import("../format.js");
    io.stdout(values.json ? formatJson(result) : formatText(result));
    return 0;
  },
};

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(["true", "false", "this"]);

/** `--at NAME=JSON` values, in order. */
export function parseInputs(specs: readonly string[]): Record<string, TensorData> {
  const inputs: Record<string, TensorData> = {};
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    if (eq < 0) throw new UsageError(`--at expects NAME=JSON, e.g. --at A=[5.0], got '${spec}'`);
    const name = spec.slice(0, eq).trim();
    if (!NAME.test(name) || RESERVED.has(name)) {
      throw new UsageError(`--at ${spec}: '${name}' is not a valid tensor name (letters, digits and _, not starting with a digit)`);
    }
    if (Object.hasOwn(inputs, name)) throw new UsageError(`--at ${name} is given more than once`);
    inputs[name] = parseJson(spec.slice(eq + 1), `--at ${name}`);
  }
  return inputs;
}

function parseJson(text: string, what: string): TensorData {
  if (text.trim() === "") throw new UsageError(`${what}: missing value (expected JSON such as [1.0, 2.0])`);
  try {
    return JSON.parse(text) as TensorData;
  } catch (err) {
    // Also take numbers as PyTorch prints them, "[1., 2.]" or ".5", which JSON does not allow.
    const lenient = text.replace(/(\d)\.(?!\d)/g, "$1.0").replace(/(^|[^\d.])\.(\d)/g, (_, pre: string, d: string) => `${pre}0.${d}`);
    if (lenient !== text) {
      try {
        return JSON.parse(lenient) as TensorData;
      } catch {
        // report the error of the text as given
      }
    }
    throw new UsageError(`${what}: invalid JSON '${text}': ${oneLine((err as Error).message)}`);
  }
}

function parseDtype(value: string | undefined): Dtype | undefined {
  if (value === undefined) return undefined;
  if (value === "float32" || value === "float64" || value === "float16" || value === "bfloat16") return value;
  throw new UsageError(`--dtype must be float32, float64, float16 or bfloat16, got '${value}'`);
}

function onesExample(shape: readonly number[]): string {
  if (shape.reduce((a, b) => a * b, 1) > 12) return "";
  const ones = (dims: readonly number[]): unknown => (dims.length === 0 ? 1 : Array.from({ length: dims[0]! }, () => ones(dims.slice(1))));
  return ` (e.g. --grad-output '${JSON.stringify(ones(shape))}')`;
}

export { OPTIONS as gradOptions };
