import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function readJson(path: string | URL): { name?: string; version?: string } {
  return JSON.parse(readFileSync(path, "utf8")) as { name?: string; version?: string };
}

/** This CLI's version, from apps/cli/package.json. */
export function cliVersion(): string {
  return readJson(new URL("../package.json", import.meta.url)).version ?? "unknown";
}

/** Version of the tensorgrad library the CLI resolves, without loading it; undefined if not found. */
export function libraryVersion(): string | undefined {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve("tensorgrad")));
    for (;;) {
      try {
        const pkg = readJson(join(dir, "package.json"));
        if (pkg.name === "tensorgrad") return pkg.version;
      } catch {
        // no package.json here: keep walking up
      }
      const parent = dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  } catch {
    return undefined;
  }
}
