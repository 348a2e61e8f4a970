/**
 * GitHub Copilot CLI end to end on fake machines (WSL with its Windows side, Linux, Windows): sync
 * writes ~/.copilot/mcp-config.json keeping every byte the user wrote, entries start the server, a
 * rewrite by Copilot is not drift; import, status, doctor and uninstall know the client.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, inject, test } from "vitest";
import { parseConfig, readEntries } from "../../src/core/formats/json/merge.js";
import { doctor } from "../doctor/helpers.js";
import type { FakeMachine } from "../helpers/fake-machine.js";
import { runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";
import { handshake } from "../helpers/mcp.js";
import { freePort } from "../helpers/net.js";

runInProcessByDefault();

const SECRET = "fx-c0p11075ec7e7a11";
const setup = fixtureMachines(SECRET, () => `${inject("fixtureName")}@1.0.0`);

// A file as people write it (Copilot reads comments and trailing commas): other servers, keys of
// its own, odd spacing.
const HAND_WRITTEN = [
  "// my Copilot servers",
  "{",
  '  "mcpServers": {',
  '    "mine": { "type": "local", "command": "uvx", "args": ["mcp-server-time"], "tools": ["now"] },',
  '    "web":  { "url": "https://mcp.example.com/mcp", "headers": { "X-Team": "blue" } }, // untyped: http',
  "  },",
  '  "someFutureKey": { "keep": true },',
  "}",
  "",
].join("\n");

interface TargetRow {
  client: string;
  env: string;
  path: string;
  action: string;
  added: string[];
  note?: string;
}
const syncJson = async (m: FakeMachine, ...args: string[]) => {
  const r = await m.run(["sync", "--json", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { targets: TargetRow[] };
};
const copilotTargets = (report: { targets: TargetRow[] }): Record<string, TargetRow> =>
  Object.fromEntries(report.targets.filter((t) => t.client === "copilot-cli").map((t) => [t.env, t]));
const read = (file: string) => readFileSync(file, "utf8");
/** The file's servers, read as Copilot reads it: comments and trailing commas allowed. */
const servers = (file: string) =>
  JSON.parse(
    read(file)
      .replace(/^\s*\/\/.*$/gm, "")
      .replace(/\/\/[^"\n]*$/gm, "")
      .replace(/,(\s*[}\]])/g, "$1"),
  ).mcpServers as Record<string, Record<string, unknown>>;
const onDrive = (m: FakeMachine) => (command: string) =>
  /^[A-Za-z]:\\/.test(command) ? path.join(m.paths.drive, ...command.slice(3).split("\\")) : command;

