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

/**
 * Pure logic: no fake machine, no process, no server, no environment variable or module state
 * they change. They share one worker's loaded modules (`isolate: false`), which saves a worker
 * start and a module graph per file; every other file gets a fresh worker of its own.
 */
const UNIT_TESTS = [
  "test/bridge-control/bridge-proof.test.ts",
  "test/bridge-server/guards.test.ts",
  "test/clients/clients.test.ts",
  "test/core/errors-brand.test.ts",
  "test/core/pure.test.ts",
  "test/core/safety-units.test.ts",
  "test/core/selectors.test.ts",
  "test/doctor/match-case.test.ts",
  "test/doctor/path-style.test.ts",
  "test/doctor/startup-thresholds.test.ts",
  "test/entries/launch-in.test.ts",
  "test/entries/launch.test.ts",
  "test/entries/ownership.test.ts",
  "test/environments/program-hints.test.ts",
  "test/formats/control-chars.test.ts",
  "test/formats/toml-corpus.test.ts",
  "test/formats/toml-edit.test.ts",
  "test/import/adopt-merge.test.ts",
  "test/import/fold.test.ts",
  "test/import/recognize.test.ts",
  "test/init/ask-secrets.test.ts",
  "test/manifest/manifest-validate.test.ts",
  "test/oauth/units.test.ts",
  "test/registry/convert.test.ts",
  "test/relay/framing.test.ts",
  "test/secrets/secret-fields-toml.test.ts",
  "test/secrets/server-launch.test.ts",
  "test/structure/function-length.test.ts",
  "test/structure/layout.test.ts",
  "test/system/sealed-json.test.ts",
];

const quick = process.env.MCP_TWIN_QUICK ? SLOW_TESTS : [];

export default defineConfig({
  // toml-eslint-parser as the build bundles it: made to read tokens of any length (see the script).
  plugins: [tomlParserVitePlugin],
  test: {
    server: { deps: { inline: ["toml-eslint-parser"] } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Files run in parallel, one more worker than cores (at least 2): most of the suite's time is
    // spent waiting on child processes (npm, the Windows stand-ins, MCP servers, the bridge), so a
    // worker per core leaves cores idle (figures: docs/dev/performance.md).
    maxWorkers: Math.max(2, os.availableParallelism() + 1),
    projects: [
      { extends: true, test: { name: "unit", include: UNIT_TESTS, isolate: false } },
      {
        extends: true,
        test: {
          name: "system",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...UNIT_TESTS, ...quick],
          globalSetup: ["test/helpers/global-setup.ts"],
        },
      },
    ],
  },
});
