import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    // A cold `vite build` plus a Chromium launch can take a while on a slow CI machine.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
