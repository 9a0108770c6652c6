// The optimizers and lr schedulers merged into the public `optim`.
import { Optimizer, SGD, Adam, AdamW, RMSprop, Adagrad } from "./optimizer.js";
import { lrScheduler } from "./lr_scheduler.js";

export const optimizers = { Optimizer, SGD, Adam, AdamW, RMSprop, Adagrad, lrScheduler, lr_scheduler: lrScheduler };
