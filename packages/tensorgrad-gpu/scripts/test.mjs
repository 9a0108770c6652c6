// `npm test` for tensorgrad-gpu: vitest, under xvfb-run when headless-gl is built
// (`bash scripts/bootstrap.sh --gl`) and there is no display, so the suites also run in gpu.js's
// headlessgl mode; otherwise in its cpu and webasm modes only (said on the way in).
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
import { dirname, join } from "node:path";
const vitest = join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");
let hasGl = false;
try {
  require.resolve("gl", { paths: [require.resolve("gpu.js")] });
  hasGl = true;
} catch {
  // gpu.js's optional native dependency is not built (the default)
}
const xvfb = spawnSync("sh", ["-c", "command -v xvfb-run"], { encoding: "utf8" }).stdout.trim();
const args = ["run", ...process.argv.slice(2)];
let cmd = process.execPath;
let argv = [vitest, ...args];
if (hasGl && !process.env.DISPLAY && xvfb) {
  console.log("[tensorgrad-gpu] headless-gl is built: running the tests under xvfb-run (cpu, webasm and headlessgl modes)");
  cmd = xvfb;
  argv = ["-a", "-s", "-screen 0 1280x1024x24", process.execPath, vitest, ...args];
} else if (!hasGl) {
  console.log("[tensorgrad-gpu] headless-gl not built (bash scripts/bootstrap.sh --gl builds it): testing gpu.js's cpu and webasm modes here; WebGL2/WebGL run in the playground's Chromium e2e");
}
const r = spawnSync(cmd, argv, { stdio: "inherit" });
process.exit(r.status ?? 1);
