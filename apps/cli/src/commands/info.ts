// `tensorgrad info [--json]`: versions, WebAssembly SIMD, the matmul threads, the GPU (gpu.js) backend this process
// gets and the dispatch table. Everything is probed, nothing assumed: in Node without the native
// `gl` module gpu.js has no GPU context, and this says so.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCommandArgs, UsageError } from "../args.js";
import { cliVersion, libraryVersion } from "../version.js";
import type { Command, Io } from "./types.js";

const OPTIONS = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const HELP = `Usage: tensorgrad info [--json]

Print what this installation runs on: the versions of the CLI, the tensorgrad library and its
WebAssembly core, whether WebAssembly SIMD is available and used, how many threads large
float32 matmuls use (getNumThreads(); setNumThreads(n) changes it), whether gpu.js (through the
tensorgrad-gpu package) gets a GPU context here and in which mode (webgl2, webgl, headlessgl,
webgpu; or webasm / cpu, gpu.js's CPU backends), and the dispatch table: for each op the size
from which it runs on gpu.js under config.gpu = 'auto' (measured per mode, see docs/gpu.md).

In Node, gpu.js has a GPU context through its WebGPU backend (Dawn, run in a worker thread:
enableGpu({ mode: 'webgpu' }); probed here: Dawn must load and find an adapter) or the optional
native \`gl\` module (headlessgl) with a display (e.g. xvfb-run); webgl2 and webgl exist in
browsers only.

Options:
  --json        print one JSON object instead of text
  -h, --help    show this help`;

export interface InfoReport {
  versions: { cli: string; tensorgrad: string | null; core: string | null; tensorgradGpu: string | null; gpujs: string | null; node: string };
  platform: string;
  wasm: { simdRuntime: boolean; simdInCore: boolean | null };
  /** Threads large float32 matmuls use by default here (tensorgrad's getNumThreads()). */
  threads: number | null;
  gpu: {
    /** tensorgrad-gpu could be loaded. */
    installed: boolean;
    /** A GPU can be used: the mode gpu.js picks runs on a GPU, or WebGPU (Dawn) found an adapter. */
    available: boolean;
    /** The mode gpu.js picks here by itself. */
    mode: string | null;
    supported: Record<string, boolean> | null;
    /** Whether enableGpu({ mode: 'webgpu' }) works here (Dawn in a worker), on which adapter, or why not. */
    webgpu: { available: boolean; adapter: string | null; reason: string | null } | null;
    note: string;
    error?: string;
  };
  dispatch: {
    policy: string;
    mode: string | null;
    measured: string | null;
    ops: Record<string, { threshold: number | null; path: string }>;
  } | null;
  /** Thresholds measured for every mode in the shipped table. */
  crossover: Record<string, Record<string, number | null>> | null;
}

// lib ES2022 (no DOM) has no WebAssembly typings: the little used here.
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: { new (bytes: Uint8Array): object; customSections(module: object, name: string): ArrayBuffer[] };
};

/** Does this runtime validate a module using a v128 instruction? */
function runtimeSimd(): boolean {
  // (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt))
  const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
  return WebAssembly.validate(bytes);
}

/** Was tensorgrad's wasm built with simd128? Read from its target_features section. */
function coreSimd(): boolean | null {
  try {
    const entry = fileURLToPath(import.meta.resolve("tensorgrad"));
    const bytes = readFileSync(join(dirname(entry), "wasm", "tensorgrad_wasm_bg.wasm"));
    const sections = WebAssembly.Module.customSections(new WebAssembly.Module(bytes), "target_features");
    if (sections.length === 0) return null;
    return Buffer.from(sections[0]!).toString("latin1").includes("+\u0007simd128");
  } catch {
    return null;
  }
}

