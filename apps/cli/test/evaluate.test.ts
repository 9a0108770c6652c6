import { describe, expect, it } from "vitest";
import { evaluate, ExpressionError, InputError, NonScalarOutputError } from "../src/expr/evaluate.js";
import { formatJson, formatText, toJson } from "../src/format.js";

const grads = (r: ReturnType<typeof evaluate>) =>
  Object.fromEntries(Object.entries(r.grads).map(([k, g]) => [k, g === null ? null : g.tolist()]));

describe("evaluate: values and gradients", () => {
  it("A*5 at [5]: the seed", () => {
    const r = evaluate("A*5", { A: [5.0] });
    expect(r.output.tolist()).toEqual([25]);
    expect(String(r.output)).toBe("tensor([25.], grad_fn=<MulBackward0>)");
    expect(grads(r)).toEqual({ A: [5] });
    expect(String(r.grads.A)).toBe("tensor([5.])");
  });

  it("A**3 at 2 gives 12", () => {
    const r = evaluate("A**3", { A: 2 });
    expect(r.output.item()).toBe(8);
    expect(r.grads.A!.item()).toBe(12);
    expect(r.grads.A!.shape).toEqual([]);
  });

  it("(A@B).sum() with 2x2 inputs", () => {
    const r = evaluate("(A@B).sum()", { A: [[1, 2], [3, 4]], B: [[5, 6], [7, 8]] });
    expect(r.output.item()).toBe(134); // [[19,22],[43,50]]
    expect(grads(r)).toEqual({ A: [[11, 15], [11, 15]], B: [[4, 4], [6, 6]] }); // 1 @ B^T, A^T @ 1
  });

  it("sum(A @ B) and matmul(A, B).sum() agree with the operator form", () => {
    const inputs = { A: [[1, 2], [3, 4]], B: [[5, 6], [7, 8]] };
    for (const expr of ["sum(A @ B)", "matmul(A, B).sum()", "A.matmul(B).sum()"]) {
      expect(grads(evaluate(expr, inputs))).toEqual({ A: [[11, 15], [11, 15]], B: [[4, 4], [6, 6]] });
    }
  });

  it("-A**2 is -(A**2), (-A)**2 is not", () => {
    const neg = evaluate("-A**2", { A: 3 });
    expect(neg.output.item()).toBe(-9);
    expect(neg.grads.A!.item()).toBe(-6);
    const paren = evaluate("(-A)**2", { A: 3 });
    expect(paren.output.item()).toBe(9);
    expect(paren.grads.A!.item()).toBe(6);
  });

  it("2**A**2 is 2**(A**2)", () => {
    const r = evaluate("2**A**2", { A: 2 }, { dtype: "float64" });
    expect(r.output.item()).toBe(16); // (2**2)**2 would also be 16, but its gradient differs:
    expect(r.grads.A!.item()).toBeCloseTo(16 * Math.LN2 * 4, 12); // d/dA 2**(A**2) = 2**(A**2) ln2 2A
  });

  it("A - B - C is (A - B) - C", () => {
    const r = evaluate("A - B - C", { A: 1, B: 2, C: 3 });
    expect(r.output.item()).toBe(-4);
    expect(grads(r)).toEqual({ A: 1, B: -1, C: -1 });
  });

  it("numbers on the left: 2 - A, 3 / A, 2 ** A, 2 * A + 1", () => {
    const sub = evaluate("2 - A", { A: [3] });
    expect(sub.output.tolist()).toEqual([-1]);
    expect(grads(sub)).toEqual({ A: [-1] });
    const div = evaluate("3 / A", { A: [2] });
    expect(div.output.tolist()).toEqual([1.5]);
    expect(grads(div)).toEqual({ A: [-0.75] });
    const pow = evaluate("2 ** A", { A: [3] }, { dtype: "float64" });
    expect(pow.output.tolist()).toEqual([8]);
    expect(pow.grads.A!.item()).toBeCloseTo(8 * Math.LN2, 12);
    const lin = evaluate("2 * 3 * A + 1", { A: [1] });
    expect(lin.output.tolist()).toEqual([7]);
    expect(grads(lin)).toEqual({ A: [6] });
  });

  it("exp, log, sum and mean", () => {
    const r = evaluate("exp(A).sum() + log(B).mean()", { A: [0, 1], B: [1, 2] }, { dtype: "float64" });
    expect(r.output.item()).toBeCloseTo(1 + Math.E + Math.log(2) / 2, 12);
    const [g0, g1] = r.grads.A!.tolist() as number[];
    expect(g0).toBe(1);
    expect(g1).toBeCloseTo(Math.E, 14);
    expect(r.grads.B!.tolist()).toEqual([0.5, 0.25]);
  });

  it("sum and mean over a dim, with keepdim", () => {
    const A = [[1, 2], [3, 4]];
    const s = evaluate("sum(A, 1)", { A }, { gradOutput: [1, 2] });
    expect(s.output.tolist()).toEqual([3, 7]);
    expect(grads(s)).toEqual({ A: [[1, 1], [2, 2]] });
    const m = evaluate("A.mean(0, true)", { A }, { gradOutput: [[1, 1]] });
    expect(m.output.tolist()).toEqual([[2, 3]]);
    expect(grads(m)).toEqual({ A: [[0.5, 0.5], [0.5, 0.5]] });
    const neg = evaluate("mean(A, -1).sum()", { A });
    expect(grads(neg)).toEqual({ A: [[0.5, 0.5], [0.5, 0.5]] });
  });

  it("transpose, A.T, reshape and constants", () => {
    const A = [[1, 2, 3]];
    expect(grads(evaluate("(A.T * [[1], [2], [3]]).sum()", { A }))).toEqual({ A: [[1, 2, 3]] });
    expect(grads(evaluate("(transpose(A, 0, 1) @ A).sum()", { A }))).toEqual({ A: [[12, 12, 12]] }); // sum(A^T A) = (sum A)^2
    expect(evaluate("A.reshape(3, 1)", { A }, { gradOutput: [[1], [1], [1]] }).output.shape).toEqual([3, 1]);
  });

  it("gives null for an input the output does not use", () => {
    const r = evaluate("A * 2", { A: [1], B: [2] });
    expect(grads(r)).toEqual({ A: [2], B: null });
  });

  it("uses --dtype for inputs and grads", () => {
    const r = evaluate("A * 5", { A: [5] }, { dtype: "float64" });
    expect(r.output.dtype).toBe("float64");
    expect(String(r.grads.A)).toBe("tensor([5.], dtype=torch.float64)");
  });

  it("backward from a given gradient", () => {
    const r = evaluate("A * B", { A: [1, 2], B: [3, 4] }, { gradOutput: [1, 10] });
    expect(grads(r)).toEqual({ A: [3, 40], B: [1, 20] });
  });
});

