// Shape of the crossover table that scripts/crossover.mjs measures and writes to crossover.ts.
import type { GpuMode, Thresholds } from "./dispatch.js";

export interface CrossoverSample {
  /** matmul, binary (add), unary (exp) or sum. */
  op: string;
  /** m·k·n for matmul, elements for the others. */
  size: number;
  /** Shape measured, e.g. "256x256x256" or "1048576". */
  shape: string;
  /** Median milliseconds per op through the provider (upload, kernel, readback included). */
  gpuMs: number;
  /** Median milliseconds per op on the WebAssembly kernel. */
  wasmMs: number;
}

export interface CrossoverEntry {
  /** ISO date of the measurement. */
  measuredAt: string;
  /** Where: runtime and renderer, e.g. "Chromium 156 headless, ANGLE SwiftShader" or "Node 20, 2 cores". */
  environment: string;
  /** CPU of the machine. */
  machine: string;
  /** Per op class; a class missing from an entry was not measured there (never dispatched under auto). */
  thresholds: Partial<Thresholds>;
  samples: CrossoverSample[];
}

export interface CrossoverTable {
  version: 1;
  modes: Partial<Record<GpuMode, CrossoverEntry>>;
}
