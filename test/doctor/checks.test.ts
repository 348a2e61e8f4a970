/** The pure check logic, table by table: facts in, checks out. */
import { describe, expect, test } from "vitest";
import { expandEntry, readEntry } from "../../src/core/clients/entry-view.js";
import { clientById } from "../../src/core/clients/index.js";
import { type Check, lintEntry, runScope } from "../../src/core/doctor/all-checks.js";
import { checkRestart, checkScopes } from "../../src/core/doctor/checks/configs.js";
import { checkDrift } from "../../src/core/doctor/checks/drift.js";
import { placeholderKind } from "../../src/core/doctor/checks/secrets.js";
import {
  type EntryFacts,
  type EntryWork,
  emptyFacts,
  type NodeFacts,
  type ServerFacts,
} from "../../src/core/doctor/facts.js";
import { groupShared, messageOf } from "../../src/core/doctor/group.js";
import { placesTitle } from "../../src/core/doctor/places.js";
import type { ProbeResult } from "../../src/core/doctor/probe/live-probe.js";
import { classifyEntry } from "../../src/core/entries/ownership.js";
import type { BuiltEntry } from "../../src/core/entries/target-entry.js";
import { parseWslConfig } from "../../src/core/environments/wsl-config.js";
import { entryHash } from "../../src/core/ledger/state.js";
import type { ClientId, ServerSpec } from "../../src/core/manifest/schema.js";

function facts(client: ClientId, raw: unknown, over: Partial<EntryFacts> = {}): EntryFacts {
  const view = readEntry(raw, client);
  return {
    env: "windows",
    envKind: "windows",
    client,
    clientName: clientById(client)!.name,
    gui: clientById(client)!.gui,
    scope: "user",
    server: "s",
    remoteCapable: client !== "claude-desktop",
    view,
    expanded: expandEntry(view, client, { vars: () => undefined, home: "/home/u" }),
    managed: false,
    timeoutMs: 30_000,
    ...over,
  };
}
const checkNode = (f: NodeFacts) => runScope("environment", f);
/** A manifest server's secrets checks: its own, and the placeholder check over the whole machine. */
function checkServerSecrets(
  name: string,
  spec: ServerSpec,
  ctx: { secrets: Record<string, string>; env: Record<string, string>; accepted: ReadonlySet<string> },
) {
  const item: ServerFacts = { name, spec, ...ctx, formats: new Map() };
  return [...runScope("manifest-server", item), ...runScope("machine", { ...emptyFacts(), servers: [item] })];
}
const status = (checks: ReturnType<typeof lintEntry>, id: string) =>
  checks.filter((c) => c.id === id).map((c) => c.status);

describe("placeholders", () => {
  test.each([
    ["TAVILY_API_KEY", "your-key-here", true],
    ["API_KEY", "<YOUR_KEY>", true],
    ["TOKEN", "YOUR_GITHUB_TOKEN", true],
    ["OPENAI_API_KEY", "sk-xxxxxxxxxxxx", true],
    ["KEY", "xxxxxxxx", true],
    ["API_KEY", "", true],
    ["Authorization", "Bearer your_token_here", true],
    ["API_KEY", "changeme", true],
    ["LOG_LEVEL", "", false],
    ["MODE", "none", false],
    ["API_KEY", "tvly-9f8e7d6c5b4a", false],
    ["GITHUB_TOKEN", "ghp_A1b2C3d4E5f6G7h8", false],
    ["PROJECT", "my-project", false],
  ])("%s = %j → placeholder %s", (name, value, expected) => {
    expect(placeholderKind(name, value) !== undefined).toBe(expected);
  });

  test("manifest servers: literal placeholders and unresolved references", () => {
    const checks = checkServerSecrets(
      "t",
      { env: { A_KEY: "${secret:A}", B_TOKEN: "YOUR_B_TOKEN", C: "${env:NOPE}" } },
      { secrets: { A: "real-9a8b7c6d" }, env: {}, accepted: new Set() },
    );
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ["secrets.resolved", "fail"],
      ["secrets.placeholder", "fail"],
    ]);
    expect(checks[0]!.fix).toBe("export NOPE");
    expect(checks[1]!.message).not.toContain("real-9a8b7c6d");
  });
});

