#!/usr/bin/env node
// Thin launcher: the command lives in ../dist/main.js (compiled from src/ by `npm run build`).
import { cli } from "../dist/main.js";

await cli(process.argv.slice(2));
