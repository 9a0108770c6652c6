// The matmul thread pool (src/threads.ts): results identical to one thread for every shape the
// core offers it (odd sizes, transposed operands, batches, the backward products), the
// setNumThreads/getNumThreads API, composition with a user kernel provider, and failures that
// fall back to one thread without breaking the computation. No timing assertions.
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import * as tg from "tensorgrad";
import { getNumThreads, setKernelProvider, setNumThreads, tensor, type Tensor } from "tensorgrad";

const DEFAULT = getNumThreads();
type Stats = { workersReady: number; jobs: number; colJobs: number; workerChunks: number; available: boolean };
const internal = (tg as unknown as { _threads: { stats(): Stats; breakNext(h: "status" | "timeout"): void } })._threads;

afterEach(() => setKernelProvider(null));
afterAll(() => setNumThreads(DEFAULT));

function rand(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = s / 2147483648 - 0.5;
  }
  return tensor(data).reshape(shape);
}

/** Run `f` with `n` threads, once the pool's workers are up (they start with the first large matmul). */
async function withThreads<T>(n: number, f: () => T): Promise<{ value: T; jobs: number; workerChunks: number }> {
  setNumThreads(n);
  if (n > 1) {
    const warm = rand([192, 192], 9);
    for (let i = 0; i < 500 && internal.stats().workersReady < n - 1; i++) {
      warm.matmul(warm.t()).matmul(warm); // large enough to start the pool
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(internal.stats().workersReady).toBe(n - 1);
  }
  const before = internal.stats();
  const value = f();
  const after = internal.stats();
  return { value, jobs: after.jobs - before.jobs, workerChunks: after.workerChunks - before.workerChunks };
}

/**
 * Run `f` with `n` threads until a worker computed part of it (the caller takes every chunk
 * a worker is too slow to claim, so a single run may not reach the workers; on a loaded machine
 * the workers may not get a core for a while, hence the pauses between tries); all its results.
 */
async function onWorkers<T>(n: number, f: () => T): Promise<{ values: T[]; jobsPerRun: number; colJobsPerRun: number }> {
  const values: T[] = [];
  let jobsPerRun = -1;
  let colJobsPerRun = -1;
  await withThreads(n, () => undefined);
  const start = internal.stats();
  for (let i = 0; i < 400; i++) {
    const before = internal.stats();
    values.push(f());
    const after = internal.stats();
    jobsPerRun = after.jobs - before.jobs;
    colJobsPerRun = after.colJobs - before.colJobs;
    if (after.workerChunks > before.workerChunks) break;
    if (i % 20 === 19) await new Promise((r) => setTimeout(r, 5));
  }
  expect(internal.stats().workerChunks - start.workerChunks, "no chunk ever ran on a worker").toBeGreaterThan(0);
  return { values, jobsPerRun, colJobsPerRun };
}

function expectSame(x: Float32Array, y: Float32Array): void {
  expect(x.length).toBe(y.length);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / (1 + Math.abs(y[i]!)));
  // The same blocked kernel computes every element in the same order on every thread.
  expect(worst).toBeLessThanOrEqual(1e-6);
}

const flat = (ts: Tensor[]) => ts.map((t) => t.toTypedArray() as Float32Array);

describe("threads API", () => {
  it("defaults to the available cores in Node (at most 8)", () => {
    expect(internal.stats().available).toBe(true);
    expect(DEFAULT).toBe(Math.max(1, Math.min(availableParallelism(), 8)));
  });

  it("setNumThreads / getNumThreads, with clear errors for bad counts", () => {
    setNumThreads(3);
    expect(getNumThreads()).toBe(3);
    setNumThreads(1);
    expect(getNumThreads()).toBe(1);
    expect(internal.stats().workersReady).toBe(0); // the workers are gone
    for (const bad of [0, -2, 1.5, Number.NaN, "2" as unknown as number]) {
      expect(() => setNumThreads(bad)).toThrow(/setNumThreads: expected a positive integer/);
    }
    expect(getNumThreads()).toBe(1);
  });
});

