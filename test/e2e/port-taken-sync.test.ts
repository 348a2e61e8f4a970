/**
 * Sync against a bridge port another program holds — another home's bridge, or a plain listener:
 * no entry points there (it would send this home's credential to it); the shared server gets its
 * direct entry for the run, the report says why and names a free port, and that fix works when
 * applied. `bridge start` and doctor give the same fix, never `mcp-twin bridge start`.
 */
import { chmodSync, existsSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, afterEach, describe, expect, inject, test } from "vitest";
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
afterEach(async () => {
  for (const m of machines.splice(0)) {
    const file = path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "serve.json");
    if (existsSync(file)) {
      try {
        process.kill((JSON.parse(readFileSync(file, "utf8")) as { pid: number }).pid, "SIGTERM");
      } catch {
        // gone already
      }
    }
    m.cleanup();
  }
  await stopBridges();
});
afterAll(stopBridges);

const manifest = (port: number) => ({
  bridge: { port },
  servers: { fixture: { package: inject("fixtureName"), share: "machine" } },
});

function home(port: number): FakeMachine {
  const m = createFakeMachine({ registryUrl: inject("registryUrl") });
  machines.push(m);
  writeManifest(m, manifest(port));
  // As Claude Code itself writes it (mode 600): a file only the user reads takes a url entry.
  chmodSync(m.paths.claudeCodeConfig, 0o600);
  return m;
}

const entryIn = (m: FakeMachine) =>
  JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers?.fixture as Record<string, unknown>;

