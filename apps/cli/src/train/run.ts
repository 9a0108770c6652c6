// A real training run: an MLP or a small CNN on the 8x8 handwritten digits (or 2-D spirals),
// with fixed seeds, minibatch Adam, per-epoch loss/accuracy, and the weights saved as
// safetensors. Shared by `tensorgrad train` and its tests.
import { loadDigits, permutation, spirals } from "@tensorgrad/datasets";
import { manualSeed, nn, noGrad, optim, safetensors, tensor, tidy, Tensor } from "tensorgrad";
import type { Module } from "tensorgrad";

export type ModelKind = "mlp" | "cnn";
export type DatasetKind = "digits" | "spirals";

export interface TrainOptions {
  model: ModelKind;
  dataset: DatasetKind;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Called after every batch (progress bar) and every epoch. */
  onBatch?: (epoch: number, batch: number, batches: number, loss: number) => void;
  onEpoch?: (e: EpochStats) => void;
}

export interface EpochStats {
  epoch: number;
  epochs: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy: number;
  seconds: number;
}

export interface TrainResult {
  model: Module;
  history: EpochStats[];
  testAccuracy: number;
  trainCount: number;
  testCount: number;
}

interface Split {
  x: Tensor;
  y: Tensor;
}

async function data(kind: DatasetKind, seed: number): Promise<{ train: Split; test: Split; features: number; classes: number; image: boolean }> {
  let xs: Float32Array;
  let ys: Int32Array;
  let features: number;
  let classes: number;
  if (kind === "digits") {
    const d = await loadDigits();
    xs = d.images.map((v) => v / 16);
    ys = d.labels;
    features = 64;
    classes = 10;
  } else {
    const s = spirals(200, 3, seed);
    xs = s.points;
    ys = s.labels;
    features = 2;
    classes = 3;
  }
  const n = ys.length;
  const perm = permutation(n, seed + 1);
  const nTest = Math.round(n * 0.2);
  const take = (idx: Int32Array): Split => {
    const x = new Float32Array(idx.length * features);
    const y = new Array<number>(idx.length);
    idx.forEach((k, i) => {
      x.set(xs.subarray(k * features, (k + 1) * features), i * features);
      y[i] = ys[k]!;
    });
    return { x: tensor(x).reshape(idx.length, features), y: tensor(y, { dtype: "int64" }) };
  };
  return { train: take(perm.subarray(nTest)), test: take(perm.subarray(0, nTest)), features, classes, image: kind === "digits" };
}

export function buildModel(kind: ModelKind, features: number, classes: number): Module {
  if (kind === "mlp") {
    return new nn.Sequential(new nn.Linear(features, 64), new nn.ReLU(), new nn.Linear(64, 64), new nn.ReLU(), new nn.Linear(64, classes));
  }
  if (features !== 64) throw new Error("the cnn model needs 8x8 images (--dataset digits)");
  return new nn.Sequential(
    new nn.Unflatten(1, [1, 8, 8]),
    new nn.Conv2d(1, 16, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(32 * 2 * 2, classes),
  );
}

function accuracy(model: Module, s: Split): number {
  return tidy(() => noGrad(() => {
    const logits = model.call(s.x) as Tensor;
    const correct = logits.argmax(1).eq(s.y).sum().item() as number;
    return correct / s.y.numel();
  }));
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  manualSeed(o.seed);
  const d = await data(o.dataset, o.seed);
  const model = buildModel(o.model, d.features, d.classes);
  const opt = new optim.Adam(model.parameters(), { lr: o.lr });
  const n = d.train.y.numel();
  const batches = Math.ceil(n / o.batchSize);
  const history: EpochStats[] = [];
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const t0 = performance.now();
    model.train();
    const order = tensor(Array.from(permutation(n, o.seed * 1000 + epoch)), { dtype: "int64" });
    let total = 0;
    for (let b = 0; b < batches; b++) {
      // tidy releases the step's intermediate tensors at once (WASM memory stays flat)
      const [l, count] = tidy(() => {
        const idx = order.narrow(0, b * o.batchSize, Math.min(o.batchSize, n - b * o.batchSize));
        const x = d.train.x.indexSelect(0, idx);
        const y = d.train.y.indexSelect(0, idx);
        opt.zeroGrad();
        const loss = nn.functional.crossEntropy(model.call(x) as Tensor, y);
        loss.backward();
        opt.step();
        return [loss.item() as number, idx.numel()];
      });
      total += l * count;
      o.onBatch?.(epoch, b + 1, batches, l);
    }
    model.eval();
    const stats: EpochStats = {
      epoch,
      epochs: o.epochs,
      loss: total / n,
      trainAccuracy: accuracy(model, d.train),
      testAccuracy: accuracy(model, d.test),
      seconds: (performance.now() - t0) / 1000,
    };
    history.push(stats);
    o.onEpoch?.(stats);
  }
  return { model, history, testAccuracy: history.at(-1)!.testAccuracy, trainCount: n, testCount: d.test.y.numel() };
}

/** The model's state dict as safetensors bytes (with the run's settings as metadata). */
export function weightsBytes(model: Module, meta: Record<string, string>): Uint8Array {
  return safetensors.save(model.stateDict(), meta);
}