describe("thread pool matmul = one thread", () => {
  // [label, A shape (as stored), B shape (as stored), transpose A?, transpose B?, split by columns?]
  const cases: [string, number[], number[], boolean, boolean, boolean][] = [
    ["odd shapes", [131, 257], [257, 131], false, false, false],
    ["Aᵀ (a transposed view)", [257, 131], [257, 131], true, false, false],
    ["Bᵀ", [131, 257], [131, 257], false, true, false],
    ["Aᵀ and Bᵀ", [257, 131], [131, 257], true, true, false],
    ["few rows, many columns", [9, 460], [460, 999], false, false, true],
    ["few rows, Bᵀ", [5, 821], [1001, 821], false, true, true],
    ["a batch of 64 rows, Bᵀ (a linear layer's g·Wᵀ)", [64, 256], [784, 256], false, true, true],
    ["square 200", [200, 200], [200, 200], false, false, false],
  ];
  for (const threads of [2, 3]) {
    for (const [label, sa, sb, ta, tb, byCols] of cases) {
      it(`${label}, ${threads} threads (split by ${byCols ? "columns" : "rows"})`, async () => {
        const A0 = rand(sa, 1);
        const B0 = rand(sb, 2);
        const A = ta ? A0.t() : A0;
        const B = tb ? B0.t() : B0;
        const one = (await withThreads(1, () => flat([A.matmul(B)]))).value;
        const many = await onWorkers(threads, () => flat([A.matmul(B)]));
        expect(many.jobsPerRun).toBe(1);
        expect(many.colJobsPerRun).toBe(byCols ? 1 : 0);
        for (const v of many.values) expectSame(v[0]!, one[0]!);
      });
    }
  }

  it("batched matmul (each product of the batch is split)", async () => {
    const A = rand([3, 131, 211], 3);
    const B = rand([3, 211, 157], 4);
    const one = (await withThreads(1, () => flat([A.bmm(B), A.matmul(B)]))).value;
    const many = await onWorkers(2, () => flat([A.bmm(B), A.matmul(B)]));
    expect(many.jobsPerRun).toBe(6);
    for (const v of many.values) v.forEach((x, i) => expectSame(x, one[i]!));
  });

  it("backward products g·Bᵀ and Aᵀ·g, and a linear layer's", async () => {
    const run = () => {
      const A = rand([150, 190], 5).requiresGrad_(true);
      const B = rand([190, 170], 6).requiresGrad_(true);
      const W = rand([170, 170], 7).requiresGrad_(true);
      const y = A.matmul(B).relu().matmul(W);
      y.mul(rand([150, 170], 8)).sum().backward();
      return flat([y, A.grad!, B.grad!, W.grad!]);
    };
    const one = (await withThreads(1, run)).value;
    const many = await onWorkers(2, run);
    expect(many.jobsPerRun).toBe(6); // two forward products, two backward products each
    for (const v of many.values) v.forEach((x, i) => expectSame(x, one[i]!));
  });

  it("small products and float64 stay on the calling thread", async () => {
    const r = await withThreads(2, () => {
      const small = rand([16, 16], 1).matmul(rand([16, 16], 2));
      const f64 = rand([200, 200], 1).to("float64");
      return [small.sum().item(), f64.matmul(f64).sum().item()];
    });
    expect(r.jobs).toBe(0);
    expect(Number.isFinite(r.value[0])).toBe(true);
  });
});

describe("composition with a kernel provider", () => {
  it("the user's provider gets the first pick, the pool what it declines", async () => {
    const A = rand([160, 170], 1);
    const B = rand([170, 180], 2);
    const expected = (await withThreads(1, () => flat([A.matmul(B)]))).value[0]!;
    let asked = 0;
    const r = await withThreads(2, () => {
      setKernelProvider({
        matmul(_a, _b, m, _k, n) {
          asked++;
          return asked === 1 ? new Float32Array(m * n).fill(7) : undefined; // answers once, then declines
        },
      });
      return flat([A.matmul(B), A.matmul(B)]);
    });
    expect(asked).toBe(2);
    expect(Array.from(r.value[0]!.slice(0, 3))).toEqual([7, 7, 7]);
    expect(r.jobs).toBe(1);
    expectSame(r.value[1]!, expected);
  });

  it("a throwing provider counts as declining: the pool still runs", async () => {
    const A = rand([160, 170], 1);
    const B = rand([170, 180], 2);
    const expected = (await withThreads(1, () => flat([A.matmul(B)]))).value[0]!;
    const r = await withThreads(2, () => {
      setKernelProvider({
        matmul() {
          throw new Error("lost GPU context");
        },
      });
      return flat([A.matmul(B)]);
    });
    expect(r.jobs).toBe(1);
    expectSame(r.value[0]!, expected);
  });
});

