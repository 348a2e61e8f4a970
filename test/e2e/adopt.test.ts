/**
 * The third way with a hand edit: take it into the manifest. Cursor's entry is edited by hand
 * after a sync (an argument added, a setting added, its key rotated, a new key added); status,
 * sync and doctor each say how to adopt it; `adopt` puts each change where the manifest defines
 * it, moves the keys to the secrets file (never the manifest, never printed), records the entry
 * as mcp-twin's again, and the next sync gives every other client the same edit.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { type FakeMachine, runInProcessByDefault } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";

runInProcessByDefault();

const SECRET = "fx-adopt-1111111111-OLD1";
const ROTATED = "fx-adopt-2222222222-NEW2";
const EXTRA = "fx-live-3333333333-XTRA";
const setup = fixtureMachines(SECRET, () => `${inject("fixtureName")}@1.0.0`);

const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));
const manifestOf = (m: FakeMachine) => json(path.join(m.paths.home, "mcp-twin.jsonc"));
const secretsOf = (m: FakeMachine) => json(path.join(m.paths.home, "secrets.json")).secrets;
const never = (text: string) => {
  for (const key of [SECRET, ROTATED, EXTRA]) expect(text).not.toContain(key);
};

async function editedCursor(): Promise<FakeMachine> {
  const m = setup();
  const synced = await m.run(["sync"]);
  expect(synced.code, synced.stderr).toBe(0);
  const cfg = json(m.paths.cursorConfig);
  const entry = cfg.mcpServers.fixture;
  entry.args.push("--verbose");
  entry.env.FIXTURE_TOKEN = ROTATED;
  entry.env.FIXTURE_LEVEL = "debug";
  entry.env.FIXTURE_API_KEY = EXTRA;
  writeFileSync(m.paths.cursorConfig, JSON.stringify(cfg, null, 2));
  return m;
}

describe("adopt: a hand edit taken into the manifest", () => {
  test("status, sync and doctor say how", async () => {
    const m = await editedCursor();
    const status = await m.run(["status"]);
    expect(status.stdout).toContain(
      "fixture in windows cursor: edited by hand. Take the edit into the manifest (`mcp-twin adopt fixture --from windows:cursor`), put mcp-twin's entry back (`mcp-twin sync --force`), or leave it (sync leaves it alone).",
    );
    const sync = await m.run(["sync"]);
    expect(sync.stdout).toContain(
      "fixture: edited by hand since the last sync; kept (`mcp-twin adopt fixture --from windows:cursor` takes the edit into the manifest, --force overwrites it)",
    );
    const doctor = await m.run(["doctor", "--no-probe", "--json", "--client", "cursor"]);
    const drift = (JSON.parse(doctor.stdout).checks as Array<{ id: string; fix?: string }>).find(
      (c) => c.id === "drift.entry",
    );
    expect(drift?.fix).toContain("`mcp-twin adopt fixture --from windows:cursor`");
    never(status.stdout + status.stderr + sync.stdout + sync.stderr + doctor.stdout + doctor.stderr);
  }, 120_000);

  test("--dry-run shows the manifest diff, references only, and writes nothing", async () => {
    const m = await editedCursor();
    const before = readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8");
    const dry = await m.run(["adopt", "fixture", "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    never(dry.stdout + dry.stderr);
    expect(dry.stdout).toContain("env.FIXTURE_LEVEL: added");
    // Diffs mask every env value (a key may sit under any name).
    expect(dry.stdout).toContain('+        "FIXTURE_LEVEL": "********"');
    expect(dry.stdout).toContain('+        "FIXTURE_API_KEY": "${secret:FIXTURE_API_KEY}"');
    expect(dry.stdout).toContain("env.FIXTURE_TOKEN: a new value for FIXTURE_TOKEN");
    // Planned, not done: the bullet, never ✔.
    expect(dry.stdout).toContain("• Secrets to store in ");
    expect(dry.stdout).toContain("• New value to store for FIXTURE_TOKEN");
    expect(dry.stdout).not.toContain("✔");
    expect(dry.stdout).toContain("Dry run: nothing was written.");
    expect(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8")).toBe(before);
    expect(secretsOf(m)).toEqual({ FIXTURE_TOKEN: SECRET });
  }, 120_000);

  test("the edit goes into the manifest, keys into the secrets file; sync gives it to every client", async () => {
    const m = await editedCursor();
    const r = await m.run(["adopt", "fixture", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    never(r.stdout + r.stderr);
    const report = JSON.parse(r.stdout);
    expect(report.from).toMatchObject({ env: "windows", client: "cursor", state: "drifted" });
    expect(report.secrets).toEqual({ stored: ["FIXTURE_API_KEY"], replaced: ["FIXTURE_TOKEN"] });
    expect(report.thenSync.map((t: { client: string }) => t.client).sort()).toEqual([
      "claude-code",
      "claude-desktop",
    ]);
    expect(report.rewritten).toBe(false);

    expect(manifestOf(m).servers.fixture).toEqual({
      package: `${inject("fixtureName")}@1.0.0`,
      env: {
        FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}",
        FIXTURE_LEVEL: "debug",
        FIXTURE_API_KEY: "${secret:FIXTURE_API_KEY}",
      },
      args: ["--verbose"],
      // As the fixture machine's manifest had it.
      share: "off",
    });
    never(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8"));
    expect(secretsOf(m)).toEqual({ FIXTURE_TOKEN: ROTATED, FIXTURE_API_KEY: EXTRA });

    const status = await m.run(["status", "--json"]);
    const rows = JSON.parse(status.stdout) as Array<{ client: string; state: string }>;
    expect(rows.find((x) => x.client === "cursor")!.state).toBe("synced");
    expect(rows.filter((x) => x.client !== "cursor").map((x) => x.state)).toEqual(["stale", "stale"]);

    const sync = await m.run(["sync", "--json"]);
    expect(sync.code, sync.stderr).toBe(0);
    never(sync.stdout + sync.stderr);
    const targets = JSON.parse(sync.stdout).targets as Array<{
      client: string;
      updated: string[];
      drift: string[];
    }>;
    expect(targets.every((t) => t.drift.length === 0)).toBe(true);
    expect(targets.find((t) => t.client === "cursor")!.updated).toEqual([]);
    for (const file of [m.paths.claudeDesktopConfig, m.paths.claudeCodeConfig]) {
      const entry = json(file).mcpServers.fixture;
      expect(entry.args.at(-1)).toBe("--verbose");
      expect(entry.env).toEqual({ FIXTURE_TOKEN: ROTATED, FIXTURE_LEVEL: "debug", FIXTURE_API_KEY: EXTRA });
    }
  }, 120_000);

  test("a new key only: the report says the edit went into the secrets file, the manifest unchanged", async () => {
    const m = await setup.synced();
    const cfg = json(m.paths.cursorConfig);
    cfg.mcpServers.fixture.env.FIXTURE_TOKEN = ROTATED;
    writeFileSync(m.paths.cursorConfig, JSON.stringify(cfg, null, 2));
    const before = readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8");
    const r = await m.run(["adopt", "fixture"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "✔ fixture in windows:cursor is mcp-twin's again; its edit is in the secrets file now (the manifest already said the rest).",
    );
    expect(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8")).toBe(before);
    expect(secretsOf(m)).toEqual({ FIXTURE_TOKEN: ROTATED });
    never(r.stdout + r.stderr);
  }, 120_000);

  test("several edited entries: --from chooses, else exit 2 naming them", async () => {
    const m = await editedCursor();
    const code = json(m.paths.claudeCodeConfig);
    code.mcpServers.fixture.args.push("--quiet");
    writeFileSync(m.paths.claudeCodeConfig, JSON.stringify(code, null, 2));
    const which = await m.run(["adopt", "fixture"]);
    expect(which.code).toBe(2);
    expect(which.stderr).toContain("fixture differs from the manifest in 2 places");
    expect(which.stderr).toContain("--from wsl:Ubuntu:claude-code, --from windows:cursor");
    const typo = await m.run(["adopt", "fixture", "--from", "windows:cursr"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("Did you mean windows:cursor?");
    const unknown = await m.run(["adopt", "fixtur"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Did you mean fixture?");

    const picked = await m.run(["adopt", "fixture", "--from", "wsl:Ubuntu:claude-code"]);
    expect(picked.code, picked.stderr).toBe(0);
    // Where the edit went, said as it is (not "the manifest says what it says").
    expect(picked.stdout).toContain(
      "✔ fixture in wsl:Ubuntu:claude-code is mcp-twin's again; its edit is in the manifest now.",
    );
    expect(manifestOf(m).servers.fixture.args).toEqual(["--quiet"]);
    expect(manifestOf(m).servers.fixture.env).toEqual({ FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" });
    never(which.stderr + picked.stdout + picked.stderr);
  }, 120_000);

  test("an entry mcp-twin never wrote under the server's name (foreign) can be taken in too", async () => {
    const m = setup();
    writeFileSync(
      m.paths.cursorConfig,
      JSON.stringify({
        mcpServers: {
          fixture: {
            command: "npx",
            args: ["-y", `${inject("fixtureName")}@1.0.0`, "--extra"],
            env: { FIXTURE_TOKEN: SECRET },
          },
        },
      }),
    );
    const r = await m.run(["adopt", "fixture"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("not written by mcp-twin");
    expect(r.stdout).toContain("writes windows:cursor's entry in mcp-twin's form");
    expect(manifestOf(m).servers.fixture.args).toEqual(["--extra"]);
    const sync = await m.run(["sync", "--json"]);
    expect(sync.code, sync.stderr).toBe(0);
    const cursor = JSON.parse(sync.stdout).targets.find((t: { client: string }) => t.client === "cursor");
    expect(cursor.foreign ?? []).toEqual([]);
    expect(cursor.updated).toEqual(["fixture"]);
    expect(json(m.paths.cursorConfig).mcpServers.fixture.command).toBe("C:\\PROGRA~1\\nodejs\\node.exe");
    never(r.stdout + r.stderr + sync.stdout + sync.stderr);
  }, 120_000);
});
