import { describe, expect, it } from "vitest";
import { ExpressionError, parse, show } from "../src/expr/parse.js";

const tree = (expr: string) => show(parse(expr));

describe("parse: Python precedence and associativity", () => {
  it("binds ** tighter than a unary minus on its left", () => {
    expect(tree("-A**2")).toBe("-((A ** 2))");
    expect(tree("--A**2")).toBe("-(-((A ** 2)))");
    expect(tree("-2**2")).toBe("-((2 ** 2))");
  });
  it("keeps explicit parentheses around a negation", () => {
    expect(tree("(-A)**2")).toBe("(-(A) ** 2)");
  });
  it("parses a unary minus in the exponent", () => {
    expect(tree("2**-A")).toBe("(2 ** -(A))");
    expect(tree("2**-A**2")).toBe("(2 ** -((A ** 2)))");
  });
  it("makes ** right-associative", () => {
    expect(tree("2**A**2")).toBe("(2 ** (A ** 2))");
  });
  it("makes - and / left-associative", () => {
    expect(tree("A - B - C")).toBe("((A - B) - C)");
    expect(tree("A / B / C")).toBe("((A / B) / C)");
  });
  it("gives @ the precedence of *", () => {
    expect(tree("A @ B * C")).toBe("((A @ B) * C)");
    expect(tree("A + B @ C")).toBe("(A + (B @ C))");
    expect(tree("-A @ B")).toBe("(-(A) @ B)");
  });
  it("parses calls, methods and attributes", () => {
    expect(tree("(A@B).sum()")).toBe("(A @ B).sum()");
    expect(tree("sum(A, 1) + exp(-B).mean(0)")).toBe("(sum(A, 1) + exp(-(B)).mean(0))");
    expect(tree("-A.sum()")).toBe("-(A.sum())");
    expect(tree("A.T")).toBe("A.T");
  });
});

describe("parse: errors", () => {
  it.each([
    ["", /empty expression/],
    ["A % B", /unsupported operator '%' at character 2/],
    ["A == B", /unsupported operator '==' at character 2/],
    ["!A", /unsupported operator '!' at character 0/],
    ["A B", /expected a single expression/],
    ["(A", /Unclosed \(/],
    ["A +", /Expected expression after \+/],
    ["()", /Empty parentheses/],
  ])("rejects %j", (expr, message) => {
    expect(() => parse(expr)).toThrow(ExpressionError);
    expect(() => parse(expr)).toThrow(message);
  });
});
