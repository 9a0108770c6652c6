import "./style.css";
import { EditorView, basicSetup } from "codemirror";
import { javascript, javascriptLanguage } from "@codemirror/lang-javascript";
import { EXAMPLES, SEED } from "./examples";
import { formatArgs, formatError } from "./format";
import { IMPORT_FN, makeImporter, rewriteImports } from "./rewrite";

type Tensorgrad = typeof import("tensorgrad");
type TensorgradGpu = typeof import("tensorgrad-gpu");
type Kind = "log" | "info" | "warn" | "error";

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}

const runButton = byId<HTMLButtonElement>("run");
const statusEl = byId<HTMLSpanElement>("status");
const outputEl = byId<HTMLDivElement>("output");
const runInfoEl = byId<HTMLSpanElement>("run-info");
const examplesEl = byId<HTMLSelectElement>("examples");
const gpuEl = byId<HTMLSelectElement>("gpu");
const gpuInfoEl = byId<HTMLSpanElement>("gpu-info");

const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
if (isMac) byId("run-shortcut").textContent = "⌘↵";

// ------------------------------------------------------------------ editor

const view = new EditorView({
  doc: SEED,
  parent: byId("editor"),
  extensions: [
    basicSetup,
    javascript(),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) syncExampleMenu();
    }),
    EditorView.theme({
      "&": { height: "100%" },
      ".cm-scroller": { overflow: "auto" },
    }),
  ],
});

function setCode(code: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code }, selection: { anchor: 0 } });
}

// The menu shows which example is in the editor, or "Your code" once it was edited, so that
// choosing the same example again (a change event) restores it.
const customOption = new Option("Your code", "custom");
customOption.hidden = true;
examplesEl.add(customOption);
for (const ex of EXAMPLES) examplesEl.add(new Option(ex.title, ex.id));
function syncExampleMenu(): void {
  const code = view.state.doc.toString();
  examplesEl.value = EXAMPLES.find((e) => e.code === code)?.id ?? "custom";
}
syncExampleMenu();
examplesEl.addEventListener("change", () => {
  const ex = EXAMPLES.find((e) => e.id === examplesEl.value);
  if (ex) setCode(ex.code);
  view.focus();
});

// ------------------------------------------------------------------ output pane

function setStatus(state: "loading" | "ready" | "error", text: string): void {
  statusEl.dataset.state = state;
  statusEl.textContent = text;
}

function clearOutput(): void {
  outputEl.replaceChildren();
  runInfoEl.textContent = "";
}

function appendLine(kind: Kind, text: string): void {
  const line = document.createElement("div");
  line.className = `line ${kind}`;
  line.textContent = text;
  outputEl.append(line);
  outputEl.scrollTop = outputEl.scrollHeight;
}

byId("clear").addEventListener("click", clearOutput);

// ------------------------------------------------------------------ running programs

const realConsole = window.console;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...args: string[]
) => (...args: unknown[]) => Promise<unknown>;
const PARAMS = ["console", IMPORT_FN] as const;
const SOURCE_URL = "tensorgrad-playground.js";

/** How many lines the Function constructor puts in front of the body (2 in V8); NaN if unknown. */
let headerLines = Number.NaN;
async function probeHeaderLines(): Promise<void> {
  const probe = "tensorgrad-playground-probe.js";
  const fn = new AsyncFunction(...PARAMS, `throw new Error("probe");\n//# sourceURL=${probe}`);
  const err = await fn().catch((e: unknown) => e);
  const m = err instanceof Error ? err.stack?.match(/tensorgrad-playground-probe\.js:(\d+):\d+/) : null;
  if (m) headerLines = Number(m[1]) - 1;
}

/** The program line (1-based) an error was thrown from, when the stack says. */
function errorLine(error: unknown): number | null {
  if (!(error instanceof Error) || !error.stack || Number.isNaN(headerLines)) return null;
  const m = error.stack.match(/tensorgrad-playground\.js:(\d+):\d+/);
  return m ? Number(m[1]) - headerLines : null;
}

