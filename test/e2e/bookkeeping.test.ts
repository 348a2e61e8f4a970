/**
 * mcp-twin's own files — the state (what it wrote where) and the secrets — are validated on load.
 * A corrupt one stops every command that reads it with exit 2 at its line and column, says how to
 * recover, and nothing is overwritten; doctor reports it (state.file, secrets.file). Secret values
 * never appear in these messages.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import { describe, expect, inject, test } from "vitest";
import { doctor, one } from "../doctor/helpers.js";
import { type FakeMachine, runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const SECRET = "fx-9a8b7c6d5e4f3a2b";
const setup = fixtureMachines(SECRET, () => `${inject("fixtureName")}@1.0.0`);

const configs = (m: FakeMachine) =>
  [m.paths.claudeDesktopConfig, m.paths.cursorConfig, m.paths.claudeCodeConfig].map((f) =>
    existsSync(f) ? readFileSync(f, "utf8") : null,
  );
const stateFile = (m: FakeMachine) => path.join(m.paths.home, "state.json");
const secretsFile = (m: FakeMachine) => path.join(m.paths.home, "secrets.json");

/** A synced machine whose manifest then changed, so the next sync would write. */
async function syncedThenChanged(): Promise<FakeMachine> {
  const m = await setup.synced();
  const manifest = path.join(m.paths.home, "mcp-twin.jsonc");
  const doc = JSON.parse(readFileSync(manifest, "utf8"));
  doc.servers.fixture.args = ["--changed"];
  writeFileSync(manifest, JSON.stringify(doc, null, 2));
  return m;
}

