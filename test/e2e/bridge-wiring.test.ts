/**
 * `bridge.enabled` in the manifest: sync (inside fake WSL) registers the bridge in
 * every client as a `connect` relay — Claude Code in WSL runs it directly, Windows Claude Desktop
 * and Cursor through `wsl.exe --exec` — which starts the bridge when none answers, so no entry
 * stops working because the bridge is not running, and no token sits in any client config. Two of
 * those entries, started as their clients would, really share memory through one bridge; a port
 * changed in the manifest is applied by sync (the running bridge is restarted there); something
 * else holding the port is named by sync and doctor.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { isAlive as alive } from "../../src/core/system/process-alive.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { handshake } from "../helpers/mcp.js";
import { freePort } from "../helpers/net.js";

runInProcessByDefault();

const SECRET = "fx-3e5a7c9b1d2f4a6c";
let machine: FakeMachine;
let port: number;
let first: { code: number; stdout: string; stderr: string };
let dryRun: { code: number; stdout: string; stderr: string };

const bridgeDir = () => path.join(machine.paths.linuxHome, ".local", "share", "mcp-twin", "bridge");
const tokenFile = () => path.join(bridgeDir(), "token");
const entryIn = (file: string) => JSON.parse(readFileSync(file, "utf8")).mcpServers?.["mcp-twin"];

function manifest(enabled: boolean, bridgePort = port) {
  return {
    bridge: { enabled, port: bridgePort },
    servers: {
      fixture: {
        package: inject("fixtureName"),
        share: "off",
        env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
      },
    },
  };
}

/** The pid of the running bridge (serve.json), if any. */
function bridgePid(): number | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(bridgeDir(), "serve.json"), "utf8")) as { pid: number }).pid;
  } catch {
    return undefined; // none, or removed by a bridge stopping as it is read
  }
}

/** Stop the bridge a connect entry started (it is detached on purpose: it outlives the client). */
function stopBridge(): void {
  const pid = bridgePid();
  if (pid === undefined) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // already gone
  }
}

/**
 * Start a client's entry as the client would — Claude Code from a shell in WSL, the Windows apps
 * with a GUI app's bare environment (wsl.exe makes the Linux side's) — call one tool, close it.
 */
