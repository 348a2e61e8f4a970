/**
 * Every url entry to a shared server carries a credential (sync inside fake WSL, whose bridge also
 * tells each connection's account from /proc/net/tcp): Claude Code's file (600) a url entry with its
 * own client token, Cursor's WSL file (644, as Cursor leaves it) the relay, which reads the token
 * from the bridge's private state folder, until the user makes it private (`chmod 600`, then sync:
 * a url entry). The real bridge sync started takes them, and refuses the same request without its
 * credential; doctor names a token in a readable file, and an entry with none (an earlier mcp-twin's).
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { clientToken, verifyClientToken } from "../../src/core/bridge-link/client-token.js";
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

describe("a credential in every entry, kept where only the user reads it", () => {
  test("Claude Code's private file: a url entry with its client token; a 644 Cursor file: the relay, and the chmod that gives it a url entry; Windows' Cursor its own client token", () => {
    expect(first.code, first.stderr).toBe(0);
    const url = `http://127.0.0.1:${port}/share/fixture`;
    const code = entryIn(machine.paths.claudeCodeConfig);
    expect(code).toMatchObject({ type: "http", url });
    for (const [entry, label] of [
      [code, "wsl:Ubuntu:claude-code"],
      [entryIn(machine.paths.cursorConfig), "windows:cursor"],
    ] as const) {
      const bearer = /^Bearer (mt2\..+)$/.exec(entry.headers.Authorization)?.[1] ?? "";
      expect(verifyClientToken(bridgeToken(machine), bearer)).toEqual({ share: "fixture", label });
    }
    expect(entryIn(wslCursor).args.slice(-4)).toEqual(["connect", url, "--as", "wsl:Ubuntu:cursor"]);
    // The readable file keeps its mode, and holds nothing anyone could use.
    expect(statSync(wslCursor).mode & 0o777).toBe(0o644);
    const text = readFileSync(wslCursor, "utf8");
    expect(text).not.toContain("mt2.");
    expect(text).not.toContain(bridgeToken(machine));
    const report = JSON.parse(first.stdout) as {
      targets: Array<{ env: string; client: string; relays?: Array<{ why?: string }> }>;
    };
    const cursor = report.targets.find((t) => t.env === "wsl:Ubuntu" && t.client === "cursor");
    expect(JSON.stringify(cursor?.relays)).toContain("readable");
  });

  test("the bridge takes each entry as its client sends it, and refuses the same request without its credential", async () => {
    const code = entryIn(machine.paths.claudeCodeConfig);
    const client = await viaUrl(code);
    try {
      const answer = await client.callTool({ name: "whoami", arguments: {} });
      expect(JSON.stringify(answer.content)).toContain("pid");
    } finally {
      await client.close();
    }
    await expect(viaUrl({ url: code.url })).rejects.toThrow(/401|Unauthorized/);
    const checks = await doctor(machine);
    expect(checks.filter((c) => c.id === "shared.tokenless" || c.id === "shared.token-private")).toEqual([]);
  }, 60_000);

  test("`chmod 600` on Cursor's file, then sync: a url entry with its own client token", async () => {
    chmodSync(wslCursor, 0o600);
    const r = await machine.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    const entry = entryIn(wslCursor);
    expect(entry.url).toBe(`http://127.0.0.1:${port}/share/fixture`);
    const bearer = /^Bearer (mt2\..+)$/.exec(entry.headers.Authorization)?.[1] ?? "";
    expect(verifyClientToken(bridgeToken(machine), bearer)).toEqual({
      share: "fixture",
      label: "wsl:Ubuntu:cursor",
    });
    const client = await viaUrl(entry);
    await client.close();
  }, 90_000);

  test("doctor: a client token in a readable file is named with the chmod; sync puts the relay in its place", async () => {
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
        fix: `Run \`chmod 600 ${wslCursor}\`, or \`mcp-twin sync\` (it puts mcp-twin's relay, which holds no token, in its place).`,
      }),
    ]);
    const r = await machine.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(entryIn(wslCursor).args.slice(-4)).toEqual(["connect", url, "--as", "wsl:Ubuntu:cursor"]);
    expect((await doctor(machine)).filter((c) => c.id === "shared.token-private")).toEqual([]);
  }, 90_000);

  test("doctor: an entry with no credential (as an earlier mcp-twin wrote beside the bridge) is a finding; sync gives it its token", async () => {
    const url = `http://127.0.0.1:${port}/share/fixture`;
    rewriteOwned(
      machine,
      ["wsl:Ubuntu", "claude-code", machine.paths.claudeCodeConfig],
      { type: "http", url },
      0o600,
    );
    const found = (await doctor(machine)).filter((c) => c.id === "shared.tokenless");
    expect(found).toEqual([
      expect.objectContaining({
        status: "fail",
        env: "wsl:Ubuntu",
        client: "claude-code",
        fix: "Run `mcp-twin sync`.",
        message: `its url entry in ${machine.paths.claudeCodeConfig} sends no credential, and the bridge takes no request without one: it refuses this entry's requests.`,
      }),
    ]);
    const r = await machine.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(entryIn(machine.paths.claudeCodeConfig).headers.Authorization).toMatch(/^Bearer mt2\.fixture\./);
    expect((await doctor(machine)).filter((c) => c.id === "shared.tokenless")).toEqual([]);
  }, 90_000);
});
