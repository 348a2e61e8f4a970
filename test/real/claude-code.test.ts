/**
 * The real Claude Code CLI judges the entry of a server behind a login (opt-in, see
 * test/helpers/claude-cli.ts): after `mcp-twin login`, `claude mcp list` starts mcp-twin's relay
 * from ~/.claude.json and reports the server connected; before it, not. Negotiating as it does by
 * default (MCP_PROTOCOL_NEGOTIATION=auto), it reports the bridge's entry (the connect relay) and a
 * 2026-07-28-only server's entry connected; told to speak 2025-11-25 alone, the bridge still is.
 * And the relay takes it to a 2026-07-28-only remote server. Shared servers: their url entries to
 * the gateway are reported connected, and a project server's `${PWD}` header is expanded by Claude
 * Code into the folder it runs in. An entry's `alwaysLoad`, kept by sync through an update, is
 * read by Claude Code as its own (the entry still connects).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, inject, test } from "vitest";
import { remoteEraFixture } from "../bridge-server/gateway/era-fixtures.js";
import { eraFixtures } from "../bridge-server/gateway/gateway-helpers.js";
import { readJson } from "../bridge-server/helpers.js";
import { type OAuthFixture, startOAuthFixture } from "../fixtures/oauth/oauth-server.js";
import { claude, claudeCli, claudeMcpList } from "../helpers/claude-cli.js";
import {
  BIN,
  createFakeMachine,
  type FakeMachine,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { startKeyedRemote } from "../helpers/keyed-remote.js";
import { freePort } from "../helpers/net.js";
import { BROWSER } from "../helpers/oauth.js";
import { startRegistry } from "../helpers/registry.js";

const cli = claudeCli();
/** A remote's key, shared through the gateway: in no file sync writes. */
const REMOTE_KEY = "rk_c1aude_4e8b2d7f1a";
const skip = "reason" in cli ? cli.reason : undefined;
// Shown in every run's output, so a skip is never silent.
if (skip) console.warn(`real Claude Code CLI tests skipped: ${skip}`);
const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe.skipIf(skip !== undefined)(`real Claude Code CLI${skip ? ` (skipped: ${skip})` : ""}`, () => {
  test("`claude mcp list` reports the relay with the login connected, and not before the login", async () => {
    if ("reason" in cli) return;
    const fx: OAuthFixture = await startOAuthFixture();
    cleanups.push(() => fx.close());
    const m: FakeMachine = createFakeMachine({ kind: "linux" });
    cleanups.push(() => m.cleanup());
    writeManifest(m, { servers: { docs: { url: fx.url } } });
    expect((await m.run(["sync"])).code).toBe(0);
    const before = await claudeMcpList(cli.bin, m.env, m.paths.linuxHome);
    expect(before).toMatch(/docs: .*connect .*--auth docs - [✗✘] Failed to connect/);
    expect((await m.run(["login", "docs"], { env: { BROWSER } })).code).toBe(0);
    const after = await claudeMcpList(cli.bin, m.env, m.paths.linuxHome);
    expect(after).toMatch(/docs: .*connect .*--auth docs - ✔ Connected/);
  }, 300_000);

  test("`alwaysLoad` added to an mcp-twin entry survives a sync that updates it, and Claude Code still connects it", async () => {
    if ("reason" in cli) return;
    const m: FakeMachine = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false });
    cleanups.push(() => m.cleanup());
    writeManifest(m, { servers: { fx: { command: process.execPath, args: [inject("fixtureSdkScript")] } } });
    expect((await m.run(["sync", "--client", "claude-code"])).code).toBe(0);
    const file = m.paths.claudeCodeConfig;
    const cfg = JSON.parse(readFileSync(file, "utf8"));
    cfg.mcpServers.fx.alwaysLoad = true;
    writeFileSync(file, JSON.stringify(cfg, null, 2));
    writeManifest(m, {
      servers: { fx: { command: process.execPath, args: [inject("fixtureSdkScript"), "--tools", "1"] } },
    });
    expect((await m.run(["sync", "--client", "claude-code"])).code).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8")).mcpServers.fx).toMatchObject({
      alwaysLoad: true,
      args: [inject("fixtureSdkScript"), "--tools", "1"],
    });
    const list = await claudeMcpList(cli.bin, m.env, m.paths.linuxHome);
    console.info(`claude mcp list (${cli.version}), fx with alwaysLoad:\n${list}`);
    expect(list).toMatch(/fx: .* - ✔ Connected/);
  }, 300_000);

  test("negotiating (auto): the bridge's entry and a 2026-07-28-only server's entry are connected", async () => {
    if ("reason" in cli) return;
    const { v2 } = await eraFixtures();
    const registry = await startRegistry([{ name: v2.name, version: v2.version, tgz: v2.tgz, bin: v2.bin }]);
    cleanups.push(() => registry.close());
    const m = createFakeMachine({ kind: "linux", registryUrl: registry.url });
    cleanups.push(() => m.cleanup());
    writeManifest(m, {
      bridge: { enabled: true, port: await freePort() },
      servers: { modern: { package: `${v2.name}@${v2.version}` } },
    });
    const synced = await m.run(["sync", "--yes"], { timeoutMs: 120_000 });
    expect(synced.code, synced.stderr).toBe(0);
    // The bridge's entry is a relay that starts the bridge; it is stopped at the end by its pid.
    cleanups.push(() => {
      try {
        const serve = path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "serve.json");
        process.kill(Number(readJson(serve).pid), "SIGTERM");
      } catch {
        // never started, or gone
      }
    });
    const auto = await claudeMcpList(
      cli.bin,
      { ...m.env, MCP_PROTOCOL_NEGOTIATION: "auto" },
      m.paths.linuxHome,
    );
    console.log(`claude mcp list (MCP_PROTOCOL_NEGOTIATION=auto):\n${auto}`);
    expect(auto).toMatch(/^mcp-twin: .*connect .* - ✔ Connected/m);
    expect(auto).toMatch(/modern: .* - ✔ Connected/);
    const legacy = await claudeMcpList(
      cli.bin,
      { ...m.env, MCP_PROTOCOL_NEGOTIATION: "legacy" },
      m.paths.linuxHome,
    );
    console.log(`claude mcp list (MCP_PROTOCOL_NEGOTIATION=legacy):\n${legacy}`);
    expect(legacy).toMatch(/^mcp-twin: .*connect .* - ✔ Connected/m);
    expect(legacy).toMatch(/modern: .* - [✗✘] Failed to connect/);
    // Through the relay to a 2026-07-28-only remote (an entry as Claude Desktop's would be): only a
    // relay that follows 2026-07-28's HTTP rules gets Claude Code there.
    const remote = await remoteEraFixture(v2);
    cleanups.push(() => remote.stop());
    await claude(
      cli.bin,
      [
        "mcp",
        "add",
        "-s",
        "user",
        "relayed",
        "--",
        process.execPath,
        BIN,
        "connect",
        remote.url,
        "--no-start",
      ],
      m.env,
      m.paths.linuxHome,
    );
    const relayed = await claudeMcpList(
      cli.bin,
      { ...m.env, MCP_PROTOCOL_NEGOTIATION: "auto" },
      m.paths.linuxHome,
    );
    console.log(`claude mcp list, with the relay to a 2026-07-28-only remote:\n${relayed}`);
    expect(relayed).toMatch(/^relayed: .*connect .* - ✔ Connected/m);
  }, 300_000);
});

