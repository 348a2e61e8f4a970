/**
 * Client facts live on each client's module (one file per client): its name, whether it is a
 * desktop app, how long it waits for a server to start. These tables pin them down.
 */
import { describe, expect, test } from "vitest";
import { CLIENTS, clientById } from "../../src/core/clients/index.js";
import { besidePath } from "../../src/core/clients/moved-file.js";
import { strictJsonRefusal } from "../../src/core/clients/strict-json.js";
import type { Environment } from "../../src/core/environments/types.js";
import { CLIENT_IDS, serverSchema } from "../../src/core/manifest/schema.js";

describe("client facts, one module each", () => {
  test.each([
    ["claude-desktop", "Claude Desktop", true],
    ["claude-code", "Claude Code", false],
    ["cursor", "Cursor", true],
    ["vscode", "VS Code", true],
    ["windsurf", "Devin Desktop (Windsurf)", true],
    ["gemini-cli", "Gemini CLI", false],
    ["codex", "Codex", false],
    ["copilot-cli", "GitHub Copilot CLI", false],
    ["factory-droid", "Factory Droid", false],
    ["junie", "Junie", true],
    ["warp", "Warp", true],
    ["crush", "Crush", false],
    ["devin", "Devin for Terminal", false],
    ["kiro", "Kiro", true],
    ["lm-studio", "LM Studio", true],
    ["qwen-code", "Qwen Code", false],
    ["augment", "Auggie (Augment CLI)", false],
    ["zed", "Zed", true],
    ["opencode", "opencode", false],
    ["kilo-code", "Kilo Code", false],
    ["goose", "Goose", false],
    ["amp", "Amp", false],
    ["continue", "Continue", false],
    ["antigravity", "Antigravity", true],
  ])("%s is called %s; desktop app: %s", (id, name, gui) => {
    const client = clientById(id)!;
    expect(client.name).toBe(name);
    expect(client.gui).toBe(gui);
  });

  // The clients that moved in 2026 (platform facts §6g): each says its move, in one line, with
  // where to go; init and sync print it where the client is met (e2e sync-fw-clients).
  test.each([
    ["continue", /joined Cursor.*2\.0\.0.*--client cursor/],
    ["roo-code", /shut down on 2026-05-15.*Zoo Code/],
    ["gemini-cli", /individual accounts.*API-key, Vertex and enterprise.*Antigravity CLI \(`agy`\)/],
    ["goose", /1\.49 removed the `sse`, `frontend` and `inline_python`/],
    ["amp", /`@ampcode\/cli`/],
  ])("%s says how it moved, in one line", (id, said) => {
    const notice = clientById(id)?.notice ?? "";
    expect(notice).toMatch(said);
    expect(notice).not.toContain("\n");
  });

  test("Claude Code waits MCP_TIMEOUT ms (30 s when unset or not a number)", () => {
    const code = clientById("claude-code")!;
    expect(code.startupTimeoutMs({}, {})).toBe(30_000);
    expect(code.startupTimeoutMs({}, { MCP_TIMEOUT: "45000" })).toBe(45_000);
    expect(code.startupTimeoutMs({}, { MCP_TIMEOUT: "soon" })).toBe(30_000);
    expect(code.startupTimeoutMs({}, { MCP_TIMEOUT: "-5" })).toBe(30_000);
  });

  test("Gemini CLI waits an entry's own timeout, else what undocumented clients allow", () => {
    const gemini = clientById("gemini-cli")!;
    expect(gemini.startupTimeoutMs({ command: "x", timeout: 5000 }, {})).toBe(5000);
    expect(gemini.startupTimeoutMs({ command: "x", timeout: "5000" }, {})).toBe(60_000);
    expect(gemini.startupTimeoutMs({ command: "x" }, {})).toBe(60_000);
  });

  test.each(["claude-desktop", "cursor", "vscode", "windsurf"])(
    "%s documents no start-up timeout: 60 s, whatever the entry or environment says",
    (id) => {
      expect(clientById(id)!.startupTimeoutMs({ timeout: 1 }, { MCP_TIMEOUT: "1" })).toBe(60_000);
    },
  );

  test("Codex waits startup_timeout_sec (or startup_timeout_ms), 10 s by default", () => {
    const codex = clientById("codex")!;
    expect(codex.startupTimeoutMs({ command: "x" }, {})).toBe(10_000);
    expect(codex.startupTimeoutMs({ command: "x", startup_timeout_sec: 20.5 }, {})).toBe(20_500);
    expect(codex.startupTimeoutMs({ command: "x", startup_timeout_ms: 60_000 }, {})).toBe(60_000);
    expect(codex.startupTimeoutMs({ command: "x", startup_timeout_sec: 0 }, {})).toBe(10_000);
  });

  test("Copilot CLI waits an entry's own timeout (ms), else 30 s (its tool discovery's default)", () => {
    const copilot = clientById("copilot-cli")!;
    expect(copilot.startupTimeoutMs({ command: "x", timeout: 90_000 }, {})).toBe(90_000);
    expect(copilot.startupTimeoutMs({ command: "x" }, { MCP_TIMEOUT: "1" })).toBe(30_000);
  });

  test("Factory Droid waits 30 s (0.225.2's connect timeout); Crush an entry's `timeout` in seconds, 10 s by default", () => {
    expect(clientById("factory-droid")!.startupTimeoutMs({ timeoutMs: 1 }, { MCP_TIMEOUT: "1" })).toBe(
      30_000,
    );
    const crush = clientById("crush")!;
    expect(crush.startupTimeoutMs({ type: "stdio", command: "x", timeout: 45 }, {})).toBe(45_000);
    expect(crush.startupTimeoutMs({ type: "stdio", command: "x" }, {})).toBe(10_000);
    expect(crush.startupTimeoutMs({ type: "stdio", command: "x", timeout: "45" }, {})).toBe(10_000);
  });

  test("each of the four cites where its facts come from, and names its tool-filter keys where it has them", () => {
    for (const id of ["factory-droid", "junie", "warp", "crush"])
      expect(clientById(id)!.sources?.length, id).toBeGreaterThan(0);
    expect(clientById("factory-droid")!.toolBudget?.filter?.keys).toEqual(["enabledTools", "disabledTools"]);
    expect(clientById("crush")!.toolBudget?.filter?.keys).toEqual(["enabled_tools", "disabled_tools"]);
    expect(clientById("junie")!.toolBudget).toBeUndefined();
    expect(clientById("warp")!.toolBudget).toBeUndefined();
  });

  test("the manifest's client ids and the client modules are one list (codex was in the schema with no module)", () => {
    expect(CLIENTS.map((c) => c.id)).toEqual([...CLIENT_IDS]);
    expect(clientById("codex")?.format).toBe("toml");
  });

  test("every client has a distinct id and name", () => {
    expect(new Set(CLIENTS.map((c) => c.id)).size).toBe(CLIENTS.length);
    expect(new Set(CLIENTS.map((c) => c.name)).size).toBe(CLIENTS.length);
  });
});

