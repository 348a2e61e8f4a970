/**
 * The keeper that holds the bridge's listening socket and starts it again (supervisor.ts), run for
 * real with the built bridge on a port of its own: a bridge killed with SIGKILL answers again within
 * 10 s on the same socket, the port never free meanwhile; `bridge stop` ends the keeper whatever
 * state it is in — its bridge running, or failing at every start.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { planAutostart } from "../../src/core/bridge-control/autostart-plan.js";
import { KEEP_LOOP, SERVE, WAIT_LOOP } from "../../src/core/bridge-control/supervisor.js";
import { isAlive as alive } from "../../src/core/system/process-alive.js";
import { BIN, bridgeEnv, cleanup, runCli, tempDir } from "../bridge-server/helpers.js";
import { freePort } from "../helpers/net.js";

const kill = (pid: number) => {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone
  }
};

/** Loops first (so none starts a bridge again), then every bridge they started. */
const loops: number[] = [];
const homes: string[] = [];
afterEach(async () => {
  for (const pid of loops.splice(0)) kill(pid);
  for (const dir of homes.splice(0)) {
    const info = instance(dir);
    if (info) kill(info.pid);
  }
  await cleanup();
});

/** A home whose manifest puts the bridge on a port of its own; the CLI's environment. */
async function home(): Promise<{ env: Record<string, string>; dir: string; port: number }> {
  const env = bridgeEnv(tempDir());
  const port = await freePort();
  mkdirSync(env.MCP_TWIN_HOME!, { recursive: true });
  writeFileSync(
    path.join(env.MCP_TWIN_HOME!, "mcp-twin.jsonc"),
    JSON.stringify({ servers: {}, bridge: { port } }),
  );
  homes.push(env.MCP_TWIN_BRIDGE_HOME!);
  return { env, dir: env.MCP_TWIN_BRIDGE_HOME!, port };
}

function instance(dir: string): { pid: number; url: string; port: number } | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, "serve.json"), "utf8"));
  } catch {
    return undefined;
  }
}

/** Does the bridge answer an authenticated request (its control route)? */
async function answers(dir: string, url: string): Promise<boolean> {
  try {
    const token = readFileSync(path.join(dir, "token"), "utf8").trim();
    const res = await fetch(url.replace(/\/mcp$/, "/control/status"), {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(2000),
    });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** A bridge other than `not` answering on `port`, polled until the deadline. */
async function answering(dir: string, port: number, not: number | undefined, ms: number) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const info = instance(dir);
    if (info && info.pid !== not && info.port === port && alive(info.pid) && (await answers(dir, info.url)))
      return info;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no bridge answered on port ${port} within ${ms} ms`);
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

/** Resolves with the exit code, or rejects when the process still runs after `ms` (it loops). */
function endsWithin(exited: Promise<number | null>, ms: number, what: string) {
  return Promise.race([
    exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} still runs after ${ms} ms`)), ms).unref(),
    ),
  ]);
}

/** A copy of mcp-twin's entry to start the bridge from; removed, every start of the bridge fails. */
function doomedEntry(dir: string): string {
  const script = path.join(dir, "doomed", "mcp-twin.js");
  mkdirSync(path.dirname(script), { recursive: true });
  writeFileSync(script, `import(${JSON.stringify(BIN)});\n`);
  return script;
}

/** `mcp-twin <args>` run from `script` (a copy of its entry). */
function runFrom(script: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.once("exit", (code) => resolve({ code, stderr }));
  });
}

