/**
 * Factory Droid, Junie, Warp and Crush end to end on fake machines: sync writes each one's own
 * file in its own shape, keeping every byte the person wrote; a second sync writes nothing; status,
 * doctor, import, init, restore and uninstall know each one.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { parse as parseJsonc } from "jsonc-parser";
import { describe, expect, inject, test } from "vitest";
import { doctor } from "../doctor/helpers.js";
import { type FakeMachine, runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";
import { handshake } from "../helpers/mcp.js";
import { freePort } from "../helpers/net.js";

runInProcessByDefault();

const SECRET = "fx-d401d3a1c7b5e9f2";
const setup = fixtureMachines(SECRET, () => `${inject("fixtureName")}@1.0.0`);

// Each file as its person writes it, in what its client reads: Factory reads comments (not a
// trailing comma, not a BOM); Crush and Warp read strict JSON; Junie's reader is not documented,
// so its file has a BOM and CRLF, which mcp-twin keeps as they are.
const FACTORY = [
  "// my droid servers",
  "{",
  '  "mcpServers": {',
  '    "mine": { "type": "stdio", "command": "uvx", "args": ["mcp-server-time"], "disabled": false }, // time',
  '    "web": { "type": "http", "url": "https://mcp.example.com/mcp", "disabledTools": ["delete"] }',
  "  },",
  '  "someFutureKey": { "keep": true }',
  "}",
  "",
].join("\r\n");
const JUNIE = `\uFEFF${[
  "{",
  '  "mcpServers": {',
  '    "mine": {',
  '      "command": "uvx",',
  '      "args": ["mcp-server-time"]',
  "    }",
  "  }",
  "}",
  "",
].join("\r\n")}`;
const WARP = [
  "{",
  '\t"mcpServers": {',
  '\t\t"mine": {"command": "uvx", "args": ["mcp-server-time"], "working_directory": "/tmp"},',
  '\t\t"web": {"url": "https://mcp.example.com/mcp", "headers": {"X-Team": "blue"}}',
  "\t},",
  '\t"note": "mine"',
  "}",
].join("\n");
const CRUSH = `${JSON.stringify(
  {
    $schema: "https://charm.land/crush.json",
    options: { debug: false },
    lsp: { go: { command: "gopls" } },
    mcp: { mine: { type: "stdio", command: "uvx", args: ["mcp-server-time"], disabled_tools: ["now"] } },
  },
  null,
  2,
)}\n`;

type ClientId = "factory-droid" | "junie" | "warp" | "crush";
const CLIENTS: ClientId[] = ["factory-droid", "junie", "warp", "crush"];
/** Each client's file under a home folder, and the key that holds its servers. */
const FILE: Record<ClientId, { parts: string[]; key: string; text: string }> = {
  "factory-droid": { parts: [".factory", "mcp.json"], key: "mcpServers", text: FACTORY },
  junie: { parts: [".junie", "mcp", "mcp.json"], key: "mcpServers", text: JUNIE },
  warp: { parts: [".warp", ".mcp.json"], key: "mcpServers", text: WARP },
  crush: { parts: [".config", "crush", "crush.json"], key: "mcp", text: CRUSH },
};

