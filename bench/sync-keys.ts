/**
 * A no-op sync whose servers carry keys in their env (12 servers, 6 keys, 3 clients), side by side
 * in interleaved rounds: this build on a fake WSL machine, its keys in Windows' Credential Manager
 * (each read a powershell.exe stand-in through interop), its servers reached through the bridge or
 * `"share": "off"` (keys in the entries), and in secrets.json (MCP_TWIN_KEYCHAIN=off); the same on a
 * Linux machine with a real Secret Service (gnome-keyring on a private D-Bus bus,
 * test/helpers/secret-service.ts); and, with BENCH_BASELINE (`--before`), that build on the same WSL
 * manifest with its secrets.json. Then the keychain reads of one no-op sync, counted: powershell.exe
 * calls in the stand-in's log, method calls on the bus (dbus-monitor). The budget: one read of each
 * key per run, not one per entry — none when no entry holds a key.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  BIN,
  createFakeMachine,
  credentialManagerCalls,
  type FakeMachine,
  writeManifest,
  writeSecrets,
} from "../test/helpers/fake-machine.js";
import { packFixture } from "../test/helpers/fixture-package.js";
import { freePort } from "../test/helpers/net.js";
import { startRegistry } from "../test/helpers/registry.js";
import { startSecretService } from "../test/helpers/secret-service.js";
import { budget, interleave, median, sleep, table } from "./_lib.js";

const KEYS = Object.fromEntries(
  Array.from({ length: 6 }, (_, i) => [`BENCH_KEY_${i}`, `bk-${i}-7Qe2mXc4Rb9LpW3s0${i}`]),
);

function servers(fixture: string, share?: "off"): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < 12; i++)
    out[`server-${i}`] = {
      package: fixture,
      args: [`--instance=${i}`],
      env: { FIXTURE_TOKEN: `\${secret:BENCH_KEY_${i % 6}}` },
      ...(share ? { share } : {}),
    };
  return out;
}

/** Method calls on the bus while `run` runs: SearchItems (a list read) and each secret fetched. */
async function keychainCalls(
  address: string,
  run: () => void,
): Promise<{ searches: number; secrets: number; bySender: number[] }> {
  const monitor: ChildProcess = spawn("dbus-monitor", ["--address", address, "type='method_call'"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  let out = "";
  monitor.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  // Until it prints its own NameAcquired/BecomeMonitor exchange: it listens from then on.
  for (let i = 0; i < 100 && !out.includes("member="); i++) await sleep(20);
  out = "";
  run();
  await sleep(300);
  monitor.kill();
  // Each process on the bus has its own sender: the sync's reads apart from the bridge's reload.
  const calls = out.split("\n").filter((l) => /member=(SearchItems|GetSecrets?)$/.test(l));
  const senders = [...new Set(calls.map((l) => /sender=(\S+)/.exec(l)?.[1] ?? "?"))];
  const of = (member: RegExp) => calls.filter((l) => member.test(l)).length;
  return {
    searches: of(/member=SearchItems$/),
    secrets: of(/member=GetSecrets?$/),
    bySender: senders.map(
      (s) => calls.filter((l) => l.includes(`sender=${s} `) && /GetSecrets?$/.test(l)).length,
    ),
  };
}

export async function run(): Promise<{ ok: boolean }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-bench-sync-keys-"));
  const fixture = await packFixture(dir, "1.0.0");
  const registry = await startRegistry([{ name: fixture.name, version: fixture.version, tgz: fixture.tgz }]);
  const bus = startSecretService();
  const machines: FakeMachine[] = [];
  const bridged: Array<{ m: FakeMachine; env: NodeJS.ProcessEnv }> = [];
  const spec = `${fixture.name}@1.0.0`;
  try {
    const setUp = async (bin: string, share: "off" | undefined, keychain: boolean, kind?: "linux") => {
      const m = createFakeMachine({ registryUrl: registry.url, ...(kind ? { kind } : {}) });
      machines.push(m);
      const env = {
        ...m.env,
        DBUS_SESSION_BUS_ADDRESS: bus.address,
        MCP_TWIN_KEYCHAIN: keychain ? "" : "off",
      };
      writeManifest(m, { bridge: { port: await freePort() }, servers: servers(spec, share) });
      writeSecrets(m, KEYS);
      const opts = { env, cwd: m.paths.linuxHome };
      // Its first sync (installs, entries, the keys moved into the keychain, the bridge started).
      const first = await new Promise<number>((resolve) =>
        spawn(process.execPath, [bin, "sync"], { ...opts, stdio: "ignore" }).on("exit", (c) =>
          resolve(c ?? 1),
        ),
      );
      if (first !== 0) throw new Error(`first sync of ${bin} failed`);
      bridged.push({ m, env });
      return {
        m,
        opts,
        run: () => {
          const start = process.hrtime.bigint();
          const r = spawnSync(process.execPath, [bin, "sync"], { ...opts, stdio: "ignore" });
          if (r.status !== 0) throw new Error(`${bin} sync exited ${r.status}`);
          return Number(process.hrtime.bigint() - start) / 1e6;
        },
      };
    };
    const now = await setUp(BIN, undefined, true);
    const off = await setUp(BIN, "off", true);
    const file = await setUp(BIN, "off", false);
    const linux = await setUp(BIN, undefined, true, "linux");
    const linuxOff = await setUp(BIN, "off", true, "linux");
    const baseline = process.env.BENCH_BASELINE ? path.resolve(process.env.BENCH_BASELINE) : undefined;
    const before = baseline ? await setUp(baseline, undefined, false) : undefined;
    if (baseline) console.log(`Baseline: ${baseline} (its keys in secrets.json: it has no keychain)`);
    const rows = interleave(
      [
        { name: "sync (no-op), keys in the keychain, servers through the bridge", run: now.run },
        { name: 'sync (no-op), keys in the keychain, "share": "off"', run: off.run },
        { name: 'sync (no-op), keys in secrets.json, "share": "off"', run: file.run },
        ...(before ? [{ name: "baseline sync (no-op), keys in secrets.json", run: before.run }] : []),
        { name: "Linux, keys in the Secret Service, servers through the bridge", run: linux.run },
        { name: 'Linux, keys in the Secret Service, "share": "off"', run: linuxOff.run },
      ],
      15,
    );
    table(rows.map((t) => ({ command: t.name, "median ms": median(t.ms).toFixed(1) })));
    const keys = Object.keys(KEYS).length;
    // Inside WSL: each call of the stand-in is one read (a list of every key of the home).
    const standIn = (t: typeof now) => {
      t.m.clearInteropLog();
      t.run();
      return credentialManagerCalls(t.m);
    };
    const [wslReads, wslReadsOff] = [standIn(now), standIn(off)];
    console.log(
      `Credential Manager reads (powershell.exe) in one no-op sync inside WSL: through the bridge ${wslReads}, share off ${wslReadsOff}`,
    );
    const reads = await keychainCalls(bus.address, linux.run);
    const readsOff = await keychainCalls(bus.address, linuxOff.run);
    console.log(
      `Secret Service reads in one no-op sync on Linux (${keys} keys, 12 servers, 3 clients): through the bridge ${reads.searches} list read(s), ${reads.secrets} secret(s) fetched (per process on the bus: ${reads.bySender.join(" + ") || "none"}); share off ${readsOff.searches} list read(s), ${readsOff.secrets} secret(s) fetched`,
    );
    const checks = [
      budget("Credential Manager reads per no-op sync inside WSL, through the bridge (none)", wslReads, 0),
      budget("Credential Manager reads per no-op sync inside WSL, share off (one a run)", wslReadsOff, 1),
      budget("Secret Service secrets fetched per no-op sync, through the bridge (none)", reads.secrets, 0),
      budget(
        "Secret Service secrets fetched per no-op sync, share off (one per key)",
        readsOff.secrets,
        keys,
      ),
      ...(before
        ? [
            budget(
              "no-op sync with keys, this build / baseline",
              median(rows[0]?.ms ?? []) / median(rows[3]?.ms ?? []),
              1.05,
              "×",
            ),
          ]
        : []),
    ];
    return { ok: checks.every(Boolean) };
  } finally {
    for (const { m, env } of bridged)
      spawnSync(process.execPath, [BIN, "bridge", "stop"], { env, cwd: m.paths.linuxHome, stdio: "ignore" });
    for (const m of machines) m.cleanup();
    bus.stop();
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
