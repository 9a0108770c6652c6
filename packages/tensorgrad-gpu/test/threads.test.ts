// tensorgrad-gpu together with tensorgrad's matmul thread pool: both sit behind the one kernel
// seam, gpu.js first. Under config.gpu = 'force' a matmul goes to gpu.js (here its cpu mode,
// which CI always has) and never reaches the pool; under 'off' gpu.js declines and a large
// matmul is split by the pool. Counted through gpuInfo().counts and the pool's own counters.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as tg from "tensorgrad";
import { getNumThreads, setNumThreads } from "tensorgrad";
import { config, disableGpu, enableGpu, gpuInfo, resetCounts } from "../src/index.js";
import { expectClose, onWasm, randomArray, t2 } from "./helpers.js";

type Stats = { available: boolean; workersReady: number; jobs: number };
const pool = (tg as unknown as { _threads: { stats(): Stats } })._threads;
const DEFAULT = getNumThreads();

describe.skipIf(!pool.stats().available)("gpu.js and the matmul thread pool", () => {
  const m = 160, k = 170, n = 180; // m·k·n above the pool's threshold (160³)
  const a = t2(randomArray(m * k, 1), m, k);
  const b = t2(randomArray(k * n, 2), k, n);
  const c = t2(randomArray(n * 150, 3), n, 150);
  let want: Float32Array;
  let want2: Float32Array;

  beforeAll(async () => {
    [want, want2] = onWasm(() => {
      setNumThreads(1);
      return [a.matmul(b), a.matmul(b).matmul(c)].map((t) => t.toTypedArray() as Float32Array);
    });
    setNumThreads(2);
    enableGpu({ mode: "cpu", policy: "off" });
    // the pool's workers start with the first large product it is offered
    for (let i = 0; i < 500 && pool.stats().workersReady < 1; i++) {
      a.matmul(b).dispose();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(pool.stats().workersReady).toBe(1);
  });
  afterAll(async () => {
    await disableGpu();
    setNumThreads(DEFAULT);
  });

  it("'force': the matmul goes to gpu.js, not to the pool", () => {
    config.gpu = "force";
    resetCounts();
    const jobs0 = pool.stats().jobs;
    const got = a.matmul(b).toTypedArray() as Float32Array;
    expect(gpuInfo().counts.matmul).toEqual({ gpu: 1, wasm: 0 });
    expect(pool.stats().jobs - jobs0).toBe(0);
    expectClose(got, want, { rtol: 1e-4, atol: 1e-4 });
  });

  it("'off': gpu.js declines and the pool splits the matmul", () => {
    config.gpu = "off";
    resetCounts();
    const jobs0 = pool.stats().jobs;
    const got = a.matmul(b).toTypedArray() as Float32Array;
    expect(gpuInfo().counts.matmul).toEqual({ gpu: 0, wasm: 1 });
    expect(pool.stats().jobs - jobs0).toBe(1);
    expectClose(got, want, { rtol: 1e-6, atol: 1e-6 });
  });

  it("'force' then 'off': a resident result reaches the pool as host data", () => {
    config.gpu = "force";
    resetCounts();
    const ab = a.matmul(b); // stays with gpu.js
    expect(gpuInfo().memory.live).toBeGreaterThan(0);
    config.gpu = "off";
    const jobs0 = pool.stats().jobs;
    const got = ab.matmul(c).toTypedArray() as Float32Array;
    // offered to gpu.js with its GpuArray (declined under 'off'), then to the pool, downloaded
    expect(gpuInfo().counts.matmul).toEqual({ gpu: 1, wasm: 1 });
    expect(gpuInfo().memory.downloads).toBe(1);
    expect(pool.stats().jobs - jobs0).toBe(1);
    expectClose(got, want2, { rtol: 1e-4, atol: 1e-4 });
  });
});
