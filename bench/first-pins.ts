/**
 * First pins at sync (issue 86): a first sync that writes five direct servers, and so now starts
 * and lists them to pin them, against the build before's (`--before 8369e6d1`) same first sync,
 * side by side on fresh machines, printed as a ratio (budget ≤ 1.5×); and the whole sync's CPU
 * (the process and every child it waited for, /usr/bin/time) pinning 500 tools from cached lists,
 * against the same sync with those pins already taken (budget: ≤ 50 ms more). The ratio is given
 * twice: five servers run by `command` (nothing to install), and five run from the packed fixture
 * package, which a real first sync installs with `npm install` (offline, from a loopback registry).
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BIN, createFakeMachine, type FakeMachine, writeManifest } from "../test/helpers/fake-machine.js";
import { packFixture } from "../test/helpers/fixture-package.js";
import { startRegistry } from "../test/helpers/registry.js";
import { median, table, timeOnce, verdict } from "./_lib.js";

const ROUNDS = 5;

/** Wall ms of one sync, not spawnSync: its npm installs need this process's registry to answer. */
function timeAsync(bin: string, m: FakeMachine): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [bin, "sync"], { env: m.env, cwd: m.paths.linuxHome }, (error, _o, stderr) =>
      error ? reject(new Error(`sync failed: ${stderr}`)) : resolve(performance.now() - start),
    ),
  );
}

/** user+sys seconds of a command and its waited-for children, as /usr/bin/time counts them. */
function cpuMs(bin: string, args: string[], m: FakeMachine): number {
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S", process.execPath, bin, ...args], {
    env: m.env,
    cwd: m.paths.linuxHome,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  const [user, sys] = (r.stderr.trim().split("\n").at(-1) ?? "").split(" ").map(Number);
  return ((user ?? 0) + (sys ?? 0)) * 1000;
}

export async function run(): Promise<{ ok: boolean }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-bench-first-pins-"));
  const fixture = await packFixture(dir, "1.0.0");
  const before = process.env.BENCH_BEFORE_BIN;
  const machines: FakeMachine[] = [];
  const registry = await startRegistry([{ name: fixture.name, version: fixture.version, tgz: fixture.tgz }]);
  const fresh = (servers: Record<string, unknown>, registryUrl?: string) => {
    const m = createFakeMachine({
      kind: "linux",
      cursor: false,
      claudeDesktop: false,
      ...(registryUrl ? { registryUrl } : {}),
    });
    machines.push(m);
    writeManifest(m, { servers });
    return m;
  };
  const fromPackage = Object.fromEntries(
    Array.from({ length: 5 }, (_, i) => [
      `package-${i}`,
      { package: `${fixture.name}@${fixture.version}`, args: [`--instance=${i}`] },
    ]),
  );
  try {
    const five = Object.fromEntries(
      Array.from({ length: 5 }, (_, i) => [
        `direct-${i}`,
        { command: process.execPath, args: [fixture.script] },
      ]),
    );
    const now: number[] = [];
    const then: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const a = fresh(five);
      now.push(timeOnce(process.execPath, [BIN, "sync"], { env: a.env, cwd: a.paths.linuxHome }));
      if (before) {
        const b = fresh(five);
        then.push(timeOnce(process.execPath, [before, "sync"], { env: b.env, cwd: b.paths.linuxHome }));
      }
    }
    // The same first sync as a real one runs it: each server's package installed first.
    const nowInstalled: number[] = [];
    const thenInstalled: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      nowInstalled.push(await timeAsync(BIN, fresh(fromPackage, registry.url)));
      if (before) thenInstalled.push(await timeAsync(before, fresh(fromPackage, registry.url)));
    }

    // 500 tools: ten servers of 50, their lists cached by `tools` first (not measured).
    const ten = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [
        `many-${i}`,
        { command: process.execPath, args: [fixture.script, "--tools", "50", `--instance=${i}`] },
      ]),
    );
    const withPins: number[] = [];
    const pinsTaken: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const m = fresh(ten);
      if (
        spawnSync(process.execPath, [BIN, "tools", "--json"], { env: m.env, cwd: m.paths.linuxHome })
          .status !== 0
      )
        throw new Error("tools --json failed");
      withPins.push(cpuMs(BIN, ["sync"], m)); // writes the entries and pins the 500 tools
      rmSync(path.join(m.paths.home, "pins.json"));
      withPins.push(cpuMs(BIN, ["sync"], m)); // a no-op sync pinning them again
      pinsTaken.push(cpuMs(BIN, ["sync"], m)); // the same no-op sync, the pins taken
    }
    const rows = [
      { what: "first sync, 5 direct servers (this build)", ms: median(now) },
      ...(before ? [{ what: "first sync, 5 direct servers (before)", ms: median(then) }] : []),
      { what: "first sync, 5 packages installed (this build)", ms: median(nowInstalled) },
      ...(before ? [{ what: "first sync, 5 packages installed (before)", ms: median(thenInstalled) }] : []),
      { what: "no-op sync pinning 500 tools: CPU", ms: median(withPins.filter((_, i) => i % 2 === 1)) },
      { what: "the same sync, pins taken: CPU", ms: median(pinsTaken) },
    ];
    table(rows.map((r) => ({ what: r.what, "median ms": r.ms.toFixed(1) })));
    const extra = median(withPins.filter((_, i) => i % 2 === 1)) - median(pinsTaken);
    const checks = [verdict("CPU of pinning 500 tools at sync (ms)", extra, 50)];
    if (before) {
      const ratio = median(now) / median(then);
      console.log(`first sync with five direct servers / the build before's: ${ratio.toFixed(2)}×`);
      checks.push(verdict("first sync, 5 direct servers / before", ratio, 1.5));
      const installed = median(nowInstalled) / median(thenInstalled);
      console.log(`first sync installing five packages / the build before's: ${installed.toFixed(2)}×`);
      checks.push(verdict("first sync, 5 packages installed / before", installed, 1.5));
    } else console.log("first sync / the build before: not measured (no --before)");
    return { ok: checks.every(Boolean) };
  } finally {
    for (const m of machines) m.cleanup();
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
