import { defineConfig } from "vite";

export default defineConfig({
  // Relative asset URLs: the built site works from any path (http://host/some/sub/dir/).
  base: "./",
  build: {
    // tensorgrad instantiates its WebAssembly module with top-level await.
    target: "es2022",
    // CodeMirror with the JavaScript language is ~500 kB minified (~170 kB gzipped); that is expected.
    // gpu.js (tensorgrad-gpu) is a ~650 kB chunk of its own, loaded after tensorgrad.
    chunkSizeWarningLimit: 800,
  },
  optimizeDeps: {
    // Don't pre-bundle tensorgrad: it finds its .wasm with
    // `new URL("./wasm/tensorgrad_wasm_bg.wasm", import.meta.url)`, which must stay next to it.
    exclude: ["tensorgrad", "tensorgrad-gpu"],
    // ...but gpu.js is CommonJS (a UMD bundle in browsers): pre-bundle it for the dev server.
    include: ["tensorgrad-gpu > gpu.js"],
  },
});