describe("the state file", () => {
  test("one that does not parse stops sync (exit 2, line:column, how to recover); nothing written", async () => {
    const m = await syncedThenChanged();
    const text = readFileSync(stateFile(m), "utf8");
    const broken = text.slice(0, Math.floor(text.length / 2));
    writeFileSync(stateFile(m), broken);
    const before = configs(m);
    const r = await m.run(["sync"]);
    expect(r.code).toBe(2);
    // Named as Windows names it (the home is on C:).
    expect(r.stderr).toMatch(
      /C:\\Users\\alice\\AppData\\Roaming\\mcp-twin\\state\.json:\d+:\d+: the state file is not valid JSON/,
    );
    expect(r.stderr).toContain("move it aside (rename it to state.json.broken, in the same folder)");
    expect(readFileSync(stateFile(m), "utf8")).toBe(broken);
    expect(configs(m)).toEqual(before);
    for (const command of [["status"], ["restore"], ["uninstall", "--yes"]]) {
      const other = await m.run(command);
      expect(other.code, `${command.join(" ")}: ${other.stderr}`).toBe(2);
    }
    expect(readFileSync(stateFile(m), "utf8")).toBe(broken);
    expect(configs(m)).toEqual(before);
  });

  test("a malformed record is named at its line and column, in --json too", async () => {
    const m = await syncedThenChanged();
    const state = JSON.parse(readFileSync(stateFile(m), "utf8"));
    const key = Object.keys(state.targets)[0]!;
    state.targets[key].entries.fixture.hash = 42;
    const text = JSON.stringify(state, null, 2);
    writeFileSync(stateFile(m), text);
    const r = await m.run(["sync", "--json"]);
    expect(r.code).toBe(2);
    const [error] = JSON.parse(r.stdout).errors;
    const line = text.split("\n").findIndex((l) => l.includes('"hash": 42')) + 1;
    expect(error).toMatchObject({ code: "state-corrupt", file: stateFile(m), line });
    expect(error.message).toContain(`targets.${key}.entries.fixture.hash: Invalid input: expected string`);
    expect(readFileSync(stateFile(m), "utf8")).toBe(text);
  });

  test("doctor reports it with the fix; moved aside, sync recognises mcp-twin's entries again", async () => {
    const m = await setup.synced();
    const synced = configs(m);
    writeFileSync(stateFile(m), "{ not json");
    const run = await doctor(m, ["--no-probe"]);
    const c = one(run, "state.file");
    expect(c.status).toBe("fail");
    expect(c.message).toMatch(/state\.json:1:3: the state file is not valid JSON/);
    expect(c.fix).toContain("mcp-twin sync");
    expect(run.code).toBe(1);
    // The recovery the message gives, followed: nothing is foreign, nothing changes.
    renameSync(stateFile(m), `${stateFile(m)}.broken`);
    const r = await m.run(["sync", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { targets: Array<{ action: string; foreign?: string[] }> };
    expect(report.targets.every((t) => t.action === "unchanged" && !t.foreign)).toBe(true);
    expect(configs(m)).toEqual(synced);
    expect(one(await doctor(m, ["--no-probe"]), "state.file").status).toBe("pass");
  });
});

describe("the secrets file", () => {
  test("a malformed entry stops `secret set` (exit 2) instead of being dropped; the file is kept", async () => {
    const m = setup();
    const text = JSON.stringify(
      { version: 1, secrets: { FIXTURE_TOKEN: SECRET, OTHER_KEY: 12345, "BAD NAME": "sk-abcdef0123456789" } },
      null,
      2,
    );
    writeFileSync(secretsFile(m), text, { mode: 0o600 });
    const r = await m.run(["secret", "set", "NEW_KEY"], { input: "tvly-dev-0123456789abcdef" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/secrets\.json:5:5: secrets\.OTHER_KEY: Invalid input: expected string/);
    expect(r.stderr).toContain("secret set NAME");
    expect(readFileSync(secretsFile(m), "utf8")).toBe(text);
    for (const value of [SECRET, "sk-abcdef0123456789", "12345"])
      expect(r.stdout + r.stderr).not.toContain(value);
    const sync = await m.run(["sync"]);
    expect(sync.code).toBe(2);
    expect(readFileSync(secretsFile(m), "utf8")).toBe(text);
  });

  test("one that does not parse: exit 2 at its line and column, never its content; doctor names it", async () => {
    const m = setup();
    const text = `{"version": 1, "secrets": {"FIXTURE_TOKEN": "${SECRET}",}}`;
    writeFileSync(secretsFile(m), text, { mode: 0o600 });
    const r = await m.run(["sync"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/secrets\.json:1:\d+: the secrets file is not valid JSON/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    const run = await doctor(m, ["--no-probe"]);
    const c = one(run, "secrets.file");
    expect(c.status).toBe("fail");
    expect(c.message).toMatch(/secrets\.json:1:\d+:/);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
    expect(readFileSync(secretsFile(m), "utf8")).toBe(text);
  });
});

/**
 * The records kept beside each target's backups (issue 9 follow-up): `hand-written.json` (the
 * user's own form of adopted entries, which uninstall gives back) and `target.json` (which entries
 * mcp-twin owned in each backup). On main, a corrupt one read as empty and the next save made the
 * loss permanent.
 */
describe("the records beside the backups", () => {
  const handWritten = { command: "uvx", args: ["tool-mcp"], env: { TOOL_KEY: SECRET } };
  const theirs = { command: "npx", args: ["-y", "their-server"] };

  /** ~/.claude.json with an adopted hand-written entry (import, then a sync that rewrote it). */
  async function adopted() {
    const m = setup({ kind: "linux" }, {});
    const file = m.paths.claudeCodeConfig;
    writeFileSync(file, `${JSON.stringify({ mcpServers: { tool: handWritten } }, null, 2)}\n`, {
      mode: 0o600,
    });
    expect((await m.run(["import", "--yes"])).code).toBe(0);
    // Its key in its entry, as these records are about (a key-carrying server is otherwise run in
    // the bridge, whose start these tests do not judge).
    const { tool } = readManifestServers(m) as { tool: Record<string, unknown> };
    writeManifest(m, { servers: { tool: { ...tool, share: "off" } } });
    const synced = await m.run(["sync", "--json"]);
    expect(synced.code, synced.stderr).toBe(0);
    const folder = backupFolder(m);
    return { m, file, folder };
  }
  const backupFolder = (m: FakeMachine) => {
    const root = path.join(m.paths.home, "backups");
    const [name] = readdirSync(root).filter((n) => existsSync(path.join(root, n, "hand-written.json")));
    return path.join(root, name!);
  };
  const quoteRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

  test("a hand-written.json that does not parse stops sync --force and uninstall (exit 2, line:column); it is never overwritten", async () => {
    const { m, file, folder } = await adopted();
    const hw = path.join(folder, "hand-written.json");
    const broken = readFileSync(hw, "utf8").replace(/\}\s*\}\s*$/, "");
    writeFileSync(hw, broken, { mode: 0o600 });
    // A foreign entry that `sync --force` would take over: on main its save replaced the whole file.
    const doc = json(file);
    doc.mcpServers.theirs = theirs;
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
    writeManifest(m, {
      servers: { ...readManifestServers(m), theirs: { command: "uvx", args: ["ours"] } },
    });
    const before = readFileSync(file, "utf8");
    const r = await m.run(["sync", "--force"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`${quoteRe(hw)}:\\d+:\\d+: the hand-written entries file is not valid JSON`),
    );
    expect(r.stderr).toContain("rename it to hand-written.json.broken, in the same folder");
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(readFileSync(hw, "utf8")).toBe(broken);
    expect(readFileSync(file, "utf8")).toBe(before);
    const u = await m.run(["uninstall", "--yes"]);
    expect(u.code, u.stderr).toBe(2);
    expect(readFileSync(hw, "utf8")).toBe(broken);
    expect(readFileSync(file, "utf8")).toBe(before);
    // Repaired by hand (what the message says), uninstall gives the entry back as written.
    writeFileSync(hw, `${broken}}}\n`);
    const fixed = await m.run(["uninstall", "--yes"]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(json(file).mcpServers.tool).toEqual(handWritten);
  });

  test("a malformed target.json record stops a sync that would write (line:column, --json) and restore --list; nothing written", async () => {
    const { m, file, folder } = await adopted();
    const index = path.join(folder, "target.json");
    const data = JSON.parse(readFileSync(index, "utf8"));
    const [name] = Object.keys(data.owned);
    data.owned[name!] = "tool";
    const text = JSON.stringify(data, null, 2);
    writeFileSync(index, text, { mode: 0o600 });
    writeManifest(m, { servers: { ...readManifestServers(m), extra: { command: "uvx", args: ["extra"] } } });
    const before = readFileSync(file, "utf8");
    const backupsBefore = readdirSync(folder).sort();
    const r = await m.run(["sync", "--json"]);
    expect(r.code, r.stderr).toBe(2);
    const [error] = JSON.parse(r.stdout).errors;
    const line = text.split("\n").findIndex((l) => l.includes('"tool"') && l.includes(name!)) + 1;
    expect(error).toMatchObject({ code: "backups-corrupt", file: index, line });
    expect(error.message).toContain(`owned.${name}: Invalid input: expected array`);
    expect(readFileSync(index, "utf8")).toBe(text);
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(readdirSync(folder).sort()).toEqual(backupsBefore);
    const dry = await m.run(["sync", "--dry-run"]);
    expect(dry.code).toBe(2);
    const list = await m.run(["restore", "--list"]);
    expect(list.code).toBe(2);
    expect(list.stderr).toContain("restore --list");
    expect(readFileSync(index, "utf8")).toBe(text);
  });

  test("doctor reports it (backups.file) with the recovery; moved aside, the next sync writes a fresh one", async () => {
    const { m, folder } = await adopted();
    expect(one(await doctor(m, ["--no-probe"]), "backups.file").status).toBe("pass");
    const index = path.join(folder, "target.json");
    writeFileSync(index, "{ not json");
    const run = await doctor(m, ["--no-probe"]);
    const c = one(run, "backups.file");
    expect(c.status).toBe("fail");
    expect(c.message).toMatch(/target\.json:1:3: the backup index is not valid JSON/);
    expect(c.fix).toContain("rename it to target.json.broken, in the same folder");
    expect(run.code).toBe(1);
    renameSync(index, `${index}.broken`);
    writeManifest(m, { servers: { ...readManifestServers(m), extra: { command: "uvx", args: ["extra"] } } });
    const r = await m.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(index, "utf8")).key).toBeTypeOf("string");
    expect(one(await doctor(m, ["--no-probe"]), "backups.file").status).toBe("pass");
  });
});

function readManifestServers(m: FakeMachine): Record<string, unknown> {
  return parseJsonc(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8")).servers;
}
const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));

/**
 * Caches in the home (environment facts, the validated manifest) only save work: a damaged one is
 * discarded and rebuilt, and never crashes a command or stands in for the real file. On main, an
 * environment cache entry of the wrong shape, or a manifest cache whose servers were damaged, was
 * an internal error (exit 1); a lock-owner file holding `null` too.
 */
describe("damaged caches are rebuilt, never a crash", () => {
  const cacheDir = (m: FakeMachine) => path.join(m.paths.home, "cache");
  /** The cache file's data, whether it is sealed ({ sum, data }) or not. */
  const dataOf = (doc: Record<string, unknown>) =>
    ("data" in doc ? doc.data : doc) as Record<string, unknown>;

  test("environment facts of the wrong shape: gathered again", async () => {
    const m = await syncedThenChanged();
    const file = path.join(cacheDir(m), "environments.json");
    const damaged = {
      version: 1,
      entries: {
        "wsl:Ubuntu": { facts: null, stamp: "x" },
        "windows@wsl:Ubuntu": "not an entry",
      },
    };
    for (const command of [["status"], ["doctor", "--no-probe"], ["sync"]]) {
      writeFileSync(file, JSON.stringify(damaged));
      const r = await m.run(command);
      expect(r.stderr, command.join(" ")).not.toMatch(/Unexpected error|internal/i);
      expect(r.code, `${command.join(" ")}: ${r.stderr}`).toBeLessThan(2);
    }
    // The sync wrote the change and a cache that works.
    expect(configs(m).some((t) => t?.includes("--changed"))).toBe(true);
    m.clearInteropLog();
    expect((await m.run(["status"])).code).toBe(0);
    expect(m.interopCalls()).toEqual([]);
  });

  test("a validated manifest whose servers were damaged in the cache: the manifest is read again", async () => {
    const m = await setup.synced();
    const synced = configs(m);
    const [name] = readdirSync(cacheDir(m)).filter((n) => n.startsWith("manifest-"));
    const file = path.join(cacheDir(m), name!);
    const doc = JSON.parse(readFileSync(file, "utf8"));
    (dataOf(doc).manifest as { servers: Record<string, unknown> }).servers.fixture = null;
    writeFileSync(file, JSON.stringify(doc));
    const r = await m.run(["sync", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).targets.every((t: { action: string }) => t.action === "unchanged")).toBe(
      true,
    );
    expect(configs(m)).toEqual(synced);
  });

  test("a lock-owner file that is not an owner: the run goes on", async () => {
    const m = await syncedThenChanged();
    writeFileSync(path.join(m.paths.home, "sync.lock.owner"), "null");
    const r = await m.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(configs(m).some((t) => t?.includes("--changed"))).toBe(true);
  });
});