interface TargetRow {
  client: string;
  env: string;
  path: string;
  action: string;
  added: string[];
}
const syncJson = async (m: FakeMachine, ...args: string[]) => {
  const r = await m.run(["sync", "--json", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { targets: TargetRow[] };
};
const ours = (report: { targets: TargetRow[] }) =>
  report.targets
    .filter((t) => (CLIENTS as string[]).includes(t.client))
    .map((t) => `${t.client}@${t.env}: ${t.action}`)
    .sort();
const read = (file: string) => readFileSync(file, "utf8");
const servers = (file: string, client: ClientId) =>
  (parseJsonc(read(file).replace(/^\uFEFF/, "")) as Record<string, Record<string, Record<string, unknown>>>)[
    FILE[client].key
  ] ?? {};
const onDrive = (m: FakeMachine) => (command: string) =>
  /^[A-Za-z]:\\/.test(command) ? path.join(m.paths.drive, ...command.slice(3).split("\\")) : command;

/** The client's file in a home folder; its folder made (the client is present), its text written if given. */
function place(home: string, client: ClientId, text?: string): string {
  const file = path.join(home, ...FILE[client].parts);
  mkdirSync(path.dirname(file), { recursive: true });
  if (text !== undefined) writeFileSync(file, text);
  return file;
}

async function expectStarts(m: FakeMachine, entry: Record<string, unknown>): Promise<void> {
  const session = await handshake(entry as { command: string; args: string[]; env: Record<string, string> }, {
    resolveCommand: onDrive(m),
    baseEnv: { PATH: m.env.PATH ?? "" },
  });
  try {
    expect(session.tools).toContain("echo");
    expect(JSON.parse(await session.call("env", { name: "FIXTURE_TOKEN" }))).toEqual({
      set: true,
      length: SECRET.length,
    });
  } finally {
    await session.close();
  }
}

describe("sync on both sides of the Windows/WSL line", () => {
  test("each client's own file and shape, the person's bytes kept, every entry starts the server, a second sync writes nothing, uninstall gives the bytes back", async () => {
    const m = setup();
    // Inside WSL: the CLIs (Droid, Junie, Crush); on Windows: all four (Warp is a Windows app there).
    const linux = {
      "factory-droid": place(m.paths.linuxHome, "factory-droid", FACTORY),
      junie: place(m.paths.linuxHome, "junie", JUNIE),
      crush: place(m.paths.linuxHome, "crush", CRUSH),
    };
    const windows = {
      "factory-droid": place(m.paths.profile, "factory-droid"),
      junie: place(m.paths.profile, "junie"),
      warp: place(m.paths.profile, "warp", WARP),
      crush: place(m.paths.profile, "crush"),
    };
    const report = await syncJson(m);
    expect(ours(report)).toEqual([
      "crush@windows: created",
      "crush@wsl:Ubuntu: updated",
      "factory-droid@windows: created",
      "factory-droid@wsl:Ubuntu: updated",
      "junie@windows: created",
      "junie@wsl:Ubuntu: updated",
      "warp@windows: updated",
    ]);
    expect(report.targets.find((t) => t.client === "warp")?.path).toBe(
      `C:\\Users\\${m.windowsUser}\\.warp\\.mcp.json`,
    );
    expect(JSON.stringify(report)).not.toContain(SECRET);

    const script = path.join(
      m.paths.linuxPrefix,
      "lib",
      "node_modules",
      inject("fixtureName"),
      "dist",
      "server.js",
    );
    const launch = { command: "/usr/bin/node", args: [script], env: { FIXTURE_TOKEN: SECRET } };
    expect(servers(linux["factory-droid"], "factory-droid").fixture).toEqual({ type: "stdio", ...launch });
    expect(servers(linux.crush, "crush").fixture).toEqual({ type: "stdio", ...launch });
    expect(servers(linux.junie, "junie").fixture).toEqual(launch);
    expect(servers(windows.warp, "warp").fixture).toMatchObject({
      command: "C:\\PROGRA~1\\nodejs\\node.exe",
      env: { FIXTURE_TOKEN: SECRET },
    });
    expect(servers(windows.warp, "warp").fixture).not.toHaveProperty("type");
    expect(Object.keys(servers(linux["factory-droid"], "factory-droid"))).toEqual(["mine", "web", "fixture"]);
    expect(Object.keys(servers(windows.warp, "warp"))).toEqual(["mine", "web", "fixture"]);

    // Every line the person wrote is still there, in order, with its CRLF, BOM or tabs.
    for (const [file, text] of [
      [linux["factory-droid"], FACTORY],
      [linux.junie, JUNIE],
      [linux.crush, CRUSH],
      [windows.warp, WARP],
    ] as const) {
      const now = read(file);
      const eol = text.includes("\r\n") ? "\r\n" : "\n";
      expect(now.startsWith("\uFEFF"), file).toBe(text.startsWith("\uFEFF"));
      const lines = now.split(eol);
      let at = 0;
      // The last entry before ours gains the comma that separates them, and nothing else changes.
      for (const line of text.split(eol).filter((l) => !/^\s*[}\]],?$/.test(l))) {
        const found = lines.findIndex((l, i) => i >= at && (l === line || l === `${line},`));
        expect(found, `${file}: ${line}`).toBeGreaterThanOrEqual(at);
        at = found;
      }
      if (eol === "\r\n") expect(now.replace(/\r\n/g, "")).not.toContain("\n");
    }
    for (const file of [...Object.values(linux), ...Object.values(windows)]) {
      const client = CLIENTS.find((c) => file.endsWith(path.join(...FILE[c].parts))) as ClientId;
      await expectStarts(m, servers(file, client).fixture as Record<string, unknown>);
    }

    const before = [...Object.values(linux), ...Object.values(windows)].map(read);
    const second = await syncJson(m);
    expect(new Set(ours(second).map((row) => row.split(": ")[1]))).toEqual(new Set(["unchanged"]));
    expect([...Object.values(linux), ...Object.values(windows)].map(read)).toEqual(before);

    const status = await m.run(["status", "--json"]);
    const rows = (JSON.parse(status.stdout) as Array<{ client: string; env: string; state: string }>)
      .filter((r) => (CLIENTS as string[]).includes(r.client))
      .map((r) => `${r.client}@${r.env}: ${r.state}`)
      .sort();
    expect(rows).toEqual(ours(second).map((row) => row.replace("unchanged", "synced")));

    const u = await m.run(["uninstall", "--yes"]);
    expect(u.code, u.stderr).toBe(0);
    expect(read(linux["factory-droid"])).toBe(FACTORY);
    expect(read(linux.junie)).toBe(JUNIE);
    expect(read(linux.crush)).toBe(CRUSH);
    expect(read(windows.warp)).toBe(WARP);
    for (const file of [windows["factory-droid"], windows.junie, windows.crush])
      expect(existsSync(file)).toBe(false);
  }, 240_000);

  test("a client rewrites its entry its own way: `droid mcp add` (key order, `disabled`, 2-space JSON) is neither drift nor rewritten", async () => {
    const m = await setup.synced({ kind: "linux" });
    const file = place(m.paths.linuxHome, "factory-droid", '{ "mcpServers": {} }\n');
    await syncJson(m);
    const entry = servers(file, "factory-droid").fixture!;
    // What droid 0.225.2 wrote when it rewrote the file: its own key order, `disabled: false` added.
    const { type, ...rest } = entry;
    writeFileSync(
      file,
      `${JSON.stringify({ mcpServers: { fixture: { ...rest, disabled: false, type } } }, null, 2)}\n`,
    );
    const after = read(file);
    const again = await syncJson(m, "--client", "factory-droid");
    expect(ours(again)).toEqual(["factory-droid@linux: unchanged"]);
    expect(read(file)).toBe(after);
  });
});

