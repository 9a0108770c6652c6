// Build the `tensorgrad` package: bring in the wasm-pack output, compile the TypeScript.
// The wasm module ships inside dist/ so the published package is self-contained.
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const pkg = join(here, "../../crates/tensorgrad-wasm/pkg");
const files = ["tensorgrad_wasm.js", "tensorgrad_wasm.d.ts", "tensorgrad_wasm_bg.wasm", "tensorgrad_wasm_bg.wasm.d.ts"];
for (const f of files) {
  if (!existsSync(join(pkg, f))) {
    console.error(`[tensorgrad] missing ${join(pkg, f)}: build @tensorgrad/wasm first (npx turbo run build)`);
    process.exit(1);
  }
}
// src/wasm/ is generated (gitignored): tsc needs the bindings' types to compile src/.
for (const dir of [join(here, "src/wasm"), join(here, "dist/wasm")]) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of files) cpSync(join(pkg, f), join(dir, f));
}
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", join(here, "tsconfig.json")], { stdio: "inherit" });
console.log("[tensorgrad] built dist/");
