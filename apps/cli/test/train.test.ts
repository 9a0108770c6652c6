import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { safetensors } from "tensorgrad";

const BIN = fileURLToPath(new URL("../bin/tensorgrad.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "tg-train-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function train(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, "train", ...args], { cwd: dir, encoding: "utf8", timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("tensorgrad train", () => {
  it("trains the MLP on the digits to >= 95% test accuracy and saves loadable safetensors", () => {
    const r = train(["--model", "mlp", "--epochs", "30", "--target", "0.95", "--json", "--out", "mlp.safetensors"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.testAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(j.history).toHaveLength(30);
    expect(j.history[29].loss).toBeLessThan(j.history[0].loss);
    const sd = safetensors.load(readFileSync(join(dir, "mlp.safetensors")));
    expect(Object.keys(sd).sort()).toEqual(["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]);
    expect(sd["0.weight"]!.shape).toEqual([64, 64]);
    expect(safetensors.loadMetadata(readFileSync(join(dir, "mlp.safetensors")))!.model).toBe("mlp");
  });

  it("trains the CNN to >= 95% with fixed seeds, reproducibly", () => {
    const a = train(["--model", "cnn", "--epochs", "6", "--target", "0.95", "--json", "--out", "cnn.safetensors"]);
    expect(a.code, a.stderr).toBe(0);
    const b = train(["--model", "cnn", "--epochs", "6", "--json", "--out", "cnn2.safetensors"]);
    expect(JSON.parse(b.stdout).testAccuracy).toBe(JSON.parse(a.stdout).testAccuracy);
    expect(Buffer.compare(readFileSync(join(dir, "cnn.safetensors")), readFileSync(join(dir, "cnn2.safetensors")))).toBe(0);
  });

  it("prints per-epoch lines and fails below a target", () => {
    const r = train(["--dataset", "spirals", "--epochs", "2", "--target", "0.99"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^epoch  1\/2  loss \d+\.\d{4}  train \d+\.\d%  test \d+\.\d%/);
    expect(r.stderr).toMatch(/^error: test accuracy .* is below the target 99\.0%\n$/);
    expect(train(["--model", "rnn"]).stderr).toBe("error: --model must be mlp or cnn, got 'rnn'\n");
  });
});
