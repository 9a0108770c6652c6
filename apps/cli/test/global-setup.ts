// Build dist/ from src/ before the suite, so that the spawned `node bin/tensorgrad.js` never
// runs stale output (turbo builds first anyway; this covers a bare `npx vitest run`).
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const cwd = fileURLToPath(new URL("..", import.meta.url));
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd, stdio: "inherit" });
}
