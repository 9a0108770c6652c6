// Loads the WebAssembly core once, at import time (top-level await), so
// `import { tensor } from "tensorgrad"` needs no init call in Node or in the browser.
// The module is compiled here (not inside wasm-bindgen's init) so the matmul thread pool can
// hand the same compiled module to its workers.
import init, * as raw from "./wasm/tensorgrad_wasm.js";

const wasmUrl = new URL("./wasm/tensorgrad_wasm_bg.wasm", import.meta.url);

async function compile(): Promise<WebAssembly.Module> {
  const isNode = typeof process !== "undefined" && !!process.versions?.node && wasmUrl.protocol === "file:";
  if (isNode) {
    // Hidden from bundlers: this branch only runs in Node, where fetch() cannot read file: URLs.
    const fsName = "node:fs/promises";
    const fs: typeof import("node:fs/promises") = await import(/* @vite-ignore */ fsName);
    return WebAssembly.compile(await fs.readFile(wasmUrl));
  }
  const res = await fetch(wasmUrl);
  if (!res.ok) throw new Error(`tensorgrad: failed to fetch ${wasmUrl.href}: ${res.status} ${res.statusText}`);
  if (typeof WebAssembly.compileStreaming === "function" && res.headers.get("Content-Type") === "application/wasm") {
    return WebAssembly.compileStreaming(res);
  }
  // A server that does not send application/wasm: compile from the bytes instead.
  return WebAssembly.compile(await res.arrayBuffer());
}

const module = await compile();
const exports: { memory: WebAssembly.Memory } = await init({ module_or_path: module });

/** The core's linear memory (its buffer is replaced when memory grows: read it each time). */
export function wasmMemory(): WebAssembly.Memory {
  return exports.memory;
}

/** The compiled core (the thread pool's workers instantiate it too). */
export function wasmModule(): WebAssembly.Module {
  return module;
}

export { raw };
export type RawTensor = raw.RawTensor;
export type RawNode = raw.RawNode;