describe("SSE remotes: the form each client documents, or a relay", () => {
  const remote = { url: "https://s.example/sse", headers: { Authorization: "Bearer k" } };
  test.each([
    ["claude-code", { type: "sse", url: remote.url, headers: remote.headers }],
    ["vscode", { type: "sse", url: remote.url, headers: remote.headers }],
    ["gemini-cli", { url: remote.url, type: "sse", headers: remote.headers }],
    ["cursor", { url: remote.url, headers: remote.headers }],
    ["windsurf", { serverUrl: remote.url, headers: remote.headers }],
    ["copilot-cli", { type: "sse", url: remote.url, headers: remote.headers, tools: ["*"] }],
    ["factory-droid", { type: "sse", url: remote.url, headers: remote.headers }],
    ["crush", { type: "sse", url: remote.url, headers: remote.headers }],
    ["warp", { url: remote.url, headers: remote.headers }],
    ["qwen-code", { url: remote.url, headers: remote.headers }],
    ["augment", { type: "sse", url: remote.url, headers: remote.headers }],
    ["devin", { url: remote.url, transport: "sse", headers: remote.headers }],
    ["lm-studio", { url: remote.url, headers: remote.headers }],
  ])("%s writes %j", (id, entry) => {
    expect(clientById(id)!.sseEntry!(remote)).toEqual(entry);
  });

  test.each(["claude-desktop", "codex", "kiro", "antigravity"])(
    "%s cannot write an SSE entry (it gets the connect relay)",
    (id) => {
      expect(clientById(id)!.sseEntry).toBeUndefined();
    },
  );

  test("Junie takes stdio only (its docs): no remote or SSE entry, every remote server gets the relay", () => {
    const junie = clientById("junie")!;
    expect(junie.remoteEntry).toBeUndefined();
    expect(junie.sseEntry).toBeUndefined();
    expect(junie.stdioEntry({ command: "node", args: ["s.js"], env: {} })).toEqual({
      command: "node",
      args: ["s.js"],
    });
  });

  test("Droid and Crush write `type` on every entry (Droid drops a file's servers over an untyped url; Crush fails one without it)", () => {
    for (const id of ["factory-droid", "crush"]) {
      const client = clientById(id)!;
      expect(client.stdioEntry({ command: "node", args: [], env: { A: "1" } }), id).toEqual({
        type: "stdio",
        command: "node",
        args: [],
        env: { A: "1" },
      });
      expect(client.remoteEntry!({ url: "https://h/mcp", headers: {} }), id).toEqual({
        type: "http",
        url: "https://h/mcp",
      });
    }
  });

  test("Gemini CLI: url with type http (httpUrl is deprecated) or sse, as `gemini mcp add --transport http|sse` writes", () => {
    const gemini = clientById("gemini-cli")!;
    expect(gemini.remoteEntry!(remote)).toMatchObject({ url: remote.url, type: "http" });
    expect(Object.keys(gemini.remoteEntry!(remote))).not.toContain("httpUrl");
    // 0.61 reads a url without type as Streamable HTTP first: the type must be said.
    expect(gemini.sseEntry!(remote)).toMatchObject({ url: remote.url, type: "sse" });
  });

  test("the manifest: transport sse or http beside url only", () => {
    expect(serverSchema.safeParse({ url: "https://s.example/sse", transport: "sse" }).success).toBe(true);
    expect(serverSchema.safeParse({ url: "https://s.example/mcp", transport: "http" }).success).toBe(true);
    const noUrl = serverSchema.safeParse({ command: "uvx", transport: "sse" });
    expect(noUrl.success).toBe(false);
    expect(noUrl.error!.issues[0]!.message).toBe("transport only applies to a url server");
    expect(serverSchema.safeParse({ url: "https://s.example/ws", transport: "ws" }).success).toBe(false);
  });
});

