/**
 * Import reads Codex's config.toml like the JSON clients' files: `npx -y`, `cmd /c npx`, `uvx`
 * and absolute `node <script>` entries; keys moved into the secrets file; the variables Codex
 * passes on by name (`env_vars`, `bearer_token_env_var`) as `${env:NAME}`; Codex's own keys (tool
 * approvals, timeouts) neither block nor get reported as lost; `cwd` and disabled entries are not
 * understood, with the reason. An adopted entry is recorded by the keys sync owns.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openMachine } from "../../src/core/environments/machine.js";
import { applyImport, scanImports } from "../../src/core/import/index.js";
import { entryHash } from "../../src/core/ledger/state.js";
import type { Host } from "../../src/core/system/host.js";
import { createRunner } from "../../src/core/system/run.js";
import { createFakeMachine, type FakeMachine, runInProcessByDefault } from "../helpers/fake-machine.js";
import { stateOf } from "./helpers.js";

runInProcessByDefault();

const KEY = "tvly-dev-0123456789ab";
let m: FakeMachine;
let host: Host;

const WSL_CONFIG = `model = "gpt-5.5"

# servers
[mcp_servers.docs]
command = "npx"
args = ["-y", "@acme/docs-mcp@2.1.0"]
env_vars = ["ACME_DOCS_KEY"]
startup_timeout_sec = 30

[mcp_servers.docs.tools.search]
approval_mode = "approve"

[mcp_servers.time]
command = "uvx"
args = ["mcp-server-time", "--local-timezone=Europe/Paris"]

[mcp_servers.local]
command = "/usr/bin/node"
args = ["/home/bob/src/local-mcp/dist/index.js"]

[mcp_servers.tracker]
url = "https://tracker.example/mcp"
bearer_token_env_var = "TRACKER_TOKEN"

[mcp_servers.scoped]
command = "scoped-mcp"
cwd = "/home/bob/src"

[mcp_servers.off]
command = "off-mcp"
enabled = false
`;

const WINDOWS_CONFIG = `[mcp_servers.tavily]
command = "cmd"
args = ["/c", "npx", "-y", "tavily-mcp@0.2.22"]
env = { SystemRoot = 'C:\\Windows', TAVILY_API_KEY = "${KEY}" }
startup_timeout_ms = 60_000
`;

beforeAll(() => {
  m = createFakeMachine();
  const wsl = path.join(m.paths.linuxHome, ".codex", "config.toml");
  const windows = path.join(m.paths.profile, ".codex", "config.toml");
  for (const [file, text] of [
    [wsl, WSL_CONFIG],
    [windows, WINDOWS_CONFIG.replace(/\n/g, "\r\n")],
  ] as const) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  host = {
    platform: "linux",
    env: m.env,
    cwd: m.paths.linuxHome,
    sysroot: m.env.MCP_TWIN_SYSROOT!,
    runner: createRunner(),
    now: () => new Date(),
    self: { node: process.execPath, script: path.join(m.root, "mcp-twin.js") },
  };
});
afterAll(() => m?.cleanup());

describe("import from Codex", () => {
  test("every entry shape is read like the other clients', or skipped with its reason", async () => {
    const machine = await openMachine(host);
    const plan = await scanImports(machine, { clients: ["codex"] });
    const servers = Object.fromEntries(plan.candidates.map((c) => [c.name, c.server]));
    expect(servers).toEqual({
      docs: { package: "@acme/docs-mcp@2.1.0", env: { ACME_DOCS_KEY: "${env:ACME_DOCS_KEY}" } },
      time: {
        command: "uvx",
        args: ["mcp-server-time", "--local-timezone=Europe/Paris"],
        environments: ["wsl:Ubuntu"],
      },
      local: {
        command: "/usr/bin/node",
        args: ["/home/bob/src/local-mcp/dist/index.js"],
        environments: ["wsl:Ubuntu"],
      },
      tracker: {
        url: "https://tracker.example/mcp",
        headers: { Authorization: "Bearer ${env:TRACKER_TOKEN}" },
      },
      tavily: {
        package: "tavily-mcp@0.2.22",
        env: { SystemRoot: "C:\\Windows", TAVILY_API_KEY: "${secret:TAVILY_API_KEY}" },
      },
    });
    expect(plan.candidates.find((c) => c.name === "tavily")!.found[0]).toMatchObject({
      env: "windows",
      client: "codex",
      via: "cmd /c npx",
    });
    expect(plan.secretValues).toEqual({ TAVILY_API_KEY: KEY });
    expect(JSON.stringify(plan.candidates)).not.toContain(KEY);
    const skipped = Object.fromEntries(plan.skipped.map((s) => [s.server, s.reason]));
    expect(skipped.scoped).toMatch(/cwd/);
    expect(skipped.off).toMatch(/disabled/);
    // Codex's own keys are kept by sync: no note says they would be lost.
    const notes = plan.candidates.flatMap((c) => c.notes).join("\n");
    expect(notes).not.toMatch(/startup_timeout|tools|approval/);
  });

  test("an adopted entry is recorded by the keys sync owns, so Codex's own keys are not drift", async () => {
    const machine = await openMachine(host);
    const plan = await scanImports(machine, { clients: ["codex"], envs: ["wsl"] });
    await applyImport(machine, plan, { servers: ["docs"] });
    const target = Object.entries(stateOf(m).targets).find(([key]) => key.includes("|codex|"))!;
    expect(target[1].entries.docs!.hash).toBe(
      entryHash({ command: "npx", args: ["-y", "@acme/docs-mcp@2.1.0"], env_vars: ["ACME_DOCS_KEY"] }),
    );
  });
});
