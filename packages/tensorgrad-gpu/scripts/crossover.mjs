#!/usr/bin/env node
// Measures, per gpu.js mode, the size from which the gpu.js path beats the WebAssembly kernels,
// and writes the table the dispatcher reads (src/crossover.ts; rebuild the package after).
//
//   node scripts/crossover.mjs                 # every mode available: Node's (cpu, webasm,
//                                              # headlessgl when `gl` works, webgpu when Dawn
//                                              # finds an adapter) and Chromium's (webgl2, webgl)
//   node scripts/crossover.mjs --modes webgl2  # only these
//   node scripts/crossover.mjs --quick         # small sweeps (a smoke test; --dry-run implied)
//   node scripts/crossover.mjs --dry-run       # print, don't write src/crossover.ts
//   xvfb-run -a node scripts/crossover.mjs --modes headlessgl
//
// Browser modes run in Chromium (TENSORGRAD_CHROMIUM, default /usr/bin/chromium) on the built
// playground (apps/playground/dist: `npx turbo run build`), with CHROMIUM_GPU_ARGS or, by
// default, WebGL on SwiftShader. On a machine with a GPU pass the GPU flags, e.g.
//   CHROMIUM_GPU_ARGS="--enable-gpu --use-gl=egl --ignore-gpu-blocklist" node scripts/crossover.mjs --modes webgl2
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { cpus } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { measureCrossover } from "./measure.mjs";

const HERE = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const ROOT = path.resolve(HERE, "../..");
const TABLE_FILE = path.join(HERE, "src/crossover.ts");
const NODE_MODES = ["cpu", "webasm", "headlessgl", "webgpu"];
const BROWSER_MODES = ["webgl2", "webgl"];
export const SWIFTSHADER_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader"];

const { values } = parseArgs({
  options: {
    modes: { type: "string" },
    quick: { type: "boolean" },
    "dry-run": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 16).join("\n").replace(/^\/\/ ?/gm, ""));
  process.exit(0);
}
const quick = Boolean(values.quick);
const dryRun = quick || Boolean(values["dry-run"]);
const wanted = values.modes ? values.modes.split(",") : [...NODE_MODES, ...BROWSER_MODES];
const machine = `${cpus()[0]?.model?.trim() ?? "unknown CPU"}, ${cpus().length} cores`;
const today = new Date().toISOString().slice(0, 10);

function printSample(mode, s) {
  const ratio = s.wasmMs / s.gpuMs;
  console.log(
    `  ${mode.padEnd(10)} ${s.op.padEnd(7)} ${s.shape.padStart(12)}  gpu.js ${s.gpuMs.toFixed(3).padStart(9)} ms   wasm ${s.wasmMs
      .toFixed(3)
      .padStart(9)} ms   ${ratio >= 1 ? `gpu.js ${ratio.toFixed(2)}x faster` : `wasm ${(1 / ratio).toFixed(2)}x faster`}`,
  );
}

const results = {};

// ---------------------------------------------------------------- Node modes
const nodeModes = wanted.filter((m) => NODE_MODES.includes(m));
if (nodeModes.length) {
  const tg = await import("tensorgrad");
  const gpu = await import("tensorgrad-gpu");
  const supported = gpu.supportedModes();
  for (const mode of nodeModes) {
    if (!supported[mode]) {
      const why = mode === "headlessgl" ? " (needs the `gl` module and a display: xvfb-run)" : mode === "webgpu" ? ` (${gpu.webGpuSupport().reason})` : "";
      console.log(`[crossover] ${mode}: not available in Node here${why}`);
      continue;
    }
    console.log(`[crossover] ${mode} (Node ${process.versions.node})`);
    const r = await measureCrossover(tg, gpu, mode, { quick, onSample: printSample });
    const where = mode === "headlessgl" ? ", headless-gl (ANGLE) under Xvfb" : mode === "webgpu" ? `, WebGPU (Dawn) in a worker thread, ${gpu.webGpuSupport().adapter}` : "";
    results[mode] = { environment: `Node ${process.versions.node}${where}`, ...r };
  }
}