describe("evaluate: errors", () => {
  it("names an unknown tensor", () => {
    expect(() => evaluate("A * X", { A: [1] })).toThrow(ExpressionError);
    expect(() => evaluate("A * X", { A: [1] })).toThrow("unknown tensor 'X' (pass it with --at X=[...])");
  });

  it("names an unknown function and lists the known ones", () => {
    expect(() => evaluate("foo(A)", { A: [1] })).toThrow(/unknown function 'foo\(\)' \(available: .*exp.*\)/);
    expect(() => evaluate("A.foo()", { A: [1] })).toThrow(/unknown method '\.foo\(\)'/);
    expect(() => evaluate("exp(A, B)", { A: [1], B: [1] })).toThrow("exp(x) takes 1 argument(s), got 2");
  });

  it("reports unknown names before any shape error", () => {
    expect(() => evaluate("A @ B + X", { A: [[1, 2]], B: [[1, 2]] })).toThrow("unknown tensor 'X'");
  });

  it("needs a gradient for a non-scalar output, with PyTorch's reason", () => {
    let err: unknown;
    try {
      evaluate("A * 2", { A: [[1, 2], [3, 4]] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NonScalarOutputError);
    expect((err as Error).message).toBe("grad can be implicitly created only for scalar outputs");
    expect((err as NonScalarOutputError).shape).toEqual([2, 2]);
  });

  it("checks the gradient's shape", () => {
    expect(() => evaluate("A * 2", { A: [1, 2] }, { gradOutput: [1, 2, 3] })).toThrow(
      "Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a shape of torch.Size([2]).",
    );
  });

  it("passes the library's shape error through, and the library keeps working", () => {
    expect(() => evaluate("A@B", { A: [[1, 2]], B: [[1, 2]] })).toThrow(
      "mat1 and mat2 shapes cannot be multiplied (1x2 and 1x2)",
    );
    const r = evaluate("(A@B).sum()", { A: [[1, 2]], B: [[1], [2]] });
    expect(r.output.item()).toBe(5);
    expect(grads(r)).toEqual({ A: [[1, 2]], B: [[1], [2]] });
  });

  it("rejects bad data and unsupported syntax", () => {
    expect(() => evaluate("A", { A: [[1, 2], [3]] })).toThrow(InputError);
    expect(() => evaluate("A", { A: [[1, 2], [3]] })).toThrow("A: expected sequence of length 2 at dim 1 (got 1)");
    expect(() => evaluate("A", { A: ["x"] as never })).toThrow(InputError);
    expect(() => evaluate("A[0]", { A: [1] })).toThrow("indexing (x[...]) is not supported");
    expect(() => evaluate("A ? A : A", { A: [1] })).toThrow(/conditional expressions/);
    expect(() => evaluate("2 * 3", {})).toThrow(/constant 6/);
    expect(() => evaluate("sum(A, 0.5)", { A: [1] })).toThrow("sum(): dim must be an integer, got 0.5");
  });
});

describe("format", () => {
  it("prints like PyTorch, aligning multi-line tensors", () => {
    const r = evaluate("(A@B).sum()", { A: [[1, 2], [3, 4]], B: [[5, 6], [7, 8]], C: [1] });
    expect(formatText(r)).toBe(
      [
        "output: tensor(134., grad_fn=<SumBackward0>)",
        "A.grad: tensor([[11., 15.],",
        "                [11., 15.]])",
        "B.grad: tensor([[4., 4.],",
        "                [6., 6.]])",
        "C.grad: None",
        "",
      ].join("\n"),
    );
  });

  it("writes JSON with values, shapes, null grads and non-finite numbers as strings", () => {
    expect(formatJson(evaluate("A*5", { A: [5.0] }))).toBe(
      '{"output":{"value":[25],"shape":[1]},"grads":{"A":[5]},"gradShapes":{"A":[1]}}\n',
    );
    expect(toJson(evaluate("log(A).sum()", { A: [0, 1], B: 2 }))).toEqual({
      output: { value: "-Infinity", shape: [] },
      grads: { A: ["Infinity", 1], B: null },
      gradShapes: { A: [2], B: null },
    });
  });
});
