#!/usr/bin/env node
// GPU benchmark: matmul 512/1024/2048 and an MLP training step through gpu.js (tensorgrad-gpu)
// against tensorgrad's WASM kernels; prints ms, GFLOP/s, the ratio and the agreement.
// See bench/gpu/README.md. Needs `npx turbo run build` first (tensorgrad, tensorgrad-gpu and
// the playground's dist/, which hosts the browser run).
//
//   node bench/gpu/run.mjs                       # Chromium (GPU flags, else SwiftShader) + Node
//   node bench/gpu/run.mjs --target chromium     # or node
//   node bench/gpu/run.mjs --sizes 256,512 --max-seconds 120
//   CHROMIUM_GPU_ARGS="--use-angle=vulkan --enable-features=Vulkan" node bench/gpu/run.mjs
//   xvfb-run -a node bench/gpu/run.mjs --target node   # headless-gl, when the `gl` module is built
//   (Node: gpu.js's webgpu mode first when Dawn loads and finds an adapter; see bench/gpu/README.md)
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { cpus } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gpuBench } from "./bench.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DIST = path.join(ROOT, "apps/playground/dist");
const CHROMIUM = process.env.TENSORGRAD_CHROMIUM || "/usr/bin/chromium";

// Tried in order; the first whose WebGL renderer is not a software one is used.
const GPU_FLAG_SETS = process.env.CHROMIUM_GPU_ARGS
  ? [process.env.CHROMIUM_GPU_ARGS.split(/\s+/).filter(Boolean)]
  : [
      ["--enable-gpu", "--ignore-gpu-blocklist", "--use-angle=vulkan", "--enable-features=Vulkan"],
      ["--enable-gpu", "--ignore-gpu-blocklist", "--use-gl=angle", "--use-angle=gl-egl"],
      ["--enable-gpu", "--use-gl=egl", "--ignore-gpu-blocklist"],
    ];
const SOFTWARE_FLAGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader"];
const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|lavapipe/i;

