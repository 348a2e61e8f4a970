/**
 * A shared server's entries (sync inside fake WSL): Claude Code (WSL) and Cursor (Windows) get a
 * url entry to the gateway with their own client token, in a file no other user reads; Claude
 * Desktop gets the relay. Started as their clients would, all three reach ONE server process in the
 * bridge (one memory). A file others can read gets the relay, never a token; a second sync writes
 * nothing; `share` off restores the direct entry; a project file keeps its direct entry.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { clientToken, verifyClientToken } from "../../src/core/bridge-link/client-token.js";
import { entryHash } from "../../src/core/ledger/state.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { handshake } from "../helpers/mcp.js";
import { freePort } from "../helpers/net.js";

runInProcessByDefault();

let machine: FakeMachine;
let port: number;
let first: { code: number; stdout: string; stderr: string };
/** The shared fixture's process, once started through the gateway. */
let childPid = 0;

const bridgeDir = () => path.join(machine.paths.linuxHome, ".local", "share", "mcp-twin", "bridge");
const bridgeToken = () => readFileSync(path.join(bridgeDir(), "token"), "utf8").trim();
const entryIn = (file: string, name = "fixture") => JSON.parse(readFileSync(file, "utf8")).mcpServers?.[name];

function manifest(share: string | undefined, extra: Record<string, unknown> = {}) {
  return {
    bridge: { port },
    servers: {
      fixture: { package: inject("fixtureName"), ...(share ? { share } : {}) },
      ...extra,
    },
  };
}

function bridgePid(): number | undefined {
  const file = path.join(bridgeDir(), "serve.json");
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, "utf8")) as { pid: number }).pid;
}

/** A url entry used as its client would: its url, its headers (a client's variable expanded). */
async function viaUrl(entry: { url: string; headers?: Record<string, string> }, folder = "/tmp") {
  const headers = Object.fromEntries(
    Object.entries(entry.headers ?? {}).map(([k, v]) => [
      k,
      v.replace("${workspaceFolder}", folder).replace("${PWD}", folder),
    ]),
  );
  const client = new Client({ name: "url-entry", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers } }));
  return client;
}

const text = (r: unknown) =>
  ((r as { content?: Array<{ text?: string }> }).content ?? []).map((c) => c.text ?? "").join("");