describe("entries read as their client reads them", () => {
  test("Claude Code: a url without type is a broken stdio entry", () => {
    const c = lintEntry(facts("claude-code", { url: "https://x/mcp" }));
    expect(status(c, "entry.shape")).toEqual(["fail"]);
    expect(c[0]!.fix).toContain('"type": "http"');
    expect(
      status(lintEntry(facts("claude-code", { type: "http", url: "https://x/mcp" })), "entry.remote"),
    ).toEqual(["pass"]);
  });

  test("Windsurf reads serverUrl; Gemini's url is SSE", () => {
    expect(status(lintEntry(facts("windsurf", { url: "https://x" })), "entry.remote")).toEqual(["fail"]);
    expect(status(lintEntry(facts("windsurf", { serverUrl: "https://x" })), "entry.remote")).toEqual([
      "pass",
    ]);
    expect(status(lintEntry(facts("gemini-cli", { url: "https://x" })), "entry.remote")).toEqual(["warn"]);
    // Written by sync for a manifest SSE server: no warning, and the probe checks it speaks SSE.
    const synced = lintEntry(facts("gemini-cli", { url: "https://x" }, { managed: true, sse: true }));
    expect(status(synced, "entry.remote")).toEqual(["pass"]);
    expect(synced.find((c) => c.id === "entry.remote")!.message).toBe(
      "SSE server at https://x, in the form Gemini CLI reads (the server itself: see probe.handshake)",
    );
  });

  test("Desktop: a connect relay's --header ${VAR} set in its env is connect's to expand, not a literal", () => {
    const relay = (header: string) => ({
      command: "C:\\PROGRA~1\\nodejs\\node.exe",
      args: ["C:\\mcp-twin.js", "connect", "https://s.example/sse", "--transport", "sse", "--header", header],
      env: { MCP_TWIN_HEADER_0: "Bearer k" },
    });
    const ok = lintEntry(facts("claude-desktop", relay("Authorization:${MCP_TWIN_HEADER_0}")));
    expect(status(ok, "entry.reference")).toEqual([]);
    expect(status(ok, "entry.spaces")).toEqual([]);
    // A variable the entry does not set is still passed literally.
    const other = lintEntry(facts("claude-desktop", relay("Authorization:${OTHER}")));
    expect(status(other, "entry.reference")).toEqual(["fail"]);
    // The form written before: Desktop splits it at the space.
    expect(
      status(
        lintEntry(facts("claude-desktop", relay("Authorization: ${MCP_TWIN_HEADER_0}"))),
        "entry.spaces",
      ),
    ).toEqual(["fail"]);
  });

  test("variables: Claude Code ${VAR:-default}, Cursor ${env:VAR}, Desktop none", () => {
    const vars = (n: string) => ({ HOME_DIR: "/h" })[n];
    const e = (client: ClientId, raw: unknown) =>
      expandEntry(readEntry(raw, client), client, { vars, home: "/u", project: "/p" });
    expect(e("claude-code", { command: "${HOME_DIR}/x", args: ["${MISSING:-d}"] }).view).toMatchObject({
      command: "/h/x",
      args: ["d"],
    });
    expect(e("claude-code", { command: "x", env: { K: "${UNSET}" } }).unset).toEqual(["UNSET"]);
    expect(
      e("cursor", { command: "x", args: ["${env:HOME_DIR}", "${workspaceFolder}", "${userHome}"] }).view.args,
    ).toEqual(["/h", "/p", "/u"]);
    expect(e("claude-desktop", { command: "x", env: { K: "${HOME_DIR}" } }).literal).toEqual(["${HOME_DIR}"]);
  });
});