// ---------------------------------------------------------------- browser modes
const browserModes = wanted.filter((m) => BROWSER_MODES.includes(m));
if (browserModes.length) {
  const chromiumPath = process.env.TENSORGRAD_CHROMIUM || "/usr/bin/chromium";
  const dist = path.join(ROOT, "apps/playground/dist");
  if (!existsSync(chromiumPath) || !existsSync(path.join(dist, "index.html"))) {
    console.log(`[crossover] ${browserModes.join(", ")}: skipped (needs ${chromiumPath} and the built playground in ${dist})`);
  } else {
    const gpuArgs = process.env.CHROMIUM_GPU_ARGS ? process.env.CHROMIUM_GPU_ARGS.split(/\s+/).filter(Boolean) : SWIFTSHADER_ARGS;
    const { page, close, renderer, version } = await openPage(chromiumPath, dist, gpuArgs);
    try {
      for (const mode of browserModes) {
        const supported = await page.evaluate((m) => window.tensorgradPlayground.tensorgradGpu.supportedModes()[m], mode);
        if (!supported) {
          console.log(`[crossover] ${mode}: not available in this Chromium`);
          continue;
        }
        console.log(`[crossover] ${mode} (${version}; ${renderer})`);
        const r = await page.evaluate(
          async ([src, m, q]) => {
            const measure = new Function(`return (${src})`)();
            const { tensorgrad, tensorgradGpu } = window.tensorgradPlayground;
            return measure(tensorgrad, tensorgradGpu, m, { quick: q });
          },
          [measureCrossover.toString(), mode, quick],
        );
        for (const s of r.samples) printSample(mode, s);
        results[mode] = { environment: `${version} headless, ${renderer}`, ...r };
      }
    } finally {
      await close();
    }
  }
}

// ---------------------------------------------------------------- the table
console.log("\n[crossover] thresholds (size from which gpu.js wins; matmul: m·k·n; null: never)");
for (const [mode, r] of Object.entries(results)) console.log(`  ${mode.padEnd(10)} ${JSON.stringify(r.thresholds)}`);

if (dryRun) {
  console.log("[crossover] dry run: src/crossover.ts not written");
} else if (Object.keys(results).length) {
  const current = readFileSync(TABLE_FILE, "utf8");
  const json = current.slice(current.indexOf("= {") + 2, current.lastIndexOf("}") + 1);
  const table = JSON.parse(json);
  for (const [mode, r] of Object.entries(results)) {
    table.modes[mode] = { measuredAt: today, environment: r.environment, machine, thresholds: r.thresholds, samples: r.samples };
  }
  writeFileSync(
    TABLE_FILE,
    `// Generated by scripts/crossover.mjs (\`npm run crossover -w tensorgrad-gpu\`): measured data, not guesses.
// Edit by re-measuring; a mode without an entry is never dispatched to under config.gpu = 'auto'.
import type { CrossoverTable } from "./crossover-types.js";
export type { CrossoverTable } from "./crossover-types.js";

export const CROSSOVER: CrossoverTable = ${JSON.stringify(table, null, 2)};
`,
  );
  console.log(`[crossover] wrote ${path.relative(ROOT, TABLE_FILE)} (${Object.keys(results).join(", ")}); rebuild: npm run build -w tensorgrad-gpu`);
}

// ---------------------------------------------------------------- helpers
async function openPage(chromiumPath, dist, gpuArgs) {
  const { chromium } = await import("playwright-core");
  const { readFile } = await import("node:fs/promises");
  const MIME = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm" };
  const server = createServer((req, res) => {
    let p = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    if (p.endsWith("/")) p += "index.html";
    const file = path.join(dist, path.normalize(p));
    if (!file.startsWith(dist)) return res.writeHead(403).end();
    readFile(file).then(
      (body) => res.writeHead(200, { "content-type": MIME[path.extname(file)] ?? "application/octet-stream" }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--headless", "--no-sandbox", ...gpuArgs] });
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => window.tensorgradPlayground?.tensorgradGpu, null, { timeout: 60_000 });
  const renderer = await page.evaluate(() => {
    const gl = document.createElement("canvas").getContext("webgl2") ?? document.createElement("canvas").getContext("webgl");
    if (!gl) return "no WebGL";
    const dbg = gl.getExtension("WEBGL_debug_renderer_info");
    return String(gl.getParameter(dbg ? dbg.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  });
  const version = `Chromium ${browser.version()}`;
  const close = async () => {
    await browser.close();
    await new Promise((r) => server.close(r));
  };
  return { page, close, renderer, version };
}
