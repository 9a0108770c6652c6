// End-to-end test of the built playground: serves dist/ under a sub-path with a tiny static
// server, opens it in Debian's Chromium (via playwright-core, no downloaded browsers) and runs
// programs through the real UI, against the real tensorgrad WebAssembly module.
//
// Needs /usr/bin/chromium (`bash scripts/bootstrap.sh --test` installs it; TENSORGRAD_CHROMIUM
// overrides the path). Without it the test FAILS; set TENSORGRAD_SKIP_E2E=1 to skip it instead.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, realpathSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const APP_DIR = fileURLToPath(new URL("..", import.meta.url));
const DIST = path.join(APP_DIR, "dist");
const RESULTS = path.join(APP_DIR, "test-results");
const CHROMIUM = process.env.TENSORGRAD_CHROMIUM || "/usr/bin/chromium";
const SKIP = process.env.TENSORGRAD_SKIP_E2E === "1";
/** The site is served from here, not from the root, to prove `base: "./"` works. */
const SUB_PATH = "/some/sub/dir/";

const SEED_OUTPUT = "tensor([5.])";

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

// ---------------------------------------------------------------- building dist/

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const st = statSync(target);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** packages/<name>/dist, found the way Node finds the package (its exports hide package.json). */
function tensorgradDist(name = "tensorgrad"): string | null {
  for (let dir = APP_DIR; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, "node_modules", name);
    if (existsSync(pkg)) return path.join(realpathSync(pkg), "dist");
    if (path.dirname(dir) === dir) return null;
  }
}

/** `vite build`, unless dist/ is newer than everything it is built from (turbo builds it before `test`). */
function ensureBuilt(): void {
  const built = existsSync(path.join(DIST, "index.html")) ? newestMtime(path.join(DIST, "index.html")) : 0;
  const lib = tensorgradDist();
  const gpuLib = tensorgradDist("tensorgrad-gpu");
  const inputs = Math.max(
    ...["index.html", "vite.config.ts", "src"].map((p) => newestMtime(path.join(APP_DIR, p))),
    lib ? newestMtime(lib) : 0,
    gpuLib ? newestMtime(gpuLib) : 0,
  );
  if (built > 0 && built >= inputs) return;
  const vite = path.join(path.dirname(createRequire(import.meta.url).resolve("vite/package.json")), "bin", "vite.js");
  const res = spawnSync(process.execPath, [vite, "build"], { cwd: APP_DIR, encoding: "utf8", env: process.env });
  if (res.status !== 0) {
    throw new Error(`vite build failed (exit ${res.status}):\n${res.stdout}\n${res.stderr}`);
  }
}

// ---------------------------------------------------------------- static server

interface Served {
  path: string;
  status: number;
  type: string;
}

