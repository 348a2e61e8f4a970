/**
 * Issue 11 (journey e, findings 2–3): uninstall and what stays. The bridge is mcp-twin's own
 * process: once no client config holds its entry, uninstall stops it (the lifecycle's stop, which
 * signals only the process holding the bridge's state lock) — and keeps it, saying why, while some
 * config still does. uninstall ends with one true account of what stays (the home with the keys,
 * the backups — none holding a key: each is sealed out —, the packages, the bridge's folder), in `--json` too,
 * never showing a secret or the token. `bridge status` says "not running" without promising that
 * entries start it when none exists. Real processes: the built bridge, on a fake WSL machine.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, inject, test } from "vitest";
import { isAlive as alive } from "../../src/core/system/process-alive.js";
import { killBridge } from "../helpers/bridge-loop.js";
import {
  BIN,
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";
import { freePort } from "../helpers/net.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); the bridge it starts is the built binary.
runInProcessByDefault();

const SECRET = "fx-5b7d9f1a3c5e7a9b";
const setup = fixtureMachines(SECRET);

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) killBridge(pid);
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 40 && alive(pid); i++) await sleep(50);
  return !alive(pid);
}

async function bridgeMachine(): Promise<{ m: FakeMachine; dir: string; pid: () => Promise<number> }> {
  const port = await freePort();
  const m = setup(
    {},
    {
      fixture: {
        package: inject("fixtureName"),
        share: "off",
        env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
      },
    },
  );
  const manifest = path.join(m.paths.home, "mcp-twin.jsonc");
  const doc = JSON.parse(readFileSync(manifest, "utf8"));
  const { writeFileSync } = await import("node:fs");
  writeFileSync(manifest, JSON.stringify({ ...doc, bridge: { enabled: true, port } }, null, 2));
  const sync = await m.run(["sync"]);
  expect(sync.code, sync.stderr).toBe(0);
  const dir = path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge");
  const start = async () => {
    const r = await m.run(["bridge", "start", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const pid = JSON.parse(r.stdout).pid as number;
    started.push(pid);
    expect(alive(pid)).toBe(true);
    return pid;
  };
  return { m, dir, pid: start };
}

const status = async (m: FakeMachine, ...args: string[]) => {
  const text = await m.run(["bridge", "status", ...args]);
  const json = JSON.parse((await m.run(["bridge", "status", "--json"])).stdout);
  return { text: text.stdout, json };
};

test("uninstall stops the bridge once no config holds its entry — not before — and says what stays", async () => {
  const { m, dir, pid: start } = await bridgeMachine();
  const token = readFileSync(path.join(dir, "token"), "utf8").trim();
  const before = await status(m);
  expect(before.json).toMatchObject({ state: "stopped", entries: 3 });
  expect(before.text).toContain("Not running (the entries in 3 client configs start it on first use)");

  const pid = await start();
  // Cursor only: the bridge still has two entries that reach it, so it runs on, and says so.
  const some = await m.run(["uninstall", "--client", "cursor", "--yes"]);
  expect(some.code, some.stderr).toBe(0);
  expect(some.stdout).toContain(
    `The bridge (pid ${pid}) in wsl:Ubuntu keeps running: wsl:Ubuntu claude-code and windows claude-desktop still have its entry.`,
  );
  expect(alive(pid)).toBe(true);

  const dry = await m.run(["uninstall", "--dry-run"]);
  expect(dry.stdout).toContain(`• The bridge (pid ${pid}) in wsl:Ubuntu would be stopped`);
  expect(alive(pid)).toBe(true);

  const all = await m.run(["uninstall", "--yes"]);
  expect(all.code, all.stderr).toBe(0);
  // Who may start it again: every client whose config held its entry, Claude Code's sessions too.
  expect(all.stdout).toContain(
    `✔ Stopped the bridge (pid ${pid}) in wsl:Ubuntu: no client config holds its entry now. Claude Desktop or a Claude Code session still open with a relay to it loaded starts it again on its next call, until it is restarted.`,
  );
  expect(await gone(pid)).toBe(true);
  const report = JSON.parse((await m.run(["uninstall", "--dry-run", "--json"])).stdout);
  expect(report.remains.home).toMatchObject({ path: m.paths.home, manifest: true, secrets: true });
  expect(report.remains.home.backups).toBeGreaterThan(0);
  // The backups of configs that held the fixture's key hold it as a marker only (ledger/sealed-keys.ts).
  expect(report.remains.home.backupsWithKeys).toBe(0);
  expect(report.remains.packages.map((p: { env: string }) => p.env).sort()).toEqual([
    "windows",
    "wsl:Ubuntu",
  ]);
  expect(report.remains.bridgeState).toEqual([{ env: "wsl:Ubuntu", path: dir }]);
  for (const out of [some, dry, all]) {
    expect(out.stdout + out.stderr).not.toContain(SECRET);
    expect(out.stdout + out.stderr).not.toContain(token);
  }

  // Nothing reaches it now: "not running" no longer promises that an entry starts it.
  const after = await status(m);
  expect(after.json).toMatchObject({ state: "stopped", entries: 0 });
  expect(after.text).toContain(
    "Not running, and no client config has its entry (`mcp-twin sync` writes them",
  );
  expect(after.text).not.toMatch(/every client's entry|the entries in/);
  // One line says it is not running (not "was not running" and then "Not running" again).
  const stop = await m.run(["bridge", "stop"]);
  expect(stop.stdout).not.toContain("The bridge was not running.");
  expect(stop.stdout.split("\n").filter((l) => /not running/i.test(l))).toEqual([
    "– Not running, and no client config has its entry (`mcp-twin sync` writes them; they start it on first use)",
  ]);
  expect(stop.stdout).not.toContain("every client's entry starts it");
}, 120_000);

test("a config that does not parse: uninstall leaves it with the repair advice, the bridge runs on for that reason, and bridge stop counts what the files hold", async () => {
  const { m, pid: start } = await bridgeMachine();
  const pid = await start();
  // Claude Code's file cut in half (its mcp-twin entry is lost with the cut).
  const file = m.paths.claudeCodeConfig;
  const text = readFileSync(file, "utf8");
  const { writeFileSync } = await import("node:fs");
  writeFileSync(file, text.slice(0, text.indexOf('"mcp-twin"')));
  const advice = `Fix it by hand at ${file}:`;
  const restore = `Or run \`mcp-twin restore ${file}\` to put the whole file back as mcp-twin last wrote it`;
  const preview = await m.run(["uninstall", "--dry-run"]);
  const line = preview.stdout.split("\n").find((l) => l.includes(file))!;
  expect(line).toBe(`  ✖ wsl:Ubuntu claude-code ${file}  cannot be read: it would be left as it is`);
  expect(preview.stdout).not.toMatch(/\.claude\.json {2}failed/);
  expect(preview.stdout).toContain(`→ ${advice}`);
  expect(preview.stdout).toContain(restore);
  // The true reason it runs on: that file cannot be read (not "still has its entry", from state).
  expect(preview.stdout).toContain(
    `– The bridge (pid ${pid}) in wsl:Ubuntu keeps running: wsl:Ubuntu claude-code's config cannot be read (see above), so whether it holds its entry cannot be told.`,
  );
  expect(preview.stdout).not.toContain("still has its entry");

  // Done for real: the other two files go, that one stays byte for byte, exit 1, the same advice.
  const done = await m.run(["uninstall", "--yes"]);
  expect(done.code).toBe(1);
  expect(done.stdout).toContain(`  ✖ wsl:Ubuntu claude-code ${file}  cannot be read: left as it is`);
  expect(done.stdout).toContain(`→ ${advice}`);
  expect(readFileSync(file, "utf8")).toBe(text.slice(0, text.indexOf('"mcp-twin"')));
  const json = JSON.parse((await m.run(["uninstall", "--dry-run", "--json"])).stdout);
  expect(json.targets).toEqual([
    expect.objectContaining({
      client: "claude-code",
      action: "failed",
      unparsable: true,
      fix: expect.stringContaining(advice),
    }),
  ]);

  // bridge stop: state records the entry in one config, whose file does not parse; none that can
  // be read holds it. Counted from the files, not from state.
  const stop = await m.run(["bridge", "stop"]);
  expect(stop.stdout).toContain(`✔ Stopped the bridge (pid ${pid}).`);
  expect(stop.stdout).toContain(
    `– Not running, and no client config that can be read has its entry; 1 client config mcp-twin wrote it into cannot be read: ${file}`,
  );
  expect(stop.stdout).not.toMatch(/the entries in \d/);
  expect(JSON.parse((await m.run(["bridge", "status", "--json"])).stdout)).toMatchObject({
    entries: 0,
    unreadable: [file],
  });
}, 120_000);

test("bridge status counts the entries the files hold: a config cut in half is named, not counted", async () => {
  const { m } = await bridgeMachine();
  const file = m.paths.claudeCodeConfig;
  const text = readFileSync(file, "utf8");
  const { writeFileSync } = await import("node:fs");
  writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
  const { text: out, json } = await status(m);
  expect(json).toMatchObject({ state: "stopped", entries: 2, unreadable: [file] });
  expect(out).toContain(
    `✔ Not running (the entries in 2 client configs start it on first use; 1 more client config mcp-twin wrote it into cannot be read: ${file})`,
  );
}, 120_000);

test("the account of what stays, in words: where, what holds keys, and how to remove each", async () => {
  const { m, dir } = await bridgeMachine();
  const u = await m.run(["uninstall", "--yes"]);
  expect(u.code, u.stderr).toBe(0);
  const stays = u.stdout.slice(u.stdout.indexOf("What stays"));
  expect(stays).toMatch(
    /• C:\\Users\\alice\\AppData\\Roaming\\mcp-twin holds the manifest, secrets\.json \(your keys\), mcp-twin's records and \d+ backups of your configs\. Delete the folder to remove them; `mcp-twin restore` needs the backups\./,
  );
  expect(stays).toContain(`• Packages mcp-twin installed: ${inject("fixtureName")}@`);
  expect(stays).toContain("`mcp-twin uninstall --packages` removes them.");
  expect(stays).toContain(
    `• The bridge's folder ${dir} in wsl:Ubuntu: its token, memory, notes and hand-off queue.`,
  );
  expect(u.stdout).not.toContain("Stopped the bridge"); // none ran
  expect(u.stdout + u.stderr).not.toContain(SECRET);

  // With --packages they go, and the account says so by leaving them out.
  const p = await m.run(["uninstall", "--packages", "--yes"]);
  expect(p.code, p.stderr).toBe(0);
  expect(p.stdout).toContain(`${inject("fixtureName")} in wsl:Ubuntu: uninstalled`);
  expect(p.stdout).not.toContain("Packages mcp-twin installed");
  expect(existsSync(dir)).toBe(true);
}, 120_000);

/** A fake Windows PC whose bridge runs in WSL (this build installed there), on a port of its own. */
async function windowsWithWslBridge(): Promise<{ win: FakeMachine; bridge: ReturnType<typeof spawn> }> {
  const port = await freePort();
  const win = createFakeMachine({ kind: "windows", registryUrl: inject("registryUrl") });
  writeManifest(win, { bridge: { enabled: true, port }, servers: {} });
  // mcp-twin installed in WSL: this very build.
  const script = path.join(win.paths.linuxPrefix, "lib", "node_modules", "mcp-twin", "bin", "mcp-twin.js");
  mkdirSync(path.dirname(script), { recursive: true });
  symlinkSync(BIN, script);
  // The bridge runs in WSL (started there, as a client's entry would).
  const bridge = spawn(process.execPath, [script, "serve", "--http", "--port", String(port)], {
    env: win.wslEnv,
    cwd: win.paths.linuxHome,
    stdio: "ignore",
  });
  started.push(bridge.pid!);
  const serveJson = path.join(win.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "serve.json");
  for (let i = 0; i < 200 && !existsSync(serveJson); i++) await sleep(50);
  expect(existsSync(serveJson)).toBe(true);
  win.clearInteropLog();
  return { win, bridge };
}

