/**
 * A remote that speaks only the older HTTP+SSE transport, end to end on the fake Windows + WSL
 * machine, against a real SSE MCP server on a loopback port (the SDK's SSEServerTransport, which
 * refuses requests without its key):
 * - `add <registry name>` of the registry's SSE-only entry → the manifest says `transport: "sse"`;
 *   each client gets the SSE form it documents (Claude Code / VS Code `"type": "sse"`, Gemini CLI
 *   `url` + `"type": "sse"`, Cursor `url`, Windsurf `serverUrl`), Claude Desktop and Codex a `connect --transport sse`
 *   relay with the key in its env; real handshakes through Claude Code's entry (SDK SSE client,
 *   as Claude Code connects) and through Desktop's relay (started through wsl.exe as Desktop does);
 * - doctor completes an SSE handshake with the SSE entries and through the relays; a server that
 *   is gone is a failure naming the SSE handshake;
 * - import reads `"type": "sse"` entries back as one SSE url server, and sync leaves the adopted
 *   entries as they were.
 */
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Client, SSEClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { doctor, failures, one } from "../doctor/helpers.js";
import { createFakeMachine, type FakeMachine, runInProcessByDefault } from "../helpers/fake-machine.js";
import { handshake } from "../helpers/mcp.js";
import { type McpRegistry, RECORDED, startMcpRegistry } from "../helpers/mcp-registry.js";
import { SSE_SERVER_NAME, type SseServer, startSseServer } from "../helpers/sse-server.js";
import { manifestOf, placeJson, places } from "../import/helpers.js";

runInProcessByDefault();

const KEY = "sse-k-3f9a0c7e51d2";
const SECRET = "LEGACY_SSE_API_KEY";
let sse: SseServer;
let registry: McpRegistry;
const machines: FakeMachine[] = [];

beforeAll(async () => {
  sse = await startSseServer({ apiKey: KEY });
  // The recorded SSE-only entry, pointed at the loopback server and asking for its key, as hosted
  // SSE servers publish them (`Bearer {api_key}` with the header marked secret).
  const entries = JSON.parse(readFileSync(RECORDED, "utf8")) as Array<{ server: Record<string, unknown> }>;
  const legacy = entries.find((e) => e.server.name === "com.example/legacy-sse")!;
  legacy.server.remotes = [
    {
      type: "sse",
      url: sse.url,
      headers: [
        {
          name: "Authorization",
          value: "Bearer {api_key}",
          isRequired: true,
          isSecret: true,
          description: "API key",
        },
      ],
    },
  ];
  registry = await startMcpRegistry({ entries: entries as never });
});
afterAll(async () => {
  for (const m of machines.splice(0)) m.cleanup();
  await registry?.close();
  await sse?.close();
});

function machine(): FakeMachine {
  const m = createFakeMachine({ registryUrl: inject("registryUrl"), mcpRegistryUrl: registry.url });
  machines.push(m);
  // Every client present: Gemini CLI and Codex in WSL, VS Code and Windsurf on Windows.
  for (const dir of [
    path.join(m.paths.linuxHome, ".gemini"),
    path.join(m.paths.linuxHome, ".codex"),
    path.join(m.paths.appdata, "Code", "User"),
    path.join(m.paths.profile, ".codeium", "windsurf"),
  ])
    mkdirSync(dir, { recursive: true });
  return m;
}

const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));

/** An SSE session as Claude Code opens one from its entry: the SDK's SSE client with the entry's headers. */
async function sseSession(entry: { url: string; headers?: Record<string, string> }) {
  const client = new Client({ name: "claude-code-stand-in", version: "0.0.0" });
  await client.connect(
    new SSEClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers ?? {} } }),
  );
  return client;
}

