/**
 * The API `init` builds on, called in-process against a fake machine: scanImports gives a plan
 * (candidates, where each was found, secrets by name, problems) without writing anything;
 * applyImport writes only the servers chosen, plus answers for missing secrets.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openMachine } from "../../src/core/environments/machine.js";
import { applyImport, scanImports } from "../../src/core/import/index.js";
import type { Host } from "../../src/core/system/host.js";
import { createRunner } from "../../src/core/system/run.js";
import { createFakeMachine, type FakeMachine, runInProcessByDefault } from "../helpers/fake-machine.js";
import { manifestOf, placeJson, places, stateOf } from "./helpers.js";

runInProcessByDefault();

const KEY = "tvly-dev-0123456789ab";
let m: FakeMachine;
let host: Host;

beforeAll(() => {
  m = createFakeMachine();
  const p = places(m);
  placeJson(p.desktop, {
    mcpServers: {
      tavily: {
        command: "cmd",
        args: ["/c", "npx", "-y", "tavily-mcp@0.2.22"],
        env: { TAVILY_API_KEY: KEY },
      },
      brave: {
        command: "npx",
        args: ["-y", "@brave/brave-search-mcp-server"],
        env: { BRAVE_API_KEY: "<YOUR_KEY>" },
      },
      "My Notes": { command: "uvx", args: ["notes-mcp"] },
    },
  });
  host = {
    platform: "linux",
    env: m.env,
    cwd: m.paths.linuxHome,
    sysroot: m.env.MCP_TWIN_SYSROOT!,
    runner: createRunner(),
    now: () => new Date(),
    self: { node: process.execPath, script: path.join(m.root, "mcp-twin.js") },
  };
});
afterAll(() => m?.cleanup());

describe("scanImports → applyImport", () => {
  test("the plan is data: candidates, where found, secrets by name, missing ones; nothing written", async () => {
    const machine = await openMachine(host);
    const plan = await scanImports(machine, { clients: ["claude-desktop"] });
    expect(plan.manifestExists).toBe(false);
    expect(plan.candidates.map((c) => [c.name, c.status, c.server])).toEqual([
      [
        "tavily",
        "new",
        { package: "tavily-mcp@0.2.22", env: { TAVILY_API_KEY: "${secret:TAVILY_API_KEY}" } },
      ],
      [
        "brave",
        "new",
        { package: "@brave/brave-search-mcp-server", env: { BRAVE_API_KEY: "${secret:BRAVE_API_KEY}" } },
      ],
      ["my-notes", "new", { command: "uvx", args: ["notes-mcp"], environments: ["windows"] }],
    ]);
    expect(plan.candidates[0]!.found).toEqual([
      expect.objectContaining({
        env: "windows",
        client: "claude-desktop",
        entry: "tavily",
        via: "cmd /c npx",
        adopt: true,
      }),
    ]);
    expect(plan.candidates[1]!.missing).toEqual([
      expect.objectContaining({
        name: "BRAVE_API_KEY",
        placeholder: "<YOUR_KEY>",
        field: "env.BRAVE_API_KEY",
      }),
    ]);
    expect(plan.candidates[2]!.found[0]).toMatchObject({ adopt: false, entry: "My Notes" });
    expect(plan.secrets.map((s) => s.name)).toEqual(["TAVILY_API_KEY"]);
    expect(plan.secretValues).toEqual({ TAVILY_API_KEY: KEY });
    expect(JSON.stringify(plan.candidates)).not.toContain(KEY);
    expect(existsSync(path.join(m.paths.home, "mcp-twin.jsonc"))).toBe(false);
  });

  test("a dry run returns the manifest text it would write", async () => {
    const machine = await openMachine(host);
    const plan = await scanImports(machine, { clients: ["claude-desktop"] });
    const preview = await applyImport(machine, plan, { servers: ["tavily"], dryRun: true });
    expect(preview.before).toBeNull();
    expect(JSON.parse(preview.after!.replace(/^\/\/.*$/gm, "")).servers).toEqual({
      tavily: plan.candidates[0]!.server,
    });
    expect(existsSync(path.join(m.paths.home, "mcp-twin.jsonc"))).toBe(false);
  });

  test("only the chosen servers are written; an answered missing secret is stored with the rest", async () => {
    const machine = await openMachine(host);
    const plan = await scanImports(machine, { clients: ["claude-desktop"] });
    await expect(
      applyImport(machine, plan, { servers: ["brave"], secrets: { "BAD NAME": "x" } }),
    ).rejects.toThrow(/not a valid secret name/);
    const result = await applyImport(machine, plan, {
      servers: ["tavily", "brave"],
      secrets: { BRAVE_API_KEY: "BSAanswered0123456789", UNUSED: "never-stored" },
    });
    expect(result.servers.map((s) => [s.name, s.action])).toEqual([
      ["tavily", "added"],
      ["brave", "added"],
    ]);
    expect(Object.keys(manifestOf(m).servers)).toEqual(["tavily", "brave"]);
    const secrets = path.join(m.paths.home, "secrets.json");
    expect(JSON.parse(readFileSync(secrets, "utf8")).secrets).toEqual({
      BRAVE_API_KEY: "BSAanswered0123456789",
      TAVILY_API_KEY: KEY,
    });
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    expect(result.adopted.map((a) => a.server)).toEqual(["tavily", "brave"]);
    const key = Object.keys(stateOf(m).targets)[0]!;
    expect(Object.keys(stateOf(m).targets[key]!.entries)).toEqual(["tavily", "brave"]);
  });
});