async function viaEntry(file: string, tool: string, args: Record<string, unknown>): Promise<string> {
  const baseEnv = file === machine.paths.claudeCodeConfig ? machine.wslEnv : { PATH: machine.env.PATH ?? "" };
  const session = await handshake(entryIn(file), { baseEnv });
  try {
    return await session.call(tool, args);
  } finally {
    await session.close();
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
    expect(dryRun.stdout).toContain('"connect"');
    expect(dryRun.stdout).toContain(`"http://127.0.0.1:${port}/mcp"`);
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

  test("says truthfully that the bridge is not running, and starts nothing: the entries do", () => {
    expect(first.stdout).toContain("Bridge not running; every client's entry starts it on first use");
    expect(bridgePid()).toBeUndefined();
  });

  test("every client gets a connect relay; no token in any config", () => {
    const token = readFileSync(tokenFile(), "utf8").trim();
    const code = entryIn(machine.paths.claudeCodeConfig);
    expect(code.type ?? "stdio").toBe("stdio");
    expect(path.isAbsolute(code.command)).toBe(true);
    expect(code.args.slice(-2)).toEqual(["connect", `http://127.0.0.1:${port}/mcp`]);
    for (const file of [machine.paths.claudeDesktopConfig, machine.paths.cursorConfig]) {
      const entry = entryIn(file);
      expect(entry.command).toBe("wsl.exe");
      expect(entry.args.slice(0, 3)).toEqual(["-d", "Ubuntu", "--exec"]);
      expect(path.isAbsolute(entry.args[3])).toBe(true); // WSL's node, by absolute path
      expect(entry.args.slice(-2)).toEqual(["connect", `http://127.0.0.1:${port}/mcp`]);
    }
    for (const file of [
      machine.paths.claudeDesktopConfig,
      machine.paths.cursorConfig,
      machine.paths.claudeCodeConfig,
    ])
      expect(readFileSync(file, "utf8")).not.toContain(token);
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

  test("Desktop's relay (through wsl.exe) and Claude Code's relay share one memory", async () => {
    expect(
      await viaEntry(machine.paths.claudeDesktopConfig, "memory_set", {
        key: "auth",
        value: "JWT with refresh tokens, library jose",
      }),
    ).toContain('"version":1');
    expect(await viaEntry(machine.paths.claudeCodeConfig, "memory_get", { key: "auth" })).toContain(
      "JWT with refresh tokens, library jose",
    );
  }, 60_000);

  test("a relay, as its entry starts it, runs V8 with one worker thread: three threads fewer than a bare node", async () => {
    // One relay per client session, for as long as the session lives: V8's three other workers
    // would hold 1.1–1.2 MB of it (docs/dev/performance.md). Node makes them as it starts, so
    // only the entry's command line can leave them out.
    const threads = (pid: number) => readdirSync(`/proc/${pid}/task`).length;
    // The bridge running first: a relay that starts it uses libuv's thread pool for that.
    await viaEntry(machine.paths.claudeCodeConfig, "memory_get", { key: "auth" });
    const bare = spawn(process.execPath, ["-e", "process.stdout.write('up'); process.stdin.resume()"], {
      stdio: ["pipe", "pipe", "ignore"],
    });
    const session = await handshake(entryIn(machine.paths.claudeCodeConfig), { baseEnv: machine.wslEnv });
    try {
      await new Promise((resolve) => bare.stdout.once("data", resolve));
      expect(session.tools).toContain("memory_get");
      expect(threads(session.pid!)).toBeLessThanOrEqual(threads(bare.pid!) - 3);
    } finally {
      bare.kill();
      await session.close();
    }
  }, 60_000);

  test("no entry stops working because the bridge is not running: each one brings it back", async () => {
    for (const file of [
      machine.paths.claudeCodeConfig,
      machine.paths.claudeDesktopConfig,
      machine.paths.cursorConfig,
    ]) {
      const before = bridgePid();
      expect(before).toBeDefined();
      const stop = await machine.run(["bridge", "stop", "--json"]);
      expect(stop.code, stop.stderr).toBe(0);
      expect(JSON.parse(stop.stdout)).toMatchObject({ state: "stopped", stopped: { pid: before } });
      expect(alive(before!)).toBe(false);
      expect(await viaEntry(file, "memory_get", { key: "auth" })).toContain("library jose");
      expect(bridgePid()).not.toBe(before);
    }
  }, 90_000);

  test("sync reports the running bridge with its pid", async () => {
    const again = await machine.run(["sync", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout) as { bridge?: { state: string; pid?: number } };
    // A sync that changes nothing returns early, and says nothing new about the bridge.
    expect(report.bridge === undefined || report.bridge.state === "running").toBe(true);
  }, 60_000);

  test("doctor checks the bridge itself and leaves its relays unstarted", async () => {
    const r = await machine.run(["doctor", "--json", "--server", "mcp-twin"]);
    const report = JSON.parse(r.stdout) as {
      checks: Array<{ id: string; status: string; client?: string; server?: string; message: string }>;
    };
    const reach = report.checks.find((c) => c.id === "bridge.reachable");
    expect(reach?.status).toBe("pass");
    expect(reach?.message).toMatch(/answers with this home's token/);
    const relays = report.checks.filter((c) => c.id === "probe.handshake" && c.server === "mcp-twin");
    // Every entry is a relay: none is started by doctor (it would start the bridge and leave it).
    // Claude Desktop's and Cursor's are the same entry on Windows: one finding naming both.
    expect(relays.map((c) => c.client ?? c.message.replace(/^.* In 2 client configs: /, ""))).toEqual([
      "claude-code",
      "Claude Desktop (windows), Cursor (windows).",
    ]);
    for (const c of relays) {
      expect(c.status).toBe("skip");
      expect(c.message).toContain("bridge.reachable");
    }
    expect(r.stdout).not.toContain(readFileSync(tokenFile(), "utf8").trim());
  }, 60_000);

  test("a rotated token takes effect at once: no config holds it, every relay reads it", async () => {
    const rotate = await machine.run(["serve", "--rotate-token"]);
    expect(rotate.code, rotate.stderr).toBe(0);
    expect(await viaEntry(machine.paths.claudeCodeConfig, "memory_get", { key: "auth" })).toContain(
      "library jose",
    );
  }, 60_000);

  test("a port changed in the manifest: sync rewrites every entry and restarts the running bridge there", async () => {
    const before = bridgePid()!;
    expect(alive(before)).toBe(true);
    const moved = await freePort();
    writeManifest(machine, manifest(true, moved));
    const r = await machine.run(["sync", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      bridge: { state: string; url: string; previousUrl: string; pid: number };
    };
    expect(report.bridge).toMatchObject({
      state: "restarted",
      url: `http://127.0.0.1:${moved}/mcp`,
      previousUrl: `http://127.0.0.1:${port}/mcp`,
    });
    expect(alive(before)).toBe(false);
    expect(report.bridge.pid).toBe(bridgePid());
    for (const file of [
      machine.paths.claudeDesktopConfig,
      machine.paths.cursorConfig,
      machine.paths.claudeCodeConfig,
    ]) {
      expect(entryIn(file).args.at(-1)).toBe(`http://127.0.0.1:${moved}/mcp`);
      expect(await viaEntry(file, "memory_get", { key: "auth" })).toContain("library jose");
    }
    port = moved;
  }, 90_000);

  test("something else answering 401 on the port: sync and doctor name it, sync exits 1", async () => {
    stopBridge();
    for (let i = 0; i < 100 && bridgePid() !== undefined && alive(bridgePid()!); i++)
      await new Promise((r) => setTimeout(r, 50));
    const squatted = await freePort();
    const other = http.createServer((_req, res) => {
      res.writeHead(401, { "www-authenticate": 'Bearer realm="mcp-twin"' }).end();
    });
    await new Promise<void>((resolve) => other.listen(squatted, "127.0.0.1", resolve));
    try {
      writeManifest(machine, manifest(true, squatted));
      const r = await machine.run(["sync"]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`Port ${squatted} is held by another mcp-twin bridge`));
      expect(r.stdout).not.toMatch(/Bridge running/);
      const d = await machine.run(["doctor", "--json", "--no-probe"]);
      const reach = (
        JSON.parse(d.stdout) as { checks: Array<{ id: string; status: string; message: string }> }
      ).checks.find((c) => c.id === "bridge.reachable");
      expect(reach).toMatchObject({
        status: "fail",
        message: expect.stringMatching(/held by another mcp-twin bridge/),
      });
      // Not misread as this bridge's token having changed.
      expect(JSON.stringify(reach)).not.toMatch(/token changed/i);
    } finally {
      other.closeAllConnections();
      await new Promise((r) => other.close(r));
      writeManifest(machine, manifest(true));
    }
  }, 90_000);

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
      "--v8-pool-size=1",
      script,
      "connect",
      "http://127.0.0.1:7999/mcp",
    ]);
    // Claude Code in WSL, where the bridge lives, runs the same relay there, without wsl.exe.
    const code = entryIn(win.paths.claudeCodeConfig);
    expect(code.command).toMatch(/node$/);
    expect(code.args).toEqual(["--v8-pool-size=1", script, "connect", "http://127.0.0.1:7999/mcp"]);
    expect(JSON.stringify(code)).not.toContain("wsl-side-token");
    expect(r.stdout + r.stderr).not.toContain("wsl-side-token-0123456789abcdef");
  }, 60_000);

  test("a port change while the WSL bridge runs: sync (on Windows) restarts it there, through wsl.exe", async () => {
    const script = path.join(win.paths.linuxPrefix, "lib", "node_modules", "mcp-twin", "bin", "mcp-twin.js");
    const calls = path.join(win.root, "wsl-mcp-twin-calls.log");
    writeFileSync(
      script,
      `require("node:fs").appendFileSync(${JSON.stringify(calls)}, process.argv.slice(2).join(" ") + "\\n");\n`,
    );
    // The bridge runs in WSL on the old port (its serve.json, read across the line).
    const serveJson = path.join(win.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "serve.json");
    writeFileSync(
      serveJson,
      JSON.stringify({
        pid: 4242,
        host: "127.0.0.1",
        port: 7999,
        url: "http://127.0.0.1:7999/mcp",
        version: "0",
        startedAt: "",
      }),
    );
    writeManifest(win, { bridge: { enabled: true, port: 7998 }, servers: {} });
    win.clearInteropLog();
    const r = await win.run(["sync", "--json"], { cwd: win.paths.profile });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { bridge: unknown }).bridge).toMatchObject({
      state: "restarted",
      url: "http://127.0.0.1:7998/mcp",
      previousUrl: "http://127.0.0.1:7999/mcp",
    });
    expect(readFileSync(calls, "utf8").trim()).toBe("bridge restart --json");
    expect(win.interopCalls().filter((c) => c.includes("bridge restart"))).toHaveLength(1);
    // Nothing changed since: a second sync starts nothing on the other side.
    win.clearInteropLog();
    writeFileSync(
      serveJson,
      JSON.stringify({ pid: 4243, host: "127.0.0.1", port: 7998, url: "http://127.0.0.1:7998/mcp" }),
    );
    const again = await win.run(["sync"], { cwd: win.paths.profile });
    expect(again.code, again.stderr).toBe(0);
    expect(win.interopCalls().filter((c) => c.includes("bridge"))).toEqual([]);
  }, 60_000);

  test("`mcp-twin bridge status` on Windows asks the bridge where it lives: in WSL, through wsl.exe", async () => {
    const script = path.join(win.paths.linuxPrefix, "lib", "node_modules", "mcp-twin", "bin", "mcp-twin.js");
    const calls = path.join(win.root, "wsl-bridge-calls.log");
    const answer = {
      environment: "wsl:Ubuntu",
      action: "status",
      state: "running",
      settings: { host: "127.0.0.1", port: 7998, url: "http://127.0.0.1:7998/mcp", manifest: "m" },
      stateDir: "/home/bob/.local/share/mcp-twin/bridge",
      log: "/home/bob/.local/share/mcp-twin/bridge/serve.log",
      url: "http://127.0.0.1:7998/mcp",
      pid: 77,
    };
    writeFileSync(
      script,
      `require("node:fs").appendFileSync(${JSON.stringify(calls)}, process.argv.slice(2).join(" ") + "\\n");\nprocess.stdout.write(${JSON.stringify(JSON.stringify(answer))});\n`,
    );
    const r = await win.run(["bridge", "status", "--json"], { cwd: win.paths.profile });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(answer);
    const human = await win.run(["bridge"], { cwd: win.paths.profile });
    expect(human.stdout).toMatch(/Running at http:\/\/127\.0\.0\.1:7998\/mcp/);
    expect(human.stdout).toMatch(/where\s+wsl:Ubuntu/);
    expect(readFileSync(calls, "utf8").trim().split("\n")).toEqual([
      "bridge status --json",
      "bridge status --json",
    ]);
  }, 60_000);
});