function withCopilot(m: FakeMachine, linuxText?: string): { linux: string; windows: string } {
  const linux = path.join(m.paths.linuxHome, ".copilot", "mcp-config.json");
  const windows = path.join(m.paths.profile, ".copilot", "mcp-config.json");
  mkdirSync(path.dirname(linux), { recursive: true });
  mkdirSync(path.dirname(windows), { recursive: true });
  if (linuxText !== undefined) writeFileSync(linux, linuxText);
  return { linux, windows };
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

describe("sync writes GitHub Copilot CLI on both sides of the Windows/WSL line", () => {
  test("~/.copilot/mcp-config.json on each side, the user's bytes kept, each entry starts the server, a second sync writes nothing", async () => {
    const m = setup();
    const files = withCopilot(m, HAND_WRITTEN);
    const report = await syncJson(m);
    const targets = copilotTargets(report);
    expect(targets["wsl:Ubuntu"]).toMatchObject({ action: "updated", added: ["fixture"] });
    expect(targets.windows).toMatchObject({ action: "created", added: ["fixture"] });
    expect(targets.windows!.path).toBe(`C:\\Users\\${m.windowsUser}\\.copilot\\mcp-config.json`);

    const linux = read(files.linux);
    // Every line the user wrote is still there, in order; only our entry was added.
    const lines = linux.split("\n");
    let at = 0;
    for (const line of HAND_WRITTEN.split("\n")) {
      at = lines.indexOf(line, at);
      expect(at, line).toBeGreaterThanOrEqual(0);
    }
    const fixtureScript = path.join(
      m.paths.linuxPrefix,
      "lib",
      "node_modules",
      inject("fixtureName"),
      "dist",
      "server.js",
    );
    expect(servers(files.linux).fixture).toEqual({
      type: "stdio",
      command: "/usr/bin/node",
      args: [fixtureScript],
      env: { FIXTURE_TOKEN: SECRET },
      tools: ["*"],
    });
    expect(Object.keys(servers(files.linux))).toEqual(["mine", "web", "fixture"]);
    expect(servers(files.windows).fixture).toMatchObject({
      type: "stdio",
      command: "C:\\PROGRA~1\\nodejs\\node.exe",
      env: { FIXTURE_TOKEN: SECRET },
      tools: ["*"],
    });
    for (const file of [files.linux, files.windows]) await expectStarts(m, servers(file).fixture!);
    expect(JSON.stringify(report)).not.toContain(SECRET);

    const before = [read(files.linux), read(files.windows)];
    const second = await syncJson(m);
    expect(Object.values(copilotTargets(second)).map((t) => t.action)).toEqual(["unchanged", "unchanged"]);
    expect([read(files.linux), read(files.windows)]).toEqual(before);

    const status = await m.run(["status", "--json"]);
    const rows = (JSON.parse(status.stdout) as Array<{ client: string; env: string; state: string }>).filter(
      (r) => r.client === "copilot-cli",
    );
    expect(rows.map((r) => [r.env, r.state])).toEqual([
      ["wsl:Ubuntu", "synced"],
      ["windows", "synced"],
    ]);

    // `copilot mcp add` rewrites the whole file (2-space JSON, no comments, `tools` first): our
    // entry still says the same, so it is neither drift nor rewritten by the next sync.
    const rewritten = { mcpServers: servers(files.linux) };
    const fixture = rewritten.mcpServers.fixture!;
    rewritten.mcpServers.fixture = { tools: fixture.tools, ...fixture };
    writeFileSync(files.linux, `${JSON.stringify(rewritten, null, 2)}\n`);
    const after = read(files.linux);
    const third = await syncJson(m, "--env", "wsl");
    expect(copilotTargets(third)["wsl:Ubuntu"]!.action).toBe("unchanged");
    expect(read(files.linux)).toBe(after);
  });

  test("uninstall gives the hand-written file back byte for byte, and deletes the one sync created", async () => {
    const m = setup();
    const files = withCopilot(m, HAND_WRITTEN);
    await syncJson(m);
    expect(existsSync(files.windows)).toBe(true);
    const r = await m.run(["uninstall", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(read(files.linux)).toBe(HAND_WRITTEN);
    expect(existsSync(files.windows)).toBe(false);
  });

  test("remote servers: url with type http or sse (Copilot's own forms); a shared server: the gateway's url", async () => {
    const m = setup();
    const files = withCopilot(m);
    const port = await freePort();
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
      await syncJson(m, "--env", "wsl");
      const s = servers(files.linux);
      expect(s.api).toEqual({ type: "http", url: "https://mcp.example.com/mcp", tools: ["*"] });
      expect(s.events).toEqual({ type: "sse", url: "https://mcp.example.com/sse", tools: ["*"] });
      expect(s.fixture).toMatchObject({ type: "http", url: `http://127.0.0.1:${port}/share/fixture` });
      expect(s.fixture!.tools).toEqual(["*"]);
      // One server per project folder: Copilot expands ${PWD} in a header (seen with 1.0.102).
      expect(s.perproject).toMatchObject({
        type: "http",
        url: `http://127.0.0.1:${port}/share/perproject`,
        headers: { "Mcp-Twin-Project": "${PWD}" },
        tools: ["*"],
      });
      // Used as Copilot uses a url entry: Streamable HTTP with its headers, to the server in the gateway.
      const client = new Client({ name: "copilot-like", version: "1" });
      const headers = (s.fixture!.headers ?? {}) as Record<string, string>;
      expect(JSON.stringify(headers)).not.toMatch(/\$\{/);
      await client.connect(
        new StreamableHTTPClientTransport(new URL(s.fixture!.url as string), { requestInit: { headers } }),
      );
      try {
        expect((await client.listTools()).tools.map((t) => t.name)).toContain("echo");
      } finally {
        await client.close();
      }
    } finally {
      await m.run(["bridge", "stop"]);
    }
  });

  test("doctor checks Copilot's entries, each with its own handshake", async () => {
    const m = setup();
    withCopilot(m);
    await syncJson(m);
    const run = await doctor(m, ["--client", "copilot-cli"]);
    const probes = run.checks.filter((c) => c.id === "probe.handshake" && c.client === "copilot-cli");
    expect(probes.map((c) => [c.env, c.server, c.status])).toEqual([
      ["wsl:Ubuntu", "fixture", "pass"],
      ["windows", "fixture", "pass"],
    ]);
  });
});

describe("real-world files (test/fixtures/corpus) as Copilot's file", () => {
  const corpus = path.resolve(__dirname, "../fixtures/corpus");
  const shapes = readdirSync(corpus)
    .filter((f) => f.endsWith(".json"))
    .map((f) => ({ name: f, text: readFileSync(path.join(corpus, f), "utf8") }))
    .filter(({ name, text }) => {
      try {
        parseConfig(text, name);
        return true;
      } catch {
        return false;
      }
    });

  test("sync adds our entry and keeps every other byte; uninstall gives the file back byte for byte", async () => {
    expect(shapes.length).toBeGreaterThan(10);
    for (const shape of shapes) {
      // A machine each: one file's history (backups, what sync recorded) is not another's.
      const m = setup({ kind: "linux" }, { "corpus-tool": { command: "uvx", args: ["tool-mcp"] } });
      const file = path.join(m.paths.linuxHome, ".copilot", "mcp-config.json");
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, shape.text);
      const sync = await m.run(["sync", "--client", "copilot-cli"]);
      expect(sync.code, `${shape.name}: ${sync.stderr}`).toBe(0);
      const servers = (text: string) => readEntries(parseConfig(text, file), ["mcpServers"], file);
      const { "corpus-tool": ours, ...others } = servers(read(file));
      expect(ours, shape.name).toEqual({ type: "stdio", command: "uvx", args: ["tool-mcp"], tools: ["*"] });
      expect(others, shape.name).toEqual(servers(shape.text));
      const u = await m.run(["uninstall", "--yes"]);
      expect(u.code, `${shape.name}: ${u.stderr}`).toBe(0);
      expect(read(file), shape.name).toBe(shape.text);
    }
  }, 300_000);
});

describe("doctor asks Copilot itself (`copilot mcp list --json`) where `copilot` is on PATH", () => {
  /** A `copilot` on PATH whose `mcp list --json` prints this (its JSON, with a secret in an env value). */
  function fakeCopilot(m: FakeMachine, script: string): Record<string, string> {
    const bin = path.join(m.root, "copilot-bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, "copilot"), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return { PATH: `${bin}:${m.env.PATH}` };
  }
  const listing = (names: string[]) =>
    `cat <<'EOF'\n${JSON.stringify({
      mcpServers: Object.fromEntries(
        names.map((n) => [
          n,
          { command: "node", env: { FIXTURE_TOKEN: SECRET }, source: "user", enabled: true },
        ]),
      ),
    })}\nEOF`;

  test("every server of the file listed: pass; one left out: fail, named; no readable answer: warn; never a value of its output", async () => {
    const m = setup({ kind: "linux" });
    const file = path.join(m.paths.linuxHome, ".copilot", "mcp-config.json");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, HAND_WRITTEN);
    await syncJson(m);
    const own = async (script: string) => {
      const run = await doctor(m, ["--client", "copilot-cli", "--no-probe"], { env: fakeCopilot(m, script) });
      expect(run.stdout).not.toContain(SECRET);
      return run.checks.filter((c) => c.id === "config.own-list");
    };
    expect(await own(listing(["mine", "web", "fixture"]))).toMatchObject([
      { status: "pass", client: "copilot-cli", message: expect.stringContaining("lists every server of") },
    ]);
    const left = await own(listing(["mine", "web"]));
    expect(left).toMatchObject([
      { status: "fail", message: expect.stringContaining("does not list fixture") },
    ]);
    expect(await own("echo 'not logged in' >&2; exit 3")).toMatchObject([
      { status: "warn", message: expect.stringContaining("exit 3: not logged in") },
    ]);
    // No `copilot` on PATH: nothing asked, nothing said.
    expect(
      (await doctor(m, ["--client", "copilot-cli", "--no-probe"])).checks.map((c) => c.id),
    ).not.toContain("config.own-list");
  });
});

describe("Copilot CLI on its own machines", () => {
  test("Linux: `copilot` on PATH makes it present (its file created); $COPILOT_HOME moves the file", async () => {
    const m = setup({ kind: "linux" });
    const file = path.join(m.paths.linuxHome, ".copilot", "mcp-config.json");
    const none = await syncJson(m);
    expect(copilotTargets(none)).toEqual({});
    // `copilot` on PATH, no ~/.copilot yet (installed, never started): present, its file created.
    const bin = path.join(m.root, "copilot-bin");
    mkdirSync(bin);
    writeFileSync(path.join(bin, "copilot"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const onPath = await m.run(["sync", "--json"], { env: { PATH: `${bin}:${m.env.PATH}` } });
    expect(onPath.code, onPath.stderr).toBe(0);
    expect(copilotTargets(JSON.parse(onPath.stdout)).linux).toMatchObject({ action: "created", path: file });
    const report = await syncJson(m);
    expect(copilotTargets(report).linux).toMatchObject({ action: "unchanged", path: file });
    expect(servers(file).fixture).toMatchObject({ type: "stdio", command: "/usr/bin/node" });

    const home = path.join(m.root, "copilot-home");
    mkdirSync(home);
    const moved = await m.run(["sync", "--json", "--client", "copilot-cli"], { env: { COPILOT_HOME: home } });
    expect(moved.code, moved.stderr).toBe(0);
    const target = copilotTargets(JSON.parse(moved.stdout)).linux!;
    expect(target).toMatchObject({ path: path.join(home, "mcp-config.json"), note: "$COPILOT_HOME" });
    expect(servers(path.join(home, "mcp-config.json")).fixture).toBeDefined();
  });

  test("Windows: %USERPROFILE%\\.copilot\\mcp-config.json", async () => {
    const m = setup({ kind: "windows" });
    const file = path.join(m.paths.profile, ".copilot", "mcp-config.json");
    mkdirSync(path.dirname(file), { recursive: true });
    const report = await syncJson(m);
    expect(copilotTargets(report).windows).toMatchObject({
      action: "created",
      path: `C:\\Users\\${m.windowsUser}\\.copilot\\mcp-config.json`,
    });
    const entry = servers(file).fixture!;
    expect(entry).toMatchObject({ type: "stdio", command: "C:\\PROGRA~1\\nodejs\\node.exe", tools: ["*"] });
    await expectStarts(m, entry);
  });

  test("import reads the entries a user wrote for Copilot: `local`, `tools`, an untyped url", async () => {
    const m = setup({ kind: "linux" }, {});
    const file = path.join(m.paths.linuxHome, ".copilot", "mcp-config.json");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      `${JSON.stringify({
        mcpServers: {
          time: { type: "local", command: "uvx", args: ["mcp-server-time"], tools: ["*"] },
          docs: { url: "https://mcp.example.com/mcp", tools: ["*"] },
          live: { type: "sse", url: "https://mcp.example.com/sse" },
          // Keys of Copilot's own a rewrite by sync would drop: taken, its entry left as it is.
          slow: { command: "uvx", args: ["mcp-server-fetch"], timeout: 90000 },
          there: { command: "uvx", args: ["mcp-server-git"], cwd: "/srv/repo" },
        },
      })}\n`,
    );
    const before = read(file);
    const r = await m.run(["import", "--yes", "--client", "copilot-cli"]);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(read(path.join(m.paths.home, "mcp-twin.jsonc")).replace(/^\s*\/\/.*$/gm, ""));
    expect(manifest.servers).toMatchObject({
      time: { command: "uvx", args: ["mcp-server-time"] },
      docs: { url: "https://mcp.example.com/mcp" },
      live: { url: "https://mcp.example.com/sse", transport: "sse" },
    });
    expect(manifest.servers.docs.transport).toBeUndefined();
    expect(manifest.servers.slow).toMatchObject({ command: "uvx", args: ["mcp-server-fetch"] });
    // A folder of its own (`cwd`) is not something the manifest can say: not taken.
    expect(manifest.servers.there).toBeUndefined();
    // Adopted: the user's entries are left as they were.
    expect(read(file)).toBe(before);
  });
});
