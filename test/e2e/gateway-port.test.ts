/**
 * One gateway per user, on a port of its own (issue 42): the port is the one the home keeps
 * (`<home>/bridge.json`, written as mcp-twin writes the one it chose); another program on it — a
 * second user's bridge on the same machine, a plain TCP listener — moves this home's gateway to a
 * free port, recorded, with the entries rewritten and one line that says so; `bridge.port` pins it.
 * And `bridge.enabled` alone gives the bridge's own tools their `mcp-twin` entry: other `bridge`
 * settings add none, and an entry mcp-twin wrote before stays while `enabled` is unsaid. Real
 * processes: the built bridge, started by sync, on fake WSL machines sharing this machine's network.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import { startBridge, cleanup as stopBridges, tempDir } from "../bridge-server/helpers.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); the bridge it starts is the built binary.
runInProcessByDefault();

const machines: FakeMachine[] = [];
const listeners: net.Server[] = [];
const notRoot =
  typeof process.getuid !== "function" || process.getuid() !== 0
    ? "not running as root: cannot run a process as another user account"
    : undefined;
// Shown in every run's output, so a skip is never silent.
if (notRoot) console.warn(`gateway port across user accounts skipped: ${notRoot}`);
/** Another user account of this machine (nobody). */
const OTHER_UID = 65534;

afterEach(async () => {
  await stopBridges();
  for (const m of machines.splice(0)) m.cleanup();
  for (const l of listeners.splice(0)) await new Promise((r) => l.close(r));
});

const shared = { fixture: { package: inject("fixtureName"), share: "machine" } };

/** A fake WSL machine whose home recorded `port` as its gateway's. */
function home(port: number | false, manifest: Record<string, unknown>): FakeMachine {
  const m = createFakeMachine({ registryUrl: inject("registryUrl"), bridgePort: port });
  machines.push(m);
  writeManifest(m, manifest);
  // As Claude Code itself writes it (mode 600): a file only the user reads takes a url entry.
  chmodSync(m.paths.claudeCodeConfig, 0o600);
  return m;
}

const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));
const recorded = (m: FakeMachine) => json(path.join(m.paths.home, "bridge.json")).port as number;
const entryIn = (m: FakeMachine, name = "fixture") =>
  json(m.paths.claudeCodeConfig).mcpServers?.[name] as
    | { url?: string; headers?: Record<string, string>; command?: string; args?: string[] }
    | undefined;
const serveJson = (m: FakeMachine) =>
  json(path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "serve.json")) as {
    pid: number;
    port: number;
  };
/** Every config of the machine that holds an `mcp-twin` entry. */
const bridgeEntries = (m: FakeMachine) =>
  [m.paths.claudeCodeConfig, m.paths.cursorConfig, m.paths.claudeDesktopConfig].filter(
    (f) => existsSync(f) && json(f).mcpServers?.["mcp-twin"] !== undefined,
  );

/** A plain TCP listener on `port`: it takes connections and closes them, speaking no HTTP. */
async function plainListener(port: number): Promise<net.Server> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  listeners.push(server);
  return server;
}

