// Expression syntax for `tensorgrad grad`: a small, Python-flavoured subset parsed with jsep.
//
//   precedence (low -> high)   associativity
//   + -                        left
//   * / @                      left
//   unary - +                  (prefix)
//   **                         right; binds tighter than a unary minus on its left, as in
//                              Python: -A**2 == -(A**2), 2**-A == 2**(-A), 2**A**2 == 2**(A**2)
//   calls f(x), methods x.f(), attribute x.T, parentheses, number literals, [..] constants
//
// jsep is configured once, globally, when this module loads: every operator we do not
// evaluate is removed, so it fails at parse time with a clear message.
import jsep from "jsep";

export type Node = jsep.Expression;

/** Binary operators and their jsep precedence (higher binds tighter). */
export const BINARY_OPS: Readonly<Record<string, number>> = {
  "+": 9,
  "-": 9,
  "*": 10,
  "/": 10,
  "@": 10,
  "**": 11,
};
export const UNARY_OPS = ["-", "+"] as const;

const PAREN = "parenthesized";

jsep.removeAllBinaryOps();
jsep.removeAllUnaryOps();
jsep.removeAllLiterals();
for (const [op, precedence] of Object.entries(BINARY_OPS)) {
  jsep.addBinaryOp(op, precedence, op === "**");
}
for (const op of UNARY_OPS) jsep.addUnaryOp(op);
jsep.addLiteral("true", true);
jsep.addLiteral("false", false);

// jsep drops parentheses from the tree, but `(-A)**2` and `-A**2` differ, so mark every
// parenthesized node. The hook replaces jsep's own handling of "(" at the start of a token
// (a call's "(" after a callee is parsed elsewhere, by gobbleTokenProperty).
jsep.hooks.add("gobble-token", function (env) {
  if (this.code !== 40 /* ( */) return;
  const inner = this.gobbleGroup();
  if (!inner) this.throwError("Empty parentheses");
  inner[PAREN] = true;
  env.node = this.gobbleTokenProperty(inner);
});

/** An expression the user wrote that cannot be parsed or is outside the supported subset. */
export class ExpressionError extends Error {
  override name = "ExpressionError";
}

const OPERATOR_CHARS = "%=!<>&|^~?:";

/** Parse `source` into a jsep tree, with Python's `**` / unary-minus precedence applied. */
export function parse(source: string): Node {
  if (source.trim() === "") throw new ExpressionError("empty expression");
  let tree: Node;
  try {
    tree = jsep(source);
  } catch (err) {
    throw new ExpressionError(describeSyntaxError(source, err));
  }
  if (tree.type === "Compound") {
    // jsep accepts "A B", "A, B" and "A; B" as a list of expressions
    throw new ExpressionError(
      `expected a single expression, got ${(tree as jsep.Compound).body.length} (missing operator?)`,
    );
  }
  return fixPowerPrecedence(tree);
}

function describeSyntaxError(source: string, err: unknown): string {
  const e = err as { description?: string; index?: number; message?: string };
  const index = typeof e.index === "number" ? e.index : -1;
  if (index >= 0 && index < source.length && OPERATOR_CHARS.includes(source[index]!)) {
    let end = index;
    while (end < source.length && OPERATOR_CHARS.includes(source[end]!)) end++;
    const op = source.slice(index, end);
    return `unsupported operator '${op}' at character ${index} (supported: ${Object.keys(BINARY_OPS).join(" ")}, unary -)`;
  }
  const what = e.description ?? e.message ?? String(err);
  return `cannot parse expression: ${what}${index >= 0 ? ` at character ${index}` : ""}`;
}

function isParenthesized(node: Node): boolean {
  return node[PAREN] === true;
}

/**
 * jsep gives a unary operator the tightest binding, so `-A**2` parses as `(-A)**2`.
 * Python binds `**` tighter than a unary operator on its left: hoist such an operator out,
 * `(-x) ** y` -> `-(x ** y)`, unless the user wrote the parentheses.
 */
export function fixPowerPrecedence(node: Node): Node {
  const out: Node = { ...node };
  for (const [key, value] of Object.entries(node)) {
    if (Array.isArray(value)) {
      out[key] = value.map((v) => (isNode(v) ? fixPowerPrecedence(v) : v));
    } else if (isNode(value)) {
      out[key] = fixPowerPrecedence(value);
    }
  }
  if (out.type === "BinaryExpression" && out.operator === "**") {
    const left = out.left as Node;
    if (left.type === "UnaryExpression" && !isParenthesized(left)) {
      const hoisted: Node = {
        type: "UnaryExpression",
        operator: left.operator,
        prefix: true,
        argument: fixPowerPrecedence({ ...out, left: left.argument as Node }),
      };
      if (isParenthesized(out)) hoisted[PAREN] = true;
      return hoisted;
    }
  }
  return out;
}

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && typeof (value as Node).type === "string";
}

/** Render a tree back to fully parenthesized text, e.g. `-(A ** 2)`; for tests and messages. */
export function show(node: Node): string {
  switch (node.type) {
    case "Literal":
      return String(node.raw ?? node.value);
    case "Identifier":
      return String(node.name);
    case "UnaryExpression":
      return `${String(node.operator)}(${show(node.argument as Node)})`;
    case "BinaryExpression":
      return `(${show(node.left as Node)} ${String(node.operator)} ${show(node.right as Node)})`;
    case "CallExpression":
      return `${show(node.callee as Node)}(${(node.arguments as Node[]).map(show).join(", ")})`;
    case "MemberExpression":
      return node.computed
        ? `${show(node.object as Node)}[${show(node.property as Node)}]`
        : `${show(node.object as Node)}.${show(node.property as Node)}`;
    case "ArrayExpression":
      return `[${(node.elements as (Node | null)[]).map((e) => (e ? show(e) : "")).join(", ")}]`;
    default:
      return `<${node.type}>`;
  }
}
