import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    // compiles src/ to dist/ first: the spawn tests run bin/tensorgrad.js, which imports dist/
    globalSetup: ["test/global-setup.ts"],
    // spawned CLIs load the wasm core (and tsx for .ts scripts); slow CI machines need room
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
