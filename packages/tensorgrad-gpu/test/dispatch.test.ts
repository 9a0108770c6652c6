// Dispatch decisions: the pure function over the crossover table, and the live provider's
// counts when thresholds put some ops on each side.
import { afterAll, describe, expect, it } from "vitest";
import { tensor } from "tensorgrad";
import {
  config,
  CROSSOVER,
  decide,
  disableGpu,
  enableGpu,
  GpuArray,
  gpuInfo,
  NEVER,
  opClass,
  opSize,
  provider,
  thresholdsFor,
  type CrossoverTable,
} from "../src/index.js";
import { randomArray, t2 } from "./helpers.js";

const TABLE: CrossoverTable = {
  version: 1,
  modes: {
    webgl2: {
      measuredAt: "2026-01-01",
      environment: "test",
      machine: "test",
      thresholds: { matmul: 64 ** 3, binary: 1 << 20, unary: 1 << 18, sum: null },
      samples: [],
    },
  },
};

describe("decide", () => {
  const th = thresholdsFor("webgl2", TABLE);

  it("reads the measured thresholds of the active mode", () => {
    expect(th).toEqual({ matmul: 64 ** 3, binary: 1 << 20, unary: 1 << 18, sum: null, conv2d: null });
    expect(decide("matmul", opSize("matmul", { m: 63, k: 64, n: 64 }), "webgl2", "auto", th)).toBe("wasm");
    expect(decide("matmul", opSize("matmul", { m: 64, k: 64, n: 64 }), "webgl2", "auto", th)).toBe("gpu");
    expect(decide("add", (1 << 20) - 1, "webgl2", "auto", th)).toBe("wasm");
    expect(decide("div", 1 << 20, "webgl2", "auto", th)).toBe("gpu");
    expect(decide("exp", 1 << 18, "webgl2", "auto", th)).toBe("gpu");
    expect(decide("sum", 1 << 30, "webgl2", "auto", th)).toBe("wasm"); // null: never
  });

  it("an operand already on the device pulls the op there under 'auto' unless its class is never faster", () => {
    expect(decide("add", 10, "webgl2", "auto", th, true)).toBe("gpu");
    expect(decide("sum", 1 << 30, "webgl2", "auto", th, true)).toBe("wasm"); // null threshold
    expect(decide("add", 10, "webgl2", "off", th, true)).toBe("wasm");
  });

  it("an unmeasured mode is never dispatched to under 'auto'", () => {
    expect(thresholdsFor("webgl", TABLE)).toEqual(NEVER);
    expect(decide("matmul", 1e12, "webgl", "auto", thresholdsFor("webgl", TABLE))).toBe("wasm");
    expect(thresholdsFor(null)).toEqual(NEVER);
  });

  it("'force' dispatches everything (cpu mode included; webgpu through its worker bridge), 'off' nothing", () => {
    expect(decide("add", 1, "cpu", "force", NEVER)).toBe("gpu");
    expect(decide("matmul", 1e12, "webgl2", "off", th)).toBe("wasm");
    expect(decide("matmul", 1, "webgpu", "force", NEVER)).toBe("gpu");
    expect(decide("matmul", 1e12, "webgpu", "auto", NEVER)).toBe("wasm"); // not measured: never under 'auto'
    expect(decide("add", 1e12, "webgpu", "auto", NEVER, true)).toBe("wasm"); // a resident operand does not change that
    expect(decide("matmul", 1e12, null, "force", th)).toBe("wasm");
  });

  it("overrides go on top of the table", () => {
    expect(thresholdsFor("webgl2", TABLE, { sum: 10 }).sum).toBe(10);
    expect(thresholdsFor("webgl2", TABLE, { matmul: null }).matmul).toBe(null);
  });

  it("maps ops to threshold classes", () => {
    expect(["add", "sub", "mul", "div"].map((o) => opClass(o as never))).toEqual(["binary", "binary", "binary", "binary"]);
    expect(["neg", "exp", "log", "tanh"].map((o) => opClass(o as never))).toEqual(["unary", "unary", "unary", "unary"]);
    expect(["conv2d", "conv2dInput", "conv2dWeight"].map((o) => opClass(o as never))).toEqual(["conv2d", "conv2d", "conv2d"]);
    expect(opClass("sum")).toBe("sum");
  });

  it("the shipped table has only measured entries with the expected shape", () => {
    expect(CROSSOVER.version).toBe(1);
    for (const [mode, entry] of Object.entries(CROSSOVER.modes)) {
      // conv2d was added later: an entry measured before it has no conv2d class (never dispatched)
      const keys = Object.keys(entry!.thresholds).sort();
      expect(keys.filter((k) => k !== "conv2d"), mode).toEqual(["binary", "matmul", "sum", "unary"]);
      expect(entry!.samples.length, `${mode} has samples`).toBeGreaterThan(0);
      expect(entry!.environment).toBeTruthy();
    }
  });
});