describe("spawn semantics per client", () => {
  const npx = { command: "npx", args: ["-y", "pkg"] };
  const found = {
    resolved: { command: { path: "npx", exists: true, env: "windows", found: "C:\\nodejs\\npx.cmd" } },
  };
  test.each([
    ["claude-code", {}, "fail"],
    ["claude-desktop", { desktop: { msix: true } }, "pass"],
    ["claude-desktop", { desktop: { msix: false, version: "0.7.5" } }, "pass"],
    ["claude-desktop", { desktop: { msix: false, version: "0.7.1" } }, "fail"],
    ["claude-desktop", { desktop: { msix: false } }, "warn"],
    ["cursor", {}, "warn"],
  ] as const)("%s %j: bare npx on Windows → %s", (client, over, expected) => {
    expect(status(lintEntry(facts(client, npx, { ...found, ...over })), "entry.spawn")).toEqual([expected]);
  });

  test("an explicit .cmd is EINVAL for Claude Code; node.exe is fine", () => {
    const c = lintEntry(facts("claude-code", { command: "C:\\Users\\a\\AppData\\Roaming\\npm\\srv.cmd" }));
    expect(c.find((x) => x.id === "entry.spawn")!.message).toMatch(/EINVAL/);
    expect(
      status(
        lintEntry(facts("claude-code", { command: "C:\\nodejs\\node.exe", args: ["C:\\s.js"] })),
        "entry.spawn",
      ),
    ).toEqual(["pass"]);
  });

  test("inside WSL, a bare command resolving to Windows' npx script fails", () => {
    const c = lintEntry(
      facts("claude-code", npx, {
        env: "wsl:Ubuntu",
        envKind: "wsl",
        mountRoot: "/mnt/",
        resolved: {
          command: { path: "npx", exists: true, env: "wsl:Ubuntu", found: "/mnt/c/Program Files/nodejs/npx" },
        },
      }),
    );
    expect(status(c, "entry.spawn")).toEqual(["fail"]);
  });

  test("spaces: Claude Desktop fails, Cursor warns, Claude Code does not care", () => {
    const raw = { command: "C:\\Program Files\\nodejs\\node.exe", args: ["C:\\s.js"] };
    expect(status(lintEntry(facts("claude-desktop", raw)), "entry.spaces")).toEqual(["fail"]);
    expect(status(lintEntry(facts("cursor", raw)), "entry.spaces")).toEqual(["warn"]);
    expect(status(lintEntry(facts("claude-code", raw)), "entry.spaces")).toEqual([]);
  });

  test("GUI apps and nvm's PATH; Desktop's built-in Node; interactive shells", () => {
    const linux = { env: "linux", envKind: "linux" as const };
    const viaNvm = {
      resolved: {
        command: {
          path: "node",
          exists: true,
          env: "linux",
          found: "/home/u/.nvm/versions/node/v22.1.0/bin/node",
        },
      },
    };
    expect(
      status(
        lintEntry(facts("cursor", { command: "node", args: ["/s.js"] }, { ...linux, ...viaNvm })),
        "entry.gui-path",
      ),
    ).toEqual(["warn"]);
    expect(
      status(
        lintEntry(facts("claude-code", { command: "node", args: ["/s.js"] }, { ...linux, ...viaNvm })),
        "entry.gui-path",
      ),
    ).toEqual([]);
    const desk = (builtInNode?: boolean) =>
      status(
        lintEntry(
          facts("claude-desktop", npx, {
            desktop: { msix: true, ...(builtInNode === undefined ? {} : { builtInNode }) },
          }),
        ),
        "entry.builtin-node",
      );
    expect(desk()).toEqual(["warn"]);
    expect(desk(false)).toEqual([]);
    expect(
      status(
        lintEntry(facts("claude-code", { command: "bash", args: ["-ic", "node /s.js"] }, linux)),
        "entry.login-shell",
      ),
    ).toEqual(["warn"]);
  });
});

