// Every Tensor method that is an op must be in the op table (docs/ops.md, generated from the
// core's registry, where each entry is gradchecked). A new op without an entry fails here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Tensor } from "tensorgrad";

/** Methods that are not ops: metadata, autograd plumbing, data access, dtype shorthands. */
const NOT_OPS = new Set([
  "constructor", "size", "dim", "numel", "isContiguous", "isInference", "requiresGrad_", "retainGrad",
  "registerHook", "registerPostAccumulateGradHook", "backward", "detach", "detach_", "item", "tolist",
  "toTypedArray", "toString", "dispose", "half", "bfloat16", "int",
]);

/** PyTorch aliases: the method they stand for must be in the table. */
const ALIASES: Record<string, string> = {
  absolute: "abs", arcsin: "asin", arccos: "acos", arctan: "atan", arcsinh: "asinh", arccosh: "acosh",
  arctanh: "atanh", fix: "trunc", moveaxis: "movedim",
};

function tableNames(): Set<string> {
  const md = readFileSync(join(__dirname, "../../../docs/ops.md"), "utf8");
  const names = new Set<string>();
  for (const line of md.split("\n")) {
    const cols = line.split("|");
    if (cols.length < 4 || !cols[2]!.includes("`")) continue;
    for (const n of cols[2]!.replace(/`/g, "").split("/")) names.add(n.trim());
  }
  return names;
}

describe("op table coverage", () => {
  it("lists every Tensor method that is an op", () => {
    const names = tableNames();
    const methods = Object.getOwnPropertyNames(Tensor.prototype).filter(
      (n) => typeof Object.getOwnPropertyDescriptor(Tensor.prototype, n)!.value === "function",
    );
    const missing = methods.filter((m) => {
      if (NOT_OPS.has(m)) return false;
      const base = ALIASES[m] ?? m;
      return !names.has(base) && !names.has(base.replace(/_$/, ""));
    });
    expect(missing).toEqual([]);
    expect(methods.length).toBeGreaterThan(150);
  });
});