describe("on their own machines", () => {
  test("Windows: %USERPROFILE%\\.warp\\.mcp.json and %USERPROFILE%\\.config\\crush\\crush.json, entries that start", async () => {
    const m = setup({ kind: "windows" });
    const warpFile = place(m.paths.profile, "warp");
    const crushFile = place(m.paths.profile, "crush");
    const report = await syncJson(m);
    expect(ours(report)).toEqual(["crush@windows: created", "warp@windows: created"]);
    expect(
      report.targets.filter((t) => t.client === "warp" || t.client === "crush").map((t) => t.path),
    ).toEqual([
      `C:\\Users\\${m.windowsUser}\\.warp\\.mcp.json`,
      `C:\\Users\\${m.windowsUser}\\.config\\crush\\crush.json`,
    ]);
    await expectStarts(m, servers(warpFile, "warp").fixture as Record<string, unknown>);
    await expectStarts(m, servers(crushFile, "crush").fixture as Record<string, unknown>);
  });

  test("Linux: `crush` on PATH makes Crush present; $CRUSH_GLOBAL_CONFIG moves its file", async () => {
    const m = setup({ kind: "linux" });
    expect(ours(await syncJson(m))).toEqual([]);
    const bin = path.join(m.root, "crush-bin");
    mkdirSync(bin);
    writeFileSync(path.join(bin, "crush"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const onPath = await m.run(["sync", "--json"], { env: { PATH: `${bin}:${m.env.PATH}` } });
    expect(onPath.code, onPath.stderr).toBe(0);
    expect(ours(JSON.parse(onPath.stdout))).toEqual(["crush@linux: created"]);
    expect(servers(path.join(m.paths.linuxHome, ...FILE.crush.parts), "crush").fixture).toMatchObject({
      type: "stdio",
    });
    const own = path.join(m.root, "crush-config");
    mkdirSync(own);
    const moved = await m.run(["sync", "--json", "--client", "crush"], { env: { CRUSH_GLOBAL_CONFIG: own } });
    expect(moved.code, moved.stderr).toBe(0);
    expect(JSON.parse(moved.stdout).targets).toMatchObject([
      { client: "crush", path: path.join(own, "crush.json"), note: "$CRUSH_GLOBAL_CONFIG" },
    ]);
    expect(servers(path.join(own, "crush.json"), "crush").fixture).toBeDefined();
  });
});

describe("remote servers, and shared ones through the gateway", () => {
  test("each client's own remote forms; a project-shared server and every Junie entry reach their server through the relay", async () => {
    const m = setup({ kind: "linux" });
    const port = await freePort();
    const files = Object.fromEntries(CLIENTS.map((c) => [c, place(m.paths.linuxHome, c)])) as Record<
      ClientId,
      string
    >;
    writeManifest(m, {
      bridge: { port },
      servers: {
        api: { url: "https://mcp.example.com/mcp" },
        events: { url: "https://mcp.example.com/sse", transport: "sse" },
        fixture: { package: `${inject("fixtureName")}@1.0.0`, share: "machine" },
        perproject: { package: `${inject("fixtureName")}@1.0.0`, share: "project" },
      },
    });
    try {
      await syncJson(m);
      const gateway = `http://127.0.0.1:${port}/share/fixture`;
      const droid = servers(files["factory-droid"], "factory-droid");
      expect(droid.api).toEqual({ type: "http", url: "https://mcp.example.com/mcp" });
      expect(droid.events).toEqual({ type: "sse", url: "https://mcp.example.com/sse" });
      expect(droid.fixture).toMatchObject({ type: "http", url: gateway });
      const crushEntries = servers(files.crush, "crush");
      expect(crushEntries.api).toEqual({ type: "http", url: "https://mcp.example.com/mcp" });
      expect(crushEntries.events).toEqual({ type: "sse", url: "https://mcp.example.com/sse" });
      expect(crushEntries.fixture).toMatchObject({ type: "http", url: gateway });
      const warpEntries = servers(files.warp, "warp");
      expect(warpEntries.api).toEqual({ url: "https://mcp.example.com/mcp" });
      expect(warpEntries.events).toEqual({ url: "https://mcp.example.com/sse" });
      expect(warpEntries.fixture).toMatchObject({ url: gateway });
      // No documented way to name the folder it works in: the relay names its own.
      for (const client of ["factory-droid", "warp", "crush"] as const)
        expect(servers(files[client], client).perproject?.args, client).toContain("connect");
      // Junie takes stdio only: every remote and shared server is the relay.
      const junieEntries = servers(files.junie, "junie");
      for (const name of ["api", "events", "fixture", "perproject"]) {
        expect(junieEntries[name], name).toMatchObject({ command: expect.any(String) });
        expect(junieEntries[name]!.args, name).toContain("connect");
        expect(junieEntries[name], name).not.toHaveProperty("url");
      }
      // Used as Droid uses a url entry: Streamable HTTP with its headers, to the server in the gateway.
      const headers = (droid.fixture!.headers ?? {}) as Record<string, string>;
      const client = new Client({ name: "droid-like", version: "1" });
      await client.connect(new StreamableHTTPClientTransport(new URL(gateway), { requestInit: { headers } }));
      try {
        expect((await client.listTools()).tools.map((t) => t.name)).toContain("echo");
      } finally {
        await client.close();
      }
    } finally {
      await m.run(["bridge", "stop"]);
    }
  }, 180_000);
});

describe("doctor knows each client", () => {
  test("every entry started as its client starts it; each strict reader's dialect judged (Factory's comments pass, a trailing comma or a BOM fails)", async () => {
    const m = await setup.synced({ kind: "linux" });
    const files = Object.fromEntries(CLIENTS.map((c) => [c, place(m.paths.linuxHome, c)])) as Record<
      ClientId,
      string
    >;
    writeFileSync(files["factory-droid"], FACTORY);
    await syncJson(m);
    const run = await doctor(
      m,
      CLIENTS.flatMap((c) => ["--client", c]),
    );
    const handshakes = run.checks.filter((c) => c.id === "probe.handshake" && c.server === "fixture");
    expect(handshakes.length).toBeGreaterThan(0);
    expect(handshakes.map((c) => c.status)).toEqual(handshakes.map(() => "pass"));
    // One start for the clients that start it the same way, each named.
    const named = handshakes.map((c) => c.message).join("\n");
    for (const name of ["Factory Droid (linux)", "Junie (linux)", "Warp (linux)", "Crush (linux)"])
      expect(named).toContain(name);
    const startup = (client: string) =>
      run.checks.find((c) => c.id === "probe.startup" && c.server === "fixture" && c.client === client)
        ?.message;
    expect(startup("factory-droid")).toMatch(/its client allows 30 s\.$/);
    expect(startup("crush")).toMatch(/its client allows 10 s\.$/);
    expect(run.checks.filter((c) => c.id === "config.strict-json")).toEqual([]);

    writeFileSync(files["factory-droid"], FACTORY.replace('"keep": true }', '"keep": true },'));
    writeFileSync(files.crush, `\uFEFF${read(files.crush)}`);
    const strict = (await doctor(m, ["--client", "factory-droid", "--client", "crush", "--no-probe"])).checks
      .filter((c) => c.id === "config.strict-json")
      .map((c) => [c.client, c.status, c.message.replace(/ \(.*\)/, "")]);
    expect(strict).toEqual([
      [
        "factory-droid",
        "fail",
        `Factory Droid rejects a trailing comma in ${files["factory-droid"]}, and then reads none of it.`,
      ],
      ["crush", "fail", `Crush reads none of ${files.crush}: it starts with a byte-order mark.`],
    ]);
  });

  test("where `droid` is on PATH, `droid mcp list` must list every server of the user file", async () => {
    const m = await setup.synced({ kind: "linux" });
    const file = place(m.paths.linuxHome, "factory-droid", FACTORY);
    await syncJson(m);
    const bin = path.join(m.root, "droid-bin");
    mkdirSync(bin, { recursive: true });
    const droid = (lines: string[]) => {
      writeFileSync(
        path.join(bin, "droid"),
        `#!/bin/sh\ncat <<'EOF'\nConnecting to configured MCP servers to check status...\nConfigured MCP servers:\n${lines.join("\n")}\nEOF\n`,
        { mode: 0o755 },
      );
      return { PATH: `${bin}:${m.env.PATH}` };
    };
    const own = async (env: Record<string, string>) =>
      (await doctor(m, ["--client", "factory-droid", "--no-probe"], { env })).checks.filter(
        (c) => c.id === "config.own-list",
      );
    // What droid 0.225.2 prints: a server of the project file is `[project]`, not the user file's.
    const listed = droid([
      "  fixture  stdio  connected  [user]",
      "  mine  stdio  failed: Failed to connect to MCP server  [user]",
      "  web  http  connecting  [user]",
      "  team  stdio  connected  [project]",
    ]);
    expect(await own(listed)).toMatchObject([{ status: "pass", client: "factory-droid" }]);
    expect(
      await own(droid(["  fixture  stdio  connected  [user]", "  team  stdio  connected  [project]"])),
    ).toMatchObject([{ status: "fail", message: expect.stringContaining("does not list mine, web") }]);
    expect(read(file)).toContain("// my droid servers");
  });
});

describe("import reads each client's own shape", () => {
  test("typed Droid and Crush entries, Warp's url for both transports, Junie's plain stdio", async () => {
    const m = setup({ kind: "linux" }, {});
    const files: Record<ClientId, string> = {
      "factory-droid": place(
        m.paths.linuxHome,
        "factory-droid",
        `${JSON.stringify({
          mcpServers: {
            time: { type: "stdio", command: "uvx", args: ["mcp-server-time"], disabled: false },
            live: { type: "sse", url: "https://mcp.example.com/sse" },
          },
        })}\n`,
      ),
      junie: place(
        m.paths.linuxHome,
        "junie",
        `${JSON.stringify({ mcpServers: { fetch: { command: "uvx", args: ["mcp-server-fetch"] } } })}\n`,
      ),
      warp: place(
        m.paths.linuxHome,
        "warp",
        `${JSON.stringify({ mcpServers: { docs: { url: "https://mcp.example.com/mcp" } } })}\n`,
      ),
      crush: place(
        m.paths.linuxHome,
        "crush",
        `${JSON.stringify({ mcp: { api: { type: "http", url: "https://api.example.com/mcp", timeout: 30 } } })}\n`,
      ),
    };
    const before = CLIENTS.map((c) => read(files[c]));
    const r = await m.run(["import", "--yes", ...CLIENTS.flatMap((c) => ["--client", c])]);
    expect(r.code, r.stderr).toBe(0);
    const manifest = parseJsonc(read(path.join(m.paths.home, "mcp-twin.jsonc"))) as {
      servers: Record<string, Record<string, unknown>>;
    };
    expect(manifest.servers).toMatchObject({
      time: { command: "uvx", args: ["mcp-server-time"] },
      live: { url: "https://mcp.example.com/sse", transport: "sse" },
      fetch: { command: "uvx", args: ["mcp-server-fetch"] },
      docs: { url: "https://mcp.example.com/mcp" },
      api: { url: "https://api.example.com/mcp" },
    });
    expect(manifest.servers.api!.transport).toBeUndefined();
    // Adopted: the person's entries are left as they were.
    expect(CLIENTS.map((c) => read(files[c]))).toEqual(before);
  });
});

describe("init and restore", () => {
  test("init finds each client where its folder is", async () => {
    const m = setup();
    for (const c of ["factory-droid", "junie", "crush"] as const) place(m.paths.linuxHome, c);
    place(m.paths.profile, "warp");
    const r = await m.run(["init", "--yes", "--dry-run", "--no-sync"]);
    expect(r.code, r.stderr).toBe(0);
    const line = (env: string) => r.stdout.split("\n").find((l) => l.includes(` ${env} `)) ?? "";
    for (const name of ["Factory Droid", "Junie", "Crush"]) expect(line("wsl:Ubuntu")).toContain(name);
    expect(line("wsl:Ubuntu")).not.toContain("Warp");
    expect(line("windows")).toContain("Warp");
  });

  test("restore --original puts each file back as it was before mcp-twin", async () => {
    const m = await setup.synced({ kind: "linux" });
    const files = {
      "factory-droid": place(m.paths.linuxHome, "factory-droid", FACTORY),
      crush: place(m.paths.linuxHome, "crush", CRUSH),
      warp: place(m.paths.linuxHome, "warp", WARP),
    };
    await syncJson(m);
    for (const [client, file] of Object.entries(files)) {
      expect(read(file), client).toContain('"fixture"');
      const back = await m.run(["restore", client, "--original"]);
      expect(back.code, back.stderr).toBe(0);
    }
    expect(read(files["factory-droid"])).toBe(FACTORY);
    expect(read(files.crush)).toBe(CRUSH);
    expect(read(files.warp)).toBe(WARP);
  });
});