/**
 * Doctor reads the launch line with import's parser (src/core/entries/launch/): the program behind
 * `env`, a shell script's preamble, `wsl.exe ~` and every package runner is the one that runs.
 */
describe("the program behind the wrappers is read as import reads it", () => {
  const linux = { env: "linux", envKind: "linux" as const };
  test.each([
    [{ command: "bash", args: ["-lc", "source ~/.nvm/nvm.sh && exec npx -y pkg"] }, "npx"],
    [{ command: "bash", args: ["-c", "npx -y pkg"] }, "npx"],
    [{ command: "/usr/bin/env", args: ["FOO=1", "npx", "-y", "pkg"] }, "npx"],
    [{ command: "yarn", args: ["dlx", "pkg"] }, "yarn dlx"],
    [{ command: "bun", args: ["x", "pkg"] }, "bun x"],
  ])("%j fetches on start (%s): a cold-start warning", (raw, runner) => {
    const c = lintEntry(facts("claude-code", raw, linux));
    expect(status(c, "entry.cold-start")).toEqual(["warn"]);
    expect(c.find((x) => x.id === "entry.cold-start")!.message).toContain(`\`${runner}\``);
  });

  test.each([
    [["mcp-server-time"], "uv tool install mcp-server-time", "mcp-server-time"],
    [
      ["--from", "mcp-server-git==0.6.2", "mcp-server-git", "--repository", "."],
      "uv tool install mcp-server-git==0.6.2",
      "mcp-server-git",
    ],
    [
      ["-q", "--python", "3.12", "mcp-server-fetch@2025.4.7"],
      "uv tool install mcp-server-fetch==2025.4.7",
      "mcp-server-fetch",
    ],
  ])("uvx %j: the cold-start fix names the package and the program it installs", (args, install, program) => {
    const c = lintEntry(facts("claude-code", { command: "uvx", args }, linux));
    const fix = c.find((x) => x.id === "entry.cold-start")!.fix!;
    expect(fix).toContain(`(\`${install}\`) and start the installed program (\`${program}\`) instead of uvx`);
    expect(fix).not.toContain("<package>");
  });

  test("wsl.exe ~ starts in the home folder: the program is what follows, not ~", () => {
    const c = lintEntry(
      facts("claude-desktop", { command: "wsl.exe", args: ["~", "-d", "Ubuntu", "npx", "-y", "pkg"] }),
    );
    expect(status(c, "entry.cold-start")).toEqual(["warn"]);
  });

  test("a script that needs the shell is not taken apart", () => {
    const c = lintEntry(
      facts("claude-code", { command: "bash", args: ["-c", "npx -y pkg | tee /tmp/log"] }, linux),
    );
    expect(status(c, "entry.cold-start")).toEqual([]);
  });

  test("env: null is not an object of strings, for doctor as for import", () => {
    const c = lintEntry(facts("claude-code", { command: "node", args: ["/s.js"], env: null }, linux));
    expect(status(c, "entry.shape")).toEqual(["fail"]);
  });
});

