/**
 * sync's plan as a value: the parts of planning that take plain values and return plain values —
 * where packages go, where npm will put what it installs, each target's change, and "nothing to
 * do" — given literal environments, targets, files and state, with no machine behind them.
 */
import { describe, expect, test } from "vitest";
import { clientById } from "../../src/core/clients/index.js";
import { targetKey } from "../../src/core/clients/targets.js";
import type { Target } from "../../src/core/clients/types.js";
import type { BuiltEntry } from "../../src/core/entries/target-entry.js";
import type { Environment } from "../../src/core/environments/types.js";
import type { State } from "../../src/core/ledger/state.js";
import type { Manifest } from "../../src/core/manifest/schema.js";
import type { InstalledIndex } from "../../src/core/packages/installs.js";
import {
  installPlaces,
  isNoop,
  planTargets,
  predictInstalls,
  type SyncPlan,
} from "../../src/core/sync/plan.js";

function env(id: string, kind: Environment["kind"], prefix: string, node: string): Environment {
  return {
    id,
    kind,
    local: kind !== "windows",
    style: kind === "windows" ? "win32" : "posix",
    usable: true,
    home: kind === "windows" ? "C:\\Users\\alice" : "/home/bob",
    node: { path: node, version: "v20.20.2" },
    npm: { prefix },
  } as unknown as Environment;
}
const wsl = env("wsl:Ubuntu", "wsl", "/home/bob/.npm-global", "/usr/bin/node");
const windows = env(
  "windows",
  "windows",
  "C:\\Users\\alice\\AppData\\Roaming\\npm",
  "C:\\PROGRA~1\\nodejs\\node.exe",
);

function target(on: Environment, clientId: string, file: string): Target {
  const client = clientById(clientId)!;
  return {
    key: targetKey(on.id, client.id, "user", file),
    env: on,
    client,
    scope: "user",
    path: file,
    file,
    serversPath: client.serversPath,
    present: true,
  };
}
const desktop = target(windows, "claude-desktop", "/c/claude_desktop_config.json");
const code = target(wsl, "claude-code", "/home/bob/.claude.json");

const manifest = {
  servers: { memory: { package: "@modelcontextprotocol/server-memory@2026.8.31" } },
} as unknown as Manifest;
const emptyState: State = { version: 1, targets: {}, packages: {} } as unknown as State;

describe("where packages go (installPlaces)", () => {
  test("only where a client of this run runs them; an environment with no client is idle", () => {
    const places = installPlaces({
      manifest,
      envs: [wsl, windows],
      allEnvs: [wsl, windows],
      targets: [desktop],
      envsNamed: false,
    });
    expect(places.servers.map((s) => [s.server, s.envs.map((e) => e.id)])).toEqual([["memory", ["windows"]]]);
    expect(places.idle).toEqual(["wsl:Ubuntu"]);
  });

  test("--env names an environment: it gets the packages even with no client", () => {
    const places = installPlaces({
      manifest,
      envs: [wsl],
      allEnvs: [wsl, windows],
      targets: [],
      envsNamed: true,
    });
    expect(places.servers[0]!.envs.map((e) => e.id)).toEqual(["wsl:Ubuntu"]);
    expect(places.idle).toEqual([]);
  });

  test("project files (npx entries): nothing installed anywhere, and no environment is idle for want of a client", () => {
    const project = { ...code, key: "project", scope: "project" as const };
    const places = installPlaces({
      manifest,
      envs: [wsl, windows],
      allEnvs: [wsl, windows],
      targets: [project],
      envsNamed: false,
      project: "/home/bob/app",
    });
    expect(places.servers.map((s) => s.envs)).toEqual([[]]);
    expect(places.idle).toEqual([]);
    expect(places.npx).toBe(true);
  });

  test("a client on each side: both sides, nothing idle", () => {
    const places = installPlaces({
      manifest,
      envs: [wsl, windows],
      allEnvs: [wsl, windows],
      targets: [desktop, code],
      envsNamed: false,
    });
    expect(places.servers[0]!.envs.map((e) => e.id).sort()).toEqual(["windows", "wsl:Ubuntu"]);
    expect(places.idle).toEqual([]);
  });
});

