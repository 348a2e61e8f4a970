/**
 * Shared servers are always there when a client starts: `sync` starts their gateway (the bridge)
 * when none runs, caches the lists of servers never started, and installs the bridge's start at
 * logon with the platform's own service manager — a Windows logon task through `wsl.exe` for a
 * bridge in WSL, a systemd user unit on Linux with systemd — recorded in state; `uninstall` removes
 * exactly that and stops the bridge, and a sync with no shared server left removes it too. Real
 * processes: the built bridge and the fixture server; stand-ins for schtasks.exe, wsl.exe and
 * systemctl that answer as the real ones do.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, expect, inject, test } from "vitest";
import { isAlive as alive } from "../../src/core/system/process-alive.js";
import { endWaitLoopSleep, killBridge } from "../helpers/bridge-loop.js";
import { type FakeMachine, runInProcessByDefault } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";
import { freePort } from "../helpers/net.js";

// mcp-twin runs in this process; the bridge sync starts is the built binary.
runInProcessByDefault();

const SECRET = "fx-autostart-4d1e";
const setup = fixtureMachines(SECRET);
const SERVICES = path.resolve("test/fixtures/fake-services/fake-services.cjs");

const pids: number[] = [];
/** Supervisor loops (killed first, so none starts a bridge again). */
const loops: number[] = [];
afterEach(() => {
  for (const pid of loops.splice(0))
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  for (const pid of pids.splice(0)) killBridge(pid);
});

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A machine whose manifest shares the fixture server (machine-wide), the bridge on its own port. */
async function sharedMachine(options: Parameters<typeof setup>[0] = {}) {
  const port = await freePort();
  const m = setup(options, {
    fixture: {
      package: inject("fixtureName"),
      env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
      share: "machine",
    },
  });
  const manifest = path.join(m.paths.home, "mcp-twin.jsonc");
  const doc = JSON.parse(readFileSync(manifest, "utf8"));
  writeFileSync(manifest, JSON.stringify({ ...doc, bridge: { port } }, null, 2));
  const bridgeDir = path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge");
  return { m, port, manifest, bridgeDir };
}

function serveJson(bridgeDir: string): { pid: number; url: string } | undefined {
  try {
    return JSON.parse(readFileSync(path.join(bridgeDir, "serve.json"), "utf8"));
  } catch {
    return undefined;
  }
}

async function controlStatus(bridgeDir: string, url: string) {
  const token = readFileSync(path.join(bridgeDir, "token"), "utf8").trim();
  const res = await fetch(url.replace(/\/mcp$/, "/control/status"), {
    headers: { authorization: `Bearer ${token}` },
  });
  return (await res.json()) as { shares: Array<{ name: string; state: string; cached: boolean }> };
}

/** The parent of a process (the loop that started a bridge), from /proc. */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

const state = (m: FakeMachine) => JSON.parse(readFileSync(path.join(m.paths.home, "state.json"), "utf8"));

/** A Windows command line split as CommandLineToArgvW does (quotes, and backslashes before them). */
function argv(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === " ") i++;
    if (i >= line.length) break;
    let arg = "";
    let quoted = false;
    for (; i < line.length && (quoted || line[i] !== " "); i++) {
      let slashes = 0;
      while (line[i] === "\\") {
        slashes++;
        i++;
      }
      if (line[i] === '"') {
        arg += "\\".repeat(Math.floor(slashes / 2));
        if (slashes % 2 === 1) arg += '"';
        else quoted = !quoted;
      } else {
        arg += "\\".repeat(slashes);
        if (i < line.length) arg += line[i];
        else break;
      }
    }
    out.push(arg);
  }
  return out;
}

const unxml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

