// The navigator.gpu shim the webgpu worker (and bench/gpu/webgpu.mjs) install over Dawn's API:
// gpu.js assigns device.onuncapturederror, which Dawn's binding rejects; the shim's devices take it.
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error plain JavaScript module without types
import { installNavigatorGpu } from "../src/dawn-navigator.js";

type Listener = (e: unknown) => void;
/** A stand-in for a Dawn device: assigning onuncapturederror throws, as Dawn's binding does. */
function dawnLikeDevice(frozen: boolean) {
  const listeners: Listener[] = [];
  const proto = {
    set onuncapturederror(_: unknown) {
      throw new TypeError("object is not of the correct interface type");
    },
    addEventListener(type: string, f: Listener) {
      if (type === "uncapturederror") listeners.push(f);
    },
    label: "dev",
    createBuffer() {
      return this === device ? "own" : "proxied";
    },
  };
  const device = Object.create(proto);
  if (frozen) Object.preventExtensions(device);
  return { device, fire: (e: unknown) => listeners.forEach((f) => f(e)) };
}

const saved = Object.getOwnPropertyDescriptor(globalThis, "navigator");
afterEach(() => {
  if (saved) Object.defineProperty(globalThis, "navigator", saved);
});

describe("installNavigatorGpu", () => {
  for (const frozen of [false, true]) {
    it(`gives gpu.js a device whose onuncapturederror can be assigned (${frozen ? "non-extensible: proxy" : "own property"})`, async () => {
      const { device, fire } = dawnLikeDevice(frozen);
      const seen: unknown[] = [];
      const api = { requestAdapter: async () => ({ name: "fake", requestDevice: async () => device }) };
      installNavigatorGpu(api, (d: unknown) => seen.push(d));
      const nav = (globalThis as unknown as { navigator: { gpu: { requestAdapter(): Promise<any>; getPreferredCanvasFormat(): string } } }).navigator;
      const adapter = await nav.gpu.requestAdapter();
      expect(adapter.name).toBe("fake");
      const d = await adapter.requestDevice({});
      expect(seen).toEqual([device]);
      const errors: unknown[] = [];
      d.onuncapturederror = (e: unknown) => errors.push(e);
      expect(typeof d.onuncapturederror).toBe("function");
      expect(d.label).toBe("dev");
      // methods run on the real device object, never on a proxy
      expect(d.createBuffer()).toBe("own");
      if (!frozen) {
        fire("boom");
        expect(errors).toEqual(["boom"]);
      }
      expect(nav.gpu.getPreferredCanvasFormat()).toBe("rgba8unorm");
    });
  }
  it("passes a missing adapter through as null", async () => {
    installNavigatorGpu({ requestAdapter: async () => null });
    const nav = (globalThis as unknown as { navigator: { gpu: { requestAdapter(): Promise<unknown> } } }).navigator;
    expect(await nav.gpu.requestAdapter()).toBeNull();
  });
});
