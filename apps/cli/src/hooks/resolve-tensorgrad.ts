// Module resolution hook for `tensorgrad run`, registered with node:module's register() (so it
// runs on the loader thread, ahead of tsx's hooks):
//  - `import ... from "tensorgrad"` in the user's script resolves from the CLI's own
//    dependencies, whatever directory the script is in;
//  - a .ts file whose package.json does not set "type" (or that has no package.json) is an ES
//    module. tsx would compile it to CommonJS, and CommonJS cannot load tensorgrad, whose entry
//    uses top-level await. `"type": "commonjs"` and .cts keep their CommonJS meaning.
import { readFileSync } from "node:fs";
import type { InitializeHook, ResolveHook } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface HookData {
  /** A URL inside the CLI package; "tensorgrad" is resolved as if imported from there. */
  parentURL: string;
}

let cliURL: string | undefined;

export const initialize: InitializeHook<HookData> = (data) => {
  cliURL = data.parentURL;
};

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  if (cliURL !== undefined && (specifier === "tensorgrad" || specifier.startsWith("tensorgrad/"))) {
    return nextResolve(specifier, { ...context, parentURL: cliURL });
  }
  const resolved = await nextResolve(specifier, context);
  if (/^file:.*\.ts(\?|#|$)/.test(resolved.url) && packageType(resolved.url) === undefined) {
    return { ...resolved, format: "module" };
  }
  return resolved;
};

const typeByDir = new Map<string, string | undefined>();

/** The "type" field of the nearest package.json, or undefined if it has none / there is none. */
function packageType(url: string): string | undefined {
  let dir = dirname(fileURLToPath(url.replace(/[?#].*$/, "")));
  const visited: string[] = [];
  let type: string | undefined;
  for (;;) {
    if (typeByDir.has(dir)) {
      type = typeByDir.get(dir);
      break;
    }
    visited.push(dir);
    let text: string | undefined;
    try {
      text = readFileSync(join(dir, "package.json"), "utf8");
    } catch {
      // none here
    }
    if (text !== undefined) {
      try {
        const t = (JSON.parse(text) as { type?: unknown }).type;
        type = typeof t === "string" ? t : undefined;
      } catch {
        type = undefined;
      }
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of visited) typeByDir.set(d, type);
  return type;
}
