// nn.Module and nn.Parameter. JavaScript cannot intercept `this.fc = new Linear(...)` the way
// Python's __setattr__ does, so a module's parameters, buffers and submodules are found by
// walking its own properties in definition order (PyTorch's registration order), plus whatever
// was registered explicitly with registerParameter / registerBuffer / addModule.
import { Tensor, type DType, type RemovableHandle } from "../tensor.js";
import { noGrad } from "../autograd.js";
import { keep as keepTensor } from "../memory.js";

/** A tensor that is a module parameter: a leaf that requires grad by default. */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(data.detach()._raw);
    keepTensor(this);
    this.requiresGrad_(requiresGrad);
  }
  toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

/** A state dict: parameter and persistent-buffer names (`fc1.weight`, `bn.running_mean`) to tensors, in PyTorch's order. */
export type StateDict = Record<string, Tensor>;

/** What `loadStateDict` found: keys the model has that the dict lacks, and keys it has that the model lacks. */
export interface IncompatibleKeys {
  missingKeys: string[];
  unexpectedKeys: string[];
}

const inspect = Symbol.for("nodejs.util.inspect.custom");

function isFloating(t: Tensor): boolean {
  const d = t.dtype;
  return d === "float32" || d === "float64" || d === "float16" || d === "bfloat16";
}

/** PyTorch's `_addindent`: indent every line but the first. */
function addIndent(s: string, n: number): string {
  const lines = s.split("\n");
  if (lines.length === 1) return s;
  const pad = " ".repeat(n);
  return [lines[0], ...lines.slice(1).map((l) => pad + l)].join("\n");
}

let hookId = 0;

export class Module {
  /** Training mode (dropout, batch norm); `train()` / `eval()` switch it. */
  training = true;
  /** @internal */
  _registered: Map<string, Parameter | Tensor | Module | null> = new Map();
  /** @internal */
  _bufferNames: Set<string> = new Set();
  /** @internal buffers registered with `persistent: false` (kept out of the state dict). */
  _nonPersistent: Set<string> = new Set();
  /** @internal */
  _forwardHooks: Map<number, (m: Module, input: unknown[], output: unknown) => unknown> = new Map();
  /** @internal */
  _forwardPreHooks: Map<number, (m: Module, input: unknown[]) => unknown> = new Map();

