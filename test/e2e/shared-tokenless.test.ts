/**
 * Url entries with no credential (sync inside fake WSL, whose bridge tells each connection's account
 * from /proc/net/tcp): Cursor's WSL file, mode 644 as Cursor leaves it, and Claude Code's (600) get a
 * url entry to the gateway with no Authorization — no relay, no token for anyone to read — while
 * Cursor on Windows keeps its own client token. The real bridge sync started takes them; doctor names
 * a token left in a readable file, and an entry with no credential the bridge cannot take.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { clientToken, verifyClientToken } from "../../src/core/bridge-control/client-token.js";
import { entryHash } from "../../src/core/ledger/state.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";

runInProcessByDefault();

let machine: FakeMachine;
let port: number;
let wslCursor: string;
let first: { code: number; stdout: string; stderr: string };

const bridgeDir = (m: FakeMachine) => path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge");
const bridgeToken = (m: FakeMachine) => readFileSync(path.join(bridgeDir(m), "token"), "utf8").trim();
const config = (file: string) => JSON.parse(readFileSync(file, "utf8"));
const entryIn = (file: string, name = "fixture") => config(file).mcpServers?.[name];

interface Check {
  id: string;
  status: string;
  env?: string;
  client?: string;
  message: string;
  fix?: string;
}
async function doctor(m: FakeMachine): Promise<Check[]> {
  const d = await m.run(["doctor", "--json", "--no-probe"]);
  return (JSON.parse(d.stdout) as { checks: Check[] }).checks;
}

/** A url entry used as its client would: its url and headers, nothing else. */
async function viaUrl(entry: { url: string; headers?: Record<string, string> }) {
  const client = new Client({ name: "url-entry", version: "1" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers ?? {} } }),
  );
  return client;
}

/**
 * Replace the user file's entry of `env`'s `client` as mcp-twin would have written it (state records
 * its hash), so sync may replace it again.
 */
function rewriteOwned(
  m: FakeMachine,
  [env, client, file]: [string, string, string],
  entry: Record<string, unknown>,
  mode: number,
) {
  const c = config(file);
  c.mcpServers.fixture = entry;
  writeFileSync(file, JSON.stringify(c, null, 2));
  chmodSync(file, mode);
  const stateFile = path.join(m.paths.home, "state.json");
  const state = JSON.parse(readFileSync(stateFile, "utf8"));
  const target = Object.entries(
    state.targets as Record<string, { entries: Record<string, { hash: string }> }>,
  ).find(([key]) => key.startsWith(`${env}|${client}|user|`))?.[1];
  if (!target?.entries.fixture) throw new Error(`state records no entry for fixture in ${file}`);
  target.entries.fixture.hash = entryHash(entry);
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
}

beforeAll(async () => {
  port = await freePort();
  machine = createFakeMachine({ registryUrl: inject("registryUrl"), procNet: true });
  // Cursor's WSL side (its remote mode): a file others can read, as Cursor writes it (umask 022).
  wslCursor = path.join(machine.paths.linuxHome, ".cursor", "mcp.json");
  mkdirSync(path.dirname(wslCursor), { recursive: true });
  writeFileSync(wslCursor, "{}\n");
  chmodSync(wslCursor, 0o644);
  chmodSync(machine.paths.claudeCodeConfig, 0o600);
  writeManifest(machine, {
    bridge: { port },
    servers: { fixture: { package: inject("fixtureName"), share: "machine" } },
  });
  first = await machine.run(["sync", "--json"]);
}, 180_000);

afterAll(async () => {
  if (machine) await machine.run(["bridge", "stop"]).catch(() => undefined);
  machine?.cleanup();
});