test("the keeper: `bridge start` binds the port once; a killed bridge answers again within 10 s each time on that socket; a second start finds it; bridge stop ends the keeper with it", async () => {
  const { env, dir, port } = await home();
  const start = await runCli(["bridge", "start"], env);
  expect(start.code, start.stderr).toBe(0);
  let bridge = await answering(dir, port, undefined, 20_000);
  const keeper = parentOf(bridge.pid);
  loops.push(keeper);
  expect(readFileSync(`/proc/${keeper}/cmdline`, "utf8").split("\0").slice(0, 3)).toEqual([
    "/bin/sh",
    "-c",
    KEEP_LOOP,
  ]);

  // Killed three times in a row: the wait grows (1, 2, 4 s: the keeper's `sleep`, read, then passed
  // by the test), each time it is back within 10 s, and meanwhile the port is never free (the
  // keeper holds the socket).
  for (let i = 0; i < 3; i++) {
    const killedAt = Date.now();
    kill(bridge.pid);
    let pause: { pid: number; seconds: string } | undefined;
    await until("the keeper's pause", () => {
      pause = sleepOf(keeper);
      return pause !== undefined;
    });
    expect(pause!.seconds).toBe(["1", "2", "4"][i]);
    expect(await bindsOn(port)).toBe("EADDRINUSE");
    kill(pause!.pid);
    bridge = await answering(dir, port, bridge.pid, 10_000);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(parentOf(bridge.pid)).toBe(keeper);
  }

  // Another start while it runs finds it, and starts nothing.
  const again = await runCli(["bridge", "start"], env);
  expect(again.code, again.stderr).toBe(0);
  expect(instance(dir)?.pid).toBe(bridge.pid);

  // A stop is a stop: the bridge ends, and its keeper with it, the port free.
  const stop = await runCli(["bridge", "stop"], env);
  expect(stop.code, stop.stderr).toBe(0);
  expect(stop.stdout).toContain(`✔ Stopped the bridge (pid ${bridge.pid}).`);
  await until("the keeper to end", () => !alive(keeper));
  expect(alive(bridge.pid)).toBe(false);
  expect(await bindsOn(port)).toBe("bound");
}, 90_000);

test("a manifest that cannot be parsed does not keep `bridge stop` from stopping: the bridge and its keeper end, and it says both", async () => {
  const { env, dir, port } = await home();
  const start = await runCli(["bridge", "start"], env);
  expect(start.code, start.stderr).toBe(0);
  const bridge = await answering(dir, port, undefined, 20_000);
  const keeper = parentOf(bridge.pid);
  loops.push(keeper);
  const manifest = path.join(env.MCP_TWIN_HOME!, "mcp-twin.jsonc");
  writeFileSync(manifest, '{ "servers": { , } }');

  const stop = await runCli(["bridge", "stop"], env);
  expect(stop.code, stop.stdout + stop.stderr).toBe(0);
  expect(stop.stdout).toContain(`✔ Stopped the bridge (pid ${bridge.pid}).`);
  expect(stop.stdout).toContain(`▲ ${manifest}:1:16: value expected`);
  expect(stop.stdout).toContain("the bridge was stopped from its state folder all the same");
  await until("the keeper to end", () => !alive(keeper));
  expect(alive(bridge.pid)).toBe(false);
  expect(await bindsOn(port)).toBe("bound");

  // Nothing left: said as such, in JSON too, with the manifest's problem.
  const again = JSON.parse((await runCli(["bridge", "stop", "--json"], env)).stdout);
  expect(again).toMatchObject({ action: "stop", state: "stopped", manifestUnread: { file: manifest } });
  expect(again.stopped).toBeUndefined();
}, 90_000);

test("a keeper whose bridge fails at every start (issue 52 attack 7, issue 56 item 6): bridge stop ends it and says so; nothing comes back once the cause is gone", async () => {
  const { env, dir, port } = await home();
  const script = doomedEntry(path.dirname(dir));
  const start = await runFrom(script, ["bridge", "start"], env);
  expect(start.code, start.stderr).toBe(0);
  const bridge = await answering(dir, port, undefined, 20_000);
  const keeper = parentOf(bridge.pid);
  loops.push(keeper);
  // The program it runs is gone (an upgrade moved it), and the bridge crashes: each start fails.
  rmSync(path.dirname(script), { recursive: true });
  kill(bridge.pid);
  await until("a start to fail", () =>
    /Cannot find module/.test(readFileSync(path.join(dir, "serve.log"), "utf8")),
  );
  expect(alive(keeper)).toBe(true);

  const stop = await runCli(["bridge", "stop"], env);
  expect(stop.code, stop.stdout + stop.stderr).toBe(0);
  expect(stop.stdout).toContain(
    `✔ The bridge was not running; stopped what would have started it again (pid ${keeper}).`,
  );
  await until("the keeper to end", () => !alive(keeper));
  // The cause gone: nothing is left that would start it.
  doomedEntry(path.dirname(dir));
  expect(await bindsOn(port)).toBe("bound");
  const status = await runCli(["bridge", "stop"], env);
  expect(status.stdout).not.toContain("stopped what would have started it");
}, 90_000);

