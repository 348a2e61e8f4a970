/**
 * sync speed: `mcp-twin --version` and a no-op sync (20 servers × 3 clients, environment facts
 * cached) against a bare `node -e 0`, measured side by side; Windows processes started by a no-op
 * sync (target 0) and by a cold one (target ≤ 2), counted through the cmd.exe/wsl.exe stand-ins.
 *
 * BENCH_BASELINE=<another build's bin/mcp-twin.js> (e.g. main's, built in a worktree of its own)
 * measures that build too, in the same rounds, on a machine of its own set up by its own first sync.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BIN, createFakeMachine, writeManifest } from "../test/helpers/fake-machine.js";
import { packFixture } from "../test/helpers/fixture-package.js";
import { startRegistry } from "../test/helpers/registry.js";
import { interleave, median, table, timeOnce, verdict } from "./_lib.js";

export async function run(): Promise<{ ok: boolean }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-bench-sync-"));
  const fixture = await packFixture(dir, "1.0.0");
  const registry = await startRegistry([{ name: fixture.name, version: fixture.version, tgz: fixture.tgz }]);
  const m = createFakeMachine({ registryUrl: registry.url });
  const machines = [m];
  try {
    const servers: Record<string, unknown> = {};
    for (let i = 0; i < 20; i++)
      servers[`server-${i}`] = { package: `${fixture.name}@1.0.0`, args: [`--instance=${i}`] };
    writeManifest(m, { servers });
    const first = await m.run(["sync"]);
    if (first.code !== 0) throw new Error(`first sync failed: ${first.stderr}`);

    const opts = { env: m.env, cwd: m.paths.linuxHome };
    const baseline = process.env.BENCH_BASELINE ? path.resolve(process.env.BENCH_BASELINE) : undefined;
    let other: { run: (args: string[]) => number } | undefined;
    if (baseline) {
      const b = createFakeMachine({ registryUrl: registry.url });
      machines.push(b);
      writeManifest(b, { servers });
      const bOpts = { env: b.env, cwd: b.paths.linuxHome };
      other = { run: (args) => timeOnce(process.execPath, [baseline, ...args], bOpts) };
      // Its own first sync (installs, entries, caches), so its later ones have nothing to do.
      // Not timed, and not spawnSync: its npm installs need this process's registry to answer.
      await new Promise<void>((resolve, reject) =>
        execFile(process.execPath, [baseline, "sync"], bOpts, (error, _out, stderr) =>
          error ? reject(new Error(`baseline's first sync failed: ${stderr}`)) : resolve(),
        ),
      );
      console.log(`Baseline: ${baseline}`);
    }
    m.clearInteropLog();
    const [node, version, help, noop, ...baselineTimes] = interleave(
      [
        { name: "node -e 0", run: () => timeOnce(process.execPath, ["-e", "0"], opts) },
        { name: "mcp-twin --version", run: () => timeOnce(process.execPath, [BIN, "--version"], opts) },
        // The floor of any command: Node, the CLI bundle and commander, no work at all.
        {
          name: "mcp-twin sync --help",
          run: () => timeOnce(process.execPath, [BIN, "sync", "--help"], opts),
        },
        { name: "mcp-twin sync (no-op)", run: () => timeOnce(process.execPath, [BIN, "sync"], opts) },
        ...(other
          ? [
              { name: "baseline --version", run: () => other.run(["--version"]) },
              { name: "baseline sync (no-op)", run: () => other.run(["sync"]) },
            ]
          : []),
      ],
      25,
    );
    const noopInterop = m.interopCalls().length;

    // Cold: environment facts not cached (the home locator is, as after any first run).
    rmSync(path.join(m.paths.home, "cache"), { recursive: true, force: true });
    m.clearInteropLog();
    await m.run(["sync"]);
    const coldInterop = m.interopCalls().length;
    // Fully cold: not even the Windows home locator (a first run on a new machine).
    rmSync(path.join(m.paths.home, "cache"), { recursive: true, force: true });
    rmSync(path.join(m.paths.linuxHome, ".cache", "mcp-twin"), { recursive: true, force: true });
    m.clearInteropLog();
    await m.run(["sync"]);
    const firstEverInterop = m.interopCalls().length;

    const base = median(node!.ms);
    table(
      [node!, version!, help!, noop!, ...baselineTimes].map((t) => ({
        command: t.name,
        "median ms": median(t.ms).toFixed(1),
        "× node -e 0": (median(t.ms) / base).toFixed(2),
      })),
    );
    console.log(
      `Windows processes: no-op sync ${noopInterop} (over ${noop!.ms.length + 2} runs), cold ${coldInterop}, first run ever ${firstEverInterop}`,
    );
    const checks = [
      verdict("--version / node -e 0", median(version!.ms) / base, 1.5),
      verdict("no-op sync / node -e 0", median(noop!.ms) / base, 3),
      verdict("Windows processes in no-op syncs", noopInterop, 0),
      verdict("Windows processes in a cold sync", coldInterop, 2),
    ];
    return { ok: checks.every(Boolean) };
  } finally {
    for (const machine of machines) machine.cleanup();
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
