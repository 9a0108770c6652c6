// evaluate(expr, inputs) -> { output, grads }: build the expression over fresh leaf tensors that
// require grad, run backward, and hand back the output and each input's .grad. No printing here.
import { div, pow, tensor, Tensor } from "tensorgrad";
import { ExpressionError, parse, type Node } from "./parse.js";

export { ExpressionError };

export type Dtype = "float32" | "float64" | "float16" | "bfloat16";
export const DTYPES: readonly Dtype[] = ["float32", "float64", "float16", "bfloat16"];

/** A number or a (rectangular) nested array of numbers, as accepted by `tensor()`. */
export type TensorData = number | TensorData[];

export interface EvaluateOptions {
  /** dtype of the inputs, of number constants and of the grad output; the library's default if unset. */
  dtype?: Dtype;
  /** Gradient of the output (same shape), required when the output has more than one element. */
  gradOutput?: TensorData;
  /**
   * Loss scale, as amp.GradScaler applies it: backward runs from output × scale; the result
   * then holds the scaled gradients and the unscaled ones (× float32(1/scale), in float32).
   */
  scale?: number;
}

export interface EvaluateResult {
  output: Tensor;
  /** One entry per input, in input order; null when the output does not depend on the input. With a scale, the unscaled gradients. */
  grads: Record<string, Tensor | null>;
  /** With a scale: the scale and the gradients before unscaling, and whether any was inf/nan. */
  scaled?: { scale: number; grads: Record<string, Tensor | null>; foundInf: boolean };
}

/** A problem with the data passed in (not with the expression itself). */
export class InputError extends Error {
  override name = "InputError";
}

/** backward() without a gradient on an output with more than one element. */
export class NonScalarOutputError extends Error {
  override name = "NonScalarOutputError";
  constructor(readonly shape: readonly number[]) {
    // PyTorch's wording
    super("grad can be implicitly created only for scalar outputs");
  }
}

/** What the expression language can hold: tensors, plain numbers (Python-style scalars), flags. */
type Value = Tensor | number | boolean;

interface Context {
  inputs: ReadonlyMap<string, Tensor>;
  dtype: Dtype | undefined;
}

interface FunctionSpec {
  /** Signature shown in help and errors, e.g. "sum(x, dim?, keepdim?)". */
  signature: string;
  minArgs: number;
  maxArgs: number;
  call(ctx: Context, args: Value[]): Value;
}

// ---------------------------------------------------------------------------------------------
// Functions. `f(x, ...)` and the method form `x.f(...)` both resolve here.

const unary = (method: string): FunctionSpec => ({
  signature: `${method}(x)`,
  minArgs: 1,
  maxArgs: 1,
  call: (ctx, [x]) => callMethod(asTensor(ctx, x!, method), method, []),
});

const reduction = (method: "sum" | "mean"): FunctionSpec => ({
  signature: `${method}(x, dim?, keepdim?)`,
  minArgs: 1,
  maxArgs: 3,
  call: (ctx, [x, dim, keepdim]) => {
    const t = asTensor(ctx, x!, method);
    if (dim === undefined) return callMethod(t, method, []);
    const d = asInteger(dim, `${method}(): dim`);
    if (keepdim === undefined) return callMethod(t, method, [d]);
    return callMethod(t, method, [d, asBoolean(keepdim, `${method}(): keepdim`)]);
  },
});

/** A tensor method taking integer arguments, e.g. transpose(x, 0, 1), reshape(x, 2, -1). */
const withInts = (method: string, signature: string, minInts: number, maxInts: number): FunctionSpec => ({
  signature: `${method}(${signature})`,
  minArgs: 1 + minInts,
  maxArgs: 1 + maxInts,
  call: (ctx, [x, ...rest]) =>
    callMethod(asTensor(ctx, x!, method), method, rest.map((v, i) => asInteger(v, `${method}(): argument ${i + 2}`))),
});

const binaryFn = (name: string, op: string): FunctionSpec => ({
  signature: `${name}(x, y)`,
  minArgs: 2,
  maxArgs: 2,
  call: (ctx, [x, y]) => binary(ctx, op, x!, y!),
});

/** Functions every build of the library has (the documented core API). */
const CORE_FUNCTIONS: Record<string, FunctionSpec> = {
  exp: unary("exp"),
  log: unary("log"),
  neg: unary("neg"),
  sum: reduction("sum"),
  mean: reduction("mean"),
  t: unary("t"),
  transpose: withInts("transpose", "x, dim0, dim1", 2, 2),
  reshape: withInts("reshape", "x, *shape", 1, 8),
  unsqueeze: withInts("unsqueeze", "x, dim", 1, 1),
  squeeze: withInts("squeeze", "x, dim?", 0, 1),
  add: binaryFn("add", "+"),
  sub: binaryFn("sub", "-"),
  mul: binaryFn("mul", "*"),
  div: binaryFn("div", "/"),
  pow: binaryFn("pow", "**"),
  matmul: binaryFn("matmul", "@"),
};

