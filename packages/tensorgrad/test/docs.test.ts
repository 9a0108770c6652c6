// Runs every ```js example in docs/*.md and checks that each console.log prints exactly what
// the `// ...` comment on its line says, so the docs cannot drift from the code.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as tg from "tensorgrad";

const docsDir = join(__dirname, "../../../docs");
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (
  ...a: unknown[]
) => Promise<void>;

function examples(md: string): string[] {
  return [...md.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** The expected output of each line that logs something, in order. */
function expectations(code: string): string[] {
  return code
    .split("\n")
    .filter((l) => l.includes("console.log(") && /\/\/ (.*)$/.test(l))
    .map((l) => l.match(/\/\/ (.*)$/)![1]!);
}

function rewriteImports(code: string): string {
  return code.replace(/import\s*\{([^}]*)\}\s*from\s*"tensorgrad";?/g, (_, names: string) => `const {${names}} = tg;`);
}

const fmt = (v: unknown) => (typeof v === "string" ? v : v === null ? "null" : String(v));

for (const file of readdirSync(docsDir).filter((f) => f.endsWith(".md"))) {
  const blocks = examples(readFileSync(join(docsDir, file), "utf8"));
  if (blocks.length === 0) continue;
  describe(`docs/${file}`, () => {
    blocks.forEach((code, i) => {
      it(`example ${i + 1}`, async () => {
        const logs: string[] = [];
        const con = { ...console, log: (...a: unknown[]) => logs.push(a.map(fmt).join(" ")), warn: () => {} };
        await new AsyncFunction("tg", "console", rewriteImports(code))(tg, con);
        expect(logs).toEqual(expectations(code));
      });
    });
  });
}