describe("the clients of issue 53, each read as it reads its own file", () => {
  test("Qwen Code: Streamable HTTP only as httpUrl, a url always SSE; its discovery timeouts", () => {
    const qwen = clientById("qwen-code")!;
    expect(qwen.remoteEntry!({ url: "https://a/mcp", headers: {} })).toEqual({ httpUrl: "https://a/mcp" });
    const read = qwen.reading.commonEntry!;
    expect(read({ httpUrl: "https://a/mcp", trust: true })).toEqual({
      type: "http",
      url: "https://a/mcp",
      trust: true,
    });
    // `type: http` beside `url` does not make it Streamable HTTP in Qwen.
    expect(read({ url: "https://a/mcp", type: "http" })).toEqual({ type: "sse", url: "https://a/mcp" });
    expect(qwen.startupTimeoutMs({ command: "x" }, {})).toBe(30_000);
    expect(qwen.startupTimeoutMs({ httpUrl: "https://a/mcp" }, {})).toBe(5_000);
    expect(qwen.startupTimeoutMs({ command: "x", discoveryTimeoutMs: 1_000_000 }, {})).toBe(300_000);
    expect(qwen.startupTimeoutMs({ command: "x", discoveryTimeoutMs: 1 }, {})).toBe(100);
    // Its reader takes comments and refuses a trailing comma, which doctor places.
    const dialect = qwen.reading.strictJsonDialect;
    expect(strictJsonRefusal('// mine\n{ "mcpServers": {} }\n', dialect)).toBeUndefined();
    expect(strictJsonRefusal('{\n  "a": 1,\n}\n', dialect)).toEqual({
      error: "line 2, column 9",
      cause: "trailing commas",
    });
    expect(qwen.rewritesReadable).toBe(true);
  });

  test("Devin: its `transport` is the others' `type`", () => {
    const read = clientById("devin")!.reading.commonEntry!;
    expect(read({ url: "https://a/sse", transport: "sse" })).toEqual({ url: "https://a/sse", type: "sse" });
    expect(read({ command: "x" })).toEqual({ command: "x" });
  });

  test("Devin: mcp_config.json beside the config.json it moves servers out of; entries in its closed schema", async () => {
    const devin = clientById("devin")!;
    const nowhere = { access: () => undefined, vars: { APPDATA: "C:\\Users\\ann\\AppData\\Roaming" } };
    const windows = {
      ...nowhere,
      id: "windows",
      kind: "windows",
      home: "C:\\Users\\ann",
    } as unknown as Environment;
    const linux = { ...nowhere, id: "linux", kind: "linux", home: "/home/bob" } as unknown as Environment;
    expect((await devin.userConfig(windows))?.path).toBe(
      "C:\\Users\\ann\\AppData\\Roaming\\devin\\mcp_config.json",
    );
    expect((await devin.userConfig(linux))?.path).toBe("/home/bob/.config/devin/mcp_config.json");
    expect(devin.movedFrom).toBe("config.json");
    expect(besidePath("C:\\Users\\ann\\AppData\\Roaming\\devin\\mcp_config.json", "config.json")).toBe(
      "C:\\Users\\ann\\AppData\\Roaming\\devin\\config.json",
    );
    expect(devin.projectConfig).toBeUndefined();
    // Its schema refuses keys it does not name: no `type` in any entry.
    const remote = { url: "https://a/mcp", headers: { A: "b" } };
    expect(devin.stdioEntry({ command: "node", args: ["s.js"], env: {} })).toEqual({
      command: "node",
      args: ["s.js"],
    });
    expect(devin.remoteEntry!(remote)).toEqual(remote);
    expect(devin.sseEntry!(remote)).toEqual({ ...remote, transport: "sse" });
  });

  test("Auggie: typed entries; doctor reads the user file's servers from `auggie mcp list --json`", () => {
    const aug = clientById("augment")!;
    expect(aug.stdioEntry({ command: "node", args: ["s.js"], env: {} })).toEqual({
      type: "stdio",
      command: "node",
      args: ["s.js"],
    });
    // Comments and trailing commas are fine; a BOM makes it read nothing.
    const dialect = aug.reading.strictJsonDialect;
    expect(strictJsonRefusal('// mine\n{ "mcpServers": {}, }\n', dialect)).toBeUndefined();
    expect(strictJsonRefusal('\uFEFF{ "mcpServers": {} }\n', dialect)?.cause).toBe("a byte-order mark");
    const names = aug.ownList!.names;
    expect(
      names(
        JSON.stringify({
          servers: [
            { name: "a", source: "user" },
            { name: "b", source: "project" },
          ],
        }),
      ),
    ).toEqual(["a"]);
    expect(names("not json")).toBeUndefined();
  });

  test("Kiro: url + headers, its own tool fields kept; LM Studio: Cursor's notation", () => {
    const kiro = clientById("kiro")!;
    expect(kiro.remoteEntry!({ url: "https://a/mcp", headers: { A: "b" } })).toEqual({
      url: "https://a/mcp",
      headers: { A: "b" },
    });
    expect(kiro.keptKeys).toEqual(expect.arrayContaining(["disabled", "autoApprove", "disabledTools"]));
    expect(clientById("lm-studio")!.remoteEntry!({ url: "https://a/mcp", headers: {} })).toEqual({
      url: "https://a/mcp",
    });
  });

  test.each(["devin", "kiro", "lm-studio", "qwen-code", "augment"])(
    "%s names its sources, and the source of its tool field where it has one",
    (id) => {
      const c = clientById(id)!;
      expect(c.sources?.length).toBeGreaterThan(0);
      const filter = c.toolBudget?.filter;
      if (filter) expect(filter.source).toMatch(/^https:\/\//);
      expect(Boolean(filter)).toBe(id === "kiro" || id === "qwen-code");
    },
  );
});

describe("the descriptors' own entry shapes, read back as their client reads them", () => {
  const launch = { command: "node", args: ["/srv/a.js", "--x"], env: { K: "v" } };
  const remote = { url: "http://127.0.0.1:9/mcp", headers: { Authorization: "Bearer t" } };
  const ctx = { vars: (n: string) => ({ HOME: "/home/me", TOKEN: "s3" })[n], home: "/home/me" };

  test("opencode and the Kilo CLI: `type: local`, the command as one array, `environment`; `{env:VAR}`", async () => {
    const { readEntry, expandEntry } = await import("../../src/core/clients/entry-view.js");
    for (const id of ["opencode", "kilo-code"] as const) {
      const c = clientById(id)!;
      expect(c.stdioEntry(launch)).toEqual({
        type: "local",
        command: ["node", "/srv/a.js", "--x"],
        environment: { K: "v" },
      });
      expect(c.remoteEntry?.(remote)).toEqual({ type: "remote", url: remote.url, headers: remote.headers });
      expect(c.sseEntry?.(remote)).toEqual(c.remoteEntry?.(remote));
      expect(c.referenceStyle("TOKEN")).toBe("{env:TOKEN}");
      const view = readEntry(
        { type: "local", command: ["node", "a.js"], environment: { T: "{env:TOKEN}x{env:NOPE}" } },
        id,
      );
      expect(view).toMatchObject({ kind: "stdio", command: "node", args: ["a.js"] });
      const expanded = expandEntry(view, id, ctx);
      expect(expanded.view.env.T).toBe("s3x");
      expect(expanded.unset).toEqual(["NOPE"]);
      expect(readEntry({ type: "remote", url: "http://h/mcp" }, id)).toMatchObject({
        kind: "remote",
        url: "http://h/mcp",
      });
      expect(
        c.reading.commonEntry?.({ type: "local", command: ["n", "{env:TOKEN}"], enabled: false }),
      ).toEqual({
        command: "n",
        args: ["${TOKEN}"],
        disabled: true,
      });
    }
  });

  test("Zed: command/args/env or url/headers, `source: custom` on a new entry, no SSE entry (the relay)", () => {
    const zed = clientById("zed")!;
    expect(zed.stdioEntry(launch)).toEqual({ command: "node", args: ["/srv/a.js", "--x"], env: { K: "v" } });
    expect(zed.remoteEntry?.(remote)).toEqual({ url: remote.url, headers: remote.headers });
    expect(zed.sseEntry).toBeUndefined();
    expect(zed.entryDefaults?.("x")).toEqual({ source: "custom" });
    expect(zed.serversPath).toEqual(["context_servers"]);
    expect(zed.projectEntryProblem?.({ env: { K: "${TOKEN}" } })).toMatch(/expands no variable/);
  });

  test("Antigravity: command/args/env or serverUrl/headers, SSE through the relay; strict JSON; no project file", async () => {
    const { readEntry } = await import("../../src/core/clients/entry-view.js");
    const ag = clientById("antigravity")!;
    expect(ag.serversPath).toEqual(["mcpServers"]);
    expect(ag.kinds).toEqual(["windows", "wsl", "macos", "linux"]);
    expect(ag.projectConfig).toBeUndefined();
    expect(ag.stdioEntry(launch)).toEqual({ command: "node", args: ["/srv/a.js", "--x"], env: { K: "v" } });
    expect(ag.remoteEntry?.(remote)).toEqual({ serverUrl: remote.url, headers: remote.headers });
    expect(ag.reading.urlKey).toBe("serverUrl");
    expect(readEntry({ serverUrl: "https://h/mcp", headers: { A: "b" } }, "antigravity")).toMatchObject({
      kind: "remote",
      url: "https://h/mcp",
    });
    // Go's encoding/json: no comment, no trailing comma, no byte-order mark.
    const dialect = ag.reading.strictJsonDialect;
    expect(strictJsonRefusal('{"mcpServers": {}, // x\n}', dialect)).toBeDefined();
    expect(strictJsonRefusal('\uFEFF{"mcpServers": {}}', dialect)?.cause).toBe("a byte-order mark");
    expect(strictJsonRefusal('{"mcpServers": {}}', dialect)).toBeUndefined();
  });

  test("Amp: one top-level key with a dot in its name; `${VAR}` expanded, an unset one left as written", async () => {
    const { readEntry, expandEntry } = await import("../../src/core/clients/entry-view.js");
    const amp = clientById("amp")!;
    expect(amp.serversPath).toEqual(["amp.mcpServers"]);
    expect(amp.kinds).toEqual(["wsl", "macos", "linux"]);
    const view = readEntry({ command: "node", env: { T: "${TOKEN}-${NOPE}" } }, "amp");
    expect(expandEntry(view, "amp", ctx).view.env.T).toBe("s3-${NOPE}");
  });

  test("Goose: `cmd`, `args`, `envs`, `type: stdio`; `streamable_http` with `uri`; a new entry's own fields", async () => {
    const { readEntry } = await import("../../src/core/clients/entry-view.js");
    const goose = clientById("goose")!;
    expect(goose.format).toBe("yaml");
    expect(goose.stdioEntry(launch)).toEqual({
      type: "stdio",
      cmd: "node",
      args: ["/srv/a.js", "--x"],
      envs: { K: "v" },
    });
    expect(goose.remoteEntry?.(remote)).toEqual({
      type: "streamable_http",
      uri: remote.url,
      headers: remote.headers,
    });
    expect(goose.sseEntry).toBeUndefined();
    expect(goose.entryDefaults?.("fx")).toEqual({ name: "fx", enabled: true, timeout: 300, description: "" });
    expect(
      readEntry(
        { type: "stdio", cmd: "node", args: ["a.js"], envs: { K: "v" }, name: "x", enabled: true },
        "goose",
      ),
    ).toMatchObject({
      kind: "stdio",
      command: "node",
      args: ["a.js"],
      env: { K: "v" },
    });
    expect(goose.startupTimeoutMs({ timeout: 20 }, {})).toBe(20_000);
  });

  test("Goose's own extensions (builtin, platform, frontend, inline_python) are its own, its servers are not", () => {
    const goose = clientById("goose")!;
    // As a first run writes `developer` (ExtensionConfig::default) and start-up writes `todo`.
    expect(
      goose.ownEntry?.({
        enabled: true,
        type: "builtin",
        name: "developer",
        description: "default",
        display_name: "Developer",
        timeout: 300,
        bundled: true,
        available_tools: [],
      }),
    ).toBe("Goose's own built-in extension");
    expect(goose.ownEntry?.({ enabled: true, type: "platform", name: "todo", bundled: true })).toBe(
      "Goose's own platform extension",
    );
    expect(goose.ownEntry?.({ type: "frontend", name: "ui", tools: [], instructions: "x" })).toMatch(/own/);
    expect(goose.ownEntry?.({ type: "inline_python", name: "py", code: "print(1)" })).toMatch(/own/);
    for (const server of [
      { type: "stdio", cmd: "node", args: [] },
      { type: "streamable_http", uri: "https://a/mcp" },
      { type: "sse", uri: "https://a/sse" },
      { cmd: "node" },
      null,
    ])
      expect(goose.ownEntry?.(server), JSON.stringify(server)).toBeUndefined();
  });

  test("a Zed extension's server (its settings only) is Zed's own; a command or url entry is not", () => {
    const zed = clientById("zed")!;
    expect(zed.ownEntry?.({ enabled: true, remote: false, settings: { key: "x" } })).toMatch(/Zed extension/);
    expect(zed.ownEntry?.({ source: "extension", enabled: true, settings: {} })).toMatch(/Zed extension/);
    expect(zed.ownEntry?.({ source: "custom", command: "node", args: [] })).toBeUndefined();
    expect(zed.ownEntry?.({ enabled: true, url: "https://a/mcp" })).toBeUndefined();
  });

  test("every client cites its facts, and a descriptor's files are said in words", () => {
    for (const c of CLIENTS) expect(c.sources?.length, c.id).toBeGreaterThan(0);
    expect(clientById("zed")!.docs?.file).toBe(
      "`%APPDATA%\\Zed\\settings.json` (Windows); `~/.config/zed/settings.json` (macOS, Linux)",
    );
  });
});
