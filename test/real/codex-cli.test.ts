/**
 * The real Codex CLI judges what sync wrote (opt-in, see test/helpers/codex-cli.ts): its own
 * `codex mcp list/get` read our entry from a config.toml that also holds the user's comments and
 * Codex's own tables, and `codex app-server` starts the server through that entry and lists its
 * tools (Codex's own MCP handshake). With its `mcp_2026_07_28` feature on, Codex reaches the bridge
 * over HTTP in protocol 2026-07-28 (server/discover, no initialize); without, in 2025-11-25.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import { cleanup, startBridge } from "../bridge-server/helpers.js";
import { codexCli, codexServerStatus, runCodex } from "../helpers/codex-cli.js";
import { createFakeMachine, writeManifest, writeSecrets } from "../helpers/fake-machine.js";
import { machinesCleanedAfterAll } from "../helpers/machines.js";
import { freePort } from "../helpers/net.js";

const SECRET = "fx-c0dec11e5ec7e700";
const cli = codexCli();
const skip = "reason" in cli ? cli.reason : undefined;
// Shown in every run's output, so a skip is never silent.
if (skip) console.warn(`real Codex CLI tests skipped: ${skip}`);
const machines = machinesCleanedAfterAll();
afterEach(cleanup);

const HAND_WRITTEN = `# mine
model = "gpt-5.5"

[mcp_servers.other]
command = "uvx"
args = ["mcp-server-time"] # not started here: uvx may be missing

[mcp_servers.other.tools.now]
approval_mode = "approve"
`;

describe.skipIf(skip !== undefined)(`real Codex CLI${skip ? ` (skipped: ${skip})` : ""}`, () => {
  test("codex mcp list/get read what sync wrote, and Codex starts the server through it", async () => {
    if ("reason" in cli) return;
    const m = createFakeMachine({ kind: "linux", registryUrl: inject("registryUrl") });
    machines.push(m);
    writeManifest(m, {
      servers: {
        // `share: off`: a direct entry with its key, as Codex itself starts it.
        fixture: {
          package: `${inject("fixtureName")}@1.0.0`,
          env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
          share: "off",
        },
      },
    });
    writeSecrets(m, { FIXTURE_TOKEN: SECRET });
    const codexHome = path.join(m.paths.linuxHome, ".codex");
    mkdirSync(codexHome, { recursive: true });
    const config = path.join(codexHome, "config.toml");
    writeFileSync(config, HAND_WRITTEN);

    const sync = await m.run(["sync", "--client", "codex"], { env: { CODEX_HOME: codexHome } });
    expect(sync.code, sync.stderr).toBe(0);
    expect(readFileSync(config, "utf8").startsWith(HAND_WRITTEN)).toBe(true);

    const list = JSON.parse(runCodex(cli.bin, codexHome, ["mcp", "list", "--json"])) as Array<{
      name: string;
      enabled: boolean;
      transport: { type: string; command: string; args: string[]; env: Record<string, string> };
    }>;
    const fixture = list.find((s) => s.name === "fixture")!;
    expect(fixture.enabled).toBe(true);
    expect(fixture.transport).toMatchObject({
      type: "stdio",
      command: "/usr/bin/node",
      args: [
        path.join(m.paths.linuxPrefix, "lib", "node_modules", inject("fixtureName"), "dist", "server.js"),
      ],
      env: { FIXTURE_TOKEN: SECRET },
    });
    expect(list.map((s) => s.name).sort()).toEqual(["fixture", "other"]);
    const get = JSON.parse(runCodex(cli.bin, codexHome, ["mcp", "get", "fixture", "--json"]));
    expect(get.transport.command).toBe("/usr/bin/node");

    const status = await codexServerStatus(cli.bin, codexHome);
    const started = status.find((s) => s.name === "fixture")!;
    expect(started.toolsError).toBeNull();
    expect(started.serverInfo?.name).toBe("mcp-twin-fixture");
    expect(Object.keys(started.tools)).toEqual(expect.arrayContaining(["echo", "env"]));
  }, 300_000);

  test("tool rules: Codex reads the expanded enabled_tools and disabled_tools sync wrote (`codex mcp get --json`), and lists only those", async () => {
    if ("reason" in cli) return;
    const m = createFakeMachine({ kind: "linux", registryUrl: inject("registryUrl") });
    machines.push(m);
    const fixture = (rules: object) => ({
      command: process.execPath,
      args: [inject("fixtureSdkScript"), "--tools", "12"],
      ...rules,
    });
    writeManifest(m, {
      servers: {
        fixture: fixture({ clientTools: { codex: { allow: ["echo", "tool1*"] } } }),
        denied: fixture({ tools: { deny: ["tool1*", "whoami"] } }),
      },
    });
    const codexHome = path.join(m.paths.linuxHome, ".codex");
    mkdirSync(codexHome, { recursive: true });
    const env = { env: { CODEX_HOME: codexHome } };
    // One sync: it lists both servers (a handshake, cached) and expands the patterns from it.
    const sync = await m.run(["sync", "--client", "codex"], env);
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    const get = JSON.parse(runCodex(cli.bin, codexHome, ["mcp", "get", "fixture", "--json"]));
    const kept = ["echo", "tool1", "tool10", "tool11"];
    expect(get.enabled_tools).toEqual(kept);
    const denied = JSON.parse(runCodex(cli.bin, codexHome, ["mcp", "get", "denied", "--json"]));
    const left = ["tool1", "tool10", "tool11", "whoami"];
    expect([...denied.disabled_tools].sort()).toEqual(left);
    const status = await codexServerStatus(cli.bin, codexHome);
    const listed = status.find((x) => x.name === "fixture");
    expect(Object.keys(listed?.tools ?? {}).sort()).toEqual([...kept].sort());
    const rest = Object.keys(status.find((x) => x.name === "denied")?.tools ?? {});
    console.info(`codex app-server (${cli.version}) lists of denied: ${rest.sort().join(", ")}`);
    expect(rest).toEqual(expect.arrayContaining(["echo", "tool0", "tool2", "tool9"]));
    for (const out of left) expect(rest).not.toContain(out);
  }, 300_000);

  test("with --enable mcp_2026_07_28 Codex reaches the bridge over HTTP in 2026-07-28; without, in 2025-11-25", async () => {
    if ("reason" in cli) return;
    const b = await startBridge();
    const m = createFakeMachine({ kind: "linux" });
    machines.push(m);
    const codexHome = path.join(m.paths.linuxHome, ".codex");
    mkdirSync(codexHome, { recursive: true });
    writeFileSync(
      path.join(codexHome, "config.toml"),
      `[mcp_servers.bridge]\nurl = "${b.url}"\nbearer_token_env_var = "MCP_TWIN_TOKEN"\n`,
    );
    const env = { MCP_TWIN_TOKEN: b.token };
    const status = async (flags: string[]) => {
      const all = await codexServerStatus(cli.bin, codexHome, 60_000, { flags, env });
      const bridge = all.find((s) => s.name === "bridge");
      expect(bridge?.toolsError ?? null, JSON.stringify(bridge)).toBeNull();
      expect(bridge?.serverInfo?.name).toBe("mcp-twin-bridge");
      expect(Object.keys(bridge?.tools ?? {})).toEqual(
        expect.arrayContaining(["memory_set", "bridge_status"]),
      );
      return bridge;
    };
    const modern = await status(["--enable", "mcp_2026_07_28"]);
    // A 2026-07-28 result names its server in _meta; a 2025-11-25 one has none.
    expect(modern?.toolListMeta).toMatchObject({
      "io.modelcontextprotocol/serverInfo": { name: "mcp-twin-bridge" },
    });
    const legacy = await status([]);
    expect(legacy?.toolListMeta ?? null).toBeNull();
  }, 300_000);

  test("shared servers: Codex reaches the gateway through the url entries sync wrote, a project's with its folder", async () => {
    if ("reason" in cli) return;
    const m = createFakeMachine({ kind: "linux", registryUrl: inject("registryUrl") });
    machines.push(m);
    const port = await freePort();
    const fixture = inject("fixtureName");
    writeManifest(m, {
      bridge: { port },
      servers: {
        fixture: { package: fixture, share: "machine" },
        perproject: { package: fixture, share: "project" },
      },
    });
    const codexHome = path.join(m.paths.linuxHome, ".codex");
    mkdirSync(codexHome, { recursive: true });
    const config = path.join(codexHome, "config.toml");
    writeFileSync(config, HAND_WRITTEN, { mode: 0o600 });
    const sync = await m.run(["sync", "--client", "codex"], { env: { CODEX_HOME: codexHome } });
    expect(sync.code, sync.stderr).toBe(0);
    const text = readFileSync(config, "utf8");
    expect(text).toContain(`url = "http://127.0.0.1:${port}/share/fixture"`);
    expect(text).toContain('env_http_headers = { Mcp-Twin-Project = "PWD" }');
    const started = await m.run(["bridge", "start", "--json"]);
    expect(started.code, started.stderr).toBe(0);
    const pid = (JSON.parse(started.stdout) as { pid: number }).pid;
    try {
      const project = path.join(m.paths.linuxHome, "work", "app");
      mkdirSync(project, { recursive: true });
      // Started from a shell, as people start it: PWD is its folder.
      const status = await codexServerStatus(cli.bin, codexHome, 60_000, {
        env: { PWD: project },
        cwd: project,
      });
      for (const name of ["fixture", "perproject"]) {
        const s = status.find((x) => x.name === name);
        expect(s?.toolsError, name).toBeNull();
        expect(s?.serverInfo?.name, name).toBe("mcp-twin-fixture");
      }
      const token = readFileSync(
        path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "token"),
        "utf8",
      );
      const control = (await (
        await fetch(`http://127.0.0.1:${port}/control/status`, {
          headers: { Authorization: `Bearer ${token.trim()}` },
        })
      ).json()) as { shares: Array<{ name: string; children: Array<{ key: string }> }> };
      console.info(
        `codex: the gateway's shares after Codex connected: ${JSON.stringify(control.shares.map((s) => [s.name, s.children.map((c) => c.key)]))}`,
      );
      expect(control.shares.find((s) => s.name === "perproject")?.children.map((c) => c.key)).toEqual([
        `project:${project}`,
      ]);
    } finally {
      process.kill(pid, "SIGTERM");
    }
  }, 300_000);
});