/** For a SyntaxError from `new AsyncFunction`: the line of the first parse error Lezer finds. */
function syntaxErrorLine(source: string): number | null {
  let pos: number | null = null;
  javascriptLanguage.parser.parse(source).iterate({
    enter(node) {
      if (pos !== null) return false;
      if (node.type.isError) pos = node.from;
      return undefined;
    },
  });
  return pos === null ? null : view.state.doc.lineAt(Math.min(pos, view.state.doc.length)).number;
}

function describeThrown(error: unknown, line: number | null): string {
  const text = formatError(error);
  return line === null || text.includes(`(line ${line})`) ? text : `${text}  (line ${line})`;
}

let modules: Record<string, object> | null = null;
let currentRun = 0;
let finishedRuns = 0;

function makeConsole(run: number): Console {
  const write = (kind: Kind, args: unknown[]) => {
    if (run !== currentRun) return; // a previous run, still logging from a timer: not this pane's business
    try {
      appendLine(kind, formatArgs(args));
    } catch (e) {
      appendLine("error", `[could not format console output: ${formatError(e)}]`);
    }
  };
  const forward =
    (kind: Kind, real: (...args: unknown[]) => void) =>
    (...args: unknown[]) => {
      write(kind, args);
      real.apply(realConsole, args);
    };
  const timers = new Map<string, number>();
  const con = Object.create(realConsole) as Console;
  Object.assign(con, {
    log: forward("log", realConsole.log),
    info: forward("info", realConsole.info),
    debug: forward("log", realConsole.debug),
    warn: forward("warn", realConsole.warn),
    error: forward("error", realConsole.error),
    dir: forward("log", realConsole.dir),
    trace: forward("log", realConsole.trace),
    assert: (condition: unknown, ...args: unknown[]) => {
      if (!condition) write("error", ["Assertion failed:", ...(args.length ? args : ["console.assert"])]);
      realConsole.assert(Boolean(condition), ...args);
    },
    clear: () => {
      if (run === currentRun) outputEl.replaceChildren();
    },
    time: (label = "default") => void timers.set(String(label), performance.now()),
    timeLog: (label = "default", ...args: unknown[]) => {
      const start = timers.get(String(label));
      if (start === undefined) write("warn", [`Timer '${label}' does not exist`]);
      else write("log", [`${label}: ${(performance.now() - start).toFixed(3)} ms`, ...args]);
    },
    timeEnd: (label = "default") => {
      const start = timers.get(String(label));
      if (start === undefined) return write("warn", [`Timer '${label}' does not exist`]);
      timers.delete(String(label));
      write("log", [`${label}: ${(performance.now() - start).toFixed(3)} ms`]);
    },
  });
  return con;
}

