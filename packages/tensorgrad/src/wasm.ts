// Loads the WebAssembly core once, at import time (top-level await), so
// `import { tensor } from "tensorgrad"` needs no init call in Node or in the browser.
import init, * as raw from "./wasm/tensorgrad_wasm.js";

const wasmUrl = new URL("./wasm/tensorgrad_wasm_bg.wasm", import.meta.url);

async function load(): Promise<void> {
  const isNode = typeof process !== "undefined" && !!process.versions?.node && wasmUrl.protocol === "file:";
  if (isNode) {
    // Hidden from bundlers: this branch only runs in Node, where fetch() cannot read file: URLs.
    const fsName = "node:fs/promises";
    const fs: typeof import("node:fs/promises") = await import(/* @vite-ignore */ fsName);
    exports = await init({ module_or_path: await fs.readFile(wasmUrl) });
  } else {
    exports = await init({ module_or_path: wasmUrl });
  }
}

let exports: { memory: WebAssembly.Memory };
await load();

/** The core's linear memory (its buffer is replaced when memory grows: read it each time). */
export function wasmMemory(): WebAssembly.Memory {
  return exports.memory;
}

export { raw };
export type RawTensor = raw.RawTensor;
export type RawNode = raw.RawNode;