describe("scopes, restart, drift, node", () => {
  test("Claude Code scopes: identical copies warn, different ones fail and name the winner", () => {
    const a = { command: "node", args: ["a"] };
    const same = checkScopes({ env: "linux" }, [
      { scope: "user", entries: { x: a } },
      { scope: "project", entries: { x: a } },
    ]);
    expect(same.map((c) => c.status)).toEqual(["warn"]);
    const diff = checkScopes({ env: "linux" }, [
      { scope: "user", entries: { x: a } },
      { scope: "local", entries: { x: { command: "node", args: ["b"] } } },
    ]);
    expect(diff[0]!.status).toBe("fail");
    expect(diff[0]!.message).toContain("uses the local one");
  });

  test("restart: only when the app started before the file changed", () => {
    const app = { name: "Cursor", startedAt: new Date("2026-01-01T00:00:00Z") };
    expect(checkRestart({}, "Cursor", "f", Date.parse("2026-02-01T00:00:00Z"), app)[0]!.status).toBe("warn");
    expect(checkRestart({}, "Cursor", "f", Date.parse("2025-12-01T00:00:00Z"), app)[0]!.status).toBe("pass");
    expect(checkRestart({}, "Cursor", "f", Date.parse("2026-02-01T00:00:00Z"), undefined)).toEqual([]);
  });

  test("drift: missing, edited, foreign, stale, in sync", () => {
    const value = { command: "node", args: ["a"] };
    const built = { ok: true as const, value, secretValues: [], references: [], runsIn: "linux" };
    const record = { hash: entryHash(value) };
    const drift = (current: Record<string, unknown>, rec?: typeof record, b: BuiltEntry = built) =>
      checkDrift(
        {},
        "x",
        b,
        classifyEntry({ present: "x" in current, value: current.x, record: rec, desired: b })!,
      );
    expect(drift({}).status).toBe("fail");
    expect(drift({ x: { ...value, args: ["b"] } }, record).status).toBe("warn");
    expect(drift({ x: { command: "other" } }).status).toBe("warn");
    expect(drift({ x: value }, record, { ...built, value: { command: "new" } }).message).toMatch(
      /out of date/,
    );
    expect(drift({ x: value }, record).status).toBe("pass");
  });

  test("drift of a shared server's entry (the bridge's): `sync --force`, never adopt, which has nothing to take", () => {
    const value = { type: "http", url: "http://127.0.0.1:7777/share/x" };
    const built = {
      ok: true as const,
      value,
      secretValues: [],
      references: [],
      runsIn: "linux",
      gateway: true as const,
      bridged: true as const,
    };
    const edited = { ...value, note: "mine" };
    const where = { env: "linux", client: "cursor" };
    const classify = (record?: { hash: string }) =>
      classifyEntry({ present: true, value: edited, record, desired: built })!;
    const drifted = checkDrift(where, "x", built, classify({ hash: entryHash(value) }));
    expect(drifted).toMatchObject({
      status: "warn",
      fix: "x is shared, so this entry is the bridge's and the manifest has no place for the edit: run `mcp-twin sync --force` to put the bridge's entry back, or leave it.",
    });
    const foreign = checkDrift(where, "x", built, classify());
    expect(foreign).toMatchObject({
      status: "warn",
      fix: "x is shared, so its entry here is the bridge's and the manifest has no place for this one: run `mcp-twin sync --force` to replace it with the bridge's entry, or leave it.",
    });
    // Not shared: adopt is the way in.
    const { bridged: _, gateway: __, ...direct } = built;
    expect(checkDrift(where, "x", direct, classify({ hash: entryHash(value) })).fix).toContain(
      "`mcp-twin adopt x --from linux:cursor`",
    );
  });

  test("node: too old fails, Windows' node on the WSL PATH fails, unreachable skips", () => {
    const env = {
      id: "wsl:U",
      kind: "wsl" as const,
      home: "/h",
      vars: {},
      usable: true,
      local: true,
      node: { path: "/usr/bin/node", version: "v16.1.0" },
      npm: { prefix: "/p" },
    };
    const checks = checkNode({
      env,
      needed: true,
      pathNode: "/mnt/c/Program Files/nodejs/node.exe",
      mountRoot: "/mnt/",
      prefix: "writable",
    });
    expect(
      checks
        .filter((c) => c.status === "fail")
        .map((c) => c.id)
        .sort(),
    ).toEqual(["node.foreign", "node.version"]);
    expect(
      checkNode({ env, needed: true, prefix: "unknown", unreachable: "interop off" }).map((c) => c.status),
    ).toEqual(["skip"]);
  });

  test("npm.present shows npm's version (doctor asks for it when unknown); a pass never apologises", () => {
    const env = {
      id: "windows",
      kind: "windows" as const,
      home: "C:\\Users\\a",
      vars: {},
      usable: true,
      local: false,
      node: { path: "C:\\Program Files\\nodejs\\node.exe", version: "v22.11.0" },
    };
    const present = (npm: { prefix: string; version?: string }) =>
      checkNode({ env: { ...env, npm }, needed: true, prefix: "writable" }).find(
        (c) => c.id === "npm.present",
      )!.message;
    expect(present({ prefix: "C:\\npm", version: "10.9.0" })).toBe("npm 10.9.0 with global prefix C:\\npm.");
    expect(present({ prefix: "C:\\npm" })).toBe("npm answers, with global prefix C:\\npm.");
  });

  test(".wslconfig parsing", () => {
    expect(parseWslConfig("[wsl2]\r\nlocalhostForwarding = false # no\r\n")).toEqual({
      localhostForwarding: false,
    });
    expect(
      parseWslConfig("[wsl2]\nnetworkingMode=Mirrored\n[experimental]\nlocalhostForwarding=false\n"),
    ).toEqual({ networkingMode: "mirrored" });
  });
});