/** `extra` headers go on every response (the COOP/COEP pair makes the page cross-origin isolated). */
function serve(root: string, served: Served[], extra: Record<string, string> = {}): Promise<Server> {
  const server = createServer((req, res) => {
    const done = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
      served.push({ path: pathname, status, type });
      res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...extra, ...headers });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    let pathname = "/";
    try {
      pathname = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      return done(400, "text/plain", "bad request");
    }
    if (req.method !== "GET" && req.method !== "HEAD") return done(405, "text/plain", "method not allowed");
    if (pathname === SUB_PATH.slice(0, -1)) return done(301, "text/plain", "", { location: SUB_PATH });
    if (!pathname.startsWith(SUB_PATH)) return done(404, "text/plain", "not found (the site lives under " + SUB_PATH + ")");
    let rel = pathname.slice(SUB_PATH.length);
    if (rel === "" || rel.endsWith("/")) rel += "index.html";
    const file = path.resolve(root, rel);
    if (file !== root && !file.startsWith(root + path.sep)) return done(403, "text/plain", "forbidden");
    readFile(file).then(
      (body) => done(200, MIME[path.extname(file).toLowerCase()] ?? "application/octet-stream", body),
      () => done(404, "text/plain", "not found"),
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

// ---------------------------------------------------------------- page helpers

interface Watched {
  page: Page;
  pageErrors: string[];
  consoleErrors: string[];
  badResponses: string[];
}

async function openPlayground(browser: Browser, url: string): Promise<Watched> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const w: Watched = { page, pageErrors: [], consoleErrors: [], badResponses: [] };
  page.on("pageerror", (err) => w.pageErrors.push(String(err.stack ?? err)));
  page.on("console", (msg) => {
    if (msg.type() === "error") w.consoleErrors.push(msg.text());
  });
  page.on("requestfailed", (req) => w.badResponses.push(`${req.url()}: ${req.failure()?.errorText}`));
  page.on("response", (res) => {
    if (res.status() >= 400) w.badResponses.push(`${res.url()}: HTTP ${res.status()}`);
  });
  await page.goto(url);
  // Wait for the module to load (or fail to), then insist it loaded.
  await page.waitForFunction(() => document.getElementById("status")?.dataset.state !== "loading", null, {
    timeout: 60_000,
  });
  const status = await page.locator("#status").textContent();
  if (status !== "tensorgrad ready") {
    const output = await page.locator("#output").innerText();
    throw new Error(`playground did not get ready: status "${status}", output:\n${output}\npage errors: ${w.pageErrors.join("\n")}`);
  }
  expect(await page.locator("#run").isEnabled()).toBe(true);
  return w;
}

/** Replaces the editor's text the way a user would: select all, then type (insert) the new text. */
async function replaceCode(page: Page, code: string): Promise<void> {
  await page.locator(".cm-content").click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.insertText(code);
  const now = await page.evaluate(() => window.tensorgradPlayground?.getCode());
  expect(now).toBe(code);
}

function finishedRuns(page: Page): Promise<number> {
  return page.evaluate(() => Number(document.getElementById("output")?.dataset.runs ?? 0));
}

/** Waits until more than `before` runs have finished; returns the output pane's lines. */
async function waitForRun(page: Page, before: number): Promise<{ kind: string; text: string }[]> {
  await page.waitForFunction((n) => Number(document.getElementById("output")?.dataset.runs ?? 0) > n, before, {
    timeout: 60_000,
  });
  return readOutput(page);
}

/** Runs the program with the Run button; returns the output pane's lines. */
async function runAndRead(page: Page): Promise<{ kind: string; text: string }[]> {
  const before = await finishedRuns(page);
  await page.locator("#run").click();
  return waitForRun(page, before);
}

async function readOutput(page: Page): Promise<{ kind: string; text: string }[]> {
  return page.locator("#output .line").evaluateAll((els) =>
    els.map((el) => ({ kind: [...el.classList].find((c) => c !== "line") ?? "", text: el.textContent ?? "" })),
  );
}

// ---------------------------------------------------------------- the tests

describe.skipIf(SKIP)("playground end to end (built site, Chromium)", () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let baseUrl = "";
  const served: Served[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}. The playground's e2e test needs Debian's chromium: ` +
          `run \`bash scripts/bootstrap.sh --test\` (or \`apt-get install chromium\`), point ` +
          `TENSORGRAD_CHROMIUM at another Chromium binary, or set TENSORGRAD_SKIP_E2E=1 to skip this test.`,
      );
    }
    ensureBuilt();
    mkdirSync(RESULTS, { recursive: true });
    server = await serve(DIST, served);
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SUB_PATH}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it("loads tensorgrad's wasm from the sub-path and runs the seed program", async () => {
    const w = await openPlayground(browser!, baseUrl);
    const { page } = w;

    // The editor is CodeMirror, prefilled with the seed program.
    expect(await page.locator(".cm-editor .cm-content").isVisible()).toBe(true);
    const code = await page.evaluate(() => window.tensorgradPlayground?.getCode());
    expect(code).toContain('import { tensor } from "tensorgrad";');
    expect(code).toContain("const A = tensor([5.0], { requiresGrad: true });");

    const lines = await runAndRead(page);
    expect(lines).toEqual([{ kind: "log", text: SEED_OUTPUT }]);
    expect(await page.locator("#run-info").getAttribute("data-result")).toBe("ok");
    await page.screenshot({ path: path.join(RESULTS, "playground.png") });

    // Ctrl-Enter runs too (and every run starts from an empty pane).
    await page.locator("#clear").click();
    expect(await readOutput(page)).toEqual([]);
    await page.locator(".cm-content").click();
    const before = await finishedRuns(page);
    await page.keyboard.press("Control+Enter");
    expect(await waitForRun(page, before)).toEqual([{ kind: "log", text: SEED_OUTPUT }]);
    // ...without CodeMirror also inserting a blank line.
    expect(await page.evaluate(() => window.tensorgradPlayground?.getCode())).toBe(code);

    // The WebAssembly module came from under the sub-path, as application/wasm.
    const wasm = served.filter((r) => r.path.endsWith(".wasm"));
    expect(wasm.length).toBeGreaterThan(0);
    for (const r of wasm) {
      expect(r.path.startsWith(SUB_PATH)).toBe(true);
      expect(r.status).toBe(200);
      expect(r.type).toBe("application/wasm");
    }
    expect(served.filter((r) => r.status >= 400)).toEqual([]);
    expect(w.badResponses).toEqual([]);
    expect(w.pageErrors).toEqual([]);
    expect(w.consoleErrors).toEqual([]);
    await page.close();
  });

  it("shows a thrown error in red, and the module survives it", async () => {
    const w = await openPlayground(browser!, baseUrl);
    const { page } = w;

    // The message tensorgrad gives for this shape mismatch, straight from the page's module.
    const expected = await page.evaluate(() => {
      const tg = window.tensorgradPlayground!.tensorgrad!;
      try {
        tg.tensor([[1.0, 2.0, 3.0]]).matmul(tg.tensor([[1.0, 2.0]]));
        return null;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    });
    expect(expected, "matmul of [1,3] by [1,2] should throw").toBeTruthy();

    await replaceCode(
      page,
      [
        'import { tensor } from "tensorgrad";',
        'console.log("before the error");',
        "const a = tensor([[1.0, 2.0, 3.0]]);",
        "const b = tensor([[1.0, 2.0]]);",
        "a.matmul(b); // shapes [1, 3] and [1, 2] don't match",
        'console.log("not reached");',
        "",
      ].join("\n"),
    );
    const lines = await runAndRead(page);
    expect(lines.map((l) => l.text)).not.toContain("not reached");
    expect(lines[0]).toEqual({ kind: "log", text: "before the error" });
    expect(lines).toHaveLength(2);
    expect(lines[1]!.kind).toBe("error");
    expect(lines[1]!.text).toContain(expected!);
    expect(lines[1]!.text).toContain("(line 5)");
    const color = await page.locator("#output .line.error").evaluate((el) => getComputedStyle(el).color);
    expect(color).toBe("rgb(198, 40, 40)");
    expect(await page.locator("#run-info").getAttribute("data-result")).toBe("error");
    await page.screenshot({ path: path.join(RESULTS, "playground-error.png") });

    // The same wasm instance keeps working: load the seed from the examples menu and run it.
    await page.locator("#examples").selectOption("seed");
    expect(await runAndRead(page)).toEqual([{ kind: "log", text: SEED_OUTPUT }]);

    expect(w.pageErrors).toEqual([]);
    expect(w.badResponses).toEqual([]);
    await page.close();
  });

  it("reports syntax errors and unknown imports, and runs every example cleanly", async () => {
    const w = await openPlayground(browser!, baseUrl);
    const { page } = w;

    await replaceCode(page, 'import { tensor } from "tensorgrad";\nconst x = tensor([1.0]\nconsole.log(x);\n');
    let lines = await runAndRead(page);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.kind).toBe("error");
    expect(lines[0]!.text).toMatch(/^SyntaxError: /);

    await replaceCode(page, 'import { map } from "lodash";\nconsole.log(map);\n');
    lines = await runAndRead(page);
    expect(lines).toEqual([
      { kind: "error", text: 'SyntaxError: Cannot import "lodash": the playground provides only "tensorgrad", "@tensorgrad/datasets", "tensorgrad-gpu" (line 1)' },
    ]);

    await replaceCode(page, 'import { noSuchThing } from "tensorgrad";\nconsole.log(noSuchThing);\n');
    lines = await runAndRead(page);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.text).toContain("does not provide an export named 'noSuchThing'");

    // Namespace and aliased imports, console.log of a tensor object, async code.
    await replaceCode(
      page,
      [
        'import * as tg from "tensorgrad";',
        'import { tensor as T } from "tensorgrad";',
        "const x = T([5.0], { requiresGrad: true });",
        "x.mul(5).backward();",
        "await new Promise((r) => setTimeout(r, 10));",
        "console.log(x.grad);",
        'console.warn("typeof tg.tensor:", typeof tg.tensor);',
        "",
      ].join("\n"),
    );
    lines = await runAndRead(page);
    expect(lines).toEqual([
      { kind: "log", text: SEED_OUTPUT },
      { kind: "warn", text: "typeof tg.tensor: function" },
    ]);

    // The menu says "Your code" once the editor no longer holds an example.
    expect(await page.locator("#examples").inputValue()).toBe("custom");
    const examples = await page.locator("#examples option").evaluateAll((opts) =>
      (opts as HTMLOptionElement[]).filter((o) => !o.hidden).map((o) => o.value),
    );
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const id of examples) {
      await page.locator("#examples").selectOption(id);
      expect(await page.locator("#examples").inputValue()).toBe(id);
      lines = await runAndRead(page);
      expect(lines.filter((l) => l.kind === "error"), `example ${id}`).toEqual([]);
      expect(lines.length, `example ${id} prints something`).toBeGreaterThan(0);
      await page.screenshot({ path: path.join(RESULTS, `playground-example-${id}.png`) });
    }
    expect(w.pageErrors).toEqual([]);
    await page.close();
  });
});