describe("add <registry name> of an SSE-only server → sync → handshakes", () => {
  let m: FakeMachine;
  let added: { code: number; stdout: string; stderr: string };
  let unshared: { code: number; stdout: string; stderr: string };
  beforeAll(async () => {
    m = machine();
    added = await m.run(["add", "com.example/legacy-sse", "--secret", `${SECRET}=${KEY}`, "--no-sync"]);
    // Added shared (its key stays in the home: gateway-remote.test); kept unshared here, each client's
    // own SSE form is what is tested.
    unshared = await m.run(["share", "legacy-sse", "off", "--sync"]);
  }, 180_000);

  test("added (no longer refused): the manifest says transport sse, the key is a secret reference", () => {
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout + added.stderr).not.toContain(KEY);
    expect(added.stdout).toContain("(SSE, the older HTTP transport)");
    expect(added.stdout).toContain(
      "Shared per machine (one connection for every client session, from the bridge)",
    );
    expect(added.stdout).toContain(
      "(SSE, the older HTTP transport): every client reaches it through the bridge",
    );
    expect(unshared.code, unshared.stderr).toBe(0);
    const { description: _, ...server } = manifestOf(m).servers["legacy-sse"] ?? {};
    expect(server).toEqual({
      url: sse.url,
      transport: "sse",
      headers: { Authorization: `Bearer \${secret:${SECRET}}` },
      // Written, not removed: a remote with its key in a header is otherwise shared.
      share: "off",
    });
    // Unshared, its key goes into each client's entry: said once, with share as the fix.
    expect(unshared.stdout).toContain("legacy-sse is not shared: its key is in each client's entry of it.");
    expect(unshared.stdout + unshared.stderr).not.toContain(KEY);
  });

  test("each client gets the SSE form it documents; Desktop and Codex a relay speaking SSE", () => {
    const headers = { Authorization: `Bearer ${KEY}` };
    const p = places(m);
    expect(json(m.paths.claudeCodeConfig).mcpServers["legacy-sse"]).toEqual({
      type: "sse",
      url: sse.url,
      headers,
    });
    expect(json(p.vscode.file).servers["legacy-sse"]).toEqual({ type: "sse", url: sse.url, headers });
    expect(json(p.gemini.file).mcpServers["legacy-sse"]).toEqual({ url: sse.url, type: "sse", headers });
    expect(json(p.cursor.file).mcpServers["legacy-sse"]).toEqual({ url: sse.url, headers });
    expect(json(p.windsurf.file).mcpServers["legacy-sse"]).toEqual({ serverUrl: sse.url, headers });
    const desktop = json(m.paths.claudeDesktopConfig).mcpServers["legacy-sse"];
    expect(desktop.command).toBe("wsl.exe");
    const at = desktop.args.indexOf("connect");
    expect(desktop.args.slice(at, at + 4)).toEqual(["connect", sse.url, "--transport", "sse"]);
    expect(desktop.args.join(" ")).not.toContain(KEY);
    expect(Object.values(desktop.env).join(" ")).toContain(KEY);
    const codex = readFileSync(path.join(m.paths.linuxHome, ".codex", "config.toml"), "utf8");
    expect(codex).toContain('"connect"');
    expect(codex).toContain('"--transport", "sse"');
    expect(codex).not.toMatch(/^url\s*=/m);
  });

  test("a real MCP session through Claude Code's SSE entry", async () => {
    const entry = json(m.paths.claudeCodeConfig).mcpServers["legacy-sse"];
    const client = await sseSession(entry);
    try {
      expect(client.getServerVersion()?.name).toBe(SSE_SERVER_NAME);
      const r = await client.callTool({ name: "add", arguments: { a: 2, b: 40 } });
      expect((r.content as Array<{ text: string }>)[0]!.text).toBe("42");
    } finally {
      await client.close();
    }
  });

  test("a real MCP session through Claude Desktop's relay (wsl.exe → connect --transport sse)", async () => {
    const refusedBefore = sse.refused;
    const desktop = json(m.paths.claudeDesktopConfig).mcpServers["legacy-sse"];
    const session = await handshake(desktop, { baseEnv: { PATH: m.env.PATH ?? "" } });
    try {
      expect(session.serverName).toBe(SSE_SERVER_NAME);
      expect(session.tools).toEqual(["add", "echo"]);
      expect(await session.call("echo", { text: "through the relay" })).toBe("through the relay");
    } finally {
      await session.close();
    }
    expect(sse.refused).toBe(refusedBefore); // the key reached the server from the relay's env
  }, 60_000);

  test("doctor: an SSE handshake with each SSE entry, and through the relays", async () => {
    const run = await doctor(m, ["--server", "legacy-sse"]);
    expect(JSON.stringify(run)).not.toContain(KEY);
    expect(failures(run)).toEqual([]); // no drift, no lint finding, every probe through
    // One handshake answers for the configs of an environment that hold the same SSE entry: one
    // finding naming them (doctor groups passes as it groups failures).
    const findingOf = (id: string, client: string, name: string) => {
      const own = run.checks.filter((c) => c.id === id && c.server === "legacy-sse" && c.client === client);
      const shared = run.checks.filter(
        // A grouped finding names its configs at the end ("In 2 client configs: Cursor (windows), …").
        (c) =>
          c.id === id &&
          c.server === "legacy-sse" &&
          !c.client &&
          (c.message.split("client configs: ")[1] ?? "").includes(`${name} (`),
      );
      expect([...own, ...shared], `${id} ${client}`).toHaveLength(1);
      return [...own, ...shared][0]!;
    };
    const probeOf = (client: string, name: string) => findingOf("probe.handshake", client, name);
    for (const [client, name] of [
      ["claude-code", "Claude Code"],
      ["gemini-cli", "Gemini CLI"],
    ] as const) {
      const c = probeOf(client, name);
      expect(c.status, c.message).toBe("pass");
      expect(c.message).toMatch(/^SSE handshake with \S+ in .*: 2 tools \(mcp-twin-sse-fixture\)/);
      expect(findingOf("entry.remote", client, name).message).toContain("SSE server at");
    }
    for (const [client, name] of [
      ["cursor", "Cursor"],
      ["vscode", "VS Code"],
      ["windsurf", "Devin Desktop (Windsurf)"],
    ] as const) {
      const c = probeOf(client, name);
      expect(c.status, c.message).toBe("pass");
      expect(c.message).toContain("SSE handshake");
    }
    // The relays (Claude Desktop on Windows, Codex in WSL) reach it through mcp-twin's relay: one
    // contact for both sides, one finding naming them.
    for (const [client, name] of [
      ["claude-desktop", "Claude Desktop"],
      ["codex", "Codex"],
    ] as const) {
      const c = probeOf(client, name);
      expect(c.status, c.message).toBe("pass");
      expect(c.message).toContain("(through mcp-twin's relay)");
      expect(c.message).toContain("2 tools (mcp-twin-sse-fixture)");
    }
  }, 120_000);
});