describe("where the bridge tells each connection's account (Linux, WSL)", () => {
  test("a 644 Cursor file and Claude Code's: a url entry with no credential, no relay; Windows' Cursor keeps its client token", () => {
    expect(first.code, first.stderr).toBe(0);
    const url = `http://127.0.0.1:${port}/share/fixture`;
    expect(entryIn(wslCursor)).toEqual({ url });
    expect(entryIn(machine.paths.claudeCodeConfig)).toEqual({ type: "http", url });
    // The file keeps its mode, and holds nothing anyone could use.
    expect(statSync(wslCursor).mode & 0o777).toBe(0o644);
    for (const file of [wslCursor, machine.paths.claudeCodeConfig]) {
      const text = readFileSync(file, "utf8");
      expect(text).not.toContain("mt2.");
      expect(text).not.toContain(bridgeToken(machine));
    }
    const windows = entryIn(machine.paths.cursorConfig);
    const bearer = /^Bearer (mt2\..+)$/.exec(windows.headers.Authorization)?.[1] ?? "";
    expect(verifyClientToken(bridgeToken(machine), bearer)).toEqual({
      share: "fixture",
      label: "windows:cursor",
    });
    // Nothing to chmod: no readable-file paragraph, no relay for it.
    const report = JSON.parse(first.stdout) as {
      targets: Array<{ env: string; client: string; shared?: string[]; relays?: unknown[] }>;
    };
    const cursor = report.targets.find((t) => t.env === "wsl:Ubuntu" && t.client === "cursor");
    expect(cursor?.shared).toEqual(["fixture"]);
    expect(cursor?.relays ?? []).toEqual([]);
  });

  test("the human report says no chmod, and a second sync writes nothing", async () => {
    const again = await machine.run(["sync"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toContain("chmod 600");
    expect(again.stdout).not.toContain("readable by other users");
    expect(readFileSync(wslCursor, "utf8")).toContain(`"url": "http://127.0.0.1:${port}/share/fixture"`);
  }, 60_000);

  test("the bridge sync started takes the entry as its client sends it (no Authorization), and nothing else without a token", async () => {
    const client = await viaUrl(entryIn(wslCursor));
    try {
      const answer = await client.callTool({ name: "whoami", arguments: {} });
      expect(JSON.stringify(answer.content)).toContain("pid");
    } finally {
      await client.close();
    }
    for (const route of ["/mcp", "/control/status"]) {
      const res = await fetch(`http://127.0.0.1:${port}${route}`, {
        method: route === "/mcp" ? "POST" : "GET",
        headers: { "content-type": "application/json" },
        ...(route === "/mcp" ? { body: "{}" } : {}),
      });
      expect(res.status, route).toBe(401);
    }
    const checks = await doctor(machine);
    expect(checks.filter((c) => c.id === "shared.tokenless" || c.id === "shared.token-private")).toEqual([]);
  }, 60_000);

  test("doctor: a client token left in a readable file is named with `mcp-twin sync`, which takes it out", async () => {
    const token = clientToken(bridgeToken(machine), "fixture", "wsl:Ubuntu:cursor");
    const url = `http://127.0.0.1:${port}/share/fixture`;
    rewriteOwned(
      machine,
      ["wsl:Ubuntu", "cursor", wslCursor],
      { url, headers: { Authorization: `Bearer ${token}` } },
      0o644,
    );
    const found = (await doctor(machine)).filter((c) => c.id === "shared.token-private");
    expect(found).toEqual([
      expect.objectContaining({
        status: "fail",
        env: "wsl:Ubuntu",
        client: "cursor",
        message: `${wslCursor} holds the client token of fixture's entry and other users can read it.`,
        fix: "Run `mcp-twin sync`: the bridge knows this client's account, so sync writes its entry with no token.",
      }),
    ]);
    const r = await machine.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(entryIn(wslCursor)).toEqual({ url });
    expect((await doctor(machine)).filter((c) => c.id === "shared.token-private")).toEqual([]);
  }, 90_000);

  test("doctor: an entry with no credential on the other side of the line (Windows) is a finding; sync gives it its token back", async () => {
    const url = `http://127.0.0.1:${port}/share/fixture`;
    rewriteOwned(machine, ["windows", "cursor", machine.paths.cursorConfig], { url }, 0o644);
    const found = (await doctor(machine)).filter((c) => c.id === "shared.tokenless");
    expect(found).toEqual([
      expect.objectContaining({
        status: "fail",
        env: "windows",
        client: "cursor",
        fix: "Run `mcp-twin sync`.",
        message: expect.stringContaining(
          "sends no credential, but it reaches the bridge in wsl:Ubuntu from windows, whose programs the bridge cannot tell by their account",
        ),
      }),
    ]);
    const r = await machine.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(entryIn(machine.paths.cursorConfig).headers.Authorization).toMatch(/^Bearer mt2\.fixture\./);
    expect((await doctor(machine)).filter((c) => c.id === "shared.tokenless")).toEqual([]);
  }, 90_000);
});

describe("where the bridge cannot tell accounts (no /proc/net/tcp, as on macOS)", () => {
  test("a 644 file gets the relay as before; an entry with no credential there is a finding", async () => {
    const m = createFakeMachine({ registryUrl: inject("registryUrl") });
    try {
      const gatewayPort = await freePort();
      const file = path.join(m.paths.linuxHome, ".cursor", "mcp.json");
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, "{}\n");
      chmodSync(file, 0o644);
      writeManifest(m, {
        bridge: { port: gatewayPort },
        servers: { fixture: { package: inject("fixtureName"), share: "machine" } },
      });
      const synced = await m.run(["sync"]);
      expect(synced.code, synced.stderr).toBe(0);
      // Claude Code's file (644 here too) and Cursor's: the relay, and the chmod that gives url entries.
      expect(synced.stdout).toContain(`.json ${file}\`, then \`mcp-twin sync\`, gives them url entries`);
      expect(entryIn(file).args.slice(-2)).toEqual([
        "connect",
        `http://127.0.0.1:${gatewayPort}/share/fixture`,
      ]);
      const url = `http://127.0.0.1:${gatewayPort}/share/fixture`;
      rewriteOwned(m, ["wsl:Ubuntu", "cursor", file], { url }, 0o644);
      const found = (await doctor(m)).filter((c) => c.id === "shared.tokenless");
      expect(found).toEqual([
        expect.objectContaining({
          status: "fail",
          client: "cursor",
          message: `its url entry in ${file} sends no credential, but the bridge in wsl:Ubuntu cannot tell any client's account (no /proc/net/tcp there): the bridge refuses its requests.`,
        }),
      ]);
    } finally {
      await m.run(["bridge", "stop"]).catch(() => undefined);
      m.cleanup();
    }
  }, 180_000);
});