describe("live dispatch by size", () => {
  afterAll(async () => {
    config.gpu = "auto";
    await disableGpu();
  });

  it("sends ops at or above the threshold to gpu.js, the rest to WASM, and counts both", () => {
    enableGpu({ mode: "cpu", policy: "auto", thresholds: { matmul: 8 * 8 * 8, binary: 100, unary: null } });
    const info = gpuInfo();
    expect(info.mode).toBe("cpu");
    expect(info.onGpu).toBe(false);
    expect(info.thresholds).toEqual({ matmul: 512, binary: 100, unary: null, sum: null, conv2d: null });

    t2(randomArray(16, 1), 4, 4).matmul(t2(randomArray(16, 2), 4, 4)); // 64 < 512: wasm
    t2(randomArray(64, 1), 8, 8).matmul(t2(randomArray(64, 2), 8, 8)); // 512: gpu
    tensor(randomArray(99, 3)).add(tensor(randomArray(99, 4))); // wasm
    tensor(randomArray(100, 3)).add(tensor(randomArray(100, 4))); // gpu
    tensor(randomArray(1000, 3)).exp(); // unary: null, wasm
    const c = gpuInfo().counts;
    expect(c.matmul).toEqual({ gpu: 1, wasm: 1 });
    expect(c.add).toEqual({ gpu: 1, wasm: 1 });
    expect(c.exp).toEqual({ gpu: 0, wasm: 1 });
    expect(gpuInfo().kernels.compiled).toBe(2);

    config.gpu = "off";
    t2(randomArray(64, 1), 8, 8).matmul(t2(randomArray(64, 2), 8, 8));
    expect(gpuInfo().counts.matmul).toEqual({ gpu: 1, wasm: 2 });
    config.gpu = "force";
    tensor(randomArray(3, 3)).exp();
    expect(gpuInfo().counts.exp).toEqual({ gpu: 1, wasm: 1 });
  });

  it("reports the backend gpu.js chose by itself by name (gpu.js says 'gpu' for every GL backend)", () => {
    const info = enableGpu();
    expect(["headlessgl", "webasm", "cpu"]).toContain(info.mode);
    expect(info.supported.cpu).toBe(true);
  });

  it("caches kernels per shape and destroys the least recently used past the cache size", () => {
    enableGpu({ mode: "cpu", policy: "force", cacheSize: 2 });
    for (const n of [10, 20, 10, 30, 40]) provider.unary("neg", randomArray(n, n));
    const k = gpuInfo().kernels;
    expect(k.compiled).toBe(4);
    expect(k.cached).toBe(2);
    expect(k.evicted).toBe(2);
  });

  it("a kernel that throws counts as declining: the op runs on WASM and the error is reported", () => {
    enableGpu({ mode: "cpu", policy: "force" });
    // a matmul whose operands are shorter than the shape says makes gpu.js read out of range or throw;
    // through the seam this cannot happen, so call the provider directly with a poisoned cache
    const info0 = gpuInfo();
    expect(info0.errors).toBe(0);
    const fine = provider.matmul(new Float32Array(4), new Float32Array(4), 2, 2, 2);
    expect(fine?.length).toBe(4);
    // a device array whose "texture" gpu.js cannot read
    const poisoned = new GpuArray({ size: [1, 1], output: [3], toArray: () => [], delete: () => undefined }, 3);
    expect(provider.binary("add", poisoned, poisoned)).toBeUndefined();
    poisoned.release();
    const info = gpuInfo();
    expect(info.errors).toBe(1);
    expect(info.lastError).toBeTruthy();
    expect(info.counts.add).toEqual({ gpu: 0, wasm: 1 });
  });

  it("disableGpu removes the provider and frees the kernels", async () => {
    enableGpu({ mode: "cpu", policy: "force" });
    provider.unary("neg", randomArray(5, 5));
    expect(gpuInfo().kernels.cached).toBe(1);
    await disableGpu();
    const info = gpuInfo();
    expect(info.enabled).toBe(false);
    expect(info.mode).toBe(null);
    expect(info.kernels.cached).toBe(0);
    tensor([1, 2]).neg();
    expect(provider.unary("neg", randomArray(5, 5))).toBeUndefined(); // not enabled: declines
  });
});
