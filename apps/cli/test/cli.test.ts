// End-to-end: spawn `node bin/tensorgrad.js ...` as a user would (dist/ is built by global-setup).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/main.js";

const BIN = fileURLToPath(new URL("../bin/tensorgrad.js", import.meta.url));

function tg(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A failure: non-zero exit, nothing on stdout, exactly one `error: ...` line on stderr. */
function expectFailure(r: ReturnType<typeof tg>, code: number): string {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(/^error: [^\n]+\n$/);
  return r.stderr;
}

const SEED = `import { tensor } from "tensorgrad";
const A = tensor([5.0], { requiresGrad: true });
const loss = A.mul(5);
loss.backward();
console.log(String(A.grad)); // tensor([5.])
`;

describe("tensorgrad grad", () => {
  it("prints the output and the gradient like PyTorch", () => {
    const r = tg(["grad", "A*5", "--at", "A=[5.0]"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("output: tensor([25.], grad_fn=<MulBackward0>)\nA.grad: tensor([5.])\n");
  });

  it("--json prints one object with exact nested gradients", () => {
    const r = tg(["grad", "A*5", "--at", "A=[5.0]", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      output: { value: [25], shape: [1] },
      grads: { A: [5] },
      gradShapes: { A: [1] },
    });
  });

  it("(A@B).sum() with 2x2 inputs, JSON and text", () => {
    const args = ["grad", "(A@B).sum()", "--at", "A=[[1,2],[3,4]]", "--at", "B=[[5,6],[7,8]]", "--at", "C=[1]"];
    const json = JSON.parse(tg([...args, "--json"]).stdout);
    expect(json).toEqual({
      output: { value: 134, shape: [] },
      grads: { A: [[11, 15], [11, 15]], B: [[4, 4], [6, 6]], C: null },
      gradShapes: { A: [2, 2], B: [2, 2], C: null },
    });
    expect(tg(args).stdout).toBe(
      "output: tensor(134., grad_fn=<SumBackward0>)\n" +
        "A.grad: tensor([[11., 15.],\n                [11., 15.]])\n" +
        "B.grad: tensor([[4., 4.],\n                [6., 6.]])\n" +
        "C.grad: None\n",
    );
  });

  it("A**3 at 2, and an expression that starts with a minus", () => {
    expect(JSON.parse(tg(["grad", "A**3", "--at", "A=2", "--json"]).stdout).grads).toEqual({ A: 12 });
    const neg = JSON.parse(tg(["grad", "-A**2", "--at", "A=[3.]", "--json"]).stdout);
    expect(neg.output.value).toEqual([-9]);
    expect(neg.grads.A).toEqual([-6]);
    expect(JSON.parse(tg(["grad", "--json", "--at", "A=[3]", "--", "-A"]).stdout).grads.A).toEqual([-1]);
  });

  it("--grad-output for a non-scalar output, --dtype float64", () => {
    const r = tg(["grad", "A * B", "--at", "A=[1,2]", "--at", "B=[3,4]", "--grad-output", "[1,10]", "--dtype", "float64"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "output: tensor([3., 8.], dtype=torch.float64, grad_fn=<MulBackward0>)\n" +
        "A.grad: tensor([ 3., 40.], dtype=torch.float64)\n" +
        "B.grad: tensor([ 1., 20.], dtype=torch.float64)\n",
    );
  });

  it("fails on A@B with 1x2 and 1x2, naming both shapes", () => {
    const err = expectFailure(tg(["grad", "A@B", "--at", "A=[[1,2]]", "--at", "B=[[1,2]]"]), 1);
    expect(err).toBe("error: mat1 and mat2 shapes cannot be multiplied (1x2 and 1x2)\n");
  });

  it("keeps working in the same process after a library error", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) };
    expect(await main(["grad", "A@B", "--at", "A=[[1,2]]", "--at", "B=[[1,2]]"], io)).toBe(1);
    expect(err.join("")).toBe("error: mat1 and mat2 shapes cannot be multiplied (1x2 and 1x2)\n");
    expect(await main(["grad", "A*5", "--at", "A=[5.0]"], io)).toBe(0);
    expect(await main(["grad", "(A@B).sum()", "--at", "A=[[1,2]]", "--at", "B=[[1],[2]]", "--json"], io)).toBe(0);
    expect(out[0]).toBe("output: tensor([25.], grad_fn=<MulBackward0>)\nA.grad: tensor([5.])\n");
    expect(JSON.parse(out[1]!).grads).toEqual({ A: [[1, 2]], B: [[1], [2]] });
    expect(err).toHaveLength(1);
  });

  it("names an unknown tensor", () => {
    const err = expectFailure(tg(["grad", "A*X", "--at", "A=[1]"]), 1);
    expect(err).toBe("error: unknown tensor 'X' (pass it with --at X=[...])\n");
  });

  it("names an unknown function", () => {
    expect(expectFailure(tg(["grad", "foo(A)", "--at", "A=[1]"]), 1)).toMatch(/unknown function 'foo\(\)'/);
  });

  it("rejects bad JSON with exit status 2", () => {
    expect(expectFailure(tg(["grad", "A*B", "--at", "A=[1]", "--at", "B=[1,"]), 2)).toMatch(
      /^error: --at B: invalid JSON '\[1,'/,
    );
    expect(expectFailure(tg(["grad", "A", "--at", "A"]), 2)).toMatch(/--at expects NAME=JSON/);
    expect(expectFailure(tg(["grad", "A", "--at", "A=[[1,2],[3]]"]), 2)).toMatch(/expected sequence of length 2 at dim 1/);
  });

  it("rejects an unparsable expression", () => {
    expect(expectFailure(tg(["grad", "A % 2", "--at", "A=[1]"]), 1)).toMatch(/unsupported operator '%'/);
    expect(expectFailure(tg(["grad", "(A", "--at", "A=[1]"]), 1)).toMatch(/cannot parse expression: Unclosed \(/);
  });

  it("needs --grad-output for a non-scalar output, with PyTorch's reason", () => {
    const err = expectFailure(tg(["grad", "A*2", "--at", "A=[1,2]"]), 1);
    expect(err).toMatch(/^error: grad can be implicitly created only for scalar outputs/);
    expect(err).toMatch(/--grad-output/);
  });

  it("rejects a bad command line with exit status 2", () => {
    expect(expectFailure(tg(["grad", "--at", "A=[1]"]), 2)).toMatch(/missing expression/);
    expect(expectFailure(tg(["grad", "A", "--at", "A=[1]", "--frobnicate"]), 2)).toMatch(/--frobnicate/);
    expect(expectFailure(tg(["grad", "A", "--at", "A=[1]", "--dtype", "int8"]), 2)).toMatch(/float32, float64, float16 or bfloat16/);
    expect(expectFailure(tg(["frobnicate"]), 2)).toMatch(/unknown command 'frobnicate'/);
  });
});

describe("help and version", () => {
  it("--help lists the commands", () => {
    const r = tg(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage:/);
    expect(r.stdout).toMatch(/^ {2}run /m);
    expect(r.stdout).toMatch(/^ {2}grad /m);
  });

  it("each command documents itself", () => {
    const grad = tg(["grad", "--help"]);
    expect(grad.code).toBe(0);
    for (const text of ["--at NAME=JSON", "--grad-output", "--dtype", "--json", "-A**2", "@"]) {
      expect(grad.stdout).toContain(text);
    }
    expect(tg(["help", "grad"]).stdout).toBe(grad.stdout);
    const run = tg(["run", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Usage: tensorgrad run/);
  });

  it("--version", () => {
    const r = tg(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tensorgrad-cli \d+\.\d+\.\d+ \(tensorgrad \d+\.\d+\.\d+\)\n$/);
  });
});

describe("tensorgrad run", () => {
  let dir: string;
  beforeAll(() => {
    // outside the repository: "tensorgrad" must resolve from the CLI, not from the script's folder
    dir = mkdtempSync(join(tmpdir(), "tensorgrad-run-"));
    writeFileSync(join(dir, "seed.mjs"), SEED);
    writeFileSync(join(dir, "seed.ts"), SEED.replace("const A =", "const A: Tensor =").replace("{ tensor }", "{ tensor, type Tensor }"));
    writeFileSync(join(dir, "args.mjs"), "console.log(JSON.stringify(process.argv.slice(2)));\n");
    writeFileSync(
      join(dir, "boom.mjs"),
      'import { tensor } from "tensorgrad";\n\ntensor([[1, 2]]).matmul(tensor([[1, 2]]));\n',
    );
    writeFileSync(join(dir, "exitcode.mjs"), "process.exitCode = 3;\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs a .mjs script that imports tensorgrad", () => {
    const r = tg(["run", "seed.mjs"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("tensor([5.])\n");
  });

  it("runs a .ts script that imports tensorgrad", () => {
    const r = tg(["run", join(dir, "seed.ts")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("tensor([5.])\n");
  });

  it("passes the remaining arguments to the script", () => {
    expect(tg(["run", "args.mjs", "--lr", "0.1", "x"], dir).stdout).toBe('["--lr","0.1","x"]\n');
  });

  it("keeps the script's exit code", () => {
    expect(tg(["run", "exitcode.mjs"], dir).code).toBe(3);
  });

  it("fails with one line when the file is missing", () => {
    expect(expectFailure(tg(["run", "missing.mjs"], dir), 1)).toBe("error: no such file: missing.mjs\n");
  });

  it("fails with one line, naming the error and where, when the script throws", () => {
    expect(expectFailure(tg(["run", "boom.mjs"], dir), 1)).toBe(
      "error: Error: mat1 and mat2 shapes cannot be multiplied (1x2 and 1x2) (at boom.mjs:3:18)\n",
    );
  });
});

describe("tensorgrad grad --scale (loss scaling)", () => {
  it("prints the scaled and the unscaled gradient", () => {
    const r = tg(["grad", "A*5", "--at", "A=[5.0]", "--scale", "1024"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "output: tensor([25.], grad_fn=<MulBackward0>)\nscale: 1024\nA.grad (scaled): tensor([5120.])\nA.grad (unscaled): tensor([5.])\n",
    );
    const j = JSON.parse(tg(["grad", "A*5", "--at", "A=[5.0]", "--scale", "1024", "--json"]).stdout);
    expect(j.scaledGrads.A).toEqual([5120]);
    expect(j.grads.A).toEqual([5]);
    expect(j.foundInf).toBe(false);
  });

  it("shows float16 underflow without scaling and the true value with it", () => {
    const plain = tg(["grad", "A*1e-8", "--at", "A=[1.0]", "--dtype", "float16"]);
    expect(plain.stdout).toContain("A.grad: tensor([0.], dtype=torch.float16)");
    const scaled = tg(["grad", "A*1e-8", "--at", "A=[1.0]", "--dtype", "float16", "--scale", "1024"]);
    expect(scaled.stdout).toContain("A.grad (scaled): tensor([1.0252e-05], dtype=torch.float16)");
    expect(scaled.stdout).toContain("A.grad (unscaled): tensor([1.0012e-08])");
  });

  it("reports overflow of the scaled gradient", () => {
    const r = tg(["grad", "A*1e4", "--at", "A=[1.0]", "--dtype", "float16", "--scale", "65536"]);
    expect(r.stdout).toContain("A.grad (scaled): tensor([inf], dtype=torch.float16)");
    expect(r.stdout).toContain("GradScaler.step would skip the optimizer step");
  });

  it("rejects a bad scale", () => {
    const r = tg(["grad", "A*5", "--at", "A=[5.0]", "--scale", "-1"]);
    expect(expectFailure(r, 2)).toBe("error: --scale must be a positive number, got '-1'\n");
  });
});

describe("tensorgrad info", () => {
  it("--json tells what this process gets: versions, SIMD, the gpu.js mode and the dispatch table", () => {
    const r = tg(["info", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.versions.tensorgrad).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.versions.tensorgradGpu).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.versions.gpujs).toMatch(/^2\./);
    expect(info.wasm).toEqual({ simdRuntime: true, simdInCore: true }); // .cargo/config.toml builds with simd128
    expect(info.threads).toBe(Math.max(1, Math.min(availableParallelism(), 8))); // the matmul pool's default
    expect(info.gpu.installed).toBe(true);
    // Node has no WebGL; a GPU context only through headless-gl (the `gl` module and a display)
    expect(info.gpu.supported.webgl2).toBe(false);
    expect(info.gpu.supported.webgl).toBe(false);
    if (info.gpu.supported.headlessgl) {
      expect(info.gpu.mode).toBe("headlessgl");
      expect(info.gpu.available).toBe(true);
    } else {
      expect(["webasm", "cpu"]).toContain(info.gpu.mode);
      expect(info.gpu.available).toBe(info.gpu.webgpu.available);
    }
    // webgpu: Dawn in a worker, probed; where it does not load (e.g. glibc < 2.38) the reason is given
    expect(info.gpu.supported.webgpu).toBe(info.gpu.webgpu.available);
    if (info.gpu.webgpu.available) expect(info.gpu.webgpu.adapter).toBeTruthy();
    else expect(info.gpu.webgpu.reason).toMatch(/\w/);
    expect(Object.keys(info.dispatch.ops)).toEqual([
      "matmul", "add", "sub", "mul", "div", "neg", "exp", "log", "tanh", "sum", "conv2d", "conv2dInput", "conv2dWeight",
    ]);
    expect(info.dispatch.policy).toBe("auto");
    for (const d of Object.values(info.dispatch.ops) as { threshold: number | null; path: string }[]) {
      // under 'auto' an op goes to gpu.js only with a measured threshold for the active mode
      if (d.threshold === null) expect(d.path).toBe("wasm");
      else expect(d.path).toContain(`gpu.js (${info.gpu.mode})`);
    }
  });

  it("prints the same as text", () => {
    const r = tg(["info"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tensorgrad-cli {3}\d/);
    expect(r.stdout).toContain("wasm SIMD        runtime: yes; core built with simd128: yes");
    expect(r.stdout).toMatch(/\nthreads {10}\d+ for large float32 matmuls/);
    expect(r.stdout).toMatch(/\nGPU {14}(not available \(gpu\.js mode: (webasm|cpu);|available: gpu\.js headlessgl|available through WebGPU)/);
    expect(r.stdout).toMatch(/\nwebgpu {11}(available: adapter |not available: )/);
    expect(r.stdout).toMatch(/\n {2}matmul {8}/);
    expect(r.stdout).toMatch(/\n {2}conv2dWeight {2}/);
    expect(tg(["info", "extra"]).code).toBe(2);
  });

  it("is listed in --help", () => {
    expect(tg(["--help"]).stdout).toContain("  info ");
  });
});
