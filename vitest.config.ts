import os from "node:os";
import { configDefaults, defineConfig } from "vitest/config";
import { sdkGuardsVitePlugin } from "./scripts/sdk-guards-patch.mjs";
import { sdkShimsVitePlugin } from "./scripts/sdk-shims-alias.mjs";
import { tomlParserVitePlugin } from "./scripts/toml-parser-patch.mjs";

/**
 * Left out of `npm run test:quick` (the inner loop, about a minute: unit tests and the in-process
 * tests), run by `npm test` and .ci/run: faults and concurrency (killed runs, Ctrl-C, runs racing
 * for the lock, the packed package), and the files of 5 s or more that install with npm, start the
 * built binary, the bridge or a pseudo-terminal, or set up dozens of machines.
 */
const SLOW_TESTS = [
  "test/bridge-control/lifecycle.test.ts",
  "test/bridge-control/port-holder.test.ts",
  "test/bridge-control/supervisor.test.ts",
  "test/bridge-control/token-safety.test.ts",
  "test/bridge-server/gateway/gateway-cannot-run.test.ts",
  "test/bridge-server/gateway/gateway-eras.test.ts",
  "test/bridge-server/gateway/gateway-floods.test.ts",
  "test/bridge-server/gateway/gateway-keys.test.ts",
  "test/bridge-server/gateway/gateway-per-server.test.ts",
  "test/bridge-server/gateway/gateway-sessions.test.ts",
  "test/bridge-server/gateway/gateway-tool-shapes.test.ts",
  "test/bridge-server/gateway/session-life.test.ts",
  "test/bridge-server/hostile.test.ts",
  "test/bridge-server/http-security.test.ts",
  "test/bridge-server/limits.test.ts",
  "test/bridge-server/no-credential.test.ts",
  "test/bridge-server/resources.test.ts",
  "test/bridge-server/session-seal.test.ts",
  "test/bridge-server/share-plugins.test.ts",
  "test/bridge-server/share-trust.test.ts",
  "test/bridge-server/slow-clients.test.ts",
  "test/bridge-server/state.test.ts",
  "test/bridge-server/stdio.test.ts",
  "test/bridge-server/tools.test.ts",
  "test/catalogue/add-lookup.test.ts",
  "test/catalogue/add-not-a-server.test.ts",
  "test/catalogue/commands.test.ts",
  "test/catalogue/folder-places.test.ts",
  "test/complete/completion.test.ts",
  "test/doctor/bridge.test.ts",
  "test/doctor/cleanup.test.ts",
  "test/doctor/doctor-machines.test.ts",
  "test/doctor/doctor-once.test.ts",
  "test/doctor/doctor-wsl.test.ts",
  "test/doctor/probe-eras.test.ts",
  "test/doctor/probe.test.ts",
  "test/e2e/add-shows-launch.test.ts",
  "test/e2e/adopt.test.ts",
  "test/e2e/autostart.test.ts",
  "test/e2e/bookkeeping.test.ts",
  "test/e2e/bridge-wiring.test.ts",
  "test/e2e/contract.test.ts",
  "test/e2e/desktop-linux.test.ts",
  "test/e2e/edges.test.ts",
  "test/e2e/faults.test.ts",
  "test/e2e/gateway-port.test.ts",
  "test/e2e/gateway-unread.test.ts",
  "test/e2e/giveback-property.test.ts",
  "test/e2e/help.test.ts",
  "test/e2e/install-advice-followed.test.ts",
  "test/e2e/interrupt.test.ts",
  "test/e2e/lifecycle.test.ts",
  "test/e2e/one-rule.test.ts",
  "test/e2e/own-names.test.ts",
  "test/e2e/package.test.ts",
  "test/e2e/paths-shown.test.ts",
  "test/e2e/placeholders.test.ts",
  "test/e2e/port-taken-sync.test.ts",
  "test/e2e/project-manifest.test.ts",
  "test/e2e/prompt-signals.test.ts",
  "test/e2e/reports-true.test.ts",
  "test/e2e/restore-uninstall.test.ts",
  "test/e2e/selectors.test.ts",
  "test/e2e/shared-entries.test.ts",
  "test/e2e/shared-lines-true.test.ts",
  "test/e2e/short-names.test.ts",
  "test/e2e/sync-clients-a.test.ts",
  "test/e2e/sync-codex.test.ts",
  "test/e2e/sync-copilot.test.ts",
  "test/e2e/sync-droid-junie-warp-crush.test.ts",
  "test/e2e/sync-extensions.test.ts",
  "test/e2e/sync-scenarios.test.ts",
  "test/e2e/sync-windows.test.ts",
  "test/e2e/sync-wsl.test.ts",
  "test/e2e/tool-budget.test.ts",
  "test/e2e/uninstall-bridge.test.ts",
  "test/e2e/untrusted-text.test.ts",
  "test/e2e/write-safety.test.ts",
  "test/e2e/wsl-sim-autostart.test.ts",
  "test/e2e/wsl-sim-extensions.test.ts",
  "test/helpers/fake-windows-front.test.ts",
  "test/import/clash.test.ts",
  "test/import/loop.test.ts",
  "test/import/msix.test.ts",
  "test/init/init-registry.test.ts",
  "test/init/init.test.ts",
  "test/oauth/add-login.test.ts",
  "test/oauth/hostile-provider.test.ts",
  "test/oauth/login-interrupt.test.ts",
  "test/oauth/login-races.test.ts",
  "test/oauth/login.test.ts",
  "test/oauth/logout-revoke.test.ts",
  "test/oauth/refresh-crash.test.ts",
  "test/oauth/relay.test.ts",
  "test/oauth/uninstall-logins.test.ts",
  "test/oauth/wsl-sim-login.test.ts",
  "test/packages/progress.test.ts",
  "test/registry/commands.test.ts",
  "test/registry/hostile.test.ts",
  "test/relay/backpressure.test.ts",
  "test/relay/bounded.test.ts",
  "test/relay/connect-sse.test.ts",
  "test/relay/connect.test.ts",
  "test/relay/remote-auth.test.ts",
];

