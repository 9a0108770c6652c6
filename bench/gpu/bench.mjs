// The GPU benchmark's workload, self-contained (no imports): run.mjs calls it in Node and sends
// its source into a Chromium page. Times matmul n×n×n and one MLP training step on the WASM
// kernels (config.gpu = 'off') and through gpu.js (config.gpu = 'force'), and checks that the
// results agree. `mode`: the gpu.js mode to enable ('webgpu' in Node: the worker bridge).
export async function gpuBench(tg, gpu, options) {
  const { sizes, mlp, mode, maxSeconds } = options;
  const now = () => performance.now();
  const deadline = now() + maxSeconds * 1000;
  const rand = (n, seed) => {
    let s = seed >>> 0 || 1;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      out[i] = ((s >>> 8) / 2 ** 24) * 2 - 1;
    }
    return out;
  };
  // at least `reps` calls and 0.3 s (coarse browser clocks), at most 10 calls; mean per call
  const time = (f, reps = 2) => {
    f(); // warm-up (kernel compile, first upload)
    let calls = 0;
    const t0 = now();
    while (calls < reps || (now() - t0 < 300 && calls < 10)) {
      f();
      calls++;
    }
    return (now() - t0) / calls;
  };
  const maxRel = (a, b) => {
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
    return m;
  };

  const info = gpu.enableGpu({ mode: mode === "auto" ? undefined : mode, policy: "off" });
  const rows = [];
  try {
    for (const n of sizes) {
      if (now() > deadline) {
        rows.push({ name: `matmul ${n}`, skipped: "time budget spent" });
        continue;
      }
      const a = tg.tensor(rand(n * n, n)).reshape(n, n);
      const b = tg.tensor(rand(n * n, n + 7)).reshape(n, n);
      // each call reads its result back: a GPU result left on the device would only time the
      // command submission (and its texture would wait for the garbage collector)
      const product = () => tg.tidy(() => a.matmul(b).toTypedArray());
      gpu.config.gpu = "off";
      const ref = product();
      const wasmMs = time(product);
      gpu.config.gpu = "force";
      gpu.resetCounts();
      const got = product();
      const after = gpu.gpuInfo();
      // a gpu.js call that throws falls back to WASM: say so rather than time WASM twice
      if (after.counts.matmul.gpu === 0) {
        rows.push({ name: `matmul ${n}`, skipped: `gpu.js declined (${after.lastError ?? "no error recorded"})` });
        continue;
      }
      const gpuMs = time(product);
      const flop = 2 * n * n * n;
      rows.push({ name: `matmul ${n}`, wasmMs, gpuMs, wasmGflops: flop / wasmMs / 1e6, gpuGflops: flop / gpuMs / 1e6, maxRelDiff: maxRel(got, ref) });
      if (n === sizes[0]) {
        // four chained products, one readback: the intermediates stay in GPU textures
        const chain = () => tg.tidy(() => a.matmul(b).matmul(b).matmul(b).matmul(b).toTypedArray());
        gpu.config.gpu = "off";
        const cref = chain();
        const cw = time(chain);
        gpu.config.gpu = "force";
        const cgot = chain();
        const cg = time(chain);
        rows.push({ name: `matmul ${n} ×4 chained`, wasmMs: cw, gpuMs: cg, wasmGflops: (4 * flop) / cw / 1e6, gpuGflops: (4 * flop) / cg / 1e6, maxRelDiff: maxRel(cgot, cref) });
      }
    }

    // one SGD step of an MLP (batch × input → hidden → hidden → classes), MSE loss
    const { batch, input, hidden, classes } = mlp;
    const X = tg.tensor(rand(batch * input, 1)).reshape(batch, input);
    const Y = tg.tensor(rand(batch * classes, 2)).reshape(batch, classes);
    const init = [
      [input, hidden],
      [hidden, hidden],
      [hidden, classes],
    ].map(([r, c], i) => tg.tensor(rand(r * c, 10 + i)).reshape(r, c).mul(1 / Math.sqrt(r)));
    const flop = 3 * 2 * batch * (input * hidden + hidden * hidden + hidden * classes); // forward + 2 backward products
    // On the gpu.js path the activations, the loss and the gradients stay in GPU textures
    // between ops; what comes back is the loss and the gradients read here (and each weight,
    // which sub_ updates in place on the host).
    const step = () =>
      tg.tidy(() => {
        const W = init.map((w) => w.clone().requiresGrad_()); // a copy: sub_ below must not move init
        let h = X;
        for (let i = 0; i < W.length; i++) {
          h = h.matmul(W[i]);
          if (i < W.length - 1) h = h.tanh();
        }
        const d = h.sub(Y);
        const loss = d.mul(d).mean();
        loss.backward();
        tg.noGrad(() => W.forEach((w) => w.sub_(w.grad.mul(0.01))));
        return [loss, ...W.map((w) => w.grad)].map((t) => t.toTypedArray());
      });
    if (now() > deadline) {
      rows.push({ name: "MLP step", skipped: "time budget spent" });
    } else {
      gpu.config.gpu = "off";
      const ref = step();
      const wasmMs = time(step);
      gpu.config.gpu = "force";
      gpu.resetCounts();
      const got = step();
      const { counts, memory } = gpu.gpuInfo();
      const gpuMs = time(step);
      rows.push({
        name: `MLP step ${batch}x${input}-${hidden}-${hidden}-${classes}`,
        wasmMs,
        gpuMs,
        wasmGflops: flop / wasmMs / 1e6,
        gpuGflops: flop / gpuMs / 1e6,
        maxRelDiff: Math.max(...got.map((g, i) => maxRel(g, ref[i]))),
        offloaded: Object.entries(counts)
          .filter(([, c]) => c.gpu > 0)
          .map(([op, c]) => `${op}×${c.gpu}`)
          .join(" "),
        readBack: `${memory.downloads} arrays, ${(memory.downloadedBytes / 1024).toFixed(0)} KiB; uploaded ${(memory.uploadedBytes / 1024).toFixed(0)} KiB`,
      });
    }
  } finally {
    gpu.config.gpu = "auto";
    await gpu.disableGpu();
  }
  return { mode: info.mode, onGpu: info.onGpu, adapter: info.adapter ?? null, rows };
}