/** An MCP initialize sent as the entry's client sends it: its URL, its headers. */
async function initialize(entry: { url?: string; headers?: Record<string, string> }): Promise<number> {
  const res = await fetch(String(entry.url), {
    method: "POST",
    headers: {
      ...entry.headers,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe("one gateway per user, on a port of its own", () => {
  test("two homes on one machine that want the same port: each gets its own, both syncs exit 0, each entry reaches its own bridge", async () => {
    // As two users of one machine both had 7760 before: the same port in both homes.
    const port = await freePort();
    const a = home(port, { servers: shared });
    const b = home(port, { servers: shared });
    const first = await a.run(["sync"]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(entryIn(a)?.url).toBe(`http://127.0.0.1:${port}/share/fixture`);
    expect(serveJson(a).port).toBe(port);

    const second = await b.run(["sync"]);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const moved = recorded(b);
    expect(moved).not.toBe(port);
    expect(entryIn(b)?.url).toBe(`http://127.0.0.1:${moved}/share/fixture`);
    expect(serveJson(b).port).toBe(moved);
    expect(second.stdout).toContain(
      `Port ${port} is held by another mcp-twin bridge, which does not accept this home's token`,
    );
    expect(second.stdout).toContain(`this home's gateway moved to port ${moved} (kept in `);
    // A kept its port, and said nothing of a move.
    expect(recorded(a)).toBe(port);
    expect(first.stdout).not.toContain("moved to port");

    // Each entry opens its own home's bridge, and not the other's.
    const [ea, eb] = [entryIn(a), entryIn(b)];
    expect(await initialize(ea ?? {})).toBe(200);
    expect(await initialize(eb ?? {})).toBe(200);
    expect(await initialize({ ...ea, url: eb?.url })).toBe(401);
    expect(await initialize({ ...eb, url: ea?.url })).toBe(401);

    // Stable: the next syncs change nothing, in either home.
    for (const m of [a, b]) {
      const again = await m.run(["sync"]);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(again.stdout).not.toContain("moved to port");
    }
    expect([recorded(a), recorded(b)]).toEqual([port, moved]);
  }, 240_000);

  test("a plain TCP listener on the port the home keeps: the gateway moves off it, says so in one line, and the entries follow", async () => {
    const port = await freePort();
    const m = home(port, { servers: shared });
    const first = await m.run(["sync"]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(entryIn(m)?.url).toBe(`http://127.0.0.1:${port}/share/fixture`);
    const stop = await m.run(["bridge", "stop"]);
    expect(stop.code, stop.stderr).toBe(0);
    await plainListener(port);

    const r = await m.run(["sync"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const moved = recorded(m);
    expect(moved).not.toBe(port);
    const lines = r.stdout.split("\n").filter((l) => l.includes(`Port ${port} is held by`));
    expect(lines).toEqual([
      `▲ Port ${port} is held by a program that accepts connections but does not speak HTTP: this home's gateway moved to port ${moved} (kept in ${path.join(m.paths.home, "bridge.json").replace(m.paths.drive, "C:").replaceAll("/", "\\")}), and the entries this sync wrote point there.`,
    ]);
    // Every entry of the shared server was rewritten to the new port; none names the held one.
    expect(entryIn(m)?.url).toBe(`http://127.0.0.1:${moved}/share/fixture`);
    for (const file of [m.paths.claudeCodeConfig, m.paths.cursorConfig, m.paths.claudeDesktopConfig])
      expect(readFileSync(file, "utf8")).not.toContain(`:${port}/`);
    expect(await initialize(entryIn(m) ?? {})).toBe(200);
    expect(serveJson(m).port).toBe(moved);
  }, 240_000);

  test("`bridge start` on a held port the home keeps: started on a free one, recorded, and said", async () => {
    const port = await freePort();
    const m = home(port, { servers: {} });
    await plainListener(port);
    const r = await m.run(["bridge", "start"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const moved = recorded(m);
    expect(moved).not.toBe(port);
    expect(serveJson(m).port).toBe(moved);
    expect(r.stdout + r.stderr).toContain(
      `Port ${port} is held by a program that accepts connections but does not speak HTTP: this home's gateway moved to port ${moved}`,
    );
    expect(r.stdout + r.stderr).toContain("run `mcp-twin sync` to point the clients' entries there");
  }, 120_000);

  test("`bridge.port` pins it: a held pinned port is an error with the fix, nothing moves; unpinned, the port the home keeps", async () => {
    const pinned = await freePort();
    const kept = await freePort();
    const m = home(kept, { bridge: { port: pinned }, servers: shared });
    await plainListener(pinned);
    const r = await m.run(["sync"]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(`Port ${pinned} is held by .*put "port": \\d+ in the "bridge" section of`),
    );
    expect(r.stdout).not.toContain("moved to port");
    expect(JSON.stringify(entryIn(m))).not.toContain(`:${pinned}`);
    expect(recorded(m)).toBe(kept);

    // The pin removed: the port the home keeps, with nothing holding it.
    writeManifest(m, { servers: shared });
    const again = await m.run(["sync"]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(entryIn(m)?.url).toBe(`http://127.0.0.1:${kept}/share/fixture`);
    expect(recorded(m)).toBe(kept);
  }, 240_000);
});

describe("bridge.enabled alone gives the bridge's own tools an entry", () => {
  test("a manifest with only `bridge.port` and `bridge.idleMinutes` writes no `mcp-twin` entry", async () => {
    const m = home(await freePort(), {
      bridge: { port: await freePort(), idleMinutes: 5 },
      servers: { fixture: { package: inject("fixtureName") } },
    });
    const r = await m.run(["sync"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(entryIn(m)).toBeDefined();
    expect(bridgeEntries(m)).toEqual([]);
  }, 120_000);

  test("an entry mcp-twin wrote before stays while `enabled` is unsaid, said once; `enabled: false` removes it", async () => {
    const servers = { fixture: { package: inject("fixtureName") } };
    const m = home(await freePort(), { bridge: { enabled: true }, servers });
    const first = await m.run(["sync"]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const before = bridgeEntries(m);
    expect(before.length).toBeGreaterThan(0);

    // `enabled` unsaid now (the idle time set instead): the entry stays, and how to choose is said once.
    writeManifest(m, { bridge: { idleMinutes: 5 }, servers });
    const kept = await m.run(["sync"]);
    expect(kept.code, kept.stdout + kept.stderr).toBe(0);
    expect(bridgeEntries(m)).toEqual(before);
    const said = kept.stdout.split("\n").filter((l) => l.includes('"enabled"'));
    expect(said).toEqual([
      '▲ The mcp-twin entry (the bridge\'s own tools: memory, notes, hand-off) stays in every client, as before, though the manifest does not say "enabled" in its "bridge" section: put "enabled": true there to keep it, or "enabled": false to remove it (said once).',
    ]);
    const again = await m.run(["sync"]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).not.toContain('"enabled"');
    expect(bridgeEntries(m)).toEqual(before);
    // No `bridge` section at all: still the user's entry.
    writeManifest(m, { servers });
    const none = await m.run(["sync"]);
    expect(none.code, none.stdout + none.stderr).toBe(0);
    expect(bridgeEntries(m)).toEqual(before);

    writeManifest(m, { bridge: { enabled: false }, servers });
    const off = await m.run(["sync"]);
    expect(off.code, off.stdout + off.stderr).toBe(0);
    expect(bridgeEntries(m)).toEqual([]);
  }, 180_000);
});

describe.skipIf(notRoot !== undefined)(
  `two real user accounts${notRoot ? ` (skipped: ${notRoot})` : ""}`,
  () => {
    test("another account's bridge holds the port this home keeps: sync moves this home's gateway, exits 0, and no entry sends its credential to the other account", async () => {
      // The other account's bridge, run as that account, in a home only it owns.
      const root = tempDir();
      mkdirSync(path.join(root, "bridge"), { mode: 0o700 });
      const own = (p: string) => {
        chownSync(p, OTHER_UID, OTHER_UID);
        for (const e of readdirSync(p, { withFileTypes: true }))
          e.isDirectory() ? own(path.join(p, e.name)) : chownSync(path.join(p, e.name), OTHER_UID, OTHER_UID);
      };
      chmodSync(root, 0o755);
      own(root);
      // On a port below the kernel's ephemeral range: sync moves this home's gateway next to it, and
      // a port there is never taken meanwhile by another test's outgoing connection.
      const other = await startBridge({ root, uid: OTHER_UID, port: await freePort() });

      // This account's home wants that port (as both had 7760 before).
      const m = home(other.port, { servers: shared });
      const r = await m.run(["sync"]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const moved = recorded(m);
      expect(moved).not.toBe(other.port);
      expect(r.stdout).toContain(`this home's gateway moved to port ${moved} (kept in `);
      const entry = entryIn(m);
      expect(entry?.url).toBe(`http://127.0.0.1:${moved}/share/fixture`);
      expect(serveJson(m).port).toBe(moved);
      // This home's entry opens its own gateway; sent to the other account's, it is refused.
      expect(await initialize(entry ?? {})).toBe(200);
      expect(await initialize({ ...entry, url: `http://127.0.0.1:${other.port}/share/fixture` })).toBe(401);
      // The other account's bridge is untouched.
      expect(other.child.exitCode).toBeNull();
    }, 240_000);
  },
);
