// `tensorgrad train`: train an MLP or a small CNN on the bundled 8x8 digits (or 2-D spirals)
// with fixed seeds, show a progress bar and per-epoch loss/accuracy, save the weights as
// safetensors.
import { parseCommandArgs, UsageError, CliError } from "../args.js";
import type { Command, Io } from "./types.js";

const OPTIONS = {
  model: { type: "string" },
  dataset: { type: "string" },
  epochs: { type: "string" },
  "batch-size": { type: "string" },
  lr: { type: "string" },
  seed: { type: "string" },
  out: { type: "string" },
  target: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const HELP = `Usage: tensorgrad train [options]

Train a classifier with tensorgrad (minibatch Adam, cross-entropy) on a dataset that ships with
the repository, print per-epoch loss and accuracy, and save the weights as safetensors (which
Python's safetensors and PyTorch load).

Options:
  --model mlp|cnn        the network (default: mlp): mlp = Linear(64,64)-ReLU-Linear(64,64)-ReLU-
                         Linear(64,10); cnn = two 3x3 Conv2d+ReLU+MaxPool2d blocks and a Linear
  --dataset digits|spirals
                         digits (default): the UCI 8x8 handwritten digits, 1797 images, 80/20
                         split; spirals: 3 generated 2-D spirals (mlp only)
  --epochs N             default 30 (mlp) / 15 (cnn)
  --batch-size N         default 32
  --lr X                 Adam learning rate, default 0.01 (mlp) / 0.005 (cnn)
  --seed N               manualSeed for initialisation and shuffling, default 0
  --out FILE             where to save the weights (default: <model>-<dataset>.safetensors)
  --target ACC           fail (exit 1) if the final test accuracy is below ACC (0..1)
  --json                 print one JSON object with the per-epoch history instead of text
  -h, --help             show this help

Example:
  $ tensorgrad train --model mlp --epochs 30
  epoch  1/30  loss 1.2061  train 83.2%  test 81.9%  0.4s
  ...
  test accuracy 97.2%; weights saved to mlp-digits.safetensors`;

function num(v: string | undefined, name: string, def: number, int = false): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || (int && !Number.isInteger(n)) || n < 0) {
    throw new UsageError(`--${name} must be a ${int ? "non-negative integer" : "non-negative number"}, got '${v}'`);
  }
  return n;
}

function bar(done: number, total: number, width = 24): string {
  const k = Math.round((done / total) * width);
  return "[" + "#".repeat(k) + ".".repeat(width - k) + "]";
}

export const trainCommand: Command = {
  name: "train",
  summary: "train an MLP or CNN on the bundled digits dataset and save safetensors weights",
  help: HELP,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, "train");
    if (values.help) {
      io.stdout(HELP + "\n");
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (see: tensorgrad train --help)`);
    const model = (values.model ?? "mlp") as "mlp" | "cnn";
    if (model !== "mlp" && model !== "cnn") throw new UsageError(`--model must be mlp or cnn, got '${values.model}'`);
    const dataset = (values.dataset ?? "digits") as "digits" | "spirals";
    if (dataset !== "digits" && dataset !== "spirals") throw new UsageError(`--dataset must be digits or spirals, got '${values.dataset}'`);
    if (model === "cnn" && dataset !== "digits") throw new UsageError("--model cnn needs --dataset digits (8x8 images)");
    const epochs = num(values.epochs, "epochs", model === "mlp" ? 30 : 15, true);
    const batchSize = num(values["batch-size"], "batch-size", 32, true);
    if (batchSize === 0) throw new UsageError("--batch-size must be at least 1");
    const lr = num(values.lr, "lr", model === "mlp" ? 0.01 : 0.005);
    const seed = num(values.seed, "seed", 0, true);
    const target = values.target === undefined ? undefined : num(values.target, "target", 0);
    const out = values.out ?? `${model}-${dataset}.safetensors`;

    const { train, weightsBytes } = await import("../train/run.js");
    const tty = !values.json && (process.stdout.isTTY ?? false);
    const result = await train({
      model,
      dataset,
      epochs,
      batchSize,
      lr,
      seed,
      onBatch: tty
        ? (epoch, b, batches, loss) => process.stdout.write(`\repoch ${String(epoch).padStart(2)}/${epochs} ${bar(b, batches)} ${b}/${batches}  loss ${loss.toFixed(4)}`)
        : undefined,
      onEpoch: values.json
        ? undefined
        : (e) => {
            if (tty) process.stdout.write("\r\x1b[K");
            io.stdout(
              `epoch ${String(e.epoch).padStart(2)}/${e.epochs}  loss ${e.loss.toFixed(4)}  train ${(100 * e.trainAccuracy).toFixed(1)}%  test ${(100 * e.testAccuracy).toFixed(1)}%  ${e.seconds.toFixed(1)}s\n`,
            );
          },
    });
    const bytes = weightsBytes(result.model, { model, dataset, epochs: String(epochs), seed: String(seed), test_accuracy: result.testAccuracy.toFixed(4) });
    const { writeFile } = await import("node:fs/promises");
    await writeFile(out, bytes);
    if (values.json) {
      io.stdout(JSON.stringify({ model, dataset, epochs, batchSize, lr, seed, out, testAccuracy: result.testAccuracy, history: result.history }) + "\n");
    } else {
      io.stdout(`test accuracy ${(100 * result.testAccuracy).toFixed(1)}% on ${result.testCount} held-out samples; weights saved to ${out}\n`);
    }
    if (target !== undefined && result.testAccuracy < target) {
      throw new CliError(`test accuracy ${(100 * result.testAccuracy).toFixed(1)}% is below the target ${(100 * target).toFixed(1)}%`);
    }
    return 0;
  },
};
