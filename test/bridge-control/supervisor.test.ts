/**
 * The loop that keeps the bridge running where the service manager cannot (the Windows task's
 * wsl.exe, an XDG autostart entry, a shell's start-up line), run for real with the built bridge on
 * a port of its own (the manifest's `bridge.port`): a bridge killed with SIGKILL answers again
 * within 10 s, each time; a second loop started while one runs ends at once with exit code 3
 * (another bridge runs) instead of looping; `mcp-twin bridge stop` ends the loop with exit 0.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { planAutostart } from "../../src/core/bridge-control/autostart-plan.js";
import { SERVE, SH_LOOP, shSupervisor } from "../../src/core/bridge-control/supervisor.js";
import { ExitCode } from "../../src/core/errors.js";
import { BIN, bridgeEnv, cleanup, runCli, tempDir } from "../bridge-server/helpers.js";
import { alive } from "../helpers/alive.js";
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

function started(argv: readonly string[], env: Record<string, string>) {
  const [command = "", ...args] = argv;
  const child = spawn(command, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  if (child.pid) loops.push(child.pid);
  return { child, stderr: () => stderr, exited: exitOf(child) };
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

test("the sh loop: a killed bridge answers again within 10 s each time; a second loop ends with exit 3; bridge stop ends it with 0", async () => {
  const { env, dir, port } = await home();
  const argv = shSupervisor({ node: process.execPath, script: BIN }, {});
  expect(argv.slice(0, 3)).toEqual(["/bin/sh", "-c", SH_LOOP]);
  const loop = started(argv, env);
  let bridge = await answering(dir, port, undefined, 20_000);

  // Killed three times in a row: the wait grows (1, 2, 4 s) and each time it is back within 10 s.
  for (let i = 0; i < 3; i++) {
    const killedAt = Date.now();
    kill(bridge.pid);
    bridge = await answering(dir, port, bridge.pid, 10_000);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
  }

  // Another loop while this one's bridge runs: its bridge says so and ends with 3, and so does it.
  const second = started(argv, env);
  expect(await endsWithin(second.exited, 15_000, "the second loop")).toBe(ExitCode.bridgeRunning);
  expect(second.stderr().match(/already runs/g)).toEqual(["already runs"]);
  expect(instance(dir)?.pid).toBe(bridge.pid);

  // A stop is a stop: the bridge ends with 0, and the loop with it.
  const stop = await runCli(["bridge", "stop"], env);
  expect(stop.code, stop.stderr).toBe(0);
  expect(await endsWithin(loop.exited, 10_000, "the loop")).toBe(0);
  expect(alive(bridge.pid)).toBe(false);
}, 90_000);

test("Linux without systemd: the line offered for the shell's start-up starts the loop away from the terminal, which brings a killed bridge back", async () => {
  const { env, dir, port } = await home();
  const plan = planAutostart({
    bridge: { id: "linux", kind: "linux", home: env.HOME!, vars: {} },
    program: { node: process.execPath, script: BIN },
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
  const supervisor = parentOf(first.pid);
  loops.push(supervisor);
  kill(first.pid);
  const again = await answering(dir, port, first.pid, 10_000);
  expect(parentOf(again.pid)).toBe(supervisor);
  expect((await runCli(["bridge", "stop"], env)).code).toBe(0);
  await until("the loop to end", () => !alive(supervisor));
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
  "the XDG autostart entry, launched as a desktop launches it (GLib's `gio launch`), runs the loop with its Exec read as written",
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

async function until(what: string, done: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
