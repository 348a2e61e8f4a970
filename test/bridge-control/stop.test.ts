/**
 * `mcp-twin bridge stop` (and sync's restart) stops only a bridge this home owns: the pid in
 * serve.json that also holds the state folder's lock. A stale serve.json naming some other live
 * process (a recycled pid) is never signalled; an owner that ignores SIGTERM is killed after the
 * grace period. Real processes, a real lock.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterEach, expect, test } from "vitest";
import { stopBridge } from "../../src/core/bridge-control/lifecycle.js";
import { bridgeFiles, isAlive, writeInstance } from "../../src/core/bridge-link/index.js";
import { withLock } from "../../src/core/system/files.js";

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A live node process; `stubborn` ones ignore SIGTERM. Resolves once its handler is in place. */
async function liveProcess(stubborn: boolean): Promise<ChildProcess & { pid: number }> {
  const code = `${stubborn ? "process.on('SIGTERM', () => {});" : ""} setInterval(() => {}, 1000); console.log('ready');`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once("data", () => resolve());
    child.once("error", reject);
  });
  return child as ChildProcess & { pid: number };
}

/**
 * A live process that answers each line on its stdin, every signal at its default (SIGTERM, SIGHUP,
 * SIGINT and SIGKILL end it). A signal that ends a process takes effect before the process runs
 * another instruction, so a question asked after a stop returned is answered only if that stop sent
 * it none: `ask()` resolves with the answer, or with how the process ended — no time is waited.
 */
async function witness(): Promise<{ pid: number; ask: () => Promise<string> }> {
  const code = `process.stdin.on("data", () => console.log("here")); console.log("ready");`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["pipe", "pipe", "inherit"] });
  children.push(child);
  // One line at a time: "ready", then one answer per question.
  const lines = createInterface({ input: child.stdout! });
  const nextLine = () =>
    Promise.race([
      once(lines, "line").then(([line]) => String(line)),
      exited(child).then((signal) => `ended (${signal ?? `exit ${child.exitCode}`})`),
    ]);
  expect(await nextLine()).toBe("ready");
  return {
    pid: child.pid!,
    ask: () => {
      child.stdin!.write("?\n");
      return nextLine();
    },
  };
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.signalCode)
    : new Promise<NodeJS.Signals | null>((r) => child.once("exit", (_code, signal) => r(signal)));

function stateDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-stop-"));
  dirs.push(dir);
  return bridgeFiles(dir);
}

const instanceOf = (pid: number) => ({
  pid,
  host: "127.0.0.1",
  port: 7760,
  url: "http://127.0.0.1:7760/mcp",
  version: "test",
  startedAt: new Date().toISOString(),
});

test("a serve.json whose pid does not hold the state lock (stale, or a recycled pid) is never signalled", async () => {
  const files = stateDir();
  const other = await witness();
  await writeInstance(files, instanceOf(other.pid));
  expect(await stopBridge({ files }, { graceMs: 200 })).toBeUndefined();
  // Asked once stopBridge has returned (it sends its signals before it does): still there.
  expect(await other.ask()).toBe("here");
  expect(isAlive(other.pid)).toBe(true);
});

test("the owner is asked to end (SIGTERM); one that ignores it is killed after the grace period", async () => {
  const files = stateDir();
  for (const stubborn of [false, true]) {
    const owner = await liveProcess(stubborn);
    await writeInstance(files, instanceOf(owner.pid));
    // The lock is taken here and handed to the child (the owner file names the holder's pid), as
    // `serve --http` holds it for as long as it runs.
    const stopped = await withLock(files.dir, async () => {
      const ownerFile = path.join(files.dir, "sync.lock.owner");
      const record = JSON.parse(readFileSync(ownerFile, "utf8")) as { pid: number };
      writeFileSync(ownerFile, JSON.stringify({ ...record, pid: owner.pid }));
      return stopBridge({ files }, { graceMs: 300 });
    });
    expect(stopped, `stubborn: ${stubborn}`).toEqual({ pid: owner.pid, forced: stubborn });
    expect(await exited(owner)).toBe(stubborn ? "SIGKILL" : "SIGTERM");
    expect(existsSync(files.instance)).toBe(false);
  }
});