test("uninstall --yes ends a keeper whose bridge fails at every start, and says so; nothing comes back for that home", async () => {
  const { env, dir, port } = await home();
  const script = doomedEntry(path.dirname(dir));
  const start = await runFrom(script, ["bridge", "start"], env);
  expect(start.code, start.stderr).toBe(0);
  const bridge = await answering(dir, port, undefined, 20_000);
  const keeper = parentOf(bridge.pid);
  loops.push(keeper);
  rmSync(path.dirname(script), { recursive: true });
  kill(bridge.pid);
  await until("a start to fail", () =>
    /Cannot find module/.test(readFileSync(path.join(dir, "serve.log"), "utf8")),
  );
  const removed = await runCli(["uninstall", "--yes"], env);
  expect(removed.code, removed.stdout + removed.stderr).toBe(0);
  expect(removed.stdout).toContain(
    `✔ Stopped what would have started the bridge again (pid ${keeper}) in linux: no client config holds its entry now.`,
  );
  await until("the keeper to end", () => !alive(keeper));
  doomedEntry(path.dirname(dir));
  expect(await bindsOn(port)).toBe("bound");
}, 90_000);

/** Whether this process can listen on `port` now (closed again at once), or the error's code. */
function bindsOn(port: number): Promise<string> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve("bound")));
  });
}

test("Linux without systemd: the line offered for the shell's start-up starts the bridge away from the terminal, and its keeper brings a killed bridge back", async () => {
  const { env, dir, port } = await home();
  const plan = planAutostart({
    bridge: { id: "linux", kind: "linux", home: env.HOME!, vars: {} },
    program: { node: process.execPath, script: BIN },
    listen: { host: "127.0.0.1", port },
    stateDir: dir,
    systemd: false,
    desktop: false,
    carried: { MCP_TWIN_HOME: env.MCP_TWIN_HOME!, MCP_TWIN_BRIDGE_HOME: dir, PATH: "/nowhere" },
  });
  if (plan.kind !== "xdg-autostart" || !plan.offer?.line) throw new Error("no line offered");
  // As ~/.profile runs it: sh, in a session whose PATH and XDG folders are the login's own.
  const { MCP_TWIN_HOME, MCP_TWIN_BRIDGE_HOME, ...session } = env;
  const shell = spawn("/bin/sh", ["-c", plan.offer.line], { env: session, stdio: "ignore" });
  expect(await endsWithin(exitOf(shell), 10_000, "the start-up line")).toBe(0);
  const first = await answering(dir, port, undefined, 20_000);
  const keeper = parentOf(first.pid);
  loops.push(keeper);
  kill(first.pid);
  const again = await answering(dir, port, first.pid, 10_000);
  expect(parentOf(again.pid)).toBe(keeper);
  expect((await runCli(["bridge", "stop"], env)).code).toBe(0);
  await until("the keeper to end", () => !alive(keeper));
}, 90_000);

