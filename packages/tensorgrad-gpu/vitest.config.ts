import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // gpu.js compiles a kernel per shape; cpu-mode matmuls of a few hundred rows take a while on 2 cores
    testTimeout: 60_000,
  },
});
