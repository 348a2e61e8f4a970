/**
 * A signal sent while a command waits for its user (SIGTERM from `kill` or a parent, SIGHUP, the
 * hang-up), in commands other than init: the first one ends the wait — a hidden prompt, a
 * question, a piped stdin — exit 130, the cursor shown again, nothing written.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { constants } from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { waitFor } from "../doctor/helpers.js";
import { BIN, createFakeMachine, type FakeMachine, writeManifest } from "../helpers/fake-machine.js";
import { runInPty } from "../helpers/pty.js";

const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

function machine(): FakeMachine {
  const m = createFakeMachine({ kind: "linux" });
  machines.push(m);
  return m;
}

const CURSOR_SHOWN = "\u001b[?25h";

/** Whether the process has a handler for the signal (its SigCgt mask, /proc/<pid>/status). */
function catches(pid: number | undefined, signal: NodeJS.Signals): boolean {
  try {
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return mask !== undefined && ((BigInt(`0x${mask}`) >> BigInt(constants.signals[signal] - 1)) & 1n) === 1n;
  } catch {
    return false; // not started yet, or gone
  }
}

test("secret set: SIGTERM at the hidden value prompt ends it at once, stores nothing", async () => {
  const m = machine();
  const pty = runInPty(["secret", "set", "DOCS_TOKEN"], m.env, m.paths.linuxHome);
  await pty.waitFor(/Value of DOCS_TOKEN/);
  pty.type("tok-12");
  await pty.waitFor(/\[input is masked\]/);
  const before = pty.raw().length;
  pty.kill("SIGTERM");
  const { code, output } = await pty.exitWithin(5_000);
  expect(code, output).toBe(130);
  expect(pty.raw().slice(before)).toContain(CURSOR_SHOWN);
  expect(output).toContain("✖ Stopped before anything was written.");
  expect(existsSync(path.join(m.paths.home, "secrets.json"))).toBe(false);
}, 60_000);

test("secret set: SIGTERM while it waits for a piped value that never ends stops the wait, stores nothing", async () => {
  const m = machine();
  // stdin a pipe the test holds open: the value is never finished.
  const child = spawn(process.execPath, [BIN, "secret", "set", "DOCS_TOKEN"], {
    env: m.env,
    cwd: m.paths.linuxHome,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  child.stdin.write("tok-12");
  // Its run has begun: the run loop catches SIGHUP, which nothing before it does (Node catches SIGINT
  // and SIGTERM itself from the start, to die the default way). From there it opens the machine and
  // waits on stdin, and a signal at any point of that is the run's.
  await waitFor(() => catches(child.pid, "SIGHUP"), 20_000);
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  const code = await exited;
  clearTimeout(timer);
  child.stdin.destroy();
  expect(code, stderr).toBe(130);
  expect(stderr).toMatch(/✖ Stopped before anything (but mcp-twin's cache )?was written\./);
  expect(existsSync(path.join(m.paths.home, "secrets.json"))).toBe(false);
}, 60_000);

for (const signal of ["SIGTERM", "SIGHUP"] as const)
  test(`uninstall: ${signal} at its question ends it at once, every config as it was`, async () => {
    const m = machine();
    writeManifest(m, { servers: { docs: { url: "https://docs.example.com/mcp" } } });
    expect((await m.run(["sync"])).code).toBe(0);
    const config = readFileSync(m.paths.claudeCodeConfig, "utf8");
    expect(config).toContain("docs.example.com");
    const pty = runInPty(["uninstall"], m.env, m.paths.linuxHome);
    await pty.waitFor(/Change 1 file\?/);
    const before = pty.raw().length;
    pty.kill(signal);
    const { code, output } = await pty.exitWithin(5_000);
    expect(code, output).toBe(130);
    expect(pty.raw().slice(before)).toContain(CURSOR_SHOWN);
    expect(output).toContain("✖ Stopped before anything was written.");
    expect(readFileSync(m.paths.claudeCodeConfig, "utf8")).toBe(config);
  }, 60_000);