describe.skipIf(skip !== undefined)(
  `real Claude Code CLI, shared servers${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    test("`claude mcp list` reports the url entries to the gateway connected, a project's with its folder", async () => {
      if ("reason" in cli) return;
      const port = await freePort();
      const m: FakeMachine = createFakeMachine({ kind: "linux", registryUrl: inject("registryUrl") });
      cleanups.push(() => m.cleanup());
      const fixture = inject("fixtureName");
      const keyed = await startKeyedRemote(REMOTE_KEY);
      cleanups.push(() => keyed.close());
      writeManifest(m, {
        bridge: { port },
        servers: {
          fixture: { package: fixture, share: "machine" },
          perproject: { package: fixture, share: "project" },
          // A remote shared for its key: the gateway adds it, Claude Code's file holds none.
          keyed: {
            url: keyed.url,
            headers: { Authorization: "Bearer ${secret:REMOTE_KEY}" },
            share: "machine",
          },
        },
      });
      writeSecrets(m, { REMOTE_KEY });
      // As Claude Code writes it itself (2.1.330: mode 600): a file no one else reads takes a token.
      if (existsSync(m.paths.claudeCodeConfig)) chmodSync(m.paths.claudeCodeConfig, 0o600);
      const synced = await m.run(["sync"]);
      expect(synced.code, synced.stderr).toBe(0);
      const started = await m.run(["bridge", "start", "--json"]);
      expect(started.code, started.stderr).toBe(0);
      const pid = (JSON.parse(started.stdout) as { pid: number }).pid;
      cleanups.push(() => {
        try {
          process.kill(pid, "SIGTERM");
        } catch {
          // gone already
        }
      });
      const project = path.join(m.paths.linuxHome, "work", "app");
      mkdirSync(project, { recursive: true });
      // Started from a shell, as people start it: the shell sets PWD, which Claude Code expands.
      const list = await claudeMcpList(cli.bin, { ...m.env, PWD: project }, project);
      console.info(`claude mcp list (${cli.version}):\n${list}`);
      expect(list).toContain(`fixture: http://127.0.0.1:${port}/share/fixture (HTTP) - ✔ Connected`);
      expect(list).toContain(`perproject: http://127.0.0.1:${port}/share/perproject (HTTP) - ✔ Connected`);
      expect(list).toContain(`keyed: http://127.0.0.1:${port}/share/keyed (HTTP) - ✔ Connected`);
      expect(readFileSync(m.paths.claudeCodeConfig, "utf8")).not.toContain(REMOTE_KEY);
      // Claude Code expanded ${PWD} in the header: the gateway runs the server for that folder.
      const token = readFileSync(
        path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "token"),
        "utf8",
      );
      const status = (await (
        await fetch(`http://127.0.0.1:${port}/control/status`, {
          headers: { Authorization: `Bearer ${token.trim()}` },
        })
      ).json()) as { shares: Array<{ name: string; children: Array<{ key: string }> }> };
      const keys = status.shares.find((s) => s.name === "perproject")?.children.map((c) => c.key);
      expect(keys).toEqual([`project:${project}`]);
    }, 300_000);
  },
);
