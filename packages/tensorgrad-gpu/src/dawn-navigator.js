// `navigator.gpu` for gpu.js's webgpu backend in Node, over Dawn's API object (`create()` of
// the `webgpu` package). gpu.js assigns `device.onuncapturederror`, which Dawn's Node binding
// rejects ("object is not of the correct interface type"), so the devices it gets have a
// handler slot that accepts it. Plain JavaScript, no imports: the webgpu worker loads it from
// src/ (tests) and dist/, and bench/gpu/webgpu.mjs through the package export.

/**
 * Installs `globalThis.navigator = { gpu }` wrapping `gpuApi`; `onDevice(device)` sees every
 * device gpu.js requests (before wrapping).
 */
export function installNavigatorGpu(gpuApi, onDevice = () => {}) {
  const tolerant = (device) => {
    onDevice(device);
    let handler = null;
    try {
      Object.defineProperty(device, "onuncapturederror", { get: () => handler, set: (f) => (handler = f), configurable: true });
      device.addEventListener?.("uncapturederror", (e) => handler?.(e));
      return device;
    } catch {
      return new Proxy(device, {
        set: (t, p, v) => (p === "onuncapturederror" ? ((handler = v), true) : Reflect.set(t, p, v, t)),
        get: (t, p) => {
          if (p === "onuncapturederror") return handler;
          const v = Reflect.get(t, p, t);
          return typeof v === "function" ? v.bind(t) : v;
        },
      });
    }
  };
  const wrapAdapter = (a) =>
    a &&
    new Proxy(a, {
      get(t, p) {
        if (p === "requestDevice") return async (d) => tolerant(await t.requestDevice(d));
        const v = Reflect.get(t, p, t);
        return typeof v === "function" ? v.bind(t) : v;
      },
    });
  const gpu = {
    requestAdapter: async (o) => wrapAdapter(await gpuApi.requestAdapter(o)),
    getPreferredCanvasFormat: () => "rgba8unorm",
  };
  Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true });
}
