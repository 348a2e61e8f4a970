import os from "node:os";
import { configDefaults, defineConfig } from "vitest/config";
import { tomlParserVitePlugin } from "./scripts/toml-parser-patch.mjs";

/**
 * Slow on purpose: faults and concurrency (killed runs, Ctrl-C, two runs racing for the lock, live
 * installs on a pseudo-terminal, the packed package). `npm test` (and .ci/run) runs them;
 * `npm run test:quick` leaves them out while you work.
 */
const SLOW_TESTS = [
  "test/e2e/faults.test.ts",
  "test/e2e/interrupt.test.ts",
  "test/doctor/cleanup.test.ts",
  "test/packages/progress.test.ts",
  "test/e2e/package.test.ts",
];

export default defineConfig({
  // toml-eslint-parser as the build bundles it: made to read tokens of any length (see the script).
  plugins: [tomlParserVitePlugin],
  test: {
    server: { deps: { inline: ["toml-eslint-parser"] } },
    include: ["test/**/*.test.ts"],
    exclude: [...configDefaults.exclude, ...(process.env.MCP_TWIN_QUICK ? SLOW_TESTS : [])],
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Files run in parallel, one more worker than cores (at least 2): most of the suite's time is
    // spent waiting on child processes (npm, the Windows stand-ins, MCP servers, the bridge), so a
    // worker per core leaves cores idle (figures: docs/dev/performance.md).
    maxWorkers: Math.max(2, os.availableParallelism() + 1),
  },
});