function packageVersion(fromSpecifier: string, pkg: string): string | null {
  try {
    const req = createRequire(import.meta.resolve(fromSpecifier));
    return (JSON.parse(readFileSync(req.resolve(`${pkg}/package.json`), "utf8")) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

const MODE_NOTES: Record<string, string> = {
  webgl2: "WebGL2 context",
  webgl: "WebGL context",
  headlessgl: "headless-gl (native `gl` module) context",
  webgpu: "WebGPU adapter",
  webasm: "no GPU context: gpu.js would run its kernels as WebAssembly on the CPU",
  cpu: "no GPU context: gpu.js would run its kernels as JavaScript on the CPU",
};

export async function collectInfo(): Promise<InfoReport> {
  const tg = await import("tensorgrad");
  const report: InfoReport = {
    versions: {
      cli: cliVersion(),
      tensorgrad: libraryVersion() ?? null,
      core: typeof tg.version === "string" ? tg.version : null,
      tensorgradGpu: packageVersion("tensorgrad", "tensorgrad-gpu") ?? packageVersion("tensorgrad-gpu", "tensorgrad-gpu"),
      gpujs: packageVersion("tensorgrad-gpu", "gpu.js"),
      node: process.versions.node,
    },
    platform: `${process.platform} ${process.arch}`,
    wasm: { simdRuntime: runtimeSimd(), simdInCore: coreSimd() },
    threads: typeof tg.getNumThreads === "function" ? tg.getNumThreads() : null,
    gpu: { installed: false, available: false, mode: null, supported: null, webgpu: null, note: "tensorgrad-gpu is not installed" },
    dispatch: null,
    crossover: null,
  };
  let gpu: typeof import("tensorgrad-gpu");
  try {
    gpu = await import("tensorgrad-gpu");
  } catch (e) {
    report.gpu.error = e instanceof Error ? e.message : String(e);
    return report;
  }
  report.gpu.installed = true;
  report.crossover = Object.fromEntries(Object.entries(gpu.CROSSOVER.modes).map(([m, e]) => [m, { ...e!.thresholds }]));
  try {
    // What an application calling enableGpu() would get here: create the context, look, free it.
    const info = gpu.enableGpu();
    const ops: Record<string, { threshold: number | null; path: string }> = {};
    for (const op of gpu.OPS) {
      const threshold = info.thresholds[gpu.opClass(op)];
      const path =
        gpu.decide(op, Number.MAX_SAFE_INTEGER, info.mode, info.policy, info.thresholds) === "wasm"
          ? "wasm"
          : threshold === null || info.policy === "force"
            ? `gpu.js (${info.mode})`
            : `gpu.js (${info.mode}) from ${threshold}, wasm below`;
      ops[op] = { threshold, path };
    }
    report.gpu = {
      installed: true,
      available: info.onGpu || info.webgpu.available,
      mode: info.mode,
      supported: info.supported,
      webgpu: info.webgpu,
      note: MODE_NOTES[info.mode ?? ""] ?? "",
    };
    report.dispatch = { policy: info.policy, mode: info.mode, measured: info.measured, ops };
  } catch (e) {
    report.gpu.supported = gpu.supportedModes();
    report.gpu.webgpu = gpu.webGpuSupport();
    report.gpu.note = "gpu.js could not create a context";
    report.gpu.error = e instanceof Error ? e.message : String(e);
  } finally {
    await gpu.disableGpu();
  }
  return report;
}

export function formatInfo(r: InfoReport): string {
  const yes = (b: boolean | null) => (b === null ? "unknown" : b ? "yes" : "no");
  const lines = [
    `tensorgrad-cli   ${r.versions.cli}`,
    `tensorgrad       ${r.versions.tensorgrad ?? "not found"}${r.versions.core ? ` (core ${r.versions.core})` : ""}`,
    `tensorgrad-gpu   ${r.versions.tensorgradGpu ?? "not installed"}${r.versions.gpujs ? ` (gpu.js ${r.versions.gpujs})` : ""}`,
    `node             ${r.versions.node} (${r.platform})`,
    `wasm SIMD        runtime: ${yes(r.wasm.simdRuntime)}; core built with simd128: ${yes(r.wasm.simdInCore)}`,
    `threads          ${r.threads ?? "unknown"} for large float32 matmuls (setNumThreads(n) changes it)`,
    `GPU              ${
      r.gpu.available && r.gpu.mode && r.gpu.mode !== "webasm" && r.gpu.mode !== "cpu"
        ? `available: gpu.js ${r.gpu.mode} (${r.gpu.note})`
        : r.gpu.webgpu?.available
          ? `available through WebGPU: enableGpu({ mode: 'webgpu' }) (Dawn in a worker thread); gpu.js's own choice here: ${r.gpu.mode}`
          : `not available${r.gpu.mode ? ` (gpu.js mode: ${r.gpu.mode}; ${r.gpu.note})` : ` (${r.gpu.note})`}`
    }`,
  ];
  if (r.gpu.webgpu) {
    lines.push(`webgpu           ${r.gpu.webgpu.available ? `available: adapter ${r.gpu.webgpu.adapter}` : `not available: ${r.gpu.webgpu.reason}`}`);
  }
  if (r.gpu.supported) {
    const list = Object.entries(r.gpu.supported).map(([m, ok]) => `${m} ${ok ? "yes" : "no"}`).join(", ");
    lines.push(`gpu.js modes     ${list}`);
  }
  if (r.gpu.error) lines.push(`gpu.js error     ${r.gpu.error}`);
  if (r.dispatch) {
    lines.push("", `Dispatch (config.gpu = '${r.dispatch.policy}', mode ${r.dispatch.mode}; ${r.dispatch.measured ? `measured: ${r.dispatch.measured}` : "no crossover measured for this mode: WASM only under 'auto'"})`);
    lines.push(`  ${"op".padEnd(14)}${"threshold".padEnd(12)}path`);
    for (const [op, d] of Object.entries(r.dispatch.ops)) {
      lines.push(`  ${op.padEnd(14)}${(d.threshold === null ? "never" : String(d.threshold)).padEnd(12)}${d.path}`);
    }
    lines.push("  (threshold: m·k·n for matmul, multiply-adds for conv2d, elements otherwise; scalar forms count as their op;");
    lines.push("   under 'auto' an op whose operand already lives on the GPU goes there unless its threshold is never)");
  }
  if (r.crossover && Object.keys(r.crossover).length) {
    lines.push("", "Measured crossover (all modes; null = never faster than WASM)");
    for (const [mode, t] of Object.entries(r.crossover)) lines.push(`  ${mode.padEnd(11)}${JSON.stringify(t)}`);
  }
  return lines.join("\n") + "\n";
}

export const infoCommand: Command = {
  name: "info",
  summary: "versions, wasm SIMD, the GPU (gpu.js) mode and the dispatch table",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, "info");
    if (values.help) {
      io.stdout(HELP + "\n");
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`info takes no arguments, got '${positionals[0]}' (see: tensorgrad info --help)`);
    const report = await collectInfo();
    io.stdout(values.json ? JSON.stringify(report, null, 2) + "\n" : formatInfo(report));
    return 0;
  },
};