async function run(): Promise<void> {
  if (!modules) return;
  const run = ++currentRun;
  clearOutput();
  runButton.classList.add("running");
  const source = view.state.doc.toString();
  const started = performance.now();
  let failed = false;
  try {
    const { code } = rewriteImports(source, Object.keys(modules));
    let fn: (...args: unknown[]) => Promise<unknown>;
    try {
      fn = new AsyncFunction(...PARAMS, `${code}\n//# sourceURL=${SOURCE_URL}`);
    } catch (e) {
      throw Object.assign(e as object, { playgroundLine: syntaxErrorLine(source) });
    }
    await fn(makeConsole(run), makeImporter(modules));
  } catch (e) {
    failed = true;
    if (run === currentRun) {
      const line = (e as { playgroundLine?: number | null }).playgroundLine ?? errorLine(e);
      appendLine("error", describeThrown(e, line));
    }
    realConsole.error(e);
  } finally {
    if (run === currentRun) {
      runButton.classList.remove("running");
      const ms = performance.now() - started;
      runInfoEl.textContent = `${failed ? "threw after" : "ran in"} ${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
      runInfoEl.dataset.result = failed ? "error" : "ok";
      if (outputEl.childElementCount === 0) appendLine("info", "(no output)");
      refreshGpuUi();
      outputEl.dataset.runs = String(++finishedRuns);
    }
  }
}

// Errors a program throws later, from a timer or an un-awaited promise, still belong in the pane.
window.addEventListener("error", (ev) => {
  if (modules && currentRun > 0) appendLine("error", describeThrown(ev.error ?? ev.message, errorLine(ev.error)));
});
window.addEventListener("unhandledrejection", (ev) => {
  if (modules && currentRun > 0) appendLine("error", describeThrown(ev.reason, errorLine(ev.reason)));
});

runButton.addEventListener("click", () => void run());
// Ctrl-Enter / Cmd-Enter anywhere on the page; the capture phase gets it before CodeMirror's
// own Mod-Enter binding (insertBlankLine).
document.addEventListener(
  "keydown",
  (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && !ev.altKey && !ev.shiftKey) {
      ev.preventDefault();
      ev.stopPropagation();
      void run();
    }
  },
  { capture: true },
);

// ------------------------------------------------------------------ loading tensorgrad

/** A small handle for debugging from the devtools console and for the end-to-end test. */
declare global {
  interface Window {
    tensorgradPlayground?: {
      view: EditorView;
      run: () => Promise<void>;
      setCode: (code: string) => void;
      getCode: () => string;
      tensorgrad: Tensorgrad | null;
      /** tensorgrad-gpu, once loaded (null if it failed to: the playground then runs on WASM only). */
      tensorgradGpu: TensorgradGpu | null;
    };
  }
}
const handle = {
  view,
  run,
  setCode,
  getCode: () => view.state.doc.toString(),
  tensorgrad: null as Tensorgrad | null,
  tensorgradGpu: null as TensorgradGpu | null,
};
window.tensorgradPlayground = handle;

// ------------------------------------------------------------------ the GPU toggle (tensorgrad-gpu)

/** Shows the state gpu.js is in (a program may have changed it with enableGpu/disableGpu). */
function refreshGpuUi(): void {
  const gpu = handle.tensorgradGpu;
  if (!gpu) return;
  const info = gpu.gpuInfo();
  gpuEl.value = info.enabled ? info.policy : "off";
  gpuInfoEl.dataset.mode = info.mode ?? "";
  gpuInfoEl.textContent = info.enabled ? `gpu.js ${info.mode}${info.onGpu ? "" : " (no GPU)"}` : "";
  gpuInfoEl.title = info.enabled
    ? Object.entries(info.counts)
        .filter(([, c]) => c.gpu + c.wasm > 0)
        .map(([op, c]) => `${op}: ${c.gpu} on gpu.js, ${c.wasm} on WASM`)
        .join("\n")
    : "";
}

gpuEl.addEventListener("change", () => {
  const gpu = handle.tensorgradGpu;
  if (!gpu) return;
  const policy = gpuEl.value as "off" | "auto" | "force";
  try {
    if (policy === "off") void gpu.disableGpu();
    else if (gpu.gpuInfo().enabled) gpu.config.gpu = policy;
    else gpu.enableGpu({ policy });
  } catch (e) {
    appendLine("error", `Could not enable the GPU: ${formatError(e)}`);
  }
  refreshGpuUi();
});

async function loadGpu(): Promise<TensorgradGpu | null> {
  try {
    return await import("tensorgrad-gpu");
  } catch (e) {
    realConsole.warn("tensorgrad-gpu failed to load; running on WASM only", e);
    return null;
  }
}

async function load(): Promise<void> {
  try {
    // The module instantiates its WebAssembly with top-level await: once the import resolves, it is ready.
    const tg = await import("tensorgrad");
    await probeHeaderLines().catch(() => undefined);
    const datasets = await import("@tensorgrad/datasets");
    const gpu = await loadGpu();
    modules = { tensorgrad: tg, "@tensorgrad/datasets": datasets, ...(gpu ? { "tensorgrad-gpu": gpu } : {}) };
    handle.tensorgrad = tg;
    handle.tensorgradGpu = gpu;
    gpuEl.disabled = gpu === null;
    refreshGpuUi();
    runButton.disabled = false;
    setStatus("ready", "tensorgrad ready");
    if (typeof tg.version === "string") statusEl.title = `tensorgrad core ${tg.version}`;
  } catch (e) {
    setStatus("error", "tensorgrad failed to load");
    appendLine("error", `Could not load tensorgrad: ${formatError(e)}`);
    realConsole.error(e);
  }
}

void load();
