import { defineConfig } from "vite";

// Cross-origin isolation (COOP + COEP): lets the page use SharedArrayBuffer, so tensorgrad's
// matmul thread pool runs (without it tensorgrad silently stays on one thread). A static host
// serving dist/ must send the same two headers for threads in production.
const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  server: { headers: isolation },
  preview: { headers: isolation },
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
