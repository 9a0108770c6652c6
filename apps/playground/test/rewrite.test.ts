// Unit tests of the import rewriting (no browser needed).
import { describe, expect, it } from "vitest";
import { formatArgs } from "../src/format";
import { ImportError, makeImporter, rewriteImports } from "../src/rewrite";

const AVAILABLE = ["tensorgrad"];

/** Runs rewritten code the way the playground does, with a fake module; returns what it logged. */
async function run(source: string, ns: Record<string, unknown>): Promise<string[]> {
  const logs: string[] = [];
  const { code } = rewriteImports(source, AVAILABLE);
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
  const fn = new AsyncFunction("console", "__tg_import", code);
  await fn({ log: (...a: unknown[]) => logs.push(formatArgs(a)) }, makeImporter({ tensorgrad: ns }));
  return logs;
}

describe("rewriteImports", () => {
  it("turns named, aliased, namespace and default imports into hoisted bindings", () => {
    const src = [
      'import { tensor, zeros as z, "odd-name" as odd, default as d } from "tensorgrad";',
      "import * as tg from 'tensorgrad'",
      'import def, { ones } from "tensorgrad";',
      'import "tensorgrad";',
      "console.log(tensor);",
    ].join("\n");
    const { code, imports } = rewriteImports(src, AVAILABLE);
    expect(imports.map((i) => i.bindings)).toEqual([
      [
        { imported: "tensor", local: "tensor" },
        { imported: "zeros", local: "z" },
        { imported: "odd-name", local: "odd" },
        { imported: "default", local: "d" },
      ],
      [{ imported: null, local: "tg" }],
      [
        { imported: "default", local: "def" },
        { imported: "ones", local: "ones" },
      ],
      [],
    ]);
    expect(code).toContain(
      'const { tensor, zeros: z, "odd-name": odd, default: d } = __tg_import("tensorgrad", ["tensor","zeros","odd-name","default"]);',
    );
    expect(code).toContain('const tg = __tg_import("tensorgrad", []);');
    // Same number of lines, and the rest of the program is untouched.
    expect(code.split("\n")).toHaveLength(5);
    expect(code.split("\n")[4]).toBe("console.log(tensor);");
  });

  it("leaves imports in strings, comments and templates alone", () => {
    const src = [
      "const s = \"import { a } from 'tensorgrad'\";",
      '// import { b } from "lodash"',
      "const t = `",
      'import { c } from "lodash";',
      "`;",
      '/* import * as x from "y"; */',
    ].join("\n");
    expect(rewriteImports(src, AVAILABLE)).toEqual({ code: src, imports: [] });
  });

  it("rejects modules the playground does not provide, and malformed imports", () => {
    expect(() => rewriteImports('const a = 1;\nimport { map } from "lodash";', AVAILABLE)).toThrow(
      new ImportError('Cannot import "lodash": the playground provides only "tensorgrad"', 2),
    );
    expect(() => rewriteImports('import { tensor from "tensorgrad";', AVAILABLE)).toThrow(/Malformed import/);
  });

  it("produces code that runs, with ES-module-like errors for missing exports", async () => {
    const ns = { tensor: (x: number[]) => `T(${x})`, default: "D" };
    expect(
      await run('console.log(tensor([1]), t2([2]), D);\nimport { tensor, tensor as t2 } from "tensorgrad";\nimport D from "tensorgrad";', ns),
    ).toEqual(["T(1) T(2) D"]);
    expect(await run('import * as tg from "tensorgrad";\nconsole.log(typeof tg.tensor);', ns)).toEqual(["function"]);
    await expect(run('import { nope } from "tensorgrad";', ns)).rejects.toThrow(
      "The requested module 'tensorgrad' does not provide an export named 'nope'",
    );
  });
});

describe("formatArgs", () => {
  it("prints like a console, with toString for objects that define one", () => {
    class T {
      toString() {
        return "tensor([5.])";
      }
    }
    expect(formatArgs(["x =", new T()])).toBe("x = tensor([5.])");
    expect(formatArgs([{ a: 1, b: "s", c: [1, 2], d: new T() }])).toBe('{a: 1, b: "s", c: [1, 2], d: tensor([5.])}');
    expect(formatArgs(["%s is %d", "n", 4.7])).toBe("n is 4");
    expect(formatArgs([new Float32Array([1, 2])])).toBe("Float32Array(2) [1, 2]");
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    expect(formatArgs([cyc])).toBe("{self: [Circular]}");
    expect(formatArgs([new Error("boom")])).toBe("Error: boom");
  });
});
