// Printing of evaluate() results: PyTorch-style text, or one JSON object.
import type { Tensor } from "tensorgrad";
import type { EvaluateResult } from "./expr/evaluate.js";

/**
 * Text form, one `label: value` per line; continuation lines of a multi-line tensor are indented
 * to line up under the first, as PyTorch does inside its own repr:
 *
 *   output: tensor(10., grad_fn=<SumBackward0>)
 *   A.grad: tensor([[3., 7.],
 *                   [3., 7.]])
 *   C.grad: None
 */
export function formatText(result: EvaluateResult): string {
  const lines = [labelled("output", String(result.output))];
  if (result.scaled) {
    lines.push(`scale: ${result.scaled.scale}`);
    for (const [name, grad] of Object.entries(result.scaled.grads)) {
      lines.push(labelled(`${name}.grad (scaled)`, grad === null ? "None" : String(grad)));
    }
    for (const [name, grad] of Object.entries(result.grads)) {
      lines.push(labelled(`${name}.grad (unscaled)`, grad === null ? "None" : String(grad)));
    }
    if (result.scaled.foundInf) {
      lines.push("inf/nan in the scaled gradients: GradScaler.step would skip the optimizer step and update() would back off the scale");
    }
    return lines.join("\n") + "\n";
  }
  for (const [name, grad] of Object.entries(result.grads)) {
    lines.push(labelled(`${name}.grad`, grad === null ? "None" : String(grad)));
  }
  return lines.join("\n") + "\n";
}

function labelled(label: string, value: string): string {
  const prefix = `${label}: `;
  return prefix + value.split("\n").join("\n" + " ".repeat(prefix.length));
}

/** Nested JS arrays with numbers; non-finite numbers become the strings "NaN", "Infinity", "-Infinity". */
export type JsonData = number | string | JsonData[];

export interface JsonResult {
  output: { value: JsonData; shape: number[] };
  grads: Record<string, JsonData | null>;
  gradShapes: Record<string, number[] | null>;
  /** With --scale: the scale, the scaled gradients and whether any was inf/nan (`grads` are then the unscaled ones). */
  scale?: number;
  scaledGrads?: Record<string, JsonData | null>;
  foundInf?: boolean;
}

export function toJson(result: EvaluateResult): JsonResult {
  const json: JsonResult = {
    output: { value: values(result.output), shape: [...result.output.shape] },
    grads: {},
    gradShapes: {},
  };
  for (const [name, grad] of Object.entries(result.grads)) {
    json.grads[name] = grad === null ? null : values(grad);
    json.gradShapes[name] = grad === null ? null : [...grad.shape];
  }
  if (result.scaled) {
    json.scale = result.scaled.scale;
    json.scaledGrads = {};
    for (const [name, grad] of Object.entries(result.scaled.grads)) json.scaledGrads[name] = grad === null ? null : values(grad);
    json.foundInf = result.scaled.foundInf;
  }
  return json;
}

export function formatJson(result: EvaluateResult): string {
  return JSON.stringify(toJson(result)) + "\n";
}

function values(t: Tensor): JsonData {
  return finite(t.tolist() as unknown);
}

// JSON has no NaN or Infinity; JSON.stringify would silently turn them into null.
function finite(v: unknown): JsonData {
  if (Array.isArray(v)) return v.map(finite);
  if (typeof v === "number") return Number.isFinite(v) ? v : String(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  throw new TypeError(`unexpected element in tensor data: ${String(v)}`);
}
