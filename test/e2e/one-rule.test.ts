/**
 * Where a rule used to be written two or three times and the copies disagreed, the commands now
 * give one answer: each test is a case that sync, status, doctor or `serve --share` answered
 * differently before the rule had one home (core/entries/ownership.ts, core/manifest/spec.ts,
 * core/secrets/placeholders.ts).
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import { call, cleanup, httpClient, startBridge } from "../bridge-server/helpers.js";
import { doctor, one, pick } from "../doctor/helpers.js";
import { runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";
import { importJson } from "../import/helpers.js";

runInProcessByDefault();

const SECRET = "fx-9c8b7a6d5e4f3a2b";
const setup = fixtureMachines(SECRET, () => `${inject("fixtureName")}@1.0.0`);
const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));
afterEach(cleanup);

describe("who owns an entry (core/entries/ownership.ts)", () => {
  test("an entry edited by hand into what the manifest now asks for is synced for status and doctor, as for sync", async () => {
    const m = await setup.synced();
    // The hand edit doctor warns about, then its own fix: "move the change into the manifest".
    const cursor = json(m.paths.cursorConfig);
    cursor.mcpServers.fixture.args.push("--verbose");
    const edited = JSON.stringify(cursor, null, 2);
    writeFileSync(m.paths.cursorConfig, edited);
    writeManifest(m, {
      servers: {
        fixture: {
          package: `${inject("fixtureName")}@1.0.0`,
          args: ["--verbose"],
          share: "off",
          env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
        },
      },
    });

    // sync would leave Cursor's file as it is (and only record the entry as its own again).
    const plan = JSON.parse((await m.run(["sync", "--dry-run", "--json"])).stdout);
    const cursorPlan = plan.targets.find((t: { client: string }) => t.client === "cursor");
    expect(cursorPlan).toMatchObject({ action: "unchanged", drift: [], updated: [] });

    const status = await m.run(["status", "--json"]);
    expect(status.code, status.stderr).toBe(0);
    const rows = JSON.parse(status.stdout) as Array<{ client: string; server: string; state: string }>;
    expect(rows.find((r) => r.client === "cursor" && r.server === "fixture")?.state).toBe("synced");
    expect(rows.find((r) => r.client === "claude-code" && r.server === "fixture")?.state).toBe("stale");

    const run = await doctor(m, ["--no-probe"]);
    expect(one(run, "drift.entry", { client: "cursor", server: "fixture" }).status).toBe("pass");
    expect(one(run, "drift.entry", { client: "claude-code", server: "fixture" }).message).toMatch(
      /out of date/,
    );
    expect(readFileSync(m.paths.cursorConfig, "utf8")).toBe(edited);
  });
});

describe("what is installed where (core/entries/desired.ts), as doctor always read it", () => {
  test("sync --env windows sees the WSL install a Windows client's entry runs (no 'no environment can run it')", async () => {
    const m = await setup.synced(
      {},
      { fixture: { package: `${inject("fixtureName")}@1.0.0`, environments: ["wsl"] } },
    );
    const desktop = readFileSync(m.paths.claudeDesktopConfig, "utf8");
    expect(json(m.paths.claudeDesktopConfig).mcpServers.fixture.command).toBe("wsl.exe");

    const r = await m.run(["sync", "--env", "windows", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const targets = JSON.parse(r.stdout).targets as Array<{
      client: string;
      action: string;
      problems: unknown[];
    }>;
    expect(targets.map((t) => [t.client, t.action, t.problems ?? []])).toEqual([
      ["claude-desktop", "unchanged", []],
      ["cursor", "unchanged", []],
    ]);
    expect(readFileSync(m.paths.claudeDesktopConfig, "utf8")).toBe(desktop);
    const status = JSON.parse((await m.run(["status", "--env", "windows", "--json"])).stdout) as Array<{
      state: string;
      detail?: string;
    }>;
    expect(status.map((row) => [row.state, row.detail])).toEqual([
      ["synced", undefined],
      ["synced", undefined],
    ]);
  });
});

describe("from manifest server to launch (core/manifest/spec.ts)", () => {
  test("serve --share launches a server with the overrides sync writes for its environment (the most specific wins)", async () => {
    const m = setup(
      {},
      {
        fixture: {
          command: process.execPath,
          args: [inject("fixtureScript")],
          env: { FIXTURE_MODE: "base" },
          // Listed general first: the first match alone would be `wsl`.
          overrides: {
            wsl: { env: { FIXTURE_MODE: "every-distro", FROM_WSL: "yes" } },
            "wsl:Ubuntu": { env: { FIXTURE_MODE: "ubuntu", FROM_UBUNTU: "yes" } },
          },
        },
      },
    );
    // What sync writes for Claude Code in wsl:Ubuntu: `wsl:Ubuntu` beats `wsl` (field by field).
    expect((await m.run(["sync", "--client", "claude-code"])).code).toBe(0);
    const written = json(m.paths.claudeCodeConfig).mcpServers.fixture.env;
    expect(written).toEqual({ FIXTURE_MODE: "ubuntu", FROM_UBUNTU: "yes" });

    const b = await startBridge({
      root: m.root,
      args: ["--share", "fixture"],
      env: { ...m.env, MCP_TWIN_HOME: m.paths.home },
    });
    const client = await httpClient(b.url.replace(/\/mcp$/, "/share/fixture"), b.token);
    const seen: Record<string, unknown> = {};
    for (const name of ["FIXTURE_MODE", "FROM_WSL", "FROM_UBUNTU"])
      seen[name] = (await call(client, "env", { name })).data;
    expect(seen).toEqual({
      FIXTURE_MODE: { set: true, length: "ubuntu".length },
      FROM_WSL: { set: false, length: 0 },
      FROM_UBUNTU: { set: true, length: "yes".length },
    });
  });

  test("doctor judges values as sync does: a key accepted with `secret set --force` passes both", async () => {
    const m = setup();
    // The catalogue's tavily template gives TAVILY_API_KEY a format (tvly-…).
    writeManifest(m, {
      servers: {
        fixture: {
          package: `${inject("fixtureName")}@1.0.0`,
          share: "off",
          env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}", TAVILY_API_KEY: "${secret:TAVILY_API_KEY}" },
        },
      },
    });
    const forced = await m.run(["secret", "set", "TAVILY_API_KEY", "--force"], { input: "abc123def456ghi" });
    expect(forced.code, forced.stderr).toBe(0);
    const sync = await m.run(["sync"]);
    expect(sync.code, sync.stderr).toBe(0);
    const run = await doctor(m, ["--no-probe"]);
    expect(run.checks.filter((c) => c.id === "secrets.placeholder")).toEqual([]);
    expect(one(run, "secrets.resolved", { server: "fixture" }).status).toBe("pass");
  });

  test("a placeholder in an override is refused by sync and failed by doctor, whatever the selector (wsl:Ubuntu-22.04)", async () => {
    const m = await setup.synced();
    const before = readFileSync(m.paths.cursorConfig, "utf8");
    for (const selector of ["windows", "wsl:Ubuntu-22.04"]) {
      writeManifest(m, {
        servers: {
          fixture: {
            package: `${inject("fixtureName")}@1.0.0`,
            share: "off",
            env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
            overrides: { [selector]: { env: { API_KEY: "your-key-here" } } },
          },
        },
      });
      const r = await m.run(["sync"]);
      expect(r.code, selector).toBe(2);
      expect(r.stderr).toContain(
        `servers.fixture: overrides.${selector}.env.API_KEY is a placeholder ("your-key-here"), not a key.`,
      );
      expect(readFileSync(m.paths.cursorConfig, "utf8")).toBe(before);
      const c = one(await doctor(m, ["--no-probe"]), "secrets.placeholder", { server: "fixture" });
      expect(c.status).toBe("fail");
      expect(c.message).toContain(`overrides.${selector}.env.API_KEY is a placeholder`);
    }
  });

  test("a blank secret stored with --force is refused by sync, as `secret set` and doctor say", async () => {
    const m = await setup.synced();
    const before = readFileSync(m.paths.cursorConfig, "utf8");
    const forced = await m.run(["secret", "set", "FIXTURE_TOKEN", "--force"], { input: "   " });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/sync will refuse to write it/);
    const r = await m.run(["sync"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("servers.fixture: secret FIXTURE_TOKEN is empty.");
    expect(readFileSync(m.paths.cursorConfig, "utf8")).toBe(before);
    const c = one(await doctor(m, ["--no-probe"]), "secrets.placeholder", { server: "fixture" });
    expect(c.message).toContain("secret FIXTURE_TOKEN (env.FIXTURE_TOKEN) is empty");
  });
});

describe("the manifest in use (core/context/context.ts)", () => {
  test("doctor does not check a bridge a project manifest asks for: sync never wires it", async () => {
    const m = setup();
    const repo = path.join(m.root, "repo");
    mkdirSync(repo, { recursive: true });
    writeFileSync(
      path.join(repo, "mcp-twin.jsonc"),
      JSON.stringify({ servers: {}, bridge: { enabled: true, port: 9 } }, null, 2),
    );
    const plan = JSON.parse((await m.run(["sync", "--dry-run", "--json"], { cwd: repo })).stdout);
    expect(plan.bridge).toBeUndefined();
    const report = await doctor(m, ["--no-probe"], { cwd: repo });
    // Before: "bridge.token fail: no bridge token … the bridge has not started here yet".
    expect(pick(report, "bridge.token")).toEqual([]);
    expect(one(report, "bridge.reachable").status).toBe("skip");
  });
});

describe("what names a secret (core/secrets/placeholders.ts)", () => {
  test("doctor and import judge a variable alike: KEYBOARD_LAYOUT and AUTHOR hold no key, API_TOKEN does", async () => {
    const m = setup();
    const file = m.paths.claudeCodeConfig;
    const entry = (env: Record<string, string>) => ({ command: "node", args: ["server.js"], env });
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      JSON.stringify(
        {
          mcpServers: {
            layout: entry({ KEYBOARD_LAYOUT: "de-neo-2", AUTHOR: "ada-lovelace" }),
            keyed: entry({ API_TOKEN: "k-7d1e9b3a5c2f" }),
          },
        },
        null,
        2,
      ),
    );
    chmodSync(file, 0o644);

    // import leaves the layout's values in its entry and moves only the token to the secrets file.
    const imported = await importJson(m, ["--dry-run"]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.server("layout")!.server).toMatchObject({
      env: { KEYBOARD_LAYOUT: "de-neo-2", AUTHOR: "ada-lovelace" },
    });
    expect(imported.server("keyed")!.server).toMatchObject({ env: { API_TOKEN: "${secret:API_TOKEN}" } });

    // doctor: the readable file holds a key of `keyed` only (before: "keys (keyed, layout)").
    const run = await doctor(m, ["--no-probe", "--client", "claude-code"]);
    const privacy = pick(run, "config.private", { client: "claude-code" }).map((c) => c.message);
    expect(privacy).toEqual([expect.stringContaining("holds a key (keyed) and is readable by other users")]);
  });
});
