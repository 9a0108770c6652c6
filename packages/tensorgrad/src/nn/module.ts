// nn.Module and nn.Parameter. JavaScript cannot intercept `this.fc = new Linear(...)` the way
// Python's __setattr__ does, so a module's parameters, buffers and submodules are found by
// walking its own properties in definition order (PyTorch's registration order), plus whatever
// was registered explicitly with registerParameter / registerBuffer / addModule.
import { Tensor } from "../tensor.js";
import { noGrad } from "../autograd.js";

/** A tensor that is a module parameter: a leaf that requires grad by default. */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(data.detach()._raw);
    this.requiresGrad_(requiresGrad);
  }
  toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

export class Module {
  /** Training mode (dropout, batch norm); `train()` / `eval()` switch it. */
  training = true;
  /** @internal */
  _registered: Map<string, Parameter | Tensor | Module | null> = new Map();
  /** @internal */
  _bufferNames: Set<string> = new Set();

  /** Run the module. Subclasses implement it; `call` forwards to it. */
  forward(..._args: unknown[]): unknown {
    throw new Error(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }
  /** `module(x)` in PyTorch. */
  call(...args: unknown[]): unknown {
    return this.forward(...args);
  }

  registerParameter(name: string, param: Parameter | null): void {
    this._registered.set(name, param);
  }
  registerBuffer(name: string, tensor: Tensor | null): void {
    this._registered.set(name, tensor);
    this._bufferNames.add(name);
  }
  addModule(name: string, module: Module | null): void {
    this._registered.set(name, module);
  }

  /** @internal own entries in order: registered ones, then properties. */
  _entries(): [string, unknown][] {
    const out: [string, unknown][] = [...this._registered.entries()];
    for (const [k, v] of Object.entries(this)) {
      if (k.startsWith("_") || k === "training" || this._registered.has(k)) continue;
      if (v instanceof Module || v instanceof Parameter) out.push([k, v]);
      else if (Array.isArray(v) && v.length > 0 && v.every((m) => m instanceof Module)) {
        v.forEach((m, i) => out.push([`${k}.${i}`, m]));
      }
    }
    return out;
  }

  /** Direct submodules with their names. */
  *namedChildren(): Generator<[string, Module]> {
    for (const [k, v] of this._entries()) if (v instanceof Module) yield [k, v];
  }
  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }
  /** This module and all below it, depth first. */
  *namedModules(prefix = ""): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [k, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${k}` : k);
  }
  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }
  /** Parameters with dotted names (`fc1.weight`), each once. */
  *namedParameters(prefix = "", recurse = true): Generator<[string, Parameter]> {
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [k, v] of m._entries()) {
        if (v instanceof Parameter && !m._bufferNames.has(k) && !seen.has(v)) {
          seen.add(v);
          yield [mp ? `${mp}.${k}` : k, v];
        }
      }
    }
  }
  *parameters(recurse = true): Generator<Parameter> {
    for (const [, p] of this.namedParameters("", recurse)) yield p;
  }
  *namedBuffers(prefix = ""): Generator<[string, Tensor]> {
    for (const [mp, m] of this.namedModules(prefix)) {
      for (const name of m._bufferNames) {
        const b = m._registered.get(name);
        if (b instanceof Tensor) yield [mp ? `${mp}.${name}` : name, b];
      }
    }
  }
  *buffers(): Generator<Tensor> {
    for (const [, b] of this.namedBuffers()) yield b;
  }

  /** Set training mode here and below. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  /** Apply `fn` to every submodule (children first) and to this module. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }
  /** Reset gradients: to null by default (PyTorch's `set_to_none=True`), else to zeros. */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    zeroGrads(this.parameters(), options.setToNone ?? true);
  }
}

/** @internal shared by Module.zeroGrad and Optimizer.zeroGrad. */
export function zeroGrads(params: Iterable<Tensor>, setToNone: boolean): void {
  for (const p of params) {
    if (setToNone) {
      p.grad = null;
      continue;
    }
    const g = p.grad;
    if (!g) continue;
    noGrad(() => {
      if (g.gradFn) g.detach_();
      else g.requiresGrad_(false);
      g.zero_();
    });
    p.grad = g;
  }
}