// ---------------------------------------------------------------- matmul threads (COOP/COEP)

const ISOLATION = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };

/** In the page: a float32 product large enough for the pool, its backward products, and what ran where. */
async function threadedMatmul(page: Page) {
  return page.evaluate(async () => {
    const tg = window.tensorgradPlayground!.tensorgrad!;
    const pool = (tg as unknown as { _threads: { stats(): { available: boolean; workersReady: number; jobs: number } } })._threads;
    const rand = (n: number, seed: number) => {
      let s = seed;
      return Float32Array.from({ length: n }, () => {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        return (s >>> 8) / 2 ** 24 - 0.5;
      });
    };
    const product = () => {
      const A = tg.tensor(rand(300 * 200, 1)).reshape(300, 200).detach().requiresGrad_(true);
      const B = tg.tensor(rand(200 * 250, 2)).reshape(200, 250).detach().requiresGrad_(true);
      const C = A.matmul(B);
      C.mul(tg.tensor(rand(300 * 250, 3)).reshape(300, 250)).sum().backward();
      return [C, A.grad!, B.grad!].map((t) => Array.from(t.toTypedArray()));
    };
    const byDefault = tg.getNumThreads();
    const threads = Math.max(2, byDefault);
    tg.setNumThreads(threads);
    // The workers start with the first large product; wait for them (at most ~10 s).
    for (let i = 0; i < 1000 && pool.stats().workersReady < tg.getNumThreads() - 1; i++) {
      product();
      await new Promise((r) => setTimeout(r, 10));
    }
    const before = pool.stats().jobs;
    const pooled = product();
    const jobs = pool.stats().jobs - before;
    tg.setNumThreads(1);
    const single = product();
    tg.setNumThreads(byDefault);
    return {
      isolated: globalThis.crossOriginIsolated,
      hardware: navigator.hardwareConcurrency,
      byDefault,
      withThreads: threads,
      available: pool.stats().available,
      jobs,
      pooled,
      single,
    };
  });
}