const quick = process.env.MCP_TWIN_QUICK ? SLOW_TESTS : [];

export default defineConfig({
  // The libraries as the build bundles them (tsup.config.ts, the same scripts): toml-eslint-parser
  // made to read tokens of any length, the MCP SDK's JSON-RPC guards with their plain tests in
  // front, its `_shims` pointed at src/sdk-shims-without-ajv.ts (no Ajv). So the tests run the SDK users get.
  plugins: [tomlParserVitePlugin, sdkGuardsVitePlugin, sdkShimsVitePlugin],
  test: {
    server: {
      deps: { inline: ["toml-eslint-parser", /@modelcontextprotocol[\\/](server|client|core)[\\/]/] },
    },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Files run in parallel, two more workers than cores (at least 2): much of the suite's time is
    // spent waiting on child processes (npm, the Windows stand-ins, MCP servers, the bridge), so a
    // worker per core leaves cores idle. A fresh-clone .ci/run on the idle 2-core machine: 326 s
    // with 3 workers, 306 s with 4, 307 s with 5 (CPU-bound by then; docs/dev/performance.md).
    maxWorkers: Math.max(2, os.availableParallelism() + 2),
    include: ["test/**/*.test.ts"],
    exclude: [...configDefaults.exclude, ...quick],
    globalSetup: ["test/helpers/global-setup.ts"],
    // No test reaches the keychain of the person running them (nor, inside a real WSL, Windows'
    // Credential Manager): the file back, and on Linux a bus that is not there too (the keychain
    // tests start a Secret Service of their own and turn the keychain on).
    env: {
      MCP_TWIN_KEYCHAIN: "off",
      ...(process.platform === "linux"
        ? { DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent/mcp-twin-tests" }
        : {}),
    },
    // A worker runs file after file with the modules it has loaded (vitest, src, the SDK) rather
    // than loading them again per file: the suite is CPU-bound on 2 cores, and this took it from
    // 717 to 588 CPU-s (docs/dev/performance.md). Every file starts its own machines, bridges and
    // servers; a helper that keeps a setting keeps it per file (fake-machine.ts,
    // runInProcessByDefault).
    isolate: false,
  },
});
