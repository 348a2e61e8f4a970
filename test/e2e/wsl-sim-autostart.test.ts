/**
 * The start at logon in the simulated WSL machine (test/helpers/wsl-sim.ts), whose wsl.exe starts a
 * program as Windows does — a fresh Linux environment, the distro's default PATH, only WSLENV's
 * variables: sync with a shared server starts the gateway and writes the logon task's definition;
 * what the task runs (conhost aside) then brings the bridge up through that wsl.exe, with the shared
 * server, reachable from outside. The simulation has no Task Scheduler (schtasks.exe): sync says
 * the registration failed, and the definition is run by hand. Runs where the simulation can (root
 * and `unshare`), else is skipped with the reason printed.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import { isAlive as alive } from "../../src/core/system/process-alive.js";
import { endWaitLoopSleep } from "../helpers/bridge-loop.js";
import { BIN, REPO } from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";
import { findWslSim, inWslSim } from "../helpers/wsl-sim.js";

const sim = findWslSim();
const skip = "reason" in sim ? sim.reason : undefined;
if (skip) console.warn(`WSL simulation tests skipped: ${skip}`);

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const kill = (pid: number) => {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone
  }
};
async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The parent of a process (the loop that started a bridge), from /proc. */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

/** A Windows command line split as CommandLineToArgvW does. */
function argv(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g))
    out.push(m[1] !== undefined ? m[1].replace(/\\"/g, '"') : m[2]!);
  return out;
}
const unxml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

describe.skipIf(skip !== undefined)(
  `the bridge's start at logon in the simulated WSL machine${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    test("sync starts the gateway and writes the task; what the task runs starts the bridge through wsl.exe", async () => {
      if ("reason" in sim) return;
      const state = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-wsl-sim-"));
      cleanups.push(() => rmSync(state, { recursive: true, force: true }));
      // Inside the repository: the simulation's /tmp is its own.
      mkdirSync(path.join(REPO, ".tmp"), { recursive: true });
      const built = mkdtempSync(path.join(REPO, ".tmp", "wsl-sim-fixture-"));
      cleanups.push(() => rmSync(built, { recursive: true, force: true }));
      // The run's fixture server (global-setup.ts), copied where the simulation sees it.
      const staged = path.dirname(path.dirname(inject("fixtureScript")));
      for (const part of ["package.json", "dist"])
        cpSync(path.join(staged, part), path.join(built, part), { recursive: true });
      const fixture = { script: path.join(built, "dist", "server.js") };
      expect((await inWslSim(sim.script, state, ["true"], { fresh: true })).code).toBe(0);
      const port = await freePort();
      const home = path.join(state, "c", "Users", "alice", "AppData", "Roaming", "mcp-twin");
      mkdirSync(home, { recursive: true });
      writeFileSync(
        path.join(home, "mcp-twin.jsonc"),
        JSON.stringify({
          servers: { fixture: { command: process.execPath, args: [fixture.script], share: "machine" } },
          bridge: { port },
        }),
      );
      const serveJson = path.join(
        state,
        "home",
        "bob",
        ".local",
        "share",
        "mcp-twin",
        "bridge",
        "serve.json",
      );
      const pidNow = () => {
        try {
          return JSON.parse(readFileSync(serveJson, "utf8")) as { pid: number; url: string };
        } catch {
          return undefined;
        }
      };
      cleanups.push(() => {
        const info = pidNow();
        if (info) kill(info.pid);
      });

      const r = await inWslSim(sim.script, state, [process.execPath, BIN, "sync", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const gateway = JSON.parse(r.stdout).gateway;
      expect(gateway).toMatchObject({
        shares: ["fixture"],
        gateway: { state: "started" },
        warmed: ["fixture"],
      });
      // No Task Scheduler in the simulation: the registration fails, and sync says so.
      expect(gateway.autostart).toMatchObject({ state: "failed", kind: "windows-task" });
      expect(gateway.autostart.error).toMatch(/^schtasks \/Create failed: .*ENOENT/);
      const first = await until("the gateway", () => pidNow());
      cleanups.push(() => kill(first.pid));

      // The task's definition, run by hand after the gateway stopped (a reboot, a WSL shutdown).
      const xml = readFileSync(
        path.join(state, "c", "Users", "alice", "AppData", "Local", "mcp-twin", "bridge-task.xml"),
      )
        .subarray(2)
        .toString("utf16le");
      const args = argv(unxml(/<Arguments>(.*)<\/Arguments>/.exec(xml)![1]!));
      expect(args.slice(0, 5)).toEqual([
        "--headless",
        "C:\\Windows\\System32\\wsl.exe",
        "-d",
        "Ubuntu",
        "--exec",
      ]);
      // Sync started it under its keeper: the keeper first (else it starts the gateway again).
      const syncLoop = parentOf(first.pid);
      expect(readFileSync(`/proc/${syncLoop}/cmdline`, "utf8")).toContain("mcp-twin-bridge");
      kill(syncLoop);
      kill(first.pid);
      await until("the gateway to stop", () => (alive(first.pid) ? undefined : true));
      const said = { stdout: "", stderr: "" };
      const logon = inWslSim(sim.script, state, ["/mnt/c/Windows/System32/wsl.exe", ...args.slice(2)], {
        live: said,
      });
      const second = await until("the bridge started by the task", () => {
        const now = pidNow();
        return now && now.pid !== first.pid && alive(now.pid) ? now : undefined;
      });
      // The task's `bridge start` has seen its bridge answer (else a kill below, while it still
      // waits for the answer, is a start that failed: under load that wait outlasted the first kill).
      await until("the task's start to say it started", () =>
        said.stdout.includes("Started the bridge.") ? true : undefined,
      );
      cleanups.push(() => kill(second.pid));
      const token = readFileSync(path.join(path.dirname(serveJson), "token"), "utf8").trim();
      const status = await until("its status", async () => {
        const res = await fetch(second.url.replace(/\/mcp$/, "/control/status"), {
          headers: { authorization: `Bearer ${token}` },
        });
        return res.ok
          ? ((await res.json()) as { shares: Array<{ name: string; cached: boolean }> })
          : undefined;
      });
      expect(status.shares).toEqual([expect.objectContaining({ name: "fixture", cached: true })]);
      // wsl.exe runs `bridge start` in the distro, whose keeper brings a killed bridge back within 10 s.
      const loop = parentOf(second.pid);
      cleanups.push(() => kill(loop)); // run before the bridges' own (reverse order)
      const killedAt = Date.now();
      kill(second.pid);
      const third = await until("the bridge started again by the loop", () => {
        const now = pidNow();
        return now && now.pid !== second.pid && alive(now.pid) ? now : undefined;
      });
      cleanups.push(() => kill(third.pid));
      expect(parentOf(third.pid)).toBe(loop);
      expect(Date.now() - killedAt).toBeLessThan(10_000);
      // A stop (SIGTERM, exit 0) ends the keeper, and the task's wait with it (it looks every 30 s:
      // once the keeper is gone, the test passes those 30 s by ending the loop's sleep).
      const ns = readlinkSync(`/proc/${third.pid}/ns/mnt`);
      let settled = false;
      void logon.then(() => {
        settled = true;
      });
      process.kill(third.pid, "SIGTERM");
      await until("the keeper to end", () => (alive(loop) ? undefined : true));
      await until("the task's wait to end", () => {
        if (settled) return true;
        endWaitLoopSleep((_keeperFile, mountNs) => mountNs === ns);
        return undefined;
      });
      const ended = await logon;
      expect(ended.code, `${ended.stdout}\n${ended.stderr}`).toBe(0);
    }, 180_000);
  },
);