const gio = (() => {
  try {
    execFileSync("gio", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
if (!gio) console.warn("the XDG autostart entry's test is skipped: `gio` (GLib) is not installed");

test.skipIf(!gio)(
  "the XDG autostart entry, launched as a desktop launches it (GLib's `gio launch`), runs `bridge start` with its Exec read as written",
  async () => {
    const { env, dir, port } = await home();
    // A script path a desktop entry must quote and escape: a space, `$`, `%`, a quote.
    const odd = path.join(env.HOME!, `it's "odd" $HOME 100%`);
    mkdirSync(odd, { recursive: true });
    const script = path.join(odd, "mcp-twin.js");
    writeFileSync(script, `import(${JSON.stringify(BIN)});\n`);
    const carried = Object.fromEntries(
      ["MCP_TWIN_HOME", "MCP_TWIN_BRIDGE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "PATH"].map((k) => [
        k,
        env[k]!,
      ]),
    );
    const plan = planAutostart({
      bridge: {
        id: "linux",
        kind: "linux",
        home: env.HOME!,
        vars: { XDG_CONFIG_HOME: env.XDG_CONFIG_HOME! },
      },
      program: { node: process.execPath, script },
      listen: { host: "127.0.0.1", port },
      stateDir: dir,
      systemd: false,
      desktop: true,
      carried,
    });
    if (plan.kind !== "xdg-autostart" || typeof plan.text !== "string") throw new Error(plan.kind);
    mkdirSync(path.dirname(plan.file), { recursive: true });
    writeFileSync(plan.file, plan.text);
    // The desktop's environment is not the one sync ran with: the entry carries what matters.
    const desktop = { HOME: env.HOME!, PATH: process.env.PATH ?? "", LANG: "C.UTF-8" };
    execFileSync("gio", ["launch", plan.file], { env: desktop, stdio: "ignore", timeout: 10_000 });
    const first = await answering(dir, port, undefined, 20_000);
    const supervisor = parentOf(first.pid);
    loops.push(supervisor);
    expect(readFileSync(`/proc/${first.pid}/cmdline`, "utf8").replace(/\0$/, "").split("\0")).toEqual([
      process.execPath,
      script,
      ...SERVE,
      ...["--port", String(port), "--host", "127.0.0.1", "--listen-fd", "3"],
    ]);
    kill(first.pid);
    await answering(dir, port, first.pid, 10_000);
    expect((await runCli(["bridge", "stop"], env)).code).toBe(0);
    await until("the loop to end", () => !alive(supervisor));
  },
  90_000,
);

/** The parent of a process (the loop that started a bridge), from /proc. */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

/** The `sleep` a keeper is in (its pause before it starts the bridge again): its pid and seconds. */
function sleepOf(keeper: number): { pid: number; seconds: string } | undefined {
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\u0000");
      if (argv[0] === "sleep" && parentOf(Number(pid)) === keeper)
        return { pid: Number(pid), seconds: argv[1]! };
    } catch {
      // gone
    }
  }
  return undefined;
}

async function until(what: string, done: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("the WSL task's wait: a start that says it failed while its keeper runs is waited on (the distro lives); with no keeper the task ends with the start's code", async () => {
  const dir = tempDir();
  const keeperFile = path.join(dir, "keeper.json");
  const keeper = spawn("sleep", ["60"], { stdio: "ignore" });
  const keeperPid = keeper.pid ?? 0;
  loops.push(keeperPid);
  writeFileSync(keeperFile, `${JSON.stringify({ pid: keeperPid, host: "127.0.0.1", port: 1 })}\n`);
  const task = (file: string) =>
    spawn("/bin/sh", ["-c", WAIT_LOOP, "mcp-twin-bridge", file, "/bin/sh", "-c", "exit 1"], {
      stdio: "ignore",
    });
  const ended = (c: ChildProcess) => new Promise<number | null>((r) => c.once("exit", (code) => r(code)));

  // A keeper runs: the start's failure does not end the task.
  const waiting = task(keeperFile);
  const waitingPid = waiting.pid ?? 0;
  loops.push(waitingPid);
  const early = await Promise.race([
    ended(waiting),
    new Promise((r) => setTimeout(() => r("waiting"), 1500)),
  ]);
  expect(early).toBe("waiting");
  kill(waitingPid);

  // No keeper (its pid gone): the task ends at once, with the start's code.
  kill(keeperPid);
  await ended(keeper);
  expect(await ended(task(keeperFile))).toBe(1);
  expect(await ended(task(path.join(dir, "none.json")))).toBe(1);
});
