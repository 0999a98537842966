// Vitest runs the Node-side suites (contract, simulator, edge under Deno and workerd via real processes).
// The core's suites are `bun test` (see bunfig.toml); the workerd pool project lives in test/edge.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["test/contract/**/*.test.ts", "test/sim/**/*.test.ts", "test/edge/**/*.node.test.ts", "test/e2e/**/*.node.test.ts"],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
