/**
 * toolSearch's entries (sync inside fake WSL): Gemini CLI (WSL, a private file) gets one `tools`
 * url entry to the gateway's /tools with its own client token, Claude Desktop (no url entries) the
 * relay to it, each in place of the servers' entries; Claude Code keeps an entry per server. A
 * second sync writes nothing; import offers none of them; uninstall takes them out.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { clientToken, verifyClientToken } from "../../src/core/bridge-link/client-token.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";

runInProcessByDefault();

type Check = { id: string; client?: string; status: string; message: string; fix?: string };

let machine: FakeMachine;
let port: number;
let first: { code: number; stdout: string; stderr: string };

const bridgeDir = () => path.join(machine.paths.linuxHome, ".local", "share", "mcp-twin", "bridge");
const bridgeToken = () => readFileSync(path.join(bridgeDir(), "token"), "utf8").trim();
const geminiFile = () => path.join(machine.paths.linuxHome, ".gemini", "settings.json");
const servers = (file: string) => JSON.parse(readFileSync(file, "utf8")).mcpServers ?? {};

function bridgePid(): number | undefined {
  const file = path.join(bridgeDir(), "serve.json");
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, "utf8")) as { pid: number }).pid;
}

beforeAll(async () => {
  port = await freePort();
  machine = createFakeMachine({ registryUrl: inject("registryUrl") });
  mkdirSync(path.dirname(geminiFile()), { recursive: true });
  // As Gemini CLI leaves it: its settings, the user's alone.
  writeFileSync(geminiFile(), '{\n  "ui": { "theme": "Default" }\n}\n', { mode: 0o600 });
  chmodSync(machine.paths.claudeCodeConfig, 0o600);
  writeManifest(machine, {
    bridge: { port },
    servers: {
      fixture: { package: inject("fixtureName") },
      other: { package: inject("fixtureName"), share: "machine" },
    },
    toolSearch: { clients: ["gemini-cli", "claude-desktop"], keep: ["fixture/whoami"] },
  });
  first = await machine.run(["sync", "--json"]);
}, 180_000);

afterAll(() => {
  const pid = machine && bridgePid();
  if (pid) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // gone already
    }
  }
  machine?.cleanup();
});

describe("toolSearch's clients get one tools entry", () => {
  test("Gemini CLI: a url entry to /tools with its own client token, in place of both servers' entries", () => {
    expect(first.code, first.stderr).toBe(0);
    const gemini = servers(geminiFile());
    expect(Object.keys(gemini)).toEqual(["tools"]);
    expect(gemini.tools).toMatchObject({ type: "http", url: `http://127.0.0.1:${port}/tools` });
    const bearer = /^Bearer (mt2\..+)$/.exec(gemini.tools.headers.Authorization)?.[1] ?? "";
    expect(verifyClientToken(bridgeToken(), bearer)).toEqual({
      share: "/tools",
      label: "wsl:Ubuntu:gemini-cli",
    });
    // The rest of the file is as Gemini left it.
    expect(JSON.parse(readFileSync(geminiFile(), "utf8")).ui).toEqual({ theme: "Default" });
  });

  test("Claude Desktop: the relay to /tools as itself; Claude Code: an entry per server, as before", () => {
    const desktop = servers(machine.paths.claudeDesktopConfig);
    expect(Object.keys(desktop)).toEqual(["tools"]);
    expect(desktop.tools.command).toBe("wsl.exe");
    expect(desktop.tools.args.slice(-4)).toEqual([
      "connect",
      `http://127.0.0.1:${port}/tools`,
      "--as",
      "windows:claude-desktop",
    ]);
    const code = servers(machine.paths.claudeCodeConfig);
    expect(Object.keys(code).sort()).toEqual(["fixture", "other"]);
    expect(code.other.url).toBe(`http://127.0.0.1:${port}/share/other`);
    expect(readFileSync(machine.paths.claudeDesktopConfig, "utf8")).not.toContain(bridgeToken());
  });

  test("a second sync writes nothing; import offers no tools entry", async () => {
    const before = readFileSync(geminiFile(), "utf8");
    const again = await machine.run(["sync", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout) as { targets: Array<{ action: string }> };
    expect(report.targets.every((t) => t.action === "unchanged")).toBe(true);
    expect(readFileSync(geminiFile(), "utf8")).toBe(before);
    const imported = await machine.run(["import", "--dry-run", "--json"]);
    expect(imported.code, imported.stderr).toBe(0);
    // Every entry there is sync's own (the tools entries with the servers'): none to take in.
    expect((JSON.parse(imported.stdout) as { servers: unknown[] }).servers).toEqual([]);
  }, 90_000);

  test("sync and status say what the tools entry is, never a share the user did not make", async () => {
    // The tools entry written again: its line says what it reaches, not "shared per machine".
    const before = readFileSync(geminiFile(), "utf8");
    writeFileSync(geminiFile(), '{\n  "ui": { "theme": "Default" }\n}\n', { mode: 0o600 });
    const synced = await machine.run(["sync", "--client", "gemini-cli", "--env", "wsl"]);
    expect(synced.code, synced.stderr).toBe(0);
    expect(readFileSync(geminiFile(), "utf8")).toBe(before);
    expect(synced.stdout).toContain(
      "      tools: a url entry to the bridge's tools on demand (search_tools and call_tool; a shared server behind it runs as it is shared, any other one process per session)\n",
    );
    expect(synced.stdout).not.toMatch(/tools: a url entry to the bridge, shared per/);
    // fixture is not shared: it runs behind the tools entries only, and status says so apart.
    const status = await machine.run(["status"]);
    expect(status.stdout).toMatch(/^Shared servers \(run once in the bridge\)\n {2}other +machine, /m);
    expect(status.stdout).toMatch(
      /^Behind tools on demand \(run in the bridge, not shared\)\n {2}fixture {2}one process per client session, /m,
    );
    const rows = JSON.parse((await machine.run(["status", "--json"])).stdout) as Array<{
      server: string;
      shared?: unknown;
    }>;
    expect(rows.filter((r) => r.server === "fixture" && r.shared)).toEqual([]);
    expect(rows.find((r) => r.server === "other")?.shared).toMatchObject({ mode: "machine" });
  }, 120_000);

  test("tools: each toolSearch client's definitions before (an entry per server) and after (its tools entry)", async () => {
    const r = await machine.run(["tools", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    type Row = {
      env: string;
      client: string;
      servers: Array<{ server: string }>;
      tools: number;
      tokens: number;
      toolSearch?: { servers: string[]; tools: number; before: number; listed: number; after: number };
    };
    const rows = (JSON.parse(r.stdout) as { clients: Row[] }).clients;
    const gemini = rows.find((c) => c.client === "gemini-cli");
    const code = rows.find((c) => c.client === "claude-code");
    expect(gemini?.servers).toEqual([]);
    expect(gemini?.toolSearch).toMatchObject({ servers: ["fixture", "other"], listed: 3 });
    const search = gemini?.toolSearch;
    if (!search || !code) throw new Error("no gemini-cli or claude-code row");
    // Before: both servers' tools as Claude Code loads them (an entry each); after: 2 + the kept one.
    expect(search.tools).toBe(code.tools);
    expect(search.before).toBe(code.tokens);
    expect(gemini.tools).toBe(3);
    expect(gemini.tokens).toBe(search.after);
    expect(search.after).toBeLessThan(search.before + 1000);
    expect(code.toolSearch).toBeUndefined();
    const text = await machine.run(["tools", "--client", "gemini-cli"]);
    expect(text.stdout).toMatch(
      /Gemini CLI \(wsl:Ubuntu\): tools on demand for fixture and other: \d+ tools, ≈[\d,]+ tokens as an entry each; its tools entry lists 3 \(search_tools, call_tool and whoami \(kept\)\), ≈[\d,]+ tokens\./,
    );
  }, 120_000);

  test("doctor makes the real handshake through each tools entry (the url entry, the relay) and finds search_tools and call_tool", async () => {
    const r = await machine.run(["doctor", "--json", "--server", "tools"]);
    const checks = (JSON.parse(r.stdout) as { checks: Check[] }).checks;
    const endpoint = checks.filter((c) => c.id === "tools.endpoint");
    expect(endpoint.map((c) => [c.client, c.status]).sort()).toEqual([
      ["claude-desktop", "pass"],
      ["gemini-cli", "pass"],
    ]);
    for (const c of endpoint)
      expect(c.message).toBe(
        "its tools entry answers at /tools: search_tools, call_tool and 1 kept (whoami).",
      );
    // A token /tools refuses (another client's, which toolSearch does not name): said, with the fix.
    const before = readFileSync(geminiFile(), "utf8");
    const bearer = /Bearer (mt2\.[^"]+)/.exec(before)?.[1] ?? "";
    const other = clientToken(bridgeToken(), "/tools", "wsl:Ubuntu:claude-code");
    writeFileSync(geminiFile(), before.replace(bearer, other), { mode: 0o600 });
    try {
      const refused = await machine.run(["doctor", "--json", "--server", "tools"]);
      const found = (JSON.parse(refused.stdout) as { checks: Check[] }).checks.find(
        (c) => c.id === "tools.endpoint" && c.client === "gemini-cli",
      );
      expect(found).toMatchObject({ status: "fail" });
      expect(found?.message).toMatch(/the bridge refused its credential: \/tools serves only the clients/);
      expect(found?.fix).toMatch(
        /^Run `mcp-twin sync`\. It writes Gemini CLI's tools entry with its own client token/,
      );
    } finally {
      writeFileSync(geminiFile(), before, { mode: 0o600 });
    }
  }, 120_000);

  test("the bridge stopped: doctor says the one cause once, the tools entry among the url entries it leaves, and fails nothing else for it", async () => {
    const stop = await machine.run(["bridge", "stop"]);
    expect(stop.code, stop.stderr).toBe(0);
    const r = await machine.run(["doctor", "--json"]);
    const checks = (JSON.parse(r.stdout) as { checks: Check[] }).checks;
    // (This machine's fixture entries miss their secret: entry.reference, another cause.)
    const failed = checks.filter((c) => c.status === "fail" && c.id !== "entry.reference");
    expect(
      failed.map((c) => c.id),
      JSON.stringify(failed),
    ).toEqual(["shared.gateway"]);
    expect(failed[0]?.message).toMatch(
      /^the bridge is not running: \d+ url entries of .*tools on demand \(Gemini CLI\) cannot reach their servers\./,
    );
    expect(failed[0]?.fix).toMatch(/^Run `mcp-twin bridge start`/);
    expect(checks.find((c) => c.id === "tools.endpoint" && c.client === "gemini-cli")).toMatchObject({
      status: "skip",
      message: "its tools entry was not reached: the bridge is not there (see shared.gateway).",
    });
    expect(checks.filter((c) => c.id === "shared.status")).toEqual([]);
  }, 120_000);

  test("uninstall takes the tools entries out and leaves Gemini's own settings", async () => {
    const r = await machine.run(["uninstall", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(servers(geminiFile()).tools).toBeUndefined();
    // Desktop's file was sync's own (created for it): it goes with it.
    const desktop = machine.paths.claudeDesktopConfig;
    expect(existsSync(desktop) ? servers(desktop).tools : undefined).toBeUndefined();
    expect(JSON.parse(readFileSync(geminiFile(), "utf8")).ui).toEqual({ theme: "Default" });
  }, 90_000);
});