test("WSL: sync starts the gateway, caches the lists, installs a Windows logon task that starts the bridge through wsl.exe; uninstall removes it and stops the bridge", async () => {
  const { m, bridgeDir } = await sharedMachine();
  const synced = await m.run(["sync"], { timeoutMs: 120_000 });
  expect(synced.code, synced.stderr).toBe(0);
  const taskFile = "C:\\Users\\alice\\AppData\\Local\\mcp-twin\\bridge-task.xml";
  expect(synced.stdout).toMatch(
    /Gateway for 1 shared server started at http:\/\/127\.0\.0\.1:\d+\/mcp \(pid \d+\)\./,
  );
  expect(synced.stdout).toContain("Lists of fixture cached: a new session lists them without starting them.");
  expect(synced.stdout).toContain(
    `It starts when you log in: a Windows logon task (${taskFile}) is installed.`,
  );

  // The gateway runs now, the fixture's lists are cached and no process of it is left running.
  const info = await until("the bridge", () => serveJson(bridgeDir));
  pids.push(info.pid);
  expect(alive(info.pid)).toBe(true);
  const status = await controlStatus(bridgeDir, info.url);
  expect(status.shares).toEqual([
    expect.objectContaining({ name: "fixture", state: "stopped", cached: true }),
  ]);
  // A new session lists its tools from that cache: nothing starts.
  const token = readFileSync(path.join(bridgeDir, "token"), "utf8").trim();
  const session = new Client({ name: "t", version: "0" });
  await session.connect(
    new StreamableHTTPClientTransport(new URL(info.url.replace(/\/mcp$/, "/share/fixture")), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  expect((await session.listTools()).tools.map((t) => t.name)).toContain("echo");
  await session.close();
  expect((await controlStatus(bridgeDir, info.url)).shares[0]).toMatchObject({ state: "stopped" });

  // A sync that writes nothing has the running gateway read the manifest again, and says what
  // starts it at logon without asking Task Scheduler (no Windows process).
  const firstCalls = m.interopCalls();
  m.clearInteropLog();
  const again1 = await m.run(["sync"], { timeoutMs: 60_000 });
  expect(again1.code, again1.stderr).toBe(0);
  expect(again1.stdout).toContain(
    `Gateway for 1 shared server running at ${info.url} (pid ${info.pid}); it read the manifest again.`,
  );
  expect(again1.stdout).toContain(`It starts when you log in (a Windows logon task, ${taskFile}).`);
  expect(m.interopCalls()).toEqual([]);
  // The gateway stopped: a sync that writes nothing starts it again.
  process.kill(info.pid, "SIGTERM");
  await until("the bridge to stop", () => (alive(info.pid) ? undefined : true));
  const restarted = await m.run(["sync"], { timeoutMs: 60_000 });
  expect(restarted.code, restarted.stderr).toBe(0);
  expect(restarted.stdout).toMatch(/Gateway for 1 shared server started at /);
  const info2 = await until("the bridge", () => {
    const now = serveJson(bridgeDir);
    return now && now.pid !== info.pid ? now : undefined;
  });
  pids.push(info2.pid);

  // Registered with Task Scheduler, from the file it names, recorded in state.
  expect(
    firstCalls.some((c) =>
      /schtasks\.exe\t\/Create \/TN mcp-twin-bridge \/XML .*bridge-task\.xml \/F$/.test(c),
    ),
  ).toBe(true);
  const xmlFile = path.join(m.paths.localappdata, "mcp-twin", "bridge-task.xml");
  expect(readFileSync(xmlFile).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
  expect(state(m).autostart).toEqual({
    kind: "windows-task",
    env: "windows",
    file: taskFile,
    name: "mcp-twin-bridge",
    format: 6,
  });
  const tasks = JSON.parse(readFileSync(path.join(m.paths.drive, ".fake-schtasks.json"), "utf8"));
  const task = tasks["mcp-twin-bridge"] as string;
  expect(task).toContain("<LogonTrigger>");
  expect(task).toContain("<ExecutionTimeLimit>PT0S</ExecutionTimeLimit>");

  // Log on: what the task runs (conhost aside) starts the bridge inside WSL, through wsl.exe.
  const command = unxml(/<Command>(.*)<\/Command>/.exec(task)![1]!);
  const args = argv(unxml(/<Arguments>(.*)<\/Arguments>/.exec(task)![1]!));
  expect(command).toBe("C:\\Windows\\System32\\conhost.exe");
  expect(args.slice(0, 5)).toEqual([
    "--headless",
    "C:\\Windows\\System32\\wsl.exe",
    "-d",
    "Ubuntu",
    "--exec",
  ]);
  expect(args.slice(-2)).toEqual(["bridge", "start"]);
  process.kill(info2.pid, "SIGTERM");
  await until("the bridge to stop", () => (alive(info2.pid) ? undefined : true));
  const wslExe = path.join(m.paths.drive, "Windows", "System32", "wsl.exe");
  // What WSL itself gives a process it starts (the distro's name, interop); the sysroot is the test's.
  const logon = spawn(wslExe, args.slice(2), {
    env: {
      ...process.env,
      MCP_TWIN_SYSROOT: m.env.MCP_TWIN_SYSROOT,
      WSL_DISTRO_NAME: "Ubuntu",
      WSL_INTEROP: m.env.WSL_INTEROP,
      // The machine's keychain setting too: a bridge started with another would move its keys.
      MCP_TWIN_KEYCHAIN: m.env.MCP_TWIN_KEYCHAIN,
      WSLENV: "MCP_TWIN_SYSROOT/u:WSL_DISTRO_NAME/u:WSL_INTEROP/u:MCP_TWIN_KEYCHAIN/u",
    },
    stdio: "ignore",
  });
  const logonEnded = new Promise<number | null>((resolve) => logon.once("exit", resolve));
  const atLogon = await until("the bridge started at logon", () => {
    const now = serveJson(bridgeDir);
    return now && now.pid !== info2.pid && alive(now.pid) ? now : undefined;
  });
  pids.push(atLogon.pid);
  loops.push(parentOf(atLogon.pid));
  const again = await until("the gateway to answer", async () =>
    controlStatus(bridgeDir, atLogon.url).catch(() => undefined),
  );
  expect(again.shares).toEqual([expect.objectContaining({ name: "fixture", cached: true })]);
  // The task's wsl.exe runs `bridge start`, whose keeper brings a killed bridge back within 10 s.
  const killedAt = Date.now();
  process.kill(atLogon.pid, "SIGKILL");
  const revived = await until(
    "the bridge started again",
    async () => {
      const now = serveJson(bridgeDir);
      if (!now || now.pid === atLogon.pid || !alive(now.pid)) return undefined;
      return (await controlStatus(bridgeDir, now.url).catch(() => undefined)) ? now : undefined;
    },
    10_000,
  );
  expect(Date.now() - killedAt).toBeLessThan(10_000);
  pids.push(revived.pid);

  // uninstall: the task deleted, its file gone, state without it, the bridge stopped.
  const removed = await m.run(["uninstall", "--yes"], { timeoutMs: 60_000 });
  expect(removed.code, removed.stderr).toBe(0);
  expect(removed.stdout).toContain(`Removed the bridge's start at logon (${taskFile}).`);
  expect(m.interopCalls().some((c) => /schtasks\.exe\t\/Delete \/TN mcp-twin-bridge \/F$/.test(c))).toBe(
    true,
  );
  expect(existsSync(xmlFile)).toBe(false);
  expect(JSON.parse(readFileSync(path.join(m.paths.drive, ".fake-schtasks.json"), "utf8"))).toEqual({});
  expect(state(m).autostart).toBeUndefined();
  await until("the bridge to stop", () => (alive(revived.pid) ? undefined : true));
  // Stopped with its keeper, the task's wait ends, and wsl.exe with it. It looks every 30 s: the
  // test passes those by ending the loop's sleep (with the keeper running, it would sleep again).
  let settled = false;
  void logonEnded.then(() => {
    settled = true;
  });
  const keeperFile = path.join(bridgeDir, "keeper.json");
  await until("the task's wait to end", () => {
    if (settled) return true;
    endWaitLoopSleep((file) => file === keeperFile);
    return undefined;
  });
  expect(await logonEnded).toBe(0);
  // Nothing of the shared servers is left in a client: the bridge is not said to be needed.
  const after = await m.run(["bridge", "status"]);
  expect(after.stdout).not.toContain("url entries");
  expect(JSON.parse((await m.run(["bridge", "status", "--json"])).stdout).sharedServers).toBeUndefined();
}, 240_000);

/** Linux with systemd: `/run/systemd/system` and a systemctl stand-in on the PATH. */
function withSystemd(m: FakeMachine): string {
  mkdirSync(path.join(m.env.MCP_TWIN_SYSROOT!, "run", "systemd", "system"), { recursive: true });
  const bin = path.join(m.root, "linux-bin", "systemctl");
  writeFileSync(bin, readFileSync(SERVICES, "utf8").replace(/^#!.*\n/, `#!${process.execPath}\n`));
  chmodSync(bin, 0o755);
  return path.join(m.root, "linux-bin", "services.log");
}

test("Linux with systemd: a socket unit that holds the port and the service it starts, enabled and listening; an older unit replaced; a sync with no server shared removes them, and says so", async () => {
  const { m, manifest, bridgeDir } = await sharedMachine({
    kind: "linux",
    claudeDesktop: false,
    cursor: false,
  });
  const log = withSystemd(m);
  // A folder of the shell's own (a project's virtualenv): not one the bridge needs.
  const junk = path.join(m.root, "project", ".venv", "bin");
  const synced = await m.run(["sync", "--json"], {
    timeoutMs: 120_000,
    env: { PATH: `${junk}:${m.env.PATH}` },
  });
  expect(synced.code, synced.stderr).toBe(0);
  const units = path.join(m.paths.linuxHome, ".config", "systemd", "user");
  const socket = path.join(units, "mcp-twin-bridge.socket");
  const service = path.join(units, "mcp-twin-bridge.service");
  const report = JSON.parse(synced.stdout);
  expect(report.gateway).toMatchObject({
    shares: ["fixture"],
    gateway: { state: "started" },
    warmed: ["fixture"],
    autostart: { state: "installed", kind: "systemd", file: socket, name: "mcp-twin-bridge.socket" },
  });
  // The stand-in systemd listens on nothing: the bridge handed over is started again by sync.
  const info = await until("the bridge", () => serveJson(bridgeDir));
  pids.push(info.pid);
  expect(report.gateway.gateway.pid).toBe(info.pid);
  const port = Number(new URL(info.url).port);
  const socketText = readFileSync(socket, "utf8");
  const text = readFileSync(service, "utf8");
  expect(socketText).toContain(`ListenStream=127.0.0.1:${port}`);
  expect(text).toMatch(new RegExp(`^ExecStart=\\S+ \\S+ serve --http --port ${port} --host 127.0.0.1$`, "m"));
  expect(text).toContain(`Environment=XDG_DATA_HOME=${m.env.XDG_DATA_HOME}`);
  // Only the folders the bridge needs are carried: node's and npm's, not the rest of the shell's.
  const carriedPath = /^Environment="?PATH=([^"\n]*)"?$/m.exec(text)?.[1] ?? "";
  expect(carriedPath.split(":")).toContain(path.dirname(process.execPath));
  expect(carriedPath).not.toContain(junk);
  expect(readFileSync(log, "utf8").split("\n").filter(Boolean)).toEqual([
    "systemctl --user daemon-reload",
    "systemctl --user enable mcp-twin-bridge.socket",
    "systemctl --user disable --now mcp-twin-bridge.service",
    "systemctl --user restart mcp-twin-bridge.socket",
  ]);

  // The unit an older mcp-twin wrote (format 4: a oneshot `bridge start`, enabled): a sync that
  // writes nothing writes the socket unit, and the older one is disabled, its file now the service.
  const older = state(m);
  older.autostart = { ...older.autostart, file: service, name: "mcp-twin-bridge.service", format: 4 };
  writeFileSync(path.join(m.paths.home, "state.json"), JSON.stringify(older));
  rmSync(socket);
  writeFileSync(
    service,
    "[Service]\nType=oneshot\nExecStart=/usr/bin/node x bridge start\n[Install]\nWantedBy=default.target\n",
  );
  writeFileSync(log, "");
  const upgraded = await m.run(["sync"], { timeoutMs: 60_000 });
  expect(upgraded.code, upgraded.stderr).toBe(0);
  expect(upgraded.stdout).toContain(
    `It starts when you log in: a systemd user unit (${socket}) is installed.`,
  );
  expect(readFileSync(socket, "utf8")).toBe(socketText);
  expect(readFileSync(service, "utf8")).toBe(text);
  expect(state(m).autostart).toMatchObject({ kind: "systemd", name: "mcp-twin-bridge.socket", format: 6 });
  expect(readFileSync(log, "utf8")).toContain("systemctl --user disable --now mcp-twin-bridge.service\n");
  expect(existsSync(path.join(units, "default.target.wants", "mcp-twin-bridge.service"))).toBe(false);
  const back = await until("the bridge", () => serveJson(bridgeDir));
  pids.push(back.pid);
  // As it should be: the next one asks systemd nothing.
  writeFileSync(log, "");
  const same = await m.run(["sync"], { timeoutMs: 60_000 });
  expect(same.stdout).toContain(`It starts when you log in (a systemd user unit, ${socket}).`);
  expect(readFileSync(log, "utf8")).toBe("");

  // The manifest shares nothing any more: the units are stopped, disabled and removed, state forgets them.
  const doc = JSON.parse(readFileSync(manifest, "utf8"));
  doc.servers.fixture.share = "off";
  writeFileSync(manifest, JSON.stringify(doc, null, 2));
  const after = await m.run(["sync"], { timeoutMs: 120_000 });
  expect(after.code, after.stderr).toBe(0);
  expect(after.stdout).toContain(
    `No server is shared any more: the bridge's start at logon (a systemd user unit, ${socket}) is removed.`,
  );
  expect(existsSync(socket)).toBe(false);
  expect(existsSync(service)).toBe(false);
  expect(readFileSync(log, "utf8")).toContain("systemctl --user disable --now mcp-twin-bridge.socket");
  expect(state(m).autostart).toBeUndefined();
}, 240_000);

test("Linux without systemd: sync offers a line for the shell's start-up and an XDG autostart entry, written only with --autostart; uninstall removes it", async () => {
  const { m, bridgeDir, port } = await sharedMachine({ kind: "linux", claudeDesktop: false, cursor: false });
  const synced = await m.run(["sync"], { timeoutMs: 120_000 });
  expect(synced.code, synced.stderr).toBe(0);
  const started = await until("the bridge", () => serveJson(bridgeDir));
  pids.push(started.pid);
  // The bridge sync started runs in its start loop (no service manager here): killed, it is back
  // within 10 s, answering on the same port.
  loops.push(parentOf(started.pid));
  const killedAt = Date.now();
  process.kill(started.pid, "SIGKILL");
  const info = await until(
    "the bridge started again",
    async () => {
      const now = serveJson(bridgeDir);
      if (!now || now.pid === started.pid || !alive(now.pid)) return undefined;
      return (await controlStatus(bridgeDir, now.url).catch(() => undefined)) ? now : undefined;
    },
    10_000,
  );
  expect(Date.now() - killedAt).toBeLessThan(10_000);
  expect(info.url).toBe(started.url);
  pids.push(info.pid);
  const entry = path.join(m.paths.linuxHome, ".config", "autostart", "mcp-twin-bridge.desktop");
  // Said once: from a login until something starts the bridge, its port is anyone's.
  const open = `; so from each login until the bridge starts, nothing holds its port (${new URL(info.url).host}): another account can listen on it and receive what the url entries send`;
  expect(synced.stdout.split(open)).toHaveLength(2);
  expect(synced.stdout).toContain(
    `▲ It does not start when you log in: linux has no systemd for the user's services, and no desktop session is seen${open}. Fix: add the line below to your login shell's start-up file (~/.profile): it starts the bridge when you log in, and again within seconds if it fails (with a desktop, \`mcp-twin sync --autostart\` writes an XDG autostart entry, ${entry}, instead).\n    (setsid `,
  );
  expect(synced.stdout).toMatch(/\(setsid \S+ \S+ bridge start <\/dev\/null >\/dev\/null 2>&1 &\)\n/);
  // Offered, not written.
  expect(existsSync(entry)).toBe(false);
  expect(state(m).autostart).toBeUndefined();

  // Asked for with no desktop session: written and recorded, but only a desktop runs it, so no
  // ✔ says it starts at login — the ~/.profile line is given instead, now and on every sync.
  const asked = await m.run(["sync", "--autostart"], { timeoutMs: 120_000 });
  expect(asked.code, asked.stderr).toBe(0);
  const noDesktop = (now: string) =>
    `▲ An XDG autostart entry (${entry}) is installed${now}: a desktop session runs it when you log in to one, and none is seen here${open}. Fix: for a login without one, add the line below to your login shell's start-up file (~/.profile): it starts the bridge when you log in, and again within seconds if it fails.\n    (setsid `;
  expect(asked.stdout).toContain(noDesktop(" now"));
  expect(asked.stdout).not.toContain("It starts when you log in");
  expect(readFileSync(entry, "utf8")).toMatch(/^Exec=\/usr\/bin\/env .* \S+ \S+ bridge start$/m);
  expect(state(m).autostart).toEqual({
    kind: "xdg-autostart",
    env: "linux",
    file: entry,
    name: "mcp-twin-bridge.desktop",
    format: 6,
  });
  const quiet = await m.run(["sync"], { timeoutMs: 60_000 });
  expect(quiet.stdout).toContain(noDesktop(""));
  expect(quiet.stdout).not.toContain("It starts when you log in");
  // From a desktop session, the entry is what starts it at login.
  const desktop = await m.run(["sync"], {
    env: { ...m.env, XDG_CURRENT_DESKTOP: "GNOME" },
    timeoutMs: 60_000,
  });
  expect(desktop.stdout).toContain(`✔ It starts when you log in (an XDG autostart entry, ${entry}).`);

  // The line followed: put into ~/.profile, the bridge stopped, then a login shell — which starts it.
  const line = /\n {4}(\(setsid .*&\))\n/.exec(quiet.stdout)?.[1] ?? "";
  writeFileSync(path.join(m.paths.linuxHome, ".profile"), `# mine\n${line}\n`);
  const stopped = await m.run(["bridge", "stop"], { timeoutMs: 30_000 });
  expect(stopped.code, stopped.stderr).toBe(0);
  await until("the bridge to stop", () => (alive(info.pid) ? undefined : true));
  await new Promise((resolve) =>
    spawn("/bin/sh", ["-l", "-c", ":"], { env: m.env, stdio: "ignore" }).on("exit", resolve),
  );
  const login = await until("the bridge the login started", async () => {
    const now = serveJson(bridgeDir);
    if (!now || now.pid === info.pid || !alive(now.pid)) return undefined;
    return (await controlStatus(bridgeDir, now.url).catch(() => undefined)) ? now : undefined;
  });
  pids.push(login.pid);
  loops.push(parentOf(login.pid));
  Object.assign(info, login);

  // The gateway stopped and its port taken by another program: sync points no entry there (the
  // shared server gets its direct entry for now), says so with a free port to move to, and exits 1.
  // Its keeper ends after it (exit 0 is a stop): the port is free once both are gone.
  const keeper = parentOf(info.pid);
  process.kill(info.pid, "SIGTERM");
  await until("the bridge and its keeper to stop", () =>
    alive(info.pid) || (keeper > 1 && alive(keeper)) ? undefined : true,
  );
  const squatter = http.createServer((_req, res) => res.end("hello"));
  await new Promise<void>((resolve, reject) => {
    squatter.once("error", reject);
    squatter.listen(port, "127.0.0.1", resolve);
  });
  try {
    const blocked = await m.run(["sync"], { timeoutMs: 60_000 });
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toMatch(
      new RegExp(
        `✖ Port ${port} is held by a web server that is not this bridge \\(HTTP 200\\), so no entry sends this home's credential there: \\S+ got its direct entry for now \\(each client starts its own process\\)\\. To share it again: put "port": \\d+ in the "bridge" section of `,
      ),
    );
    expect(blocked.stdout).not.toContain("mcp-twin bridge start");
  } finally {
    squatter.close();
  }
  const removed = await m.run(["uninstall", "--yes"], { timeoutMs: 60_000 });
  expect(removed.code, removed.stderr).toBe(0);
  expect(removed.stdout).toContain(`Removed the bridge's start at logon (${entry}).`);
  expect(existsSync(entry)).toBe(false);
  expect(state(m).autostart).toBeUndefined();
}, 180_000);
