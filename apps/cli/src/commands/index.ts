// The subcommands of `tensorgrad`, in the order `tensorgrad --help` lists them.
// To add one (`info`, `train`, ...): write commands/<name>.ts exporting a Command and list it here.
import { gradCommand } from "./grad.js";
import { infoCommand } from "./info.js";
import { runCommand } from "./run.js";
import { trainCommand } from "./train.js";
import type { Command } from "./types.js";

export const commands: readonly Command[] = [
  runCommand,
  gradCommand,
  infoCommand,
  trainCommand,
];

export function findCommand(name: string): Command | undefined {
  return commands.find((c) => c.name === name);
}

export type { Command, Io } from "./types.js";