  /** Run the module. Subclasses implement it; `call` forwards to it. */
  forward(..._args: unknown[]): unknown {
    throw new Error(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }
  /** `module(x)` in PyTorch: forward pre-hooks, `forward`, forward hooks. */
  call(...args: unknown[]): unknown {
    for (const h of this._forwardPreHooks.values()) {
      const r = h(this, args);
      if (r !== undefined && r !== null) args = Array.isArray(r) ? r : [r];
    }
    let out = this.forward(...args);
    for (const h of this._forwardHooks.values()) {
      const r = h(this, args, out);
      if (r !== undefined && r !== null) out = r;
    }
    return out;
  }
  /** `hook(module, inputs, output)` after every `call`; a returned value replaces the output. */
  registerForwardHook(hook: (m: Module, input: unknown[], output: unknown) => unknown): RemovableHandle {
    const id = hookId++;
    this._forwardHooks.set(id, hook);
    return { remove: () => void this._forwardHooks.delete(id) };
  }
  /** `hook(module, inputs)` before every `call`; a returned value (or array) replaces the inputs. */
  registerForwardPreHook(hook: (m: Module, input: unknown[]) => unknown): RemovableHandle {
    const id = hookId++;
    this._forwardPreHooks.set(id, hook);
    return { remove: () => void this._forwardPreHooks.delete(id) };
  }

  registerParameter(name: string, param: Parameter | null): void {
    if (name.includes(".")) throw new Error('parameter name can\'t contain "."');
    if (name === "") throw new Error('parameter name can\'t be empty string ""');
    this._registered.set(name, param);
    this._moduleSlots.delete(name);
  }
  /** A tensor that is part of the module's state but not a parameter (`running_mean`); `persistent: false` keeps it out of the state dict. */
  registerBuffer(name: string, tensor: Tensor | null, persistent: boolean | { persistent?: boolean } = true): void {
    if (tensor) keepTensor(tensor);
    if (name.includes(".")) throw new Error('buffer name can\'t contain "."');
    if (name === "") throw new Error('buffer name can\'t be empty string ""');
    const keep = typeof persistent === "boolean" ? persistent : (persistent.persistent ?? true);
    this._registered.set(name, tensor);
    this._bufferNames.add(name);
    if (keep) this._nonPersistent.delete(name);
    else this._nonPersistent.add(name);
  }
  addModule(name: string, module: Module | null): void {
    if (name.includes(".")) throw new Error(`module name can\'t contain ".", got: ${name}`);
    if (name === "") throw new Error('module name can\'t be empty string ""');
    this._registered.set(name, module);
    this._moduleSlots.add(name);
  }
  /** Alias of {@link addModule}. */
  registerModule(name: string, module: Module | null): void {
    this.addModule(name, module);
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
  /** @internal own parameters (not buffers), null ones included. */
  _ownParameters(): [string, Parameter | null][] {
    const out: [string, Parameter | null][] = [];
    for (const [k, v] of this._entries()) {
      if (this._bufferNames.has(k)) continue;
      if (v instanceof Parameter || (v === null && this._registered.has(k) && !this._moduleSlots.has(k))) out.push([k, v as Parameter | null]);
    }
    return out;
  }
  /** @internal own buffers, null ones included. */
  _ownBuffers(): [string, Tensor | null][] {
    return [...this._bufferNames].map((n) => [n, (this._registered.get(n) ?? null) as Tensor | null]);
  }
  /** @internal replace an own parameter or buffer (registered or a property). */
  _replace(name: string, value: Tensor | null): void {
    if (this._registered.has(name)) this._registered.set(name, value);
    else (this as unknown as Record<string, unknown>)[name] = value;
  }

  /** Direct submodules with their names. */
  *namedChildren(): Generator<[string, Module]> {
    const seen = new Set<Module>();
    for (const [k, v] of this._entries()) {
      if (v instanceof Module && !seen.has(v)) {
        seen.add(v);
        yield [k, v];
      }
    }
  }
  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }
  /** This module and all below it, depth first, each once (unless `removeDuplicate` is false). */
  *namedModules(prefix = "", options: { removeDuplicate?: boolean; memo?: Set<Module> } = {}): Generator<[string, Module]> {
    const removeDuplicate = options.removeDuplicate ?? true;
    const memo = options.memo ?? new Set<Module>();
    if (removeDuplicate) {
      if (memo.has(this)) return;
      memo.add(this);
    }
    yield [prefix, this];
    for (const [k, m] of this._entries()) {
      if (!(m instanceof Module)) continue;
      yield* m.namedModules(prefix ? `${prefix}.${k}` : k, { removeDuplicate, memo });
    }
  }
  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }
  /** Parameters with dotted names (`fc1.weight`), each once. */
  *namedParameters(prefix = "", recurse = true): Generator<[string, Parameter]> {
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [k, v] of m._ownParameters()) {
        if (v && !seen.has(v)) {
          seen.add(v);
          yield [mp ? `${mp}.${k}` : k, v];
        }
      }
    }
  }
  *parameters(recurse = true): Generator<Parameter> {
    for (const [, p] of this.namedParameters("", recurse)) yield p;
  }
  *namedBuffers(prefix = "", recurse = true): Generator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [name, b] of m._ownBuffers()) {
        if (b && !seen.has(b)) {
          seen.add(b);
          yield [mp ? `${mp}.${name}` : name, b];
        }
      }
    }
  }
  *buffers(recurse = true): Generator<Tensor> {
    for (const [, b] of this.namedBuffers("", recurse)) yield b;
  }

  /** The submodule at a dotted path (`"net.0"`), PyTorch's `get_submodule`. */
  getSubmodule(target: string): Module {
    if (target === "") return this;
    let mod: Module = this;
    for (const item of target.split(".")) {
      const next = new Map(mod.namedChildren()).get(item);
      if (!next) throw new Error(`${mod.constructor.name} has no attribute \`${item}\``);
      mod = next;
    }
    return mod;
  }
  /** The parameter at a dotted path (`"fc1.weight"`). */
  getParameter(target: string): Parameter {
    const i = target.lastIndexOf(".");
    const mod = this.getSubmodule(i < 0 ? "" : target.slice(0, i));
    const name = target.slice(i + 1);
    const p = mod._ownParameters().find(([k]) => k === name);
    if (!p || !p[1]) throw new Error(`${mod.constructor.name} has no parameter \`${name}\``);
    return p[1];
  }
  /** The buffer at a dotted path (`"bn.running_mean"`). */
  getBuffer(target: string): Tensor {
    const i = target.lastIndexOf(".");
    const mod = this.getSubmodule(i < 0 ? "" : target.slice(0, i));
    const name = target.slice(i + 1);
    const b = mod._bufferNames.has(name) ? mod._registered.get(name) : undefined;
    if (!(b instanceof Tensor)) throw new Error(`${mod.constructor.name} has no buffer \`${name}\``);
    return b;
  }

  /** Set training mode here and below. */
  train(mode = true): this {
    if (typeof mode !== "boolean") throw new Error("training mode is expected to be boolean");
    this.training = mode;
    for (const c of this.children()) c.train(mode);
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  /** Whether autograd records operations on this module's parameters (`requires_grad_`). */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
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

  /**
   * @internal PyTorch's `_apply`: replace every parameter and buffer by `fn(tensor)` (a new
   * Parameter keeps `requiresGrad`; a gradient is converted too). Tensors cannot change dtype in
   * place here, so the Parameter objects are new: build optimizers after converting.
   */
  _apply(fn: (t: Tensor) => Tensor): this {
    for (const c of this.children()) c._apply(fn);
    for (const [k, p] of this._ownParameters()) {
      if (!p) continue;
      const out = noGrad(() => fn(p));
      if (out === p) continue;
      const np = new Parameter(out, p.requiresGrad);
      const g = p.grad;
      if (g) np.grad = noGrad(() => fn(g));
      this._replace(k, np);
    }
    for (const [k, b] of this._ownBuffers()) {
      if (!b) continue;
      const out = noGrad(() => fn(b));
      if (out !== b) this._replace(k, out);
    }
    return this;
  }
  /** Cast floating-point parameters and buffers to `dtype` (`module.to(torch.float64)`). */
  to(dtype: DType): this {
    return this._apply((t) => (isFloating(t) && t.dtype !== dtype ? t.to(dtype) : t));
  }
  /** Floating-point parameters and buffers to float32. */
  float(): this {
    return this.to("float32");
  }
  /** Floating-point parameters and buffers to float64. */
  double(): this {
    return this.to("float64");
  }
  /** Floating-point parameters and buffers to float16. */
  half(): this {
    return this.to("float16");
  }
  /** Floating-point parameters and buffers to bfloat16. */
  bfloat16(): this {
    return this.to("bfloat16");
  }

  /**
   * Parameters and persistent buffers by PyTorch's names: each module's own parameters, then
   * its buffers, then its children's (`fc1.weight`, `bn.running_mean`). Tensors are detached
   * (sharing storage) unless `keepVars`.
   */
  stateDict(options: { prefix?: string; keepVars?: boolean } = {}): StateDict {
    const out: StateDict = {};
    this._saveToStateDict(out, options.prefix ?? "", options.keepVars ?? false, new Set());
    return out;
  }
  /** @internal */
  _saveToStateDict(dest: StateDict, prefix: string, keepVars: boolean, memo: Set<Module>): void {
    if (memo.has(this)) return;
    memo.add(this);
    for (const [k, p] of this._ownParameters()) if (p) dest[prefix + k] = keepVars ? p : p.detach();
    for (const [k, b] of this._ownBuffers()) {
      if (b && !this._nonPersistent.has(k)) dest[prefix + k] = keepVars ? b : b.detach();
    }
    for (const [k, m] of this._entries()) if (m instanceof Module) m._saveToStateDict(dest, `${prefix}${k}.`, keepVars, memo);
  }

  /**
   * Copy parameters and buffers from `stateDict` into this module (in place, without
   * recording). Returns the missing and unexpected keys; with `strict` (the default) any of
   * them, or a shape mismatch, raises PyTorch's error.
   */
  loadStateDict(stateDict: StateDict | Map<string, Tensor>, options: { strict?: boolean } | boolean = {}): IncompatibleKeys {
    const strict = typeof options === "boolean" ? options : (options.strict ?? true);
    const sd = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
    const missingKeys: string[] = [];
    const unexpectedKeys: string[] = [];
    const errors: string[] = [];
    const load = (mod: Module, local: Map<string, Tensor>, prefix: string): void => {
      mod._loadFromStateDict(local, prefix, missingKeys, unexpectedKeys, errors);
      for (const [name, child] of mod._entries()) {
        if (!(child instanceof Module)) continue;
        const cp = `${prefix}${name}.`;
        const sub = new Map([...local].filter(([k]) => k.startsWith(cp)));
        load(child, sub, cp);
      }
    };
    load(this, sd, "");
    if (strict) {
      if (unexpectedKeys.length > 0) errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}. `);
      if (missingKeys.length > 0) errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}. `);
    }
    if (errors.length > 0) {
      throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join("\n\t")}`);
    }
    return { missingKeys, unexpectedKeys };
  }
  /** @internal PyTorch's `_load_from_state_dict` for this module's own entries. */
  _loadFromStateDict(sd: Map<string, Tensor>, prefix: string, missing: string[], unexpected: string[], errors: string[]): void {
    const local = new Map<string, Tensor>();
    for (const [k, p] of this._ownParameters()) if (p) local.set(k, p);
    for (const [k, b] of this._ownBuffers()) if (b && !this._nonPersistent.has(k)) local.set(k, b);
    for (const [name, param] of local) {
      const key = prefix + name;
      if (!sd.has(key)) {
        missing.push(key);
        continue;
      }
      const input = sd.get(key);
      if (!(input instanceof Tensor)) {
        errors.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${typeof input}`);
        continue;
      }
      const a = input.shape;
      const b = param.shape;
      if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
        errors.push(`size mismatch for ${key}: copying a param with shape [${a.join(", ")}] from checkpoint, the shape in current model is [${b.join(", ")}].`);
        continue;
      }
      try {
        noGrad(() => param.copy_(input));
      } catch (e) {
        errors.push(
          `While copying the parameter named "${key}", whose dimensions in the model are [${b.join(", ")}] and whose dimensions in the checkpoint are [${a.join(", ")}], an exception occurred : ${(e as Error).message}.`,
        );
      }
    }
    const children = new Set(this._entries().filter(([, v]) => v instanceof Module).map(([k]) => k));
    for (const key of sd.keys()) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const dot = rest.indexOf(".");
      if (dot >= 0) {
        // child-module keys; an array property `layers.0` counts as one name
        const head = rest.slice(0, dot);
        const second = rest.slice(0, rest.indexOf(".", dot + 1) >= 0 ? rest.indexOf(".", dot + 1) : rest.length);
        if (!children.has(head) && !children.has(second)) unexpected.push(key);
      } else if (!local.has(rest)) unexpected.push(key);
    }
  }

  /** Extra text inside this module's repr, e.g. `in_features=4, out_features=8, bias=True`. */
  extraRepr(): string {
    return "";
  }
  /** @internal the name in the repr. */
  _getName(): string {
    return this.constructor.name;
  }
  /** PyTorch's module repr: `Sequential(\n  (0): Linear(in_features=4, out_features=8, bias=True)\n  (1): ReLU()\n)`. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines: string[] = [];
    for (const [k, v] of this._entries()) {
      if (v instanceof Module) childLines.push(`(${k}): ${addIndent(v.toString(), 2)}`);
      else if (v === null && this._registered.has(k) && !this._bufferNames.has(k) && this._isModuleSlot(k)) childLines.push(`(${k}): None`);
    }
    const lines = [...extraLines, ...childLines];
    let main = `${this._getName()}(`;
    if (lines.length > 0) {
      if (extraLines.length === 1 && childLines.length === 0) main += extraLines[0];
      else main += `\n  ${lines.join("\n  ")}\n`;
    }
    return `${main})`;
  }
  /** @internal whether a null registered entry is a module slot (addModule(name, null)). */
  _isModuleSlot(k: string): boolean {
    return this._moduleSlots.has(k);
  }
  /** @internal */
  _moduleSlots: Set<string> = new Set();
  [inspect](): string {
    return this.toString();
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