describe.skipIf(SKIP)("playground matmul threads (Chromium)", () => {
  const servers: Server[] = [];
  let browser: Browser | undefined;
  const served: Served[] = [];
  let isolatedUrl = "";
  let plainUrl = "";
  let isolatedResult: Float32Array[] | null = null;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (see the tests above)`);
    ensureBuilt();
    const isolated = await serve(DIST, served, ISOLATION);
    const plain = await serve(DIST, []);
    servers.push(isolated, plain);
    isolatedUrl = `http://127.0.0.1:${(isolated.address() as AddressInfo).port}${SUB_PATH}`;
    plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}${SUB_PATH}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  it("cross-origin isolated (COOP/COEP): threads on by default, the pool computes large matmuls, same result as one thread", async () => {
    const w = await openPlayground(browser!, isolatedUrl);
    const r = await threadedMatmul(w.page);
    expect(r.isolated).toBe(true);
    expect(r.available).toBe(true);
    expect(r.byDefault).toBe(Math.max(1, Math.min(r.hardware, 8)));
    // forward C = A·B and the backward products g·Bᵀ, Aᵀ·g all went to the pool
    expect(r.jobs).toBe(3);
    expect(r.pooled).toEqual(r.single);
    isolatedResult = r.pooled.map((v) => Float32Array.from(v));
    // the worker script was bundled by Vite and served from under the sub-path
    const worker = served.filter((s) => /threads-worker.*\.js$/.test(s.path));
    expect(worker.length).toBeGreaterThan(0);
    for (const s of worker) expect([s.path.startsWith(SUB_PATH), s.status]).toEqual([true, 200]);
    expect(w.pageErrors).toEqual([]);
    expect(w.consoleErrors).toEqual([]);
    expect(w.badResponses).toEqual([]);
    await w.page.close();
  });

  it("without isolation: no SharedArrayBuffer, one thread silently, the same result", async () => {
    const w = await openPlayground(browser!, plainUrl);
    const r = await threadedMatmul(w.page);
    expect(r.isolated).toBe(false);
    expect(r.available).toBe(false);
    expect(r.byDefault).toBe(1);
    expect(r.withThreads).toBe(2); // asked for...
    expect(r.jobs).toBe(0); // ...but nothing ran on a worker
    expect(r.pooled).toEqual(r.single);
    if (isolatedResult) r.single.forEach((v, i) => expect(Float32Array.from(v)).toEqual(isolatedResult![i]));
    expect(w.pageErrors).toEqual([]);
    expect(w.consoleErrors).toEqual([]);
    await w.page.close();
  });
});

