import { defineConfig } from "vitest/config";

// Two projects: fast unit tests (library, schema), and end-to-end tests that run real
// notebooks through the tslab kernel and drive JupyterLab in Chromium, one file at a time.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          pool: "forks",
          maxWorkers: 2,
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