test("run on Windows with a manifest that cannot be parsed: bridge stop and uninstall still stop the bridge in WSL, and say the manifest's problem", async () => {
  for (const command of [
    ["bridge", "stop"],
    ["uninstall", "--yes"],
  ]) {
    const { win, bridge } = await windowsWithWslBridge();
    try {
      writeManifest(win, '{ "servers": { , } }');
      const r = await win.run(command, { cwd: win.paths.profile });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain(`Stopped the bridge (pid ${bridge.pid})`);
      if (command[0] === "bridge") expect(r.stdout).toContain("value expected");
      expect(await gone(bridge.pid!)).toBe(true);
    } finally {
      win.cleanup();
    }
  }
}, 120_000);

test("run on Windows, the bridge in WSL: uninstall stops it there (one `bridge stop` through wsl.exe)", async () => {
  const port = await freePort();
  const win = createFakeMachine({ kind: "windows", registryUrl: inject("registryUrl") });
  try {
    writeManifest(win, { bridge: { enabled: true, port }, servers: {} });
    // mcp-twin installed in WSL: this very build.
    const script = path.join(win.paths.linuxPrefix, "lib", "node_modules", "mcp-twin", "bin", "mcp-twin.js");
    mkdirSync(path.dirname(script), { recursive: true });
    symlinkSync(BIN, script);
    // The bridge runs in WSL (started there, as a client's entry would).
    const bridge = spawn(process.execPath, [script, "serve", "--http", "--port", String(port)], {
      env: win.wslEnv,
      cwd: win.paths.linuxHome,
      stdio: "ignore",
    });
    started.push(bridge.pid!);
    const serveJson = path.join(win.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "serve.json");
    for (let i = 0; i < 200 && !existsSync(serveJson); i++) await sleep(50);
    expect(existsSync(serveJson)).toBe(true);
    win.clearInteropLog();

    const u = await win.run(["uninstall", "--yes"], { cwd: win.paths.profile });
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toContain(`Stopped the bridge (pid ${bridge.pid}) in wsl:Ubuntu`);
    expect(await gone(bridge.pid!)).toBe(true);
    expect(win.interopCalls().filter((c) => c.includes("bridge stop"))).toHaveLength(1);
    // Stopped, it is not asked again (nothing answers: no process through wsl.exe).
    win.clearInteropLog();
    const again = await win.run(["uninstall", "--yes"], { cwd: win.paths.profile });
    expect(again.stdout).not.toContain("bridge (pid");
    expect(win.interopCalls().filter((c) => c.includes("bridge"))).toEqual([]);
  } finally {
    win.cleanup();
  }
}, 120_000);