beforeAll(async () => {
  port = await freePort();
  machine = createFakeMachine({ registryUrl: inject("registryUrl") });
  writeManifest(machine, manifest("machine"));
  // As Claude Code itself writes it (2.1.330 makes ~/.claude.json mode 600).
  chmodSync(machine.paths.claudeCodeConfig, 0o600);
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

describe("a machine-shared server's entries", () => {
  test("Claude Code and Cursor: a url entry to the gateway with their own client token; Desktop: the relay", () => {
    expect(first.code, first.stderr).toBe(0);
    const url = `http://127.0.0.1:${port}/share/fixture`;
    const code = entryIn(machine.paths.claudeCodeConfig);
    const cursor = entryIn(machine.paths.cursorConfig);
    expect(code).toMatchObject({ type: "http", url });
    expect(cursor).toMatchObject({ url });
    const ids = [code, cursor].map((e) => {
      const bearer = /^Bearer (mt2\..+)$/.exec(e.headers.Authorization)?.[1];
      expect(bearer).toBeDefined();
      return verifyClientToken(bridgeToken(), bearer ?? "");
    });
    expect(ids).toEqual([
      { share: "fixture", label: "wsl:Ubuntu:claude-code" },
      { share: "fixture", label: "windows:cursor" },
    ]);
    const desktop = entryIn(machine.paths.claudeDesktopConfig);
    expect(desktop.command).toBe("wsl.exe");
    expect(desktop.args.slice(-4)).toEqual(["connect", url, "--as", "windows:claude-desktop"]);
    for (const file of [
      machine.paths.claudeCodeConfig,
      machine.paths.cursorConfig,
      machine.paths.claudeDesktopConfig,
    ])
      expect(readFileSync(file, "utf8")).not.toContain(bridgeToken());
    // The file holding a token is the user's alone.
    expect(statSync(machine.paths.claudeCodeConfig).mode & 0o077).toBe(0);
    const report = JSON.parse(first.stdout) as { targets: Array<{ client: string; shared?: string[] }> };
    expect(report.targets.find((t) => t.client === "claude-code")?.shared).toEqual(["fixture"]);
  });

  test("a project's files (the team's) keep the entry that starts the server itself", async () => {
    const project = path.join(machine.paths.linuxHome, "team-app");
    mkdirSync(project, { recursive: true });
    const r = await machine.run(["sync", "--project", project, "--client", "claude-code"]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(path.join(project, ".mcp.json"), "utf8");
    expect(JSON.parse(text).mcpServers.fixture.command).toBeDefined();
    expect(text).not.toContain("/share/");
    expect(text).not.toMatch(/mt2\./);
  }, 60_000);

  test("a second sync writes nothing", async () => {
    const files = [
      machine.paths.claudeCodeConfig,
      machine.paths.cursorConfig,
      machine.paths.claudeDesktopConfig,
    ];
    const before = files.map((f) => readFileSync(f, "utf8"));
    const again = await machine.run(["sync", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout) as { targets: Array<{ action: string }> };
    expect(report.targets.every((t) => t.action === "unchanged")).toBe(true);
    expect(files.map((f) => readFileSync(f, "utf8"))).toEqual(before);
  }, 60_000);

  test("Desktop's relay, Cursor's (Windows) and Claude Code's (WSL) url entries reach one server process", async () => {
    // The relay starts the bridge when none answers: the url entries then find it. Desktop's
    // relay is run as wsl.exe runs it in WSL (the fake wsl.exe's bare environment has no sysroot,
    // so a bridge it started could not find the manifest on C:).
    const relay = entryIn(machine.paths.claudeDesktopConfig) as { args: string[] };
    const inWsl = relay.args.slice(relay.args.indexOf("--exec") + 1);
    const desktop = await handshake(
      { command: inWsl[0] ?? "", args: inWsl.slice(1) },
      { baseEnv: machine.wslEnv },
    );
    let pid: number;
    try {
      pid = JSON.parse(await desktop.call("whoami", {})).pid;
      childPid = pid;
    } finally {
      await desktop.close();
    }
    expect(bridgePid()).toBeDefined();
    for (const file of [machine.paths.cursorConfig, machine.paths.claudeCodeConfig]) {
      const client = await viaUrl(entryIn(file));
      try {
        expect(JSON.parse(text(await client.callTool({ name: "whoami", arguments: {} }))).pid).toBe(pid);
      } finally {
        await client.close();
      }
    }
    const status = await fetch(`http://127.0.0.1:${port}/control/status`, {
      headers: { Authorization: `Bearer ${bridgeToken()}` },
    });
    const shares = ((await status.json()) as { shares: Array<{ name: string; children: unknown[] }> }).shares;
    expect(shares.find((s) => s.name === "fixture")?.children).toEqual([expect.objectContaining({ pid })]);
  }, 90_000);

  test("a forged client token does not open the gateway", async () => {
    const entry = entryIn(machine.paths.claudeCodeConfig);
    const stale = { ...entry, headers: { Authorization: "Bearer mt2.fixture.wsl:Ubuntu:claude-code.AAAA" } };
    await expect(viaUrl(stale)).rejects.toThrow();
  }, 30_000);

  test("another server's client token is refused, doctor says why, and a sync writes this server's", async () => {
    const file = machine.paths.claudeCodeConfig;
    const config = JSON.parse(readFileSync(file, "utf8"));
    // A genuine token, minted for another shared server (an entry copied from its neighbour).
    const label = "wsl:Ubuntu:claude-code";
    config.mcpServers.fixture.headers.Authorization = `Bearer ${clientToken(bridgeToken(), "other", label)}`;
    writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
    // Written by mcp-twin (state records it), not edited by hand: sync may replace it.
    const stateFile = path.join(machine.paths.home, "state.json");
    const state = JSON.parse(readFileSync(stateFile, "utf8"));
    const target = Object.values(
      state.targets as Record<string, { path: string; entries: Record<string, { hash: string }> }>,
    ).find((t) => t.path.endsWith(".claude.json"));
    if (!target?.entries.fixture) throw new Error("state records no claude-code entry for fixture");
    target.entries.fixture.hash = entryHash(config.mcpServers.fixture);
    writeFileSync(stateFile, JSON.stringify(state, null, 2));
    await expect(viaUrl(entryIn(file))).rejects.toThrow();
    const d = await machine.run(["doctor", "--json", "--no-probe"]);
    const mode = (
      JSON.parse(d.stdout) as {
        checks: Array<{ id: string; client?: string; message: string; fix?: string }>;
      }
    ).checks.filter((c) => c.id === "shared.mode");
    expect(mode.map((c) => c.client)).toEqual(["claude-code"]);
    expect(mode[0]?.message).toContain("it carries another server's client token");
    expect(mode[0]?.fix).toBe("Run `mcp-twin sync`.");
    const r = await machine.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    const bearer = /^Bearer (.+)$/.exec(entryIn(file).headers.Authorization)?.[1] ?? "";
    expect(verifyClientToken(bridgeToken(), bearer)).toEqual({ share: "fixture", label });
    const client = await viaUrl(entryIn(file));
    try {
      expect(text(await client.callTool({ name: "whoami", arguments: {} }))).toContain("pid");
    } finally {
      await client.close();
    }
  }, 90_000);

  test("status, bridge status and doctor show it running in the bridge: pid, memory, sessions, idle", async () => {
    const status = await machine.run(["status", "--json"]);
    expect(status.code, status.stderr).toBe(0);
    const rows = JSON.parse(status.stdout) as Array<{ server: string; shared?: Record<string, unknown> }>;
    expect(rows.find((r) => r.server === "fixture")?.shared).toMatchObject({
      mode: "machine",
      state: "running",
      processes: 1,
      pids: [childPid],
      rssBytes: expect.any(Number),
      idleMs: expect.any(Number),
    });
    const text = await machine.run(["status"]);
    expect(text.stdout).toContain("Shared servers (run once in the bridge)");
    expect(text.stdout).toMatch(
      new RegExp(`fixture  machine, running: pid ${childPid}, \\d+ MB, \\d+ sessions? attached, idle \\d+`),
    );
    const bridge = await machine.run(["bridge", "status"]);
    expect(bridge.stdout).toMatch(new RegExp(`shared +fixture: machine, running: pid ${childPid}, \\d+ MB`));
    const doctor = await machine.run(["doctor", "--json", "--no-probe"]);
    const checks = (
      JSON.parse(doctor.stdout) as {
        checks: Array<{ id: string; status: string; client?: string; message: string }>;
      }
    ).checks;
    expect(checks.find((c) => c.id === "shared.status")).toMatchObject({
      status: "pass",
      message: expect.stringContaining(`fixture: machine, running: pid ${childPid}`),
    });
    // With its probes: each entry (the url entries, and the relay's address) completes a handshake.
    const probed = await machine.run(["doctor", "--json", "--server", "fixture"]);
    const handshakes = (
      JSON.parse(probed.stdout) as {
        checks: Array<{ id: string; status: string; client?: string; message: string }>;
      }
    ).checks.filter((c) => c.id === "probe.handshake");
    expect(handshakes.map((c) => [c.client, c.status]).sort()).toEqual([
      ["claude-code", "pass"],
      ["claude-desktop", "pass"],
      ["cursor", "pass"],
    ]);
    const gateway = checks.filter((c) => c.id === "shared.gateway");
    expect(gateway.map((c) => [c.client, c.status]).sort()).toEqual([
      ["claude-code", "pass"],
      ["cursor", "pass"],
    ]);
  }, 90_000);

  test("the bridge stopped: status says so and starts nothing; doctor says the one cause once, with the fix", async () => {
    const stop = await machine.run(["bridge", "stop", "--json"]);
    expect(stop.code, stop.stderr).toBe(0);
    const text = await machine.run(["status"]);
    // One cause, said once: the server's line says only that it is not running.
    expect(text.stdout).toContain("  fixture  machine, not running\n");
    expect(text.stdout).toContain("▲ The bridge is not running: this server runs in it. Nothing holds");
    // Once, with the fix: nothing holds the port now, so the url entries are open to another account.
    const open =
      /Nothing holds the bridge's port \(\d+\) now: until the bridge starts, another account can listen on it and receive what the url entries send/g;
    expect(text.stdout.match(open), text.stdout).toHaveLength(1);
    expect(text.stdout).toContain(
      "Fix: Run `mcp-twin bridge start`: it holds the port from then until a stop",
    );
    const after = await machine.run(["bridge", "status", "--json"]);
    expect(JSON.parse(after.stdout)).toMatchObject({ state: "stopped", sharedServers: 1 });
    // Never "no client config has its entry … enable it": the url entries need it, and the line says how.
    const said = await machine.run(["bridge", "status"]);
    expect(said.stdout).toContain(
      "Not running: the url entries of 1 shared server need it (`mcp-twin bridge start` or `mcp-twin sync` starts it)",
    );
    const doctor = await machine.run(["doctor", "--json", "--no-probe"]);
    const checks = (
      JSON.parse(doctor.stdout) as {
        checks: Array<{ id: string; status: string; client?: string; message: string; fix?: string }>;
      }
    ).checks;
    // One cause, one finding: the bridge away, every url entry it leaves without fixture, what its
    // open port exposes them to, and the fix — no second finding for the port, none per entry.
    expect(checks.filter((c) => c.status === "fail")).toEqual([
      expect.objectContaining({
        id: "shared.gateway",
        message: expect.stringMatching(
          /^the bridge is not running: 2 url entries of fixture \(Claude Code and Cursor\) cannot reach their servers\. Nothing holds its port meanwhile: another account can listen on it/,
        ),
        fix: expect.stringMatching(/^Run `mcp-twin bridge start`: it holds the port from then until a stop/),
      }),
    ]);
    expect(checks.filter((c) => c.id === "shared.status")).toEqual([]);
    // Its probes leave the bridge stopped: the relay (it would start the bridge) is not started.
    const probed = await machine.run(["doctor", "--json", "--server", "fixture"]);
    const relay = (
      JSON.parse(probed.stdout) as {
        checks: Array<{ id: string; status: string; client?: string; message: string }>;
      }
    ).checks.find((c) => c.id === "probe.handshake" && c.client === "claude-desktop");
    expect(relay).toMatchObject({
      status: "skip",
      message: expect.stringContaining("shared server in the bridge, which is not running"),
    });
    // A url entry's failure is the bridge's, never "check the url in the manifest" (it has none).
    const cursor = (
      JSON.parse(probed.stdout) as {
        checks: Array<{ id: string; status: string; client?: string; fix?: string }>;
      }
    ).checks.find((c) => c.id === "probe.handshake" && c.client === "cursor");
    expect(cursor).toMatchObject({
      status: "skip",
      message: "not reached: the bridge is not there (see shared.gateway).",
    });
    expect(
      (JSON.parse(probed.stdout) as { checks: Array<{ status: string }> }).checks.filter(
        (c) => c.status === "fail",
      ),
    ).toHaveLength(1);
    expect(JSON.parse((await machine.run(["bridge", "status", "--json"])).stdout).state).toBe("stopped");
    // A client token in a file others can read is named, with the chmod.
    chmodSync(machine.paths.claudeCodeConfig, 0o644);
    try {
      const d = await machine.run(["doctor", "--json", "--no-probe"]);
      const token = (
        JSON.parse(d.stdout) as { checks: Array<{ id: string; status: string; fix?: string }> }
      ).checks.find((c) => c.id === "shared.token-private");
      expect(token).toMatchObject({ status: "fail", fix: expect.stringContaining("chmod 600") });
    } finally {
      chmodSync(machine.paths.claudeCodeConfig, 0o600);
    }
    const start = await machine.run(["bridge", "start"]);
    expect(start.code, start.stderr).toBe(0);
  }, 90_000);

  test("a file other users can read gets the relay, never a token, and sync names the chmod", async () => {
    chmodSync(machine.paths.claudeCodeConfig, 0o644);
    try {
      const r = await machine.run(["sync"]);
      expect(r.code, r.stderr).toBe(0);
      const code = entryIn(machine.paths.claudeCodeConfig);
      expect(code.args.slice(-4)).toEqual([
        "connect",
        `http://127.0.0.1:${port}/share/fixture`,
        "--as",
        "wsl:Ubuntu:claude-code",
      ]);
      // The token this entry would carry, exactly, and no bearer credential of any form.
      const text = readFileSync(machine.paths.claudeCodeConfig, "utf8");
      expect(text).not.toContain(clientToken(bridgeToken(), "fixture", "wsl:Ubuntu:claude-code"));
      expect(text).not.toContain(bridgeToken());
      expect(text).not.toMatch(/Bearer|Authorization/i);
      expect(r.stdout).toContain("chmod 600");
    } finally {
      chmodSync(machine.paths.claudeCodeConfig, 0o600);
    }
  }, 60_000);

  test("a project-shared server: the client's folder variable in Mcp-Twin-Project", async () => {
    writeManifest(machine, manifest("project"));
    const r = await machine.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(entryIn(machine.paths.claudeCodeConfig).headers["Mcp-Twin-Project"]).toBe("${PWD}");
    expect(entryIn(machine.paths.cursorConfig).headers["Mcp-Twin-Project"]).toBe("${workspaceFolder}");
    // The relay (Desktop's) names the folder it runs in: the server runs there, apart from others.
    // Sync had the running gateway read the manifest again: fixture is project-shared there now.
    const shares = (await (
      await fetch(`http://127.0.0.1:${port}/control/status`, {
        headers: { Authorization: `Bearer ${bridgeToken()}` },
      })
    ).json()) as { shares: Array<{ name: string; mode: string }> };
    expect(shares.shares.find((x) => x.name === "fixture")?.mode).toBe("project");
    const relay = entryIn(machine.paths.claudeDesktopConfig) as { args: string[] };
    const inWsl = relay.args.slice(relay.args.indexOf("--exec") + 1);
    const cwds: string[] = [];
    const folders = ["app", "lib"].map((f) => path.join(machine.paths.linuxHome, "work", f));
    for (const folder of folders) {
      mkdirSync(folder, { recursive: true });
      const s = await handshake(
        { command: inWsl[0] ?? "", args: inWsl.slice(1) },
        { baseEnv: machine.wslEnv, cwd: folder },
      );
      try {
        cwds.push(JSON.parse(await s.call("whoami", {})).cwd);
      } finally {
        await s.close();
      }
    }
    expect(cwds).toEqual(folders);
  }, 60_000);

  test("`bridge.host: localhost` in the manifest: every entry names the address 127.0.0.1, never a name a client may resolve to ::1", async () => {
    writeManifest(machine, { ...manifest("machine"), bridge: { port, host: "localhost", enabled: true } });
    const r = await machine.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    const urls: string[] = [];
    for (const file of [
      machine.paths.claudeCodeConfig,
      machine.paths.cursorConfig,
      machine.paths.claudeDesktopConfig,
    ])
      urls.push(...(readFileSync(file, "utf8").match(/https?:\/\/[^"\s]+/g) ?? []));
    // The shared server's url entries and relays, and the bridge's own relay: each at the address.
    expect(urls.filter((u) => u.includes("/share/fixture")).length).toBeGreaterThanOrEqual(3);
    expect(urls.filter((u) => u.endsWith(`:${port}/mcp`)).length).toBeGreaterThanOrEqual(3);
    for (const u of urls) expect(new URL(u).host).toBe(`127.0.0.1:${port}`);
    // And the bridge listens there.
    const serve = JSON.parse(readFileSync(path.join(bridgeDir(), "serve.json"), "utf8"));
    expect(serve.url).toBe(`http://127.0.0.1:${port}/mcp`);
  }, 60_000);

  test("share off: sync restores the direct entry, and keeps what the user wrote", async () => {
    const config = JSON.parse(readFileSync(machine.paths.claudeCodeConfig, "utf8"));
    config.mcpServers.mine = { command: "my-server", args: ["--mine"] };
    config.theme = "dark";
    writeFileSync(machine.paths.claudeCodeConfig, JSON.stringify(config, null, 2), { mode: 0o600 });
    writeManifest(machine, manifest(undefined));
    // Before the sync: doctor says the entries were written for a share the manifest no longer has.
    const d = await machine.run(["doctor", "--json", "--no-probe"]);
    const stale = (
      JSON.parse(d.stdout) as { checks: Array<{ id: string; status: string; client?: string }> }
    ).checks.filter((c) => c.id === "shared.mode");
    expect(stale.map((c) => c.client).sort()).toEqual(["claude-code", "claude-desktop", "cursor"]);
    const r = await machine.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    for (const file of [
      machine.paths.claudeCodeConfig,
      machine.paths.cursorConfig,
      machine.paths.claudeDesktopConfig,
    ]) {
      const entry = entryIn(file);
      expect(entry.url).toBeUndefined();
      expect(JSON.stringify(entry)).not.toContain("/share/");
      expect(JSON.stringify(entry)).toContain(inject("fixtureName"));
    }
    const after = JSON.parse(readFileSync(machine.paths.claudeCodeConfig, "utf8"));
    expect(after.mcpServers.mine).toEqual({ command: "my-server", args: ["--mine"] });
    expect(after.theme).toBe("dark");
  }, 60_000);
});

/** Every client's entry (Claude Desktop, Cursor, Claude Code) runs Windows' copy and answers. */
async function expectWindowsCopyEverywhere(m: FakeMachine): Promise<void> {
  for (const file of [m.paths.claudeDesktopConfig, m.paths.cursorConfig, m.paths.claudeCodeConfig]) {
    const entry = entryIn(file);
    expect(entry?.command, file).toMatch(/node\.exe$/);
    expect(JSON.stringify(entry), file).not.toContain("connect");
    const session = await handshake(entry, {
      resolveCommand: (c: string) =>
        /^[A-Za-z]:\\/.test(c) ? path.join(m.paths.drive, ...c.slice(3).split("\\")) : c,
      baseEnv: { PATH: m.env.PATH ?? "" },
    });
    try {
      expect(session.tools).toContain("echo");
    } finally {
      await session.close();
    }
  }
}

describe("where the bridge cannot run a shared server", () => {
  /** A fake WSL machine whose manifest shares `servers` through a bridge on a free port; Claude Code's file 0600, so it gets url entries. */
  async function machineSharing(servers: Record<string, unknown>): Promise<FakeMachine> {
    const port = await freePort();
    const m = createFakeMachine({ registryUrl: inject("registryUrl") });
    writeManifest(m, { bridge: { port }, servers });
    chmodSync(m.paths.claudeCodeConfig, 0o600);
    return m;
  }

  test("a program missing where the bridge runs it: doctor says so once, with what to do, and contacts none of its entries", async () => {
    const m = await machineSharing({ broken: { command: "no-such-program-here", share: "machine" } });
    try {
      await m.run(["sync"]);
      const d = await m.run(["doctor", "--json", "--server", "broken"]);
      const checks = (
        JSON.parse(d.stdout) as {
          checks: Array<{
            id: string;
            client?: string;
            server?: string;
            status: string;
            message: string;
            fix?: string;
          }>;
        }
      ).checks;
      expect(checks.find((c) => c.id === "shared.status" && c.server === "broken")).toMatchObject({
        status: "fail",
        message:
          "broken: machine, cannot start: `no-such-program-here` is not found in wsl:Ubuntu (not on its PATH).",
        fix: "Install no-such-program-here in wsl:Ubuntu (so it is on the PATH there), or use its absolute path; then run `mcp-twin sync` from a terminal that finds it (the running bridge takes that PATH): the next call starts it.",
      });
      // Its url entry is not contacted: that would only leave a failed start in the bridge.
      const cursor = checks.find((c) => c.id === "probe.handshake" && c.client === "cursor");
      expect(cursor).toMatchObject({
        status: "skip",
        message:
          "not started by doctor: it reaches broken in the bridge, whose program `no-such-program-here` is not found in wsl:Ubuntu (see shared.status).",
      });
    } finally {
      m.cleanup();
    }
  }, 120_000);

  test("no Linux npm: never nothing — a shared package the bridge cannot install gets direct entries on the side that can, said with the fix", async () => {
    const m = createFakeMachine({ registryUrl: inject("registryUrl"), linuxNpm: false });
    try {
      writeManifest(m, { servers: { fixture: { package: inject("fixtureName"), share: "machine" } } });
      const r = await m.run(["sync"]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain(
        `▲ fixture is shared, but the bridge cannot run it (wsl:Ubuntu has no npm to install ${inject("fixtureName")} in): its clients start it themselves for now (direct entries). To share it: install Node.js (with npm) in wsl:Ubuntu, then \`mcp-twin sync\`.`,
      );
      // Windows installed it; every client's entry runs Windows' copy — none relays to a bridge
      // that cannot run it, none is missing.
      await expectWindowsCopyEverywhere(m);
      // Nothing runs for it: no gateway was started for a server it cannot run.
      expect(r.stdout).not.toMatch(/Gateway for|Bridge/);
      const again = await m.run(["sync"]);
      expect(again.code, again.stdout).toBe(0);
      // status and doctor say the same, not "the bridge is not running".
      const why = `machine, but the bridge cannot run it (wsl:Ubuntu has no npm to install ${inject("fixtureName")} in): its clients start it themselves (direct entries)`;
      const st = await m.run(["status"]);
      expect(st.code, st.stderr).toBe(0);
      expect(st.stdout).toContain(`fixture  ${why}`);
      const dr = await m.run(["doctor", "--no-probe", "--json"]);
      const shared = JSON.parse(dr.stdout).checks.find((c: { id: string }) => c.id === "shared.status");
      expect(shared).toMatchObject({
        status: "warn",
        message: `fixture: ${why}.`,
        fix: "To share it: install Node.js (with npm) in wsl:Ubuntu, then run `mcp-twin sync`.",
      });
    } finally {
      m.cleanup();
    }
  }, 120_000);

  test("a shared package whose install failed in this sync: its line says so, not to name the environment sync just tried", async () => {
    const m = await machineSharing({
      gone: { package: "mcp-twin-no-such-package@1.0.0", share: "machine" },
    });
    try {
      const r = await m.run(["sync"]);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const line = r.stdout.split("\n").find((l) => l.includes("gone cannot run in the bridge"));
      expect(line).toBe(
        "✖ gone cannot run in the bridge, so its entries fail: its package mcp-twin-no-such-package could not be installed in wsl:Ubuntu in this sync (npm's error is reported with that package; `mcp-twin sync` tries again). Fix that, or run it in each client instead: `mcp-twin share gone off`, then `mcp-twin sync`.",
      );
      // The bridge's own fix is for a package sync never tried to install: not said after a try.
      expect(r.stdout).not.toContain("naming the environment installs");
      // npm's error is where the line says: with that package's install.
      const j = await m.run(["sync", "--json"]);
      const report = JSON.parse(j.stdout) as {
        installs: Array<{ env: string; package: string; action: string; error?: string }>;
        errors: Array<{ message: string }>;
      };
      const failed = report.installs.find(
        (i) => i.env === "wsl:Ubuntu" && i.package === "mcp-twin-no-such-package",
      );
      expect(failed).toMatchObject({ action: "failed", error: expect.stringMatching(/404|E404|not found/i) });
      expect(report.errors.map((e) => e.message)).toContain(
        "gone cannot run in the bridge: its package mcp-twin-no-such-package could not be installed in wsl:Ubuntu in this sync (npm's error is reported with that package; `mcp-twin sync` tries again)",
      );
    } finally {
      m.cleanup();
    }
  }, 120_000);

  test("a server limited to Windows while the bridge runs in WSL: never nothing — direct entries run Windows' copy, said with the fix", async () => {
    const m = createFakeMachine({ registryUrl: inject("registryUrl") });
    try {
      writeManifest(m, {
        servers: { fixture: { package: inject("fixtureName"), environments: ["windows"], share: "machine" } },
      });
      const r = await m.run(["sync"]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain(
        '▲ fixture is shared, but the bridge cannot run it (it runs only in windows, and the bridge runs in wsl:Ubuntu): its clients start it themselves for now (direct entries). To share it: add wsl:Ubuntu to its "environments" (an override there can say how it runs in wsl:Ubuntu), then `mcp-twin sync`.',
      );
      // Every client's entry runs Windows' copy (Claude Code in WSL through interop); none relays
      // to a bridge that would refuse it, none is missing.
      await expectWindowsCopyEverywhere(m);
      expect(r.stdout).not.toMatch(/Gateway for|Bridge/);
      const st = await m.run(["status"]);
      expect(st.code, st.stderr).toBe(0);
      expect(st.stdout).toContain(
        "fixture  machine, but the bridge cannot run it (it runs only in windows, and the bridge runs in wsl:Ubuntu): its clients start it themselves (direct entries)",
      );
    } finally {
      m.cleanup();
    }
  }, 120_000);
});
