// Deterministic memory release. Every Tensor object owns one reference to its data in the
// WebAssembly core; it is dropped by `dispose()` or when the garbage collector finalizes the
// object — which never happens inside a long synchronous loop. `tidy(fn)` drops, when `fn`
// returns, the references of every tensor object created inside it except those it returns
// (and those marked with `keep`). Dropping a reference never frees data something else still
// uses (the graph, another handle, a parameter's .grad): the core counts references.
import type { Tensor } from "./tensor.js";

const scopes: Tensor[][] = [];
const kept = new WeakSet<object>();

/** @internal called by the Tensor constructor. */
export function track(t: Tensor): void {
  const s = scopes[scopes.length - 1];
  if (s) s.push(t);
}

/** Exclude a tensor object from disposal by any enclosing `tidy` (parameters, buffers and optimizer state are kept automatically). */
export function keep<T extends Tensor>(t: T): T {
  kept.add(t);
  return t;
}

function collect(v: unknown, out: Set<object>, seen: Set<object>): void {
  if (v === null || typeof v !== "object" || seen.has(v)) return;
  seen.add(v);
  if ("_raw" in (v as object) && typeof (v as { dispose?: unknown }).dispose === "function") {
    out.add(v as object);
    return;
  }
  if (Array.isArray(v)) for (const x of v) collect(x, out, seen);
  else if (v instanceof Map) for (const x of v.values()) collect(x, out, seen);
  else if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) collect(x, out, seen);
}

/**
 * Run `fn` and release every tensor object it created, except the tensors in its result
 * (a tensor, or arrays/objects/Maps of them), which move to the enclosing `tidy` if any.
 * `fn` must be synchronous.
 */
export function tidy<T>(fn: () => T): T {
  scopes.push([]);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    release(scopes.pop()!, new Set());
    throw e;
  }
  if (result instanceof Promise) {
    release(scopes.pop()!, new Set());
    throw new Error("tidy() cannot be used with asynchronous functions");
  }
  const keepSet = new Set<object>();
  collect(result, keepSet, new Set());
  release(scopes.pop()!, keepSet);
  const parent = scopes[scopes.length - 1];
  if (parent) for (const t of keepSet) parent.push(t as Tensor);
  return result;
}

function release(created: Tensor[], keepSet: Set<object>): void {
  for (const t of created) if (!keepSet.has(t) && !kept.has(t)) t.dispose();
}

/** Dispose several tensors (nested arrays/objects of them) now. */
export function dispose(tensors: unknown): void {
  const all = new Set<object>();
  collect(tensors, all, new Set());
  for (const t of all) (t as Tensor).dispose();
}