describe("composition with a resident provider", () => {
  it("a DeviceArray operand goes to the provider only; if it declines, the pool gets host data (downloaded once)", async () => {
    const A = rand([160, 170], 1);
    const B = rand([170, 180], 2);
    const C = rand([180, 150], 3);
    const [abHost, expected] = (await withThreads(1, () => flat([A.matmul(B), A.matmul(B).matmul(C)]))).value;
    const offered: string[] = [];
    const kind = (x: unknown) => (x instanceof Float32Array ? "host" : "device");
    let downloads = 0;
    let released = 0;
    const r = await withThreads(2, () => {
      setKernelProvider({
        resident: true,
        matmul(a, b, m, k, n) {
          offered.push(`${m}x${k}x${n} ${kind(a)},${kind(b)}`);
          if (offered.length > 1) return undefined; // declines from the second product on
          // A·B "kept on the device"
          return { length: m * n, download: () => (downloads++, abHost!.slice()), release: () => void released++ };
        },
      });
      const ab = A.matmul(B);
      const before = downloads;
      const out = flat([ab.matmul(C)]);
      ab.dispose();
      return { out, downloadsInside: downloads - before };
    });
    // the second product was offered with the DeviceArray, declined, then split by the pool
    expect(offered).toEqual(["160x170x180 host,host", "160x180x150 device,host"]);
    expect(r.value.downloadsInside, "downloaded once, for the pool").toBe(1);
    expect(r.jobs, "the pool took the second product").toBe(1);
    expectSame(r.value.out[0]!, expected!);
    expect(released).toBe(1);
  });
});

describe("failures fall back to one thread", () => {
  for (const how of ["status", "timeout"] as const) {
    it(`a worker that ${how === "status" ? "fails its chunk" : "never finishes a chunk it claimed"}: same results, then one thread`, async () => {
      const A = rand([240, 150], 1);
      const B = rand([150, 160], 2);
      const expected = (await withThreads(1, () => flat([A.matmul(B)]))).value[0]!;
      const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
      // Armed until the caller notices; a worker that wakes late takes no chunk (the caller
      // computes them all), so repeat until one did.
      const r = await withThreads(2, () => {
        internal.breakNext(how);
        const out: Float32Array[] = [];
        for (let i = 0; i < 200 && getNumThreads() === 2; i++) out.push(...flat([A.matmul(B)]));
        return out;
      });
      warn.mockRestore();
      expect(getNumThreads()).toBe(1);
      expect(r.value.length).toBeGreaterThan(0);
      for (const v of r.value) expectSame(v, expected);
      expectSame(flat([A.matmul(B)])[0]!, expected);
      // ...and threads can be turned on again.
      const again = await withThreads(2, () => flat([A.matmul(B)]));
      expect(again.jobs).toBe(1);
      expectSame(again.value[0]!, expected);
    });
  }
});

describe("Node processes", () => {
  // Also run with --input-type=module, a flag a worker must not inherit.
  it("workers never keep a process alive", () => {
    const index = fileURLToPath(import.meta.resolve("tensorgrad"));
    const script = `
      const tg = await import(${JSON.stringify(index)});
      const a = tg.tensor(new Float32Array(300 * 300).fill(1)).reshape([300, 300]);
      for (let i = 0; i < 200 && tg._threads.stats().workersReady < 1; i++) {
        a.matmul(a);
        await new Promise((r) => setTimeout(r, 10));
      }
      const c = a.matmul(a);
      console.log(tg._threads.stats().jobs > 0, c.sum().item(), JSON.stringify(tg._threads.stats()));
    `;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(`true ${300 * 300 * 300} `);
  });
});