describe("import reads SSE entries back as an SSE url server", () => {
  test("Claude Code's and Gemini CLI's type sse → one server with transport sse; sync keeps the entries", async () => {
    const m = machine();
    const p = places(m);
    const headers = { Authorization: `Bearer ${KEY}` };
    placeJson(p.wslCode, { mcpServers: { legacy: { type: "sse", url: sse.url, headers } } });
    // Gemini CLI's own form (`gemini mcp add --transport sse` writes it).
    placeJson(p.gemini, { theme: "Default", mcpServers: { legacy: { url: sse.url, type: "sse", headers } } });
    const imported = await m.run(["import", "--yes"]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout + imported.stderr).not.toContain(KEY);
    const server = manifestOf(m).servers.legacy!;
    expect(server).toMatchObject({ url: sse.url, transport: "sse" });
    expect(JSON.stringify(server.headers)).toMatch(/^\{"Authorization":"Bearer \$\{secret:[A-Z_]+\}"\}$/);

    const before = [p.wslCode.file, p.gemini.file].map((f) => json(f).mcpServers.legacy);
    // Kept in each client's entry as it was (a remote with its key in a header is otherwise shared).
    expect((await m.run(["share", "legacy", "off"])).code).toBe(0);
    const synced = await m.run(["sync"]);
    expect(synced.code, synced.stderr).toBe(0);
    expect([p.wslCode.file, p.gemini.file].map((f) => json(f).mcpServers.legacy)).toEqual(before);
    const desktop = json(m.paths.claudeDesktopConfig).mcpServers.legacy;
    const at = desktop.args.indexOf("connect");
    expect(desktop.args.slice(at, at + 4)).toEqual(["connect", sse.url, "--transport", "sse"]);
  }, 180_000);
});

describe("doctor when the SSE server is gone", () => {
  test("the SSE probe fails and says so", async () => {
    const m = machine();
    placeJson(places(m).wslCode, {
      mcpServers: { gone: { type: "sse", url: sse.url.replace("/sse", "/nothing-here"), headers: {} } },
    });
    const run = await doctor(m, ["--client", "claude-code", "--server", "gone"]);
    const c = one(run, "probe.handshake", { client: "claude-code", server: "gone" });
    expect(c.status).toBe("fail");
    expect(c.message).toContain("the SSE handshake with http://127.0.0.1:");
  }, 60_000);
});