describe("probe advice: never a sync that would change nothing", () => {
  const work = (over: Partial<EntryWork> = {}): EntryWork => ({
    where: { env: "linux", client: "claude-code", server: "s" },
    clientName: "Claude Code",
    server: "s",
    timeoutMs: 30_000,
    managed: true,
    managedPackage: true,
    kind: "stdio",
    ...over,
  });
  const failed = { ok: false, error: "the server exited with code 1", stderr: ["Error: boom"], noise: [] };
  const handshake = (w: EntryWork, result: ProbeResult = failed) =>
    runScope("machine", {
      ...emptyFacts(),
      probes: [{ work: w, result, probeTimeoutMs: 10_000 }],
    }).find((c) => c.id === "probe.handshake")!;

  test("a managed entry not as sync writes it: sync; one that is: what to fix and where, never 'see its stderr' again", () => {
    expect(handshake(work({ synced: false })).fix).toMatch(/^Run `mcp-twin sync`/);
    expect(handshake(work({ synced: true })).fix).toBe(
      'Fix what its error above says; its arguments and variables are in the manifest\'s "s" (then `mcp-twin sync`), and the command above starts it again as Claude Code does.',
    );
    // Nothing on stderr: start it by hand (the command is shown), and where to change it.
    expect(handshake(work({ synced: true, managed: false }), { ...failed, stderr: [] }).fix).toBe(
      "Start it by hand (the command above) to see what it prints; its arguments and variables are in its entry in Claude Code's config.",
    );
  });

  test("mcp-twin's relay to a shared server refused by the bridge: fixed in the bridge, never in the relay's arguments", () => {
    const plan = {
      file: "/usr/bin/node",
      args: ["/home/bob/.npm-global/bin/mcp-twin", "connect", "http://127.0.0.1:7760/share/memory"],
      env: {},
    };
    const refused = {
      ...failed,
      error: "the server answered initialize with an error (-32000)",
      stderr: ["✖ could not deliver initialize: HTTP 400"],
      refused: { method: "initialize", code: -32000, message: "not installed" },
    };
    expect(handshake(work({ synced: true, server: "memory", plan }), refused).fix).toBe(
      "memory runs in the bridge: fix what the message says there, or run it in each client instead (`mcp-twin share memory off`, then `mcp-twin sync`).",
    );
  });

  test("a folder argument that does not exist: create it, or change the server's args", () => {
    const plan = {
      file: "/mnt/c/Program Files/nodejs/node.exe",
      args: [
        "C:\\Users\\alice\\AppData\\Roaming\\npm\\node_modules\\fs\\index.js",
        "/mnt/c/Users/alice/Documents",
      ],
      env: {},
    };
    const stderr = [
      "Warning: Cannot access directory /mnt/c/Users/alice/Documents, skipping",
      "Error: None of the specified directories are accessible",
    ];
    const c = handshake(work({ synced: true, server: "filesystem", plan }), { ...failed, stderr });
    expect(c.fix).toBe(
      "Create /mnt/c/Users/alice/Documents, or change filesystem's args in the manifest's \"filesystem\" (then `mcp-twin sync`).",
    );
    // A path the server names that is not one of its arguments is not the user's to create.
    const other = handshake(work({ synced: true, plan: { ...plan, args: ["x.js"] } }), { ...failed, stderr });
    expect(other.fix).toMatch(/^Fix what its error above says/);
  });

  test("a program known not to be there: not started, the probe points at the check that reports it", () => {
    const uvx = handshake(work({ missing: { path: "uvx", env: "linux", check: "entry.command" } }));
    expect(uvx.status).toBe("skip");
    expect(uvx.message).toBe("not started by doctor: `uvx` is not found in linux (see entry.command).");
    expect(uvx.fix).toBeUndefined();
    const node = handshake(work({ missing: { path: "/old/node", env: "linux", check: "entry.node-path" } }));
    expect(node.message).toContain("(see entry.node-path)");
  });

  test("a slow uvx start: install it with uv, not node + its script", () => {
    const slow = { ok: true, startupMs: 20_000, tools: 1, stderr: [], noise: [] };
    const [startup] = runScope("probe", {
      work: work({
        managedPackage: false,
        downloader: "uvx",
        downloaderArgs: ["mcp-server-time"],
        synced: true,
      }),
      result: slow,
      probeTimeoutMs: 10_000,
    }).filter((c) => c.id === "probe.startup");
    expect(startup!.status).toBe("warn");
    expect(startup!.fix).toContain("`uv tool install mcp-server-time`");
    expect(startup!.fix).not.toContain("<package>");
    expect(startup!.fix).not.toMatch(/node \+ its script|mcp-twin sync/);
  });
});

