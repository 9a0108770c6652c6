// The crossover measurement, shared by Node and the browser: scripts/crossover.mjs calls it
// directly in Node and sends its source into a Chromium page (so it must be self-contained:
// no imports, no closures over module scope).
//
// For each op class it times the same op through tensorgrad with the provider forced on
// (config.gpu = 'force': upload, kernel, readback, the seam's copies) and off (the WASM kernel),
// over growing sizes, and returns the samples and the thresholds: the smallest measured size
// from which the gpu.js path was faster at every larger size measured, or null. Inputs start on
// the host and every result is read back (toTypedArray) on both paths: the cost of an op whose
// data is not on the GPU yet. Chained ops on resident data skip both transfers; the dispatcher
// sends those to the GPU regardless of size (see dispatch.ts).
export async function measureCrossover(tg, gpu, mode, options = {}) {
  const budgetMs = options.budgetMs ?? 150; // per size and path, after a warm-up call
  const maxCallMs = options.maxCallMs ?? 1500; // stop a sweep once one gpu.js call takes this long...
  const losing = options.losing ?? 20; // ...or once gpu.js is this many times slower at three sizes in a row
  const quick = options.quick ?? false;
  const now = () => performance.now();
  const rand = (n, seed) => {
    let s = seed >>> 0 || 1;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      out[i] = ((s >>> 8) / 2 ** 24) * 2 - 1;
    }
    return out;
  };
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  };
  // Batches, not single calls: browsers coarsen performance.now() (100 µs without cross-origin
  // isolation). Median over 3 batches of the mean per call, each batch at least budgetMs/3.
  // Results are disposed at once: waiting for finalizers would grow wasm memory by gigabytes.
  const call = (f) => {
    const r = f();
    for (const t of Array.isArray(r) ? r : [r]) {
      if (t && typeof t.toTypedArray === "function") t.toTypedArray();
      if (t && typeof t.dispose === "function") t.dispose();
    }
  };
  const time = (f) => {
    call(f); // warm-up: compiles the kernel for this shape
    const t0 = now();
    call(f);
    const one = Math.max(now() - t0, 0.001);
    const perBatch = Math.max(1, Math.min(2000, Math.ceil(budgetMs / 3 / one)));
    const means = [];
    for (let b = 0; b < 3; b++) {
      const start = now();
      let calls = 0;
      do {
        for (let i = 0; i < perBatch; i++) call(f);
        calls += perBatch;
      } while (now() - start < budgetMs / 3 && calls < 20000);
      means.push((now() - start) / calls);
    }
    return median(means);
  };
  const pow2 = (lo, hi) => Array.from({ length: hi - lo + 1 }, (_, i) => 2 ** (lo + i));
  const classes = [
    {
      cls: "matmul",
      sizes: quick ? [16, 64, 128] : [8, 16, 32, 64, 96, 128, 192, 256, 384, 512],
      size: (n) => n * n * n,
      shape: (n) => `${n}x${n}x${n}`,
      make: (n) => {
        const a = tg.tensor(rand(n * n, n)).reshape(n, n);
        const b = tg.tensor(rand(n * n, n + 1)).reshape(n, n);
        return () => a.matmul(b);
      },
    },
    {
      cls: "binary",
      sizes: quick ? pow2(10, 14) : pow2(10, 22),
      size: (n) => n,
      shape: (n) => String(n),
      make: (n) => {
        const a = tg.tensor(rand(n, n));
        const b = tg.tensor(rand(n, n + 1));
        return () => a.add(b);
      },
    },
    {
      cls: "unary",
      sizes: quick ? pow2(10, 14) : pow2(10, 22),
      size: (n) => n,
      shape: (n) => String(n),
      make: (n) => {
        const a = tg.tensor(rand(n, n));
        return () => a.exp();
      },
    },
    {
      cls: "sum",
      sizes: quick ? pow2(10, 14) : pow2(10, 22),
      size: (n) => n,
      shape: (n) => String(n),
      make: (n) => {
        const t = tg.tensor(rand(n, n));
        return () => t.sum();
      },
    },
    {
      // conv2d forward and both gradient products (one training step's worth): x [4, 16, s, s],
      // w [16, 16, 3, 3], padding 1; size: multiply-adds of one product
      cls: "conv2d",
      sizes: quick ? [8, 16] : [4, 8, 16, 24, 32, 48, 64, 96, 128],
      size: (s) => 4 * 16 * s * s * 16 * 9,
      shape: (s) => `4x16x${s}x${s} * 16x16x3x3`,
      make: (s) => {
        const x = tg.tensor(rand(4 * 16 * s * s, s)).reshape(4, 16, s, s).requiresGrad_();
        const w = tg.tensor(rand(16 * 16 * 9, s + 1)).reshape(16, 16, 3, 3).requiresGrad_();
        const g = tg.tensor(rand(4 * 16 * s * s, s + 2)).reshape(4, 16, s, s);
        return () => {
          const y = tg.nn.functional.conv2d(x, w, null, { padding: 1 });
          const grads = tg.autograd.grad(y, [x, w], { gradOutputs: g });
          return [y, ...grads];
        };
      },
    },
  ];

  gpu.enableGpu({ mode, policy: "force", cacheSize: 256 });
  const samples = [];
  const thresholds = {};
  try {
    for (const c of classes) {
      const rows = [];
      let behind = 0;
      for (const n of c.sizes) {
        const op = c.make(n);
        gpu.config.gpu = "off";
        const wasmMs = time(() => op("wasm"));
        gpu.config.gpu = "force";
        const t0 = now();
        call(() => op("gpu"));
        if (now() - t0 > maxCallMs * 4) break; // the first call (compile) alone is too slow to sweep on
        const gpuMs = time(() => op("gpu"));
        const row = { op: c.cls, size: c.size(n), shape: c.shape(n), gpuMs: +gpuMs.toPrecision(4), wasmMs: +wasmMs.toPrecision(4) };
        rows.push(row);
        samples.push(row);
        if (options.onSample) options.onSample(mode, row);
        behind = gpuMs > losing * wasmMs ? behind + 1 : 0;
        if (gpuMs > maxCallMs || behind >= 3) break;
        if (typeof setTimeout === "function") await new Promise((r) => setTimeout(r, 0)); // let a page breathe
      }
      // smallest size from which gpu.js was faster at every larger measured size
      let t = null;
      for (let i = rows.length - 1; i >= 0; i--) {
        if (rows[i].gpuMs < rows[i].wasmMs) t = rows[i].size;
        else break;
      }
      thresholds[c.cls] = t;
    }
  } finally {
    gpu.config.gpu = "auto";
    const errors = gpu.gpuInfo().errors;
    const lastError = gpu.gpuInfo().lastError;
    await gpu.disableGpu();
    if (errors > 0) throw new Error(`gpu.js failed ${errors} times while measuring ${mode}: ${lastError}`);
  }
  return { thresholds, samples };
}
