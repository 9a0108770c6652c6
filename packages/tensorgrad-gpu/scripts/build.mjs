// Build tensorgrad-gpu: compile the TypeScript (src/ -> dist/) and copy the webgpu worker script
// (plain JavaScript, loaded by webgpu-bridge.js as new URL("./webgpu-worker.js", import.meta.url))
// with the Dawn navigator shim it imports (also the package's "./dawn-navigator" export).
import { execFileSync } from "node:child_process";
import { copyFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
rmSync(join(here, "dist"), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", join(here, "tsconfig.json")], { stdio: "inherit" });
for (const f of ["webgpu-worker.js", "dawn-navigator.js"]) copyFileSync(join(here, "src", f), join(here, "dist", f));
console.log("[tensorgrad-gpu] built dist/");
