import { defineConfig } from "vitest/config";

// Unit tests: the library and the extension's pure logic. Fast, no servers.
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
  },
});