describe("where npm will put a package (predictInstalls)", () => {
  test("a package installed on one side is predicted on the other with the same layout, in that side's syntax", () => {
    const name = "@modelcontextprotocol/server-memory";
    const installed: InstalledIndex = new Map([
      [
        "wsl:Ubuntu",
        new Map([
          [
            name,
            {
              name,
              version: "2026.8.31",
              dir: `/home/bob/.npm-global/lib/node_modules/${name}`,
              bins: { "mcp-server-memory": `/home/bob/.npm-global/lib/node_modules/${name}/dist/index.js` },
            },
          ],
        ]),
      ],
    ]);
    const servers = [{ server: "memory", name, spec: `${name}@2026.8.31`, envs: [wsl, windows] }];
    const predicted = predictInstalls(servers, new Map([[name, "2026.8.31"]]), installed);
    expect(predicted.get("windows")?.get(name)?.bins).toEqual({
      "mcp-server-memory": `C:\\Users\\alice\\AppData\\Roaming\\npm\\node_modules\\@modelcontextprotocol\\server-memory\\dist\\index.js`,
    });
    // the input is a value: not changed
    expect(installed.has("windows")).toBe(false);
  });
});

describe("each target's change (planTargets) and nothing to do (isNoop)", () => {
  const entry = { command: "/usr/bin/node", args: ["/home/bob/.npm-global/lib/node_modules/x/index.js"] };
  const built: BuiltEntry = {
    ok: true,
    value: entry,
    secretValues: [],
    references: [],
    runsIn: "wsl:Ubuntu",
  };
  const desired = new Map([[code.key, new Map([["memory", built]])]]);
  const before = '{\n  // my settings\n  "numStartups": 3\n}\n';

  function planOf(texts: Map<string, string | null>, state: State): SyncPlan {
    const targets = planTargets([code], texts, desired, state, false);
    return {
      manifest: { file: "/m.jsonc", scope: "user" },
      environments: [wsl],
      gathered: 0,
      packages: {
        servers: [],
        versions: new Map(),
        resolved: {},
        unresolved: [],
        index: new Map(),
        installs: [],
        unowned: [],
        prune: [],
      },
      targets,
      desired,
      idle: [],
      npx: false,
      safety: new Map(),
      warnings: [],
      secretValues: [],
      toList: [],
      toolRules: [],
    } as unknown as SyncPlan;
  }

  test("an entry to add: the new text keeps the user's comment and key, and records the entry as ours", () => {
    const plan = planOf(new Map([[code.key, before]]), emptyState);
    const [t] = plan.targets;
    expect(t!.added).toEqual(["memory"]);
    expect(t!.after).toContain("// my settings");
    expect(t!.after).toContain('"numStartups": 3');
    expect(JSON.parse(t!.after!.replace(/\/\/.*$/m, "")).mcpServers.memory).toEqual(entry);
    expect(Object.keys(t!.records)).toEqual(["memory"]);
    expect(isNoop(plan, emptyState)).toBe(false);
  });

  test("planned again on its own result with its records in state: nothing to do", () => {
    const first = planOf(new Map([[code.key, before]]), emptyState).targets[0]!;
    const state = {
      ...emptyState,
      targets: { [code.key]: { entries: first.records } },
    } as unknown as State;
    const again = planOf(new Map([[code.key, first.after]]), state);
    expect(again.targets[0]!.after).toBeNull();
    expect(isNoop(again, state)).toBe(true);
    // …but a package still to install, or a version still unknown, is something to do
    const installing = {
      ...again,
      packages: {
        ...again.packages,
        installs: [{ env: "wsl:Ubuntu", package: "x", version: "1.0.0", action: "planned" }],
      },
    } as SyncPlan;
    expect(isNoop(installing, state)).toBe(false);
    const unknown = { ...again, packages: { ...again.packages, unresolved: ["x"] } } as SyncPlan;
    expect(isNoop(unknown, state)).toBe(false);
    // …or a tool rule waiting for its server's list, which the run lists first
    expect(isNoop({ ...again, toList: ["x"] }, state)).toBe(false);
  });
});
