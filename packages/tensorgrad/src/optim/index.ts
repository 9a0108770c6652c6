// The optimizers and lr schedulers merged into the public `optim`.
import { Optimizer, SGD } from "./optimizer.js";

export const optimizers = { Optimizer, SGD };
