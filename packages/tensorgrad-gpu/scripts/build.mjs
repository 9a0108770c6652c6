// Build tensorgrad-gpu: compile the TypeScript (src/ -> dist/) and copy the webgpu worker script
// (plain JavaScript, loaded by webgpu-bridge.js as new URL("./webgpu-worker.js", import.meta.url)).
import { execFileSync } from "node:child_process";
import { copyFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
rmSync(join(here, "dist"), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", join(here, "tsconfig.json")], { stdio: "inherit" });
copyFileSync(join(here, "src", "webgpu-worker.js"), join(here, "dist", "webgpu-worker.js"));
console.log("[tensorgrad-gpu] built dist/");