/** Sync: exit 1, the direct entry (nothing at the held port), the line naming the holder and a free port. */
async function syncAgainstHeld(m: FakeMachine, port: number, holder: RegExp) {
  const r = await m.run(["sync"]);
  expect(r.code, r.stdout + r.stderr).toBe(1);
  const entry = entryIn(m);
  expect(JSON.stringify(entry)).not.toContain(`:${port}`);
  expect(entry.url).toBeUndefined();
  expect(JSON.stringify(entry)).toContain(inject("fixtureName"));
  const line = r.stdout.split("\n").find((l) => l.includes(`Port ${port} is held by`)) ?? "";
  expect(line).toMatch(holder);
  expect(line).toContain("fixture got its direct entry for now");
  expect(line).not.toContain("bridge start");
  const fix = /put "port": (\d+) in the "bridge" section of (.+?) \(/.exec(line);
  expect(fix, line).not.toBeNull();
  // The manifest as the report's own "Manifest:" line names it.
  expect(r.stdout).toContain(`Manifest: ${fix?.[2]}\n`);
  return Number(fix?.[1]);
}

describe("a bridge port another program holds", () => {
  test("another home's bridge: sync writes the direct entry, says why, and the port it names works", async () => {
    const port = await freePort();
    const theirs = await startBridge({ root: tempDir(), args: ["--port", String(port)] });
    expect(theirs.port).toBe(port);
    const m = home(port);
    const free = await syncAgainstHeld(
      m,
      port,
      /another mcp-twin bridge, which does not accept this home's token/,
    );
    expect(free).not.toBe(port);

    // `bridge start` and doctor name the same kind of fix, never a start that fails the same way.
    const start = await m.run(["bridge", "start"]);
    expect(start.code).toBe(1);
    expect(start.stderr).toMatch(/put "port": \d+ in the "bridge" section of/);
    const doctor = await m.run(["doctor", "--json", "--no-probe"]);
    const checks = (JSON.parse(doctor.stdout) as { checks: Array<{ id: string; fix?: string }> }).checks;
    const status = checks.find((c) => c.id === "shared.status");
    expect(status?.fix).toMatch(/put "port": \d+ in the "bridge" section of/);
    expect(checks.map((c) => c.fix ?? "").join("\n")).not.toContain("mcp-twin bridge start");

    // The fix, applied as the line says: the url entry, to this home's bridge on that port.
    writeManifest(m, manifest(free));
    const again = await m.run(["sync"]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(entryIn(m).url).toBe(`http://127.0.0.1:${free}/share/fixture`);
    const headers = entryIn(m).headers as Record<string, string>;
    const res = await fetch(String(entryIn(m).url), {
      method: "POST",
      headers: {
        ...headers,
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
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  }, 240_000);

  test("url entries written before another home's bridge took the port: doctor says, once, that another bridge holds it, not a login", async () => {
    const port = await freePort();
    const m = home(port);
    const first = await m.run(["sync"]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(entryIn(m).url).toBe(`http://127.0.0.1:${port}/share/fixture`);
    const serveJson = path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "serve.json");
    const ours = await m.run(["bridge", "stop"]);
    expect(ours.code, ours.stderr).toBe(0);
    expect(existsSync(serveJson)).toBe(false);
    await startBridge({ root: tempDir(), args: ["--port", String(port)] });
    const doctor = await m.run(["doctor", "--json"]);
    const checks = (
      JSON.parse(doctor.stdout) as {
        checks: Array<{ id: string; client?: string; server?: string; message: string; fix?: string }>;
      }
    ).checks;
    const probe = checks.find(
      (c) => c.id === "probe.handshake" && c.server === "fixture" && c.client === "claude-code",
    );
    // One cause, one finding: the handshake points at shared.gateway, which names what holds the port.
    expect(probe?.message).toBe("not reached: the bridge is not there (see shared.gateway).");
    const gateway = checks.find((c) => c.id === "shared.gateway");
    expect(gateway?.message).toMatch(/is held by .*mcp-twin/);
    expect(gateway?.message).not.toMatch(/login/);
    expect(gateway?.fix).toContain("mcp-twin sync");
    expect(checks.map((c) => c.fix ?? "").join("\n")).not.toContain("mcp-twin bridge start");
  }, 240_000);

  test("a plain listener: no entry points at it, and the line names it", async () => {
    const port = await freePort();
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      if (req.headers.authorization) seen.push(req.headers.authorization);
      res.writeHead(200, { "content-type": "text/plain" }).end("hello");
    });
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
    try {
      const m = home(port);
      await syncAgainstHeld(m, port, /a web server that is not this bridge/);
      // Sync itself sent it no credential either.
      expect(seen).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  }, 240_000);

  test("`bridge start` moved the gateway off a port a web server took: bridge status and doctor name the old port's holder and the sync; synced, the entry answers", async () => {
    // The port the home keeps (not pinned): a start moves off it when another program holds it.
    const m = createFakeMachine({ registryUrl: inject("registryUrl"), kind: "linux" });
    machines.push(m);
    writeManifest(m, { servers: { fixture: { package: inject("fixtureName"), share: "machine" } } });
    chmodSync(m.paths.claudeCodeConfig, 0o600);
    expect((await m.run(["sync"])).code).toBe(0);
    expect((await m.run(["bridge", "stop"])).code).toBe(0);
    const old = m.bridgePort ?? 0;
    const server = http.createServer((_req, res) =>
      res.writeHead(200, { "content-type": "text/plain" }).end("hello"),
    );
    await new Promise<void>((r) => server.listen(old, "127.0.0.1", r));
    try {
      const start = await m.run(["bridge", "start"]);
      expect(start.code, start.stderr).toBe(0);
      const moved = /moved to port (\d+)/.exec(start.stdout)?.[1];
      expect(moved, start.stdout).toBeDefined();
      const held = `port ${old} is held by a web server that is not this bridge (HTTP 200)`;
      const status = await m.run(["bridge", "status"]);
      expect(status.stdout).toContain(`▲ Running at http://127.0.0.1:${moved}/mcp\n`);
      expect(status.stdout).toContain(
        `▲ The url entries in linux claude-code name port ${old}, where it no longer runs (${held}`,
      );
      expect(status.stdout).toContain(`run \`mcp-twin sync\` to point them at port ${moved}.`);
      const doctor = JSON.parse((await m.run(["doctor", "--json"])).stdout) as {
        checks: Array<{ id: string; status: string; message: string; fix?: string; server?: string }>;
      };
      const mine = doctor.checks.filter((c) => c.server === "fixture" && c.status !== "pass");
      const gateway = mine.find((c) => c.id === "shared.gateway");
      expect(gateway?.message).toContain(
        `points at port ${old}, but the bridge runs at http://127.0.0.1:${moved}/mcp now: ${held}`,
      );
      expect(gateway?.fix).toBe("Run `mcp-twin sync`: it points the entries at the bridge's port.");
      // Nothing blames the server, nor says the manifest changed.
      expect(JSON.stringify(mine)).not.toContain("share fixture off");
      expect(JSON.stringify(mine)).not.toContain("the manifest or the installed package changed");
      // The fix, done: the entry names the new port, and doctor finds nothing wrong with fixture.
      const synced = await m.run(["sync"]);
      expect(synced.code, synced.stdout).toBe(0);
      expect(String(entryIn(m).url)).toContain(`:${moved}/share/fixture`);
      const after = JSON.parse((await m.run(["doctor", "--json"])).stdout) as typeof doctor;
      expect(after.checks.filter((c) => c.server === "fixture" && c.status === "fail")).toEqual([]);
      expect((await m.run(["bridge", "status"])).stdout).toContain(
        `✔ Running at http://127.0.0.1:${moved}/mcp\n`,
      );
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  }, 240_000);
});