describe("one cause, one finding (groupShared)", () => {
  const check = (over: Partial<Check>): Check => ({
    id: "entry.command",
    status: "fail",
    env: "windows",
    client: "cursor",
    server: "time",
    message: "`uvx` is not found in windows (not on its PATH).",
    fix: "Install uv on Windows.",
    ...over,
  });

  test("the same finding in several configs of one environment is one, naming them; the rest stay", () => {
    const checks = [
      check({ client: "claude-desktop" }),
      check({ id: "drift.entry", status: "pass", client: "claude-desktop", message: "in sync." }),
      check({ client: "cursor" }),
      check({ id: "drift.entry", status: "pass", client: "cursor", message: "in sync." }),
      // Another environment, another fix, another message: other causes.
      check({ env: "wsl:Ubuntu", client: "claude-code", message: "`uvx` is not found in wsl:Ubuntu." }),
      check({ client: "windsurf", fix: "Something else." }),
      check({
        id: "entry.spawn",
        status: "pass",
        client: "claude-desktop",
        message: "Claude Desktop starts it.",
      }),
      check({ id: "entry.spawn", status: "pass", client: "cursor", message: "Cursor starts it." }),
    ];
    const out = groupShared(checks);
    // Passes the same way as failures: one pass for one cause; passes that differ stay apart.
    expect(out.map((c) => [c.id, c.status, c.client ?? null])).toEqual([
      ["entry.command", "fail", null],
      ["drift.entry", "pass", null],
      ["entry.command", "fail", "claude-code"],
      ["entry.command", "fail", "windsurf"],
      ["entry.spawn", "pass", "claude-desktop"],
      ["entry.spawn", "pass", "cursor"],
    ]);
    const shared = out[0]!;
    expect(shared.places).toEqual([
      { env: "windows", client: "claude-desktop" },
      { env: "windows", client: "cursor" },
    ]);
    expect(messageOf(shared)).toBe(
      "`uvx` is not found in windows (not on its PATH). In 2 client configs: Claude Desktop (windows), Cursor (windows).",
    );
    expect(placesTitle(shared.places!)).toBe("Claude Desktop and Cursor");
    // Counted once: one failure where there were two, one pass where there were two.
    expect(out.filter((c) => c.status === "fail")).toHaveLength(3);
    expect(out.filter((c) => c.id === "drift.entry")).toHaveLength(1);
  });

  test("starts that differ are never one group, however alike their lines: one finding per start", () => {
    const started: ProbeResult = {
      ok: true,
      startupMs: 400,
      tools: 9,
      serverName: "memory-server",
      stderr: [],
      noise: [],
    };
    const work = (client: ClientId, clientName: string): EntryWork => ({
      where: { env: "windows", client, server: "memory" },
      clientName,
      server: "memory",
      timeoutMs: 30_000,
      managed: true,
      managedPackage: true,
      kind: "stdio",
    });
    // Three configs, three launches (each its own arguments), each answered in 0.4 s with 9 tools.
    const probes = [
      {
        work: work("claude-desktop", "Claude Desktop"),
        launch: "node a.js",
        result: started,
        probeTimeoutMs: 10_000,
      },
      { work: work("cursor", "Cursor"), launch: "node b.js", result: started, probeTimeoutMs: 10_000 },
      { work: work("windsurf", "Windsurf"), launch: "node c.js", result: started, probeTimeoutMs: 10_000 },
    ];
    const passes = (items: typeof probes) =>
      groupShared(runScope("machine", { ...emptyFacts(), probes: items })).filter(
        (c) => c.id === "probe.handshake",
      );
    expect(passes(probes).map((c) => [c.client ?? null, c.places?.length ?? 0])).toEqual([
      ["claude-desktop", 0],
      ["cursor", 0],
      ["windsurf", 0],
    ]);
    // The same launch in two of them: one start, one finding naming both.
    const two = passes([probes[0]!, { ...probes[1]!, launch: "node a.js" }, probes[2]!]);
    expect(two.map((c) => [c.client ?? null, c.places?.map((p) => p.client) ?? []])).toEqual([
      [null, ["claude-desktop", "cursor"]],
      ["windsurf", []],
    ]);
  });

  test("one start for two configs is one pass naming both; a lone finding keeps its client", () => {
    const started =
      "started in 0.4 s with 9 tools (memory-server); one start for Claude Desktop and Cursor, the same launch.";
    const passes = [
      check({ id: "probe.handshake", status: "pass", client: "claude-desktop", message: started }),
      check({ id: "probe.handshake", status: "pass", message: started }),
    ];
    const [shared, ...rest] = groupShared(passes);
    expect(rest).toEqual([]);
    expect(shared!.client).toBeUndefined();
    expect(shared!.places!.map((p) => p.client)).toEqual(["claude-desktop", "cursor"]);
    const lone = [check({})];
    expect(groupShared(lone)).toEqual(lone);
    expect(messageOf(lone[0]!)).toBe(lone[0]!.message);
  });
});

describe("shared.status: the fix for a shared server's failed start", () => {
  const view = (lastError: string) => ({
    name: "memory",
    mode: "machine",
    state: "failed" as const,
    processes: 0,
    sessions: 0,
    rssBytes: null,
    idleMs: null,
    pids: [],
    lastError,
  });
  const fixOf = (lastError: string) =>
    runScope("machine", {
      ...emptyFacts(),
      shared: { status: { bridge: { state: "running" }, shared: [view(lastError)] }, entries: [] },
    }).find((c) => c.id === "shared.status")!.fix;

  test("its package not installed where the bridge runs: sync installs it, never 'what the server printed' nor 'starts it again'", () => {
    expect(fixOf("@modelcontextprotocol/server-memory is not installed in wsl:Ubuntu")).toBe(
      "`mcp-twin sync` installs it in wsl:Ubuntu (if npm fails there, the npm lines under wsl:Ubuntu say why), or run it in each client instead: `mcp-twin share memory off`, then `mcp-twin sync`.",
    );
    // Any other failure: its message, and the log for what the server printed.
    expect(fixOf("it exited with code 1")).toMatch(/^Its error above says why; what the server printed/);
  });
});
