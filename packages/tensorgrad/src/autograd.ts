// torch.autograd: grad, and grad-mode control (noGrad, enableGrad, setGradEnabled).
import { raw } from "./wasm.js";
import { Tensor } from "./tensor.js";

export interface GradOptions {
  /** Gradients of the outputs ("vector" of the vector-Jacobian product); needed for non-scalar outputs. */
  gradOutputs?: (Tensor | null)[] | Tensor | null;
  /** Keep the graph for another backward. Defaults to `createGraph`. */
  retainGraph?: boolean;
  /** Record the computation of the gradients so they can be differentiated again. */
  createGraph?: boolean;
  /** Return null for inputs the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
  /** Return zeros instead of null for unused inputs (implies allowUnused). */
  materializeGrads?: boolean;
}

function list(ts: (Tensor | null | undefined)[]): InstanceType<typeof raw.RawTensorList> {
  const l = new raw.RawTensorList();
  for (const t of ts) l.push(t ? t._raw.alias() : undefined);
  return l;
}

/** Gradients of `outputs` with respect to `inputs`, without touching any `.grad`. */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], options: GradOptions = {}): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const go = options.gradOutputs;
  const gos = go === undefined || go === null ? [] : Array.isArray(go) ? go : [go];
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  const allowUnused = (options.allowUnused ?? false) || (options.materializeGrads ?? false);
  const ol = list(outs);
  const il = list(ins);
  const gl = list(gos);
  try {
    const res = raw.autogradGrad(ol, il, gl, retainGraph, createGraph, allowUnused);
    try {
      return ins.map((inp, i) => {
        const g = res.get(i);
        if (g) return new Tensor(g);
        if (options.materializeGrads) {
          return new Tensor(raw.RawTensor.full(Uint32Array.from(inp.shape), 0, inp.dtype));
        }
        return null;
      });
    } finally {
      res.free();
    }
  } finally {
    ol.free();
    il.free();
    gl.free();
  }
}

/** Turn anomaly detection on or off: backward then fails on NaN naming the backward function and where its forward ran. */
export function setDetectAnomaly(enabled: boolean): void {
  raw.setDetectAnomaly(enabled);
  raw.setTraceProvider(enabled ? () => new Error().stack?.split("\n").slice(2).join("\n") ?? "" : undefined);
}

export function isAnomalyEnabled(): boolean {
  return raw.isAnomalyEnabled();
}

/** Run `fn` with anomaly detection on (PyTorch's `with torch.autograd.detect_anomaly():`). */
export function detectAnomaly<T>(fn: () => T): T {
  const prev = raw.isAnomalyEnabled();
  setDetectAnomaly(true);
  try {
    return fn();
  } finally {
    setDetectAnomaly(prev);
  }
}

/** Run `fn` in inference mode: nothing is recorded, and tensors made inside can never join a graph. */
export function inferenceMode<T>(fn: () => T): T {
  const prev = raw.setInferenceMode(true);
  const prevGrad = raw.isGradEnabled();
  raw.setGradEnabled(false);
  try {
    return fn();
  } finally {
    raw.setInferenceMode(prev);
    raw.setGradEnabled(prevGrad);
  }
}

/** Whether inference mode is on. */
export function isInferenceModeEnabled(): boolean {
  return raw.isInferenceModeEnabled();
}

/** Whether operations currently record the graph. */
export function isGradEnabled(): boolean {
  return raw.isGradEnabled();
}

/** Turn recording on or off globally. */
export function setGradEnabled(enabled: boolean): void {
  raw.setGradEnabled(enabled);
}

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = raw.isGradEnabled();
  raw.setGradEnabled(enabled);
  try {
    return fn();
  } finally {
    raw.setGradEnabled(prev);
  }
}

/** Run `fn` without recording the graph (PyTorch's `with torch.no_grad():`). Synchronous code only. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Run `fn` with recording on, even inside {@link noGrad}. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}
