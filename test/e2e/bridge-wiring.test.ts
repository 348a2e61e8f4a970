/**
 * `bridge.enabled` in the manifest: sync (the built binary, inside fake WSL) registers the bridge in
 * every client — Claude Code in WSL gets the URL and its bearer token, Windows Claude Desktop and
 * Cursor get `wsl.exe --exec … connect`, which starts the bridge when none answers. Then two of
 * those entries, started as their clients would, really share memory through one bridge.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { createFakeMachine, type FakeMachine, writeManifest, writeSecrets } from "../helpers/fake-machine.js";
import { handshake } from "../helpers/mcp.js";
import { freePort } from "../helpers/net.js";

const SECRET = "fx-3e5a7c9b1d2f4a6c";
let machine: FakeMachine;
let port: number;
let first: { code: number; stdout: string; stderr: string };
let dryRun: { code: number; stdout: string; stderr: string };

const bridgeDir = () => path.join(machine.paths.linuxHome, ".local", "share", "mcp-twin", "bridge");
const tokenFile = () => path.join(bridgeDir(), "token");
const entryIn = (file: string) => JSON.parse(readFileSync(file, "utf8")).mcpServers?.["mcp-twin"];

function manifest(enabled: boolean) {
  return {
    bridge: { enabled, port },
    servers: {
      fixture: { package: inject("fixtureName"), env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" } },
    },
  };
}

/** Stop the bridge a connect entry started (it is detached on purpose: it outlives the client). */
function stopBridge(): void {
  const file = path.join(bridgeDir(), "serve.json");
  if (!existsSync(file)) return;
  const { pid } = JSON.parse(readFileSync(file, "utf8")) as { pid: number };
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // already gone
  }
}

beforeAll(async () => {
  port = await freePort();
  machine = createFakeMachine({ registryUrl: inject("registryUrl") });
  writeManifest(machine, manifest(true));
  writeSecrets(machine, { FIXTURE_TOKEN: SECRET });
  dryRun = await machine.run(["sync", "--dry-run"]);
  first = await machine.run(["sync"]);
}, 180_000);

afterAll(() => {
  if (machine) stopBridge();
  machine?.cleanup();
});

