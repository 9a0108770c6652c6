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

/** packages/tensorgrad/dist, found the way Node finds the package (its exports hide package.json). */
function tensorgradDist(): string | null {
  for (let dir = APP_DIR; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, "node_modules", "tensorgrad");
    if (existsSync(pkg)) return path.join(realpathSync(pkg), "dist");
    if (path.dirname(dir) === dir) return null;
  }
}

/** `vite build`, unless dist/ is newer than everything it is built from (turbo builds it before `test`). */
function ensureBuilt(): void {
  const built = existsSync(path.join(DIST, "index.html")) ? newestMtime(path.join(DIST, "index.html")) : 0;
  const lib = tensorgradDist();
  const inputs = Math.max(
    ...["index.html", "vite.config.ts", "src"].map((p) => newestMtime(path.join(APP_DIR, p))),
    lib ? newestMtime(lib) : 0,
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

function serve(root: string, served: Served[]): Promise<Server> {
  const server = createServer((req, res) => {
    const done = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
      served.push({ path: pathname, status, type });
      res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers });
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
      { kind: "error", text: 'SyntaxError: Cannot import "lodash": the playground provides only "tensorgrad", "@tensorgrad/datasets" (line 1)' },
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