const { values } = parseArgs({
  options: {
    target: { type: "string", default: "all" },
    sizes: { type: "string" },
    "max-seconds": { type: "string", default: "240" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log((await readFile(fileURLToPath(import.meta.url), "utf8")).split("\n").slice(1).filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith("//"))).join("\n").replace(/^\/\/ ?/gm, ""));
  process.exit(0);
}
const maxSeconds = Number(values["max-seconds"]);
const targets = values.target === "all" ? ["chromium", "node"] : values.target.split(",");
const started = Date.now();
const left = () => Math.max(10, maxSeconds - (Date.now() - started) / 1000);

/** Full sizes on a GPU; on a software renderer or gpu.js's CPU backends, smaller ones (known to finish). */
function plan(onGpu) {
  const sizes = values.sizes ? values.sizes.split(",").map(Number) : onGpu ? [512, 1024, 2048] : [128, 256, 512];
  const mlp = onGpu ? { batch: 512, input: 784, hidden: 1024, classes: 10 } : { batch: 64, input: 256, hidden: 256, classes: 10 };
  return { sizes, mlp };
}

function print(title, result, note) {
  console.log(`\n== ${title}: gpu.js mode ${result.mode}${result.onGpu ? "" : " (not a GPU)"}${note ? ` — ${note}` : ""}`);
  console.log(`${"workload".padEnd(34)}${"WASM ms".padStart(10)}${"gpu.js ms".padStart(11)}${"WASM GF/s".padStart(11)}${"gpu.js GF/s".padStart(13)}${"ratio".padStart(8)}  max rel diff`);
  for (const r of result.rows) {
    if (r.skipped) {
      console.log(`${r.name.padEnd(34)}skipped: ${r.skipped}`);
      continue;
    }
    const ratio = r.wasmMs / r.gpuMs;
    console.log(
      `${r.name.padEnd(34)}${r.wasmMs.toFixed(1).padStart(10)}${r.gpuMs.toFixed(1).padStart(11)}${r.wasmGflops.toFixed(2).padStart(11)}${r.gpuGflops
        .toFixed(2)
        .padStart(13)}${(ratio.toFixed(2) + "x").padStart(8)}  ${r.maxRelDiff.toExponential(1)}${r.offloaded ? `   (offloaded: ${r.offloaded}; read back: ${r.readBack})` : ""}`,
    );
  }
}

console.log(`[bench/gpu] ${cpus()[0]?.model?.trim()}, ${cpus().length} cores; Node ${process.versions.node}; budget ${maxSeconds} s`);

// ---------------------------------------------------------------- Chromium
if (targets.includes("chromium")) {
  if (!existsSync(CHROMIUM) || !existsSync(path.join(DIST, "index.html"))) {
    console.log(`[bench/gpu] chromium: skipped (needs ${CHROMIUM} and ${path.relative(ROOT, DIST)}: npx turbo run build)`);
  } else {
    const { chromium } = await import("playwright-core");
    const server = await serveDist();
    const url = `http://127.0.0.1:${server.address().port}/`;
    let chosen = null;
    for (const flags of [...GPU_FLAG_SETS, SOFTWARE_FLAGS]) {
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", ...flags] });
      const page = await browser.newPage();
      await page.goto(url);
      await page.waitForFunction(() => window.tensorgradPlayground?.tensorgradGpu, null, { timeout: 60_000 });
      const renderer = await page.evaluate(() => {
        const gl = document.createElement("canvas").getContext("webgl2");
        if (!gl) return null;
        const dbg = gl.getExtension("WEBGL_debug_renderer_info");
        return String(gl.getParameter(dbg ? dbg.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
      });
      console.log(`[bench/gpu] chromium ${flags.join(" ")}: ${renderer ?? "no WebGL2"}`);
      if (renderer && (!SOFTWARE.test(renderer) || flags === SOFTWARE_FLAGS)) {
        chosen = { browser, page, renderer, flags, software: SOFTWARE.test(renderer) };
        break;
      }
      await browser.close();
    }
    if (chosen) {
      const { sizes, mlp } = plan(!chosen.software);
      const result = await chosen.page.evaluate(
        async ([src, opts]) => {
          const bench = new Function(`return (${src})`)();
          const { tensorgrad, tensorgradGpu } = window.tensorgradPlayground;
          return bench(tensorgrad, tensorgradGpu, opts);
        },
        [gpuBench.toString(), { sizes, mlp, mode: "webgl2", maxSeconds: targets.includes("node") ? left() * 0.7 : left() }],
      );
      print(`Chromium ${chosen.browser.version()} (${chosen.renderer})`, result, chosen.software ? "software renderer: no GPU found, smaller sizes" : "");
      await chosen.browser.close();
    }
    await new Promise((r) => server.close(r));
  }
}

// ---------------------------------------------------------------- Node
if (targets.includes("node")) {
  const tg = await import("tensorgrad");
  const gpu = await import("tensorgrad-gpu");
  const s = gpu.supportedModes();
  // WebGPU (Dawn) in a worker thread behind the synchronous seam: the way to a real GPU from Node
  // where headless-gl cannot reach one (no GPU X server). Probed once: Dawn loads, finds an adapter.
  const webgpu = gpu.webGpuSupport();
  if (webgpu.available) {
    console.log(`[bench/gpu] webgpu: adapter ${webgpu.adapter}`);
    const { sizes, mlp } = plan(true);
    try {
      const result = await gpuBench(tg, gpu, { sizes, mlp, mode: "webgpu", maxSeconds: left() * 0.6 });
      print(`Node ${process.versions.node}`, result, `WebGPU (Dawn) in a worker thread, adapter ${result.adapter ?? webgpu.adapter}`);
    } catch (e) {
      console.log(`[bench/gpu] webgpu: failed: ${e?.stack ?? e}`);
    }
  } else {
    console.log(`[bench/gpu] webgpu: not available (${webgpu.reason})`);
  }
  const mode = s.headlessgl ? "headlessgl" : s.webasm ? "webasm" : "cpu";
  const renderer = mode === "headlessgl" ? await headlessGlRenderer() : null;
  const software = !renderer || renderer === "ANGLE" || SOFTWARE.test(renderer);
  const { sizes, mlp } = plan(!software);
  const result = await gpuBench(tg, gpu, { sizes, mlp, mode, maxSeconds: left() });
  print(
    `Node ${process.versions.node}`,
    result,
    mode === "headlessgl"
      ? `headless-gl, renderer ${renderer ?? "unknown"}${software ? " (software: smaller sizes)" : ""}`
      : "no GPU context in Node: gpu.js's CPU backend",
  );
}
console.log(`\n[bench/gpu] done in ${((Date.now() - started) / 1000).toFixed(0)} s`);

/** The GL renderer headless-gl gets here (ANGLE over GLX: a GPU only when the X server's GLX reaches one). */
async function headlessGlRenderer() {
  try {
    const { default: createGl } = await import("gl");
    const gl = createGl(1, 1);
    if (!gl) return null;
    const dbg = gl.getExtension("WEBGL_debug_renderer_info");
    const r = String(gl.getParameter(dbg ? dbg.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension("STACKGL_destroy_context")?.destroy();
    // headless-gl reports only "ANGLE"; the GL underneath is the X server's GLX renderer, which
    // the caller can pass in (bench/gpu/device/remote.sh reads it with glxinfo)
    return r === "ANGLE" && process.env.TG_GL_RENDERER ? `ANGLE on ${process.env.TG_GL_RENDERER}` : r;
  } catch {
    return null;
  }
}

async function serveDist() {
  const MIME = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm" };
  const server = createServer((req, res) => {
    let p = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    if (p.endsWith("/")) p += "index.html";
    const file = path.join(DIST, path.normalize(p));
    if (!file.startsWith(DIST)) return res.writeHead(403).end();
    readFile(file).then(
      (body) => res.writeHead(200, { "content-type": MIME[path.extname(file)] ?? "application/octet-stream" }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return server;
}