/** Element-wise functions offered when the linked library has the Tensor method. */
const OPTIONAL_UNARY = [
  "sqrt", "rsqrt", "abs", "sin", "cos", "tan", "tanh", "sigmoid", "relu",
  "reciprocal", "square", "log2", "log10", "log1p", "exp2", "expm1",
] as const;

const tensorMethods = Tensor.prototype as unknown as Record<string, unknown>;

export const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = Object.freeze({
  ...CORE_FUNCTIONS,
  ...Object.fromEntries(
    OPTIONAL_UNARY.filter((m) => typeof tensorMethods[m] === "function").map((m) => [m, unary(m)]),
  ),
});

/** Attributes usable as `x.NAME` without parentheses. */
const ATTRIBUTES: Record<string, string> = { T: "t" };

// ---------------------------------------------------------------------------------------------

/**
 * Evaluate `expr` over `inputs` (each becomes a leaf tensor with requiresGrad), call backward
 * on the result and return it with every input's gradient.
 *
 * Throws ExpressionError for a bad expression (syntax, unknown name or function), InputError for
 * bad input data, and whatever the library throws (e.g. shape errors) unchanged.
 */
export function evaluate(
  expr: string,
  inputs: Readonly<Record<string, TensorData>>,
  options: EvaluateOptions = {},
): EvaluateResult {
  const { dtype, gradOutput } = options;
  if (dtype !== undefined && !DTYPES.includes(dtype)) {
    throw new InputError(`unsupported dtype '${String(dtype)}' (expected ${DTYPES.join(" or ")})`);
  }
  const tree = parse(expr);
  check(tree, new Set(Object.keys(inputs)));

  const leaves = new Map<string, Tensor>();
  for (const [name, data] of Object.entries(inputs)) {
    checkTensorData(data, name);
    leaves.set(name, tensor(data, tensorOptions(dtype, true)));
  }
  const ctx: Context = { inputs: leaves, dtype };

  const result = evalNode(ctx, tree);
  if (!(result instanceof Tensor)) {
    throw new ExpressionError(
      `the expression evaluates to the constant ${String(result)}; it must use at least one input tensor`,
    );
  }

  if (options.scale !== undefined && !(options.scale > 0 && Number.isFinite(options.scale))) {
    throw new InputError(`--scale must be a positive number, got ${options.scale}`);
  }
  // Loss scaling multiplies the output by a float32 0-dim tensor, as GradScaler.scale does.
  const scaleT = options.scale === undefined ? null : tensor(Math.fround(options.scale));
  const root = scaleT ? result.mul(scaleT) : result;
  if (gradOutput === undefined) {
    if (numel(result.shape) !== 1) throw new NonScalarOutputError([...result.shape]);
    root.backward();
  } else {
    checkTensorData(gradOutput, "grad output");
    const g = tensor(gradOutput, tensorOptions(dtype, false));
    if (!sameShape(g.shape, result.shape)) {
      throw new Error(
        `Mismatch in shape: grad_output[0] has a shape of torch.Size(${fmtShape(g.shape)}) ` +
          `and output[0] has a shape of torch.Size(${fmtShape(result.shape)}).`,
      );
    }
    root.backward(g);
  }

  const grads: Record<string, Tensor | null> = {};
  for (const [name, leaf] of leaves) grads[name] = leaf.grad ?? null;
  if (options.scale === undefined) return { output: result, grads };
  // Unscale as GradScaler.unscale_ does: multiply by the float32 reciprocal, here into float32
  // copies, so the true values show even where the input dtype would underflow.
  const inv = Math.fround(1 / Math.fround(options.scale));
  const unscaled: Record<string, Tensor | null> = {};
  let foundInf = false;
  for (const [name, g] of Object.entries(grads)) {
    if (g && (g.toTypedArray() as Float32Array | Float64Array).some((v) => !Number.isFinite(v))) foundInf = true;
    unscaled[name] = g ? (g.dtype === "float64" ? g.mul(inv) : g.float().mul(inv)) : null;
  }
  return { output: result, grads: unscaled, scaled: { scale: Math.fround(options.scale), grads, foundInf } };
}