// ---------------------------------------------------------------- the GPU path (tensorgrad-gpu)

/**
 * Chromium with WebGL2 on SwiftShader (ANGLE's software Vulkan): no GPU needed, but gpu.js runs
 * its real WebGL2 backend — GLSL shaders, float textures, readback — as it would on a GPU.
 */
const GPU_ARGS = [
  "--headless",
  "--no-sandbox",
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

describe.skipIf(SKIP)("playground GPU path (Chromium, WebGL2 on SwiftShader)", () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let baseUrl = "";

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (see the test above)`);
    ensureBuilt();
    mkdirSync(RESULTS, { recursive: true });
    server = await serve(DIST, []);
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SUB_PATH}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: GPU_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it("enables gpu.js in webgl2 mode from the toolbar, runs the MLP example on it, gradients match WASM", async () => {
    const w = await openPlayground(browser!, baseUrl);
    const { page } = w;
    expect(await page.locator("#gpu").isEnabled()).toBe(true);
    expect(await page.locator("#gpu").inputValue()).toBe("off");

    await page.locator("#gpu").selectOption("force");
    expect(await page.locator("#gpu-info").getAttribute("data-mode")).toBe("webgl2");
    expect(await page.locator("#gpu-info").textContent()).toBe("gpu.js webgl2");

    await page.locator("#examples").selectOption("gpu");
    const lines = await runAndRead(page);
    expect(lines.filter((l) => l.kind === "error")).toEqual([]);
    const text = lines.map((l) => l.text);
    expect(text[0]).toBe("gpu.js mode: webgl2 (a GPU context)");
    expect(text[1]).toMatch(/^ran on gpu\.js: .*matmul x\d+/);
    for (const line of text.filter((t) => t.startsWith("max |d"))) {
      const diff = Number(line.split(":").pop());
      expect(diff, line).toBeLessThan(1e-5);
    }
    await page.screenshot({ path: path.join(RESULTS, "playground-gpu.png") });

    // The toolbar shows what the program left: GPU always, webgl2.
    expect(await page.locator("#gpu").inputValue()).toBe("force");
    expect(w.pageErrors).toEqual([]);
    await page.close();
  });

  it.each(["webgl2", "webgl"])("every offloaded op agrees with the WASM kernels in %s mode, forward and backward, and the counts prove the GPU path", async (mode) => {
    const w = await openPlayground(browser!, baseUrl);
    const result = await w.page.evaluate((mode) => {
      const tg = window.tensorgradPlayground!.tensorgrad!;
      const gpu = window.tensorgradPlayground!.tensorgradGpu!;
      const rand = (n: number, seed: number, lo = -1, hi = 1) => {
        let s = seed;
        return Float32Array.from({ length: n }, () => {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
          return lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
        });
      };
      const worst = (a: ArrayLike<number>, b: ArrayLike<number>) => {
        let m = 0;
        for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
        return a.length === b.length ? m : Infinity;
      };
      const mat = (d: Float32Array, r: number, c: number, g = false) => tg.tensor(d).reshape(r, c).detach().requiresGrad_(g);

      // every op on an odd size, on both paths
      const ops = (): Record<string, Float32Array | Float64Array> => {
        const a = rand(4099, 1), b = rand(4099, 2, 0.5, 2), pos = rand(4099, 3, 1e-3, 10);
        return {
          matmul: mat(rand(37 * 53, 4), 37, 53).matmul(mat(rand(53 * 29, 5), 53, 29)).toTypedArray(),
          add: tg.tensor(a).add(tg.tensor(b)).toTypedArray(),
          sub: tg.tensor(a).sub(tg.tensor(b)).toTypedArray(),
          mul: tg.tensor(a).mul(tg.tensor(b)).toTypedArray(),
          div: tg.tensor(a).div(tg.tensor(b)).toTypedArray(),
          neg: tg.tensor(a).neg().toTypedArray(),
          exp: tg.tensor(a).exp().toTypedArray(),
          log: tg.tensor(pos).log().toTypedArray(),
          tanh: tg.tensor(a).mul(3).tanh().toTypedArray(),
          sum: tg.tensor(a).sum().reshape(1).toTypedArray(),
          rsub: tg.tensor(1).sub(tg.tensor(a)).toTypedArray(),
          ...conv(),
        };
      };
      // conv2d forward and both gradient products (stride, padding, dilation, groups)
      const conv = (): Record<string, Float32Array | Float64Array> => {
        const x = tg.tensor(rand(2 * 4 * 9 * 8, 10)).reshape(2, 4, 9, 8).requiresGrad_();
        const w = tg.tensor(rand(6 * 2 * 3 * 3, 11)).reshape(6, 2, 3, 3).requiresGrad_();
        const y = tg.nn.functional.conv2d(x, w, null, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 });
        const g = tg.tensor(rand(y.numel(), 12)).reshape(...y.shape);
        const [gx, gw] = tg.autograd.grad(y, [x, w], { gradOutputs: g });
        return { conv2d: y.toTypedArray(), conv2dInput: gx!.toTypedArray(), conv2dWeight: gw!.toTypedArray() };
      };
      // an MLP: forward products and both backward products of each layer
      const mlp = (): Float32Array[] => {
        const x = mat(rand(32 * 20, 6), 32, 20), y = mat(rand(32 * 5, 7), 32, 5);
        const W1 = mat(rand(20 * 24, 8, -0.4, 0.4), 20, 24, true), W2 = mat(rand(24 * 5, 9, -0.4, 0.4), 24, 5, true);
        const d = x.matmul(W1).tanh().matmul(W2).sub(y);
        const loss = d.mul(d).mean();
        loss.backward();
        return [loss, W1.grad!, W2.grad!].map((t) => t.toTypedArray() as Float32Array);
      };

      void gpu.disableGpu();
      const wasmOps = ops(), wasmMlp = mlp();
      const info = gpu.enableGpu({ mode: mode as "webgl2" | "webgl", policy: "force" });
      const gpuOps = ops(), gpuMlp = mlp();
      const after = gpu.gpuInfo();
      return {
        mode: info.mode,
        onGpu: info.onGpu,
        counts: after.counts,
        errors: after.errors,
        lastError: after.lastError,
        opDiffs: Object.fromEntries(Object.keys(wasmOps).map((k) => [k, worst(gpuOps[k]!, wasmOps[k]!)])),
        mlpDiffs: wasmMlp.map((w, i) => worst(gpuMlp[i]!, w)),
      };
    }, mode);
    expect(result.mode).toBe(mode);
    expect(result.onGpu).toBe(true);
    expect(result.errors, String(result.lastError)).toBe(0);
    for (const op of ["matmul", "add", "sub", "mul", "div", "neg", "exp", "log", "tanh", "sum", "conv2d", "conv2dInput", "conv2dWeight"] as const) {
      expect(result.counts[op].gpu, `${op} ran on gpu.js`).toBeGreaterThan(0);
      expect(result.opDiffs[op], `${op} agrees with WASM`).toBeLessThan(1e-5);
    }
    expect(result.opDiffs.rsub, "1 - x (a scalar form) agrees with WASM").toBeLessThan(1e-5);
    expect(result.counts.matmul.gpu).toBeGreaterThanOrEqual(1 + 2); // the ops' matmul + the MLP's forward products...
    for (const d of result.mlpDiffs) expect(d).toBeLessThan(1e-5);
    expect(w.pageErrors).toEqual([]);
    await w.page.close();
  });
  it.each(["webgl2", "webgl"])("in %s mode chained ops stay in GPU textures, are read back once and freed on dispose; MLP gradients match WASM", async (mode) => {
    const w = await openPlayground(browser!, baseUrl);
    const result = await w.page.evaluate((mode) => {
      const tg = window.tensorgradPlayground!.tensorgrad!;
      const gpu = window.tensorgradPlayground!.tensorgradGpu!;
      const rand = (n: number, seed: number, lo = -1, hi = 1) => {
        let s = seed;
        return Float32Array.from({ length: n }, () => {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
          return lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
        });
      };
      const worst = (a: ArrayLike<number>, b: ArrayLike<number>) => {
        let m = 0;
        for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
        return a.length === b.length ? m : Infinity;
      };
      const mat = (d: Float32Array, r: number, c: number, g = false) => tg.tensor(d).reshape(r, c).detach().requiresGrad_(g);
      const a = mat(rand(33 * 17, 1), 33, 17), b = mat(rand(17 * 9, 2), 17, 9), c = mat(rand(33 * 9, 3), 33, 9);
      const mlp = () =>
        tg.tidy(() => {
          const x = mat(rand(32 * 20, 6), 32, 20), y = mat(rand(32 * 5, 7), 32, 5);
          const W1 = mat(rand(20 * 24, 8, -0.4, 0.4), 20, 24, true), W2 = mat(rand(24 * 5, 9, -0.4, 0.4), 24, 5, true);
          const d = x.matmul(W1).tanh().matmul(W2).sub(y);
          const loss = d.mul(d).mean();
          const [g1, g2] = tg.autograd.grad(loss, [W1, W2]);
          return [loss, g1!, g2!].map((t) => t.toTypedArray());
        });

      void gpu.disableGpu();
      const want = a.matmul(b).add(c).exp().sum().item();
      const wantMlp = mlp();
      gpu.enableGpu({ mode: mode as "webgl2" | "webgl", policy: "force" });
      const base = gpu.gpuInfo().memory;
      const s = tg.tidy(() => a.matmul(b).add(c).exp().sum());
      const chained = gpu.gpuInfo().memory;
      const value = s.item();
      const read = gpu.gpuInfo().memory;
      s.dispose();
      const disposed = gpu.gpuInfo().memory;
      gpu.resetCounts();
      const gotMlp = mlp();
      const mlpInfo = gpu.gpuInfo();
      return {
        mode: gpu.gpuInfo().mode,
        base, chained, read, disposed,
        valueDiff: Math.abs(value - want) / Math.abs(want),
        mlpDiffs: wantMlp.map((w, i) => worst(gotMlp[i]!, w)),
        mlpDownloads: mlpInfo.memory.downloads,
        mlpCounts: mlpInfo.counts,
        texturesAfter: mlpInfo.memory.textures,
        errors: mlpInfo.errors,
        lastError: mlpInfo.lastError,
      };
    }, mode);
    expect(result.mode).toBe(mode);
    expect(result.errors, String(result.lastError)).toBe(0);
    // the chain: nothing downloaded, only the sum's texture left alive by tidy
    expect(result.chained.downloads - result.base.downloads).toBe(0);
    expect(result.chained.textures - result.base.textures).toBe(1);
    expect(result.chained.uploadedBytes).toBe((33 * 17 + 17 * 9 + 33 * 9) * 4);
    // item(): one 4-byte readback
    expect(result.read.downloadedBytes - result.chained.downloadedBytes).toBe(4);
    expect(result.valueDiff).toBeLessThan(1e-5);
    // dispose() deleted the texture
    expect(result.disposed.textures).toBe(result.base.textures);
    expect(result.disposed.live).toBe(result.base.live);
    // an MLP's loss and gradients: activations stayed on the GPU (3 readbacks: loss, dW1, dW2)
    expect(result.mlpDownloads).toBe(3);
    for (const op of ["matmul", "tanh", "sub", "mul", "sum"] as const) expect(result.mlpCounts[op].gpu, op).toBeGreaterThan(0);
    expect(result.texturesAfter).toBe(result.base.textures);
    for (const d of result.mlpDiffs) expect(d).toBeLessThan(1e-5);
    expect(w.pageErrors).toEqual([]);
    await w.page.close();
  });
});