describe("sync with the bridge enabled", () => {
  test("a dry run shows the bridge entries and creates no token", () => {
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain('"mcp-twin"');
    expect(dryRun.stdout).toContain(`http://127.0.0.1:${port}/mcp`);
    // Claude Code's preview is the URL entry the real sync writes (token not made yet, masked).
    expect(dryRun.stdout).toMatch(/"type": "http"/);
    expect(dryRun.stdout).not.toContain("created by the first sync");
    // The dry run came first: it must not have created the token the real sync made afterwards.
    const token = readFileSync(tokenFile(), "utf8").trim();
    expect(dryRun.stdout + dryRun.stderr).not.toContain(token);
  });

  test("creates the bridge token, mode 0600, and never prints it", () => {
    expect(first.code, first.stderr).toBe(0);
    const token = readFileSync(tokenFile(), "utf8").trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(tokenFile()).mode & 0o777).toBe(0o600);
    expect(first.stdout + first.stderr).not.toContain(token);
  });

  test("starts the bridge, so the URL entries work at once", async () => {
    expect(first.stdout).toContain(`Bridge started at http://127.0.0.1:${port}/mcp`);
    const { pid } = JSON.parse(readFileSync(path.join(bridgeDir(), "serve.json"), "utf8")) as { pid: number };
    expect(() => process.kill(pid, 0)).not.toThrow();
  });

  test("Claude Code in WSL, where the bridge lives, gets the URL and the bearer token", () => {
    const token = readFileSync(tokenFile(), "utf8").trim();
    expect(entryIn(machine.paths.claudeCodeConfig)).toEqual({
      type: "http",
      url: `http://127.0.0.1:${port}/mcp`,
      headers: { Authorization: `Bearer ${token}` },
    });
  });

  test("Windows Claude Desktop and Cursor get connect through wsl.exe --exec", () => {
    for (const file of [machine.paths.claudeDesktopConfig, machine.paths.cursorConfig]) {
      const entry = entryIn(file);
      expect(entry.command).toBe("wsl.exe");
      expect(entry.args.slice(0, 3)).toEqual(["-d", "Ubuntu", "--exec"]);
      expect(path.isAbsolute(entry.args[3])).toBe(true); // WSL's node, by absolute path
      expect(entry.args.slice(-2)).toEqual(["connect", `http://127.0.0.1:${port}/mcp`]);
      expect(JSON.stringify(entry)).not.toContain(readFileSync(tokenFile(), "utf8").trim());
    }
  });

  test("a second sync writes nothing", async () => {
    const before = [machine.paths.claudeDesktopConfig, machine.paths.claudeCodeConfig].map((f) =>
      readFileSync(f, "utf8"),
    );
    const again = await machine.run(["sync", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout) as { targets: Array<{ action: string }> };
    expect(report.targets.map((t) => t.action).every((a) => a === "unchanged")).toBe(true);
    expect(
      [machine.paths.claudeDesktopConfig, machine.paths.claudeCodeConfig].map((f) => readFileSync(f, "utf8")),
    ).toEqual(before);
  }, 60_000);

  test("Desktop's relay (through wsl.exe) and Claude Code's URL entry share one memory", async () => {
    const desktop = entryIn(machine.paths.claudeDesktopConfig);
    // Started as Claude Desktop would: through wsl.exe, with a GUI app's bare environment.
    const session = await handshake(desktop, { baseEnv: { PATH: machine.env.PATH ?? "" } });
    try {
      expect(session.tools).toEqual(expect.arrayContaining(["memory_set", "memory_get"]));
      await session.call("memory_set", { key: "auth", value: "JWT with refresh tokens, library jose" });
    } finally {
      await session.close();
    }

    const code = entryIn(machine.paths.claudeCodeConfig);
    const client = new Client({ name: "claude-code-stand-in", version: "0.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(code.url), { requestInit: { headers: code.headers } }),
    );
    try {
      const result = await client.callTool({ name: "memory_get", arguments: { key: "auth" } });
      const text = (result.content as Array<{ text: string }>).map((c) => c.text).join("");
      expect(text).toContain("JWT with refresh tokens, library jose");
    } finally {
      await client.close();
    }
  }, 60_000);

  test("doctor checks the bridge itself and leaves its relays unstarted", async () => {
    const r = await machine.run(["doctor", "--json", "--server", "mcp-twin"]);
    const report = JSON.parse(r.stdout) as {
      checks: Array<{ id: string; status: string; client?: string; server?: string; message: string }>;
    };
    expect(report.checks.find((c) => c.id === "bridge.reachable")?.status).toBe("pass");
    const relays = report.checks.filter((c) => c.id === "probe.handshake" && c.server === "mcp-twin");
    // Claude Code's entry is the URL itself (nothing to start); the two Windows relays are skipped.
    expect(relays.map((c) => c.client).sort()).toEqual(["claude-desktop", "cursor"]);
    for (const c of relays) {
      expect(c.status).toBe("skip");
      expect(c.message).toContain("bridge.reachable");
    }
    expect(r.stdout).not.toContain(readFileSync(tokenFile(), "utf8").trim());
  }, 60_000);

  test("a rotated token is picked up by the next sync", async () => {
    const rotate = await machine.run(["serve", "--rotate-token"]);
    expect(rotate.code, rotate.stderr).toBe(0);
    const token = readFileSync(tokenFile(), "utf8").trim();
    expect(entryIn(machine.paths.claudeCodeConfig).headers.Authorization).not.toBe(`Bearer ${token}`);
    const again = await machine.run(["sync"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout + again.stderr).not.toContain(token);
    expect(entryIn(machine.paths.claudeCodeConfig).headers.Authorization).toBe(`Bearer ${token}`);
  }, 60_000);

  test("disabling the bridge removes its entries everywhere", async () => {
    writeManifest(machine, manifest(false));
    const off = await machine.run(["sync"]);
    expect(off.code, off.stderr).toBe(0);
    for (const file of [
      machine.paths.claudeDesktopConfig,
      machine.paths.cursorConfig,
      machine.paths.claudeCodeConfig,
    ]) {
      expect(entryIn(file)).toBeUndefined();
      expect(JSON.parse(readFileSync(file, "utf8")).mcpServers.fixture).toBeDefined();
    }
  }, 60_000);
});

describe("sync run from Windows, the bridge living in WSL", () => {
  let win: FakeMachine;
  beforeAll(() => {
    win = createFakeMachine({ kind: "windows", registryUrl: inject("registryUrl") });
    writeManifest(win, { bridge: { enabled: true, port: 7999 }, servers: {} });
  });
  afterAll(() => win?.cleanup());

  test("without mcp-twin installed in WSL: the bridge entries are reported with the fix, nothing else fails", async () => {
    const r = await win.run(["sync", "--json"], { cwd: win.paths.profile });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      targets: Array<{ env: string; client: string; problems: Array<{ server: string; message: string }> }>;
    };
    const desktop = report.targets.find((t) => t.client === "claude-desktop")!;
    expect(desktop.problems).toEqual([
      expect.objectContaining({
        server: "mcp-twin",
        message: expect.stringContaining("npm install -g mcp-twin"),
      }),
    ]);
    expect(existsSync(win.paths.claudeDesktopConfig) && entryIn(win.paths.claudeDesktopConfig)).toBeFalsy();
  }, 60_000);

  test("with mcp-twin installed in WSL: Windows clients run that copy through wsl.exe", async () => {
    const script = path.join(win.paths.linuxPrefix, "lib", "node_modules", "mcp-twin", "bin", "mcp-twin.js");
    mkdirSync(path.dirname(script), { recursive: true });
    writeFileSync(script, "// stand-in for an installed mcp-twin\n");
    // The bridge has run in WSL before: its token is in the distro's XDG data folder.
    const wslToken = path.join(win.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "token");
    mkdirSync(path.dirname(wslToken), { recursive: true });
    writeFileSync(wslToken, "wsl-side-token-0123456789abcdef\n", { mode: 0o600 });
    const r = await win.run(["sync"], { cwd: win.paths.profile });
    expect(r.code, r.stderr).toBe(0);
    const entry = entryIn(win.paths.claudeDesktopConfig);
    expect(entry.command).toBe("wsl.exe");
    expect(entry.args).toEqual([
      "-d",
      "Ubuntu",
      "--exec",
      expect.stringMatching(/node$/),
      script,
      "connect",
      "http://127.0.0.1:7999/mcp",
    ]);
    // Claude Code in WSL, where the bridge lives, gets the URL with the token read across the line.
    expect(entryIn(win.paths.claudeCodeConfig)).toEqual({
      type: "http",
      url: "http://127.0.0.1:7999/mcp",
      headers: { Authorization: "Bearer wsl-side-token-0123456789abcdef" },
    });
    expect(r.stdout + r.stderr).not.toContain("wsl-side-token-0123456789abcdef");
  }, 60_000);
});