function tensorOptions(dtype: Dtype | undefined, requiresGrad: boolean) {
  return dtype === undefined ? { requiresGrad } : { dtype, requiresGrad };
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * Check that `data` is a number or a rectangular nested array of numbers; throw InputError
 * (naming `what`) otherwise. Returns the shape.
 */
export function checkTensorData(data: unknown, what: string): number[] {
  const shapeOf = (v: unknown, depth: number): number[] => {
    if (typeof v === "number") return [];
    if (!Array.isArray(v)) {
      throw new InputError(`${what}: expected a number or a nested array of numbers, got ${JSON.stringify(v)}`);
    }
    if (v.length === 0) return [0];
    const inner = shapeOf(v[0], depth + 1);
    for (let i = 1; i < v.length; i++) {
      const s = shapeOf(v[i], depth + 1);
      if (!sameShape(s, inner)) {
        const got = s.length === inner.length ? `got ${s[0]}` : "got a different nesting depth";
        throw new InputError(
          `${what}: expected sequence of length ${inner[0] ?? 0} at dim ${depth + 1} (${got})`,
        );
      }
    }
    return [v.length, ...inner];
  };
  return shapeOf(data, 0);
}

// ---------------------------------------------------------------------------------------------
// Static checks, so that a typo is reported before any tensor work (and before shape errors).

function check(node: Node, names: ReadonlySet<string>): void {
  switch (node.type) {
    case "Literal":
      if (typeof node.value !== "number" && typeof node.value !== "boolean") {
        throw new ExpressionError(`unsupported literal ${String(node.raw)} (only numbers)`);
      }
      return;
    case "Identifier": {
      const name = String(node.name);
      if (!names.has(name)) {
        const hint = FUNCTIONS[name] ? ` ('${name}' is a function: call it as ${FUNCTIONS[name]!.signature})` : "";
        throw new ExpressionError(`unknown tensor '${name}' (pass it with --at ${name}=[...])${hint}`);
      }
      return;
    }
    case "UnaryExpression":
      return check(node.argument as Node, names);
    case "BinaryExpression":
      check(node.left as Node, names);
      return check(node.right as Node, names);
    case "ArrayExpression":
      constantData(node);
      return;
    case "CallExpression": {
      const callee = node.callee as Node;
      const args = node.arguments as Node[];
      let name: string;
      let argc = args.length;
      if (callee.type === "Identifier") {
        name = String(callee.name);
      } else if (callee.type === "MemberExpression" && !callee.computed) {
        name = String((callee.property as Node).name);
        check(callee.object as Node, names);
        argc += 1;
      } else {
        throw new ExpressionError(`cannot call ${describe(callee)}`);
      }
      const fn = lookupFunction(name, callee.type === "MemberExpression");
      if (argc < fn.minArgs || argc > fn.maxArgs) {
        const expected = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
        throw new ExpressionError(`${fn.signature} takes ${expected} argument(s), got ${argc}`);
      }
      for (const a of args) check(a, names);
      return;
    }
    case "MemberExpression": {
      if (node.computed) throw new ExpressionError("indexing (x[...]) is not supported");
      const attr = String((node.property as Node).name);
      if (!(attr in ATTRIBUTES)) {
        const hint = FUNCTIONS[attr] ? ` (call it: .${attr}())` : "";
        throw new ExpressionError(`unknown attribute '.${attr}'${hint}`);
      }
      return check(node.object as Node, names);
    }
    case "ConditionalExpression":
      throw new ExpressionError("conditional expressions (a ? b : c) are not supported");
    case "SequenceExpression":
      throw new ExpressionError("expected a single expression inside parentheses");
    default:
      throw new ExpressionError(`unsupported syntax: ${describe(node)}`);
  }
}

function lookupFunction(name: string, isMethod: boolean): FunctionSpec {
  const fn = FUNCTIONS[name];
  if (fn) return fn;
  const kind = isMethod ? "method" : "function";
  const call = isMethod ? `.${name}()` : `${name}()`;
  throw new ExpressionError(
    `unknown ${kind} '${call}' (available: ${Object.keys(FUNCTIONS).sort().join(", ")})`,
  );
}

function describe(node: Node): string {
  switch (node.type) {
    case "ThisExpression":
      return "'this'";
    case "Literal":
      return `literal ${String(node.raw)}`;
    default:
      return node.type.replace(/Expression$/, " expression").toLowerCase();
  }
}

/** A `[...]` literal of numbers, used as a constant (no grad). */
function constantData(node: Node): TensorData {
  switch (node.type) {
    case "Literal":
      if (typeof node.value === "number") return node.value;
      break;
    case "UnaryExpression": {
      const v = constantData(node.argument as Node);
      if (typeof v === "number") return node.operator === "-" ? -v : v;
      break;
    }
    case "ArrayExpression":
      return (node.elements as (Node | null)[]).map((e) => {
        if (!e) throw new ExpressionError("empty element in array literal");
        return constantData(e);
      });
  }
  throw new ExpressionError("array literals may only contain numbers");
}

// ---------------------------------------------------------------------------------------------

function evalNode(ctx: Context, node: Node): Value {
  switch (node.type) {
    case "Literal":
      return node.value as number | boolean;
    case "Identifier":
      return ctx.inputs.get(String(node.name))!;
    case "ArrayExpression": {
      const data = constantData(node);
      checkTensorData(data, "array literal");
      return tensor(data, tensorOptions(ctx.dtype, false));
    }
    case "UnaryExpression": {
      const v = evalNode(ctx, node.argument as Node);
      if (node.operator === "+") return asNumeric(v, "unary +");
      if (typeof v === "number") return -v;
      return asTensor(ctx, v, "unary -").neg();
    }
    case "BinaryExpression":
      return binary(ctx, String(node.operator), evalNode(ctx, node.left as Node), evalNode(ctx, node.right as Node));
    case "MemberExpression": {
      const attr = ATTRIBUTES[String((node.property as Node).name)]!;
      return FUNCTIONS[attr]!.call(ctx, [evalNode(ctx, node.object as Node)]);
    }
    case "CallExpression": {
      const callee = node.callee as Node;
      const args = (node.arguments as Node[]).map((a) => evalNode(ctx, a));
      if (callee.type === "MemberExpression") {
        const name = String((callee.property as Node).name);
        return FUNCTIONS[name]!.call(ctx, [evalNode(ctx, callee.object as Node), ...args]);
      }
      return FUNCTIONS[String(callee.name)]!.call(ctx, args);
    }
    default:
      // check() has rejected everything else already
      throw new ExpressionError(`unsupported syntax: ${describe(node)}`);
  }
}

function binary(ctx: Context, op: string, a: Value, b: Value): Value {
  const what = `operator ${op}`;
  a = asNumeric(a, what);
  b = asNumeric(b, what);
  if (op === "@") return asTensor(ctx, a, what).matmul(asTensor(ctx, b, what));
  if (typeof a === "number" && typeof b === "number") {
    // Python-style scalar arithmetic, as `2 * 3 * A` is in PyTorch
    switch (op) {
      case "+": return a + b;
      case "-": return a - b;
      case "*": return a * b;
      case "/": return a / b;
      case "**": return a ** b;
    }
  } else if (a instanceof Tensor) {
    switch (op) {
      case "+": return a.add(b);
      case "-": return a.sub(b);
      case "*": return a.mul(b);
      case "/": return a.div(b);
      case "**": return a.pow(b);
    }
  } else if (b instanceof Tensor) {
    // number on the left, as PyTorch's reflected operators compute it
    switch (op) {
      case "+": return b.add(a); // __radd__
      case "*": return b.mul(a); // __rmul__
      case "-": return b.rsub(a); // __rsub__: rsub(self, other) = other - self
      case "/": return div(1, b).mul(a); // __rtruediv__: self.reciprocal() * other
      case "**": return pow(a, b); // __rpow__: torch.pow(other, self)
    }
  }
  throw new ExpressionError(`unsupported operator '${op}'`);
}

function asNumeric(v: Value, what: string): Tensor | number {
  if (typeof v === "boolean") throw new ExpressionError(`${what}: expected a tensor or a number, got ${v}`);
  return v;
}

function asTensor(ctx: Context, v: Value, what: string): Tensor {
  if (v instanceof Tensor) return v;
  if (typeof v === "number") return tensor(v, tensorOptions(ctx.dtype, false));
  throw new ExpressionError(`${what}: expected a tensor, got ${String(v)}`);
}

function asInteger(v: Value, what: string): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  throw new ExpressionError(`${what} must be an integer, got ${v instanceof Tensor ? "a tensor" : String(v)}`);
}

function asBoolean(v: Value, what: string): boolean {
  if (typeof v === "boolean") return v;
  if (v === 0 || v === 1) return v === 1;
  throw new ExpressionError(`${what} must be true or false, got ${v instanceof Tensor ? "a tensor" : String(v)}`);
}

function callMethod(t: Tensor, method: string, args: unknown[]): Tensor {
  const fn = (t as unknown as Record<string, unknown>)[method];
  if (typeof fn !== "function") {
    throw new ExpressionError(`${method}() is not available in this version of tensorgrad`);
  }
  return fn.apply(t, args) as Tensor;
}
