import { defineConfig } from "vitest/config";

// Two projects: fast unit tests (library, schema), and end-to-end tests that run real
// notebooks through the tslab kernel and drive JupyterLab in Chromium, one file at a time.
export default defineConfig({
  test: {
    projects: [
      {
        // The whole unit suite with every float32 kernel forced onto WebAssembly SIMD...
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          env: { SEQLAB_BACKEND: "wasm" },
          setupFiles: ["test/unit/setup-workspaces.ts"],
          pool: "forks",
          maxWorkers: 2,
          testTimeout: 60_000,
        },
      },
      {
        // ...and the PyTorch fixture suites again on the TypeScript reference kernels.
        test: {
          name: "unit-js",
          include: [
            "test/unit/backends.test.ts", "test/unit/recurrent-fixtures.test.ts", "test/unit/cells-fixtures.test.ts",
            "test/unit/nn-layers.test.ts", "test/unit/nn-loss.test.ts", "test/unit/ops.test.ts", "test/unit/optim.test.ts",
            "test/unit/tiny-lm.test.ts", "test/unit/io-torch-files.test.ts",
          ],
          environment: "node",
          env: { SEQLAB_BACKEND: "js" },
          setupFiles: ["test/unit/setup-workspaces.ts"],
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
