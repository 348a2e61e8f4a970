/**
 * An upgrade of mcp-twin restarts the bridge: a sync finds this home's bridge running another
 * version of mcp-twin than the program it would start, stops it, starts this one and says so in one
 * line. Real processes: an "older" mcp-twin (the built program copied, its version set to 0.0.9)
 * runs the bridge; the sync runs in this process and starts the built one.
 */
import { spawn } from "node:child_process";
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, inject, test } from "vitest";
import { isAlive as alive } from "../../src/core/system/process-alive.js";
import { until } from "../bridge-server/gateway/gateway-helpers.js";
import { runInProcessByDefault } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";
import { freePort } from "../helpers/net.js";

runInProcessByDefault();

const setup = fixtureMachines("fx-upgrade-5b2c");
/** The older release's bridge (started here, not by mcp-twin: no start loop). */
const pids: number[] = [];
const releases: string[] = [];
afterEach(() => {
  for (const dir of releases.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const pid of pids.splice(0))
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
});

/** The built program, copied, as an older release: every inlined VERSION says 0.0.9. */
function olderRelease(): string {
  const root = path.join(os.tmpdir(), `mcp-twin-old-${process.pid}-${Date.now()}`);
  releases.push(root);
  for (const dir of ["bin", "dist"]) cpSync(path.resolve(dir), path.join(root, dir), { recursive: true });
  const pkg = JSON.parse(readFileSync(path.resolve("package.json"), "utf8"));
  writeFileSync(path.join(root, "package.json"), JSON.stringify({ ...pkg, version: "0.0.9" }));
  const patch = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) patch(file);
      else if (file.endsWith(".js")) {
        const text = readFileSync(file, "utf8");
        const next = text.replaceAll(`VERSION="${pkg.version}"`, 'VERSION="0.0.9"');
        if (next !== text) writeFileSync(file, next);
      }
    }
  };
  patch(path.join(root, "dist"));
  return path.join(root, "bin", "mcp-twin.js");
}

test("a sync after an upgrade restarts the bridge the older mcp-twin runs, and says so", async () => {
  const port = await freePort();
  const m = setup({}, { fixture: { package: inject("fixtureName"), share: "machine" } });
  const manifest = path.join(m.paths.home, "mcp-twin.jsonc");
  writeFileSync(
    manifest,
    JSON.stringify({ ...JSON.parse(readFileSync(manifest, "utf8")), bridge: { port } }),
  );
  const first = await m.run(["sync"], { timeoutMs: 120_000 });
  expect(first.code, first.stdout + first.stderr).toBe(0);
  const bridgeDir = path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge");
  const serveJson = () => {
    try {
      return JSON.parse(readFileSync(path.join(bridgeDir, "serve.json"), "utf8")) as {
        pid: number;
        version: string;
      };
    } catch {
      return undefined;
    }
  };
  await until("the bridge sync started", serveJson);
  expect((await m.run(["bridge", "stop"])).code).toBe(0);

  // The older release's bridge, on this home's port.
  const old = spawn(process.execPath, [olderRelease(), "serve", "--http", "--port", String(port)], {
    env: { ...process.env, ...m.env },
    stdio: "ignore",
    detached: true,
  });
  pids.push(old.pid!);
  const running = await until("the older bridge", () => {
    const now = serveJson();
    return now?.pid === old.pid ? now : undefined;
  });
  expect(running.version).toBe("0.0.9");

  const r = await m.run(["sync"], { timeoutMs: 120_000 });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const now = await until("the bridge started again", () => {
    const info = serveJson();
    return info && info.pid !== old.pid ? info : undefined;
  });
  expect(alive(old.pid!)).toBe(false);
  expect(now.version).not.toBe("0.0.9");
  expect(r.stdout).toContain(`: it ran mcp-twin 0.0.9, now ${now.version}.`);
  // Stable: the next sync leaves it running.
  const again = await m.run(["sync"], { timeoutMs: 60_000 });
  expect(again.stdout).not.toContain("Bridge restarted");
  expect(serveJson()?.pid).toBe(now.pid);
  // Stopped with its start loop (the machine's cleanup only signals the bridge).
  expect((await m.run(["bridge", "stop"])).code).toBe(0);
}, 240_000);
