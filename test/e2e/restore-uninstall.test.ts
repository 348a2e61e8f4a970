/**
 * Giving back (issue 9, items 3–5): the original of each file is kept for good beside the last ten
 * backups (`restore --list`, `--from`, `--original`); a file that no longer parses is put back
 * whole (showing what it replaces, keys masked) and doctor names that command; uninstall gives
 * adopted entries back in their hand-written form, asks first on a terminal, and `restore` undoes it.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import { describe, expect, inject, test } from "vitest";
import { type FakeMachine, runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";
import { KEY, runInPty } from "../helpers/pty.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const SECRET = "fx-9e57a11b4c8d2f01";
const setup = fixtureMachines(SECRET);
const tool = (flag: string) => ({
  tool: {
    command: "uvx",
    args: ["tool-mcp", flag],
    share: "off",
    env: { TOOL_KEY: "${secret:FIXTURE_TOKEN}" },
  },
});
const linux = () => setup({ kind: "linux" }, tool("--v0"));
const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));

interface Listed {
  targets: Array<{
    client: string;
    path: string;
    backups: Array<{ name: string; file: string; at: string; original: boolean; owned?: string[] }>;
  }>;
}
const list = async (m: FakeMachine, ...args: string[]): Promise<Listed> => {
  const r = await m.run(["restore", "--list", "--json", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Listed;
};

describe("the original is kept for good", () => {
  test("after twelve syncs: the original and the last ten; --original and --from put entries back", async () => {
    const m = linux();
    const file = m.paths.claudeCodeConfig;
    const original = readFileSync(file, "utf8");
    for (let i = 1; i <= 12; i++) {
      writeManifest(m, { servers: tool(`--v${i}`) });
      const r = await m.run(["sync"]);
      expect(r.code, r.stderr).toBe(0);
    }
    const backups = (await list(m)).targets[0]!.backups;
    expect(backups).toHaveLength(11);
    expect(backups[0]).toMatchObject({ name: "original.bak", original: true, owned: [] });
    expect(readFileSync(backups[0]!.file, "utf8")).toBe(original);
    expect(backups.slice(1).every((b) => !b.original && b.owned?.includes("tool"))).toBe(true);
    // Private: the folder 0700, every file 0600.
    const folder = path.dirname(backups[0]!.file);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(path.dirname(folder)).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(folder))
      expect(statSync(path.join(folder, name)).mode & 0o777).toBe(0o600);

    // The app writes its own state meanwhile: restore never takes that back.
    const now = json(file);
    now.numStartups = 9;
    writeFileSync(file, `${JSON.stringify(now, null, 2)}\n`);

    // --from: mcp-twin's entries as of that backup (taken before the 8th sync: args end in --v7).
    const eighth = backups[5]!;
    const dry = await m.run(["restore", file, "--from", eighth.name, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('-        "--v12"');
    expect(dry.stdout).toContain('+        "--v7"');
    expect(json(file).mcpServers.tool.args).toContain("--v12");
    const from = await m.run(["restore", file, "--from", eighth.name]);
    expect(from.code, from.stderr).toBe(0);
    expect(json(file).mcpServers.tool.args).toEqual(["tool-mcp", "--v7"]);
    expect(json(file).numStartups).toBe(9);

    // --original: as before mcp-twin — our entry gone, the app's state kept.
    const back = await m.run(["restore", "claude-code", "--original"]);
    expect(back.code, back.stderr).toBe(0);
    expect(json(file)).toEqual({ ...JSON.parse(original), numStartups: 9 });

    const unknown = await m.run(["restore", file, "--from", "2020-01-01T00-00-00-000Z.bak"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("restore --list");
  }, 120_000);

  test("a file changed by a version that kept no original says so, and names the oldest backup", async () => {
    const m = linux();
    expect((await m.run(["sync"])).code).toBe(0);
    writeManifest(m, { servers: tool("--v1") });
    expect((await m.run(["sync"])).code).toBe(0);
    const backups = (await list(m)).targets[0]!.backups;
    rmSync(backups[0]!.file);
    const r = await m.run(["restore", m.paths.claudeCodeConfig, "--original"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("kept no original");
    expect(r.stderr).toContain(`--from ${backups.at(-1)!.name}`);
  });
});

describe("a file that no longer parses", () => {
  test("doctor names the command; restore puts the whole file back, showing what it replaces, keys masked", async () => {
    const m = linux();
    const file = m.paths.claudeCodeConfig;
    expect((await m.run(["sync"])).code).toBe(0);
    writeManifest(m, { servers: tool("--v1") });
    expect((await m.run(["sync"])).code).toBe(0);
    const good = readFileSync(file, "utf8");
    // A crash, or a bad hand edit: the file is cut in the middle (the key is still in it).
    writeFileSync(file, good.slice(0, good.indexOf(SECRET) + SECRET.length + 3));

    const doctor = await m.run(["doctor", "--no-probe", "--json"]);
    const parse = JSON.parse(doctor.stdout).checks.find(
      (c: { id: string; status: string }) => c.id === "config.parse" && c.status === "fail",
    );
    expect(parse.fix).toContain(`\`mcp-twin restore ${file}\``);

    // No terminal to ask on: what the cut changed goes only with --yes.
    const refused = await m.run(["restore", file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("there is no terminal to ask on");
    expect(refused.stdout + refused.stderr).not.toContain(SECRET);
    const r = await m.run(["restore", file, "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    // What mcp-twin last wrote comes back, not the backup from before that write.
    expect(r.stdout).toMatch(
      /whole file put back from last-written\.txt \(what mcp-twin last wrote, \d{4}-\d\d-\d\dT[\d:.]+Z\)/,
    );
    expect(r.stdout).toContain(`--- ${file}`);
    expect(r.stdout).toContain('"TOOL_KEY": "********"');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(readFileSync(file, "utf8")).toBe(good);
    // The next sync finds it as it left it, without calling our own entry foreign or drifted.
    const again = await m.run(["sync", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).targets[0]).toMatchObject({ updated: [], drift: [] });
    expect(json(file).mcpServers.tool.args).toEqual(["tool-mcp", "--v1"]);
  });

  test("after a restore removed entries, repairing the file does not bring them back: the last file mcp-twin wrote does", async () => {
    const m = linux();
    const file = m.paths.claudeCodeConfig;
    expect((await m.run(["sync"])).code).toBe(0);
    expect(json(file).mcpServers.tool).toBeDefined();
    // Undo that sync: its entries go.
    const undo = await m.run(["restore", "--yes"]);
    expect(undo.code, undo.stderr).toBe(0);
    expect(json(file).mcpServers?.tool).toBeUndefined();
    const good = readFileSync(file, "utf8");
    // Then the file breaks (a bad hand edit).
    writeFileSync(file, `${good.slice(0, -3)},,\n`);
    const r = await m.run(["restore", file, "--json", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(good);
    expect(json(file).mcpServers?.tool).toBeUndefined();
    const row = JSON.parse(r.stdout).targets[0] as { wholeFile?: string };
    expect(row.wholeFile).toMatch(/^last-written\.txt \(what mcp-twin last wrote, /);
  });
});

describe("a restore that undoes what was changed by hand since mcp-twin last wrote the file", () => {
  const MINE = "mine-4f1e8a0b2c9d7e63";
  /** An entry added by hand at the top of the servers, its comma forgotten: the file no longer parses. */
  const brokenByHand = (good: string) =>
    good.replace(
      '"mcpServers": {\n',
      `"mcpServers": {\n    "mine": { "command": "mine-mcp", "env": { "MINE_TOKEN": "${MINE}" } }\n`,
    );

  test("no terminal: it says which lines it would take out (keys masked) and wants --yes; with it, says what went", async () => {
    const m = linux();
    const file = m.paths.claudeCodeConfig;
    expect((await m.run(["sync"])).code).toBe(0);
    const good = readFileSync(file, "utf8");
    const broken = brokenByHand(good);
    writeFileSync(file, broken);
    const gone = '- "mine": { "command": "mine-mcp", "env": { "MINE_TOKEN": "********" } }';

    const r = await m.run(["restore"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      "▲ This undoes what was changed in the file since mcp-twin last wrote it (by hand, or by another program): the 1 line below would go:",
    );
    expect(r.stdout).toContain(gone);
    expect(r.stderr).toContain(
      `✖ mcp-twin restore would undo what was changed since mcp-twin last wrote ${file} (put back whole), and there is no terminal to ask on.\nℹ Run it on a terminal to see the diff and be asked, or add --dry-run to see the diff here; --yes puts the file back anyway.`,
    );
    expect(readFileSync(file, "utf8")).toBe(broken);
    const j = await m.run(["restore", "--json"]);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout).errors[0].code).toBe("restore-needs-yes");
    // A dry run writes nothing, so it asks for nothing: it shows the same.
    const dry = await m.run(["restore", "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(gone);

    const yes = await m.run(["restore", "--yes"]);
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout).toContain("(by hand, or by another program): the 1 line below went:");
    expect(yes.stdout).toContain(gone);
    expect(readFileSync(file, "utf8")).toBe(good);
    for (const out of [r, j, dry, yes]) expect(out.stdout + out.stderr).not.toContain(MINE);
  });

  test("an entry of mcp-twin's edited by hand: its edit is named, and goes only with --yes", async () => {
    const m = linux();
    const file = m.paths.claudeCodeConfig;
    expect((await m.run(["sync"])).code).toBe(0);
    writeManifest(m, { servers: tool("--v1") });
    expect((await m.run(["sync"])).code).toBe(0);
    const edited = json(file);
    edited.mcpServers.tool.args = ["tool-mcp", "--by-hand"];
    writeFileSync(file, JSON.stringify(edited, null, 2));
    const r = await m.run(["restore"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("▲ tool was edited by hand since mcp-twin wrote it: that edit would go.");
    expect(r.stderr).toContain(`since mcp-twin last wrote ${file} (tool edited by hand)`);
    expect(json(file).mcpServers.tool.args).toEqual(["tool-mcp", "--by-hand"]);
    const yes = await m.run(["restore", "--yes"]);
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout).toContain("▲ tool was edited by hand since mcp-twin wrote it: that edit went.");
    expect(json(file).mcpServers.tool.args).toEqual(["tool-mcp", "--v0"]);
  });

  test("on a terminal it says the same before its one question", async () => {
    const m = linux();
    const file = m.paths.claudeCodeConfig;
    expect((await m.run(["sync"])).code).toBe(0);
    const broken = brokenByHand(readFileSync(file, "utf8"));
    writeFileSync(file, broken);
    const pty = runInPty(["restore"], m.env, m.paths.linuxHome);
    await pty.waitFor(/Put back 1 whole file\?/);
    const screen = pty.output();
    expect(screen).toContain("(by hand, or by another program): the 1 line below will go:");
    expect(screen).toContain('- "mine": { "command": "mine-mcp", "env": { "MINE_TOKEN": "********" } }');
    expect(screen.indexOf("the 1 line below will go:")).toBeLessThan(
      screen.indexOf("Put back 1 whole file?"),
    );
    pty.type("n");
    pty.type(KEY.enter);
    const { code, output } = await pty.exit;
    expect(code, output).toBe(0);
    expect(output).toContain("Nothing changed.");
    expect(output).not.toContain(MINE);
    expect(readFileSync(file, "utf8")).toBe(broken);
  }, 60_000);
});

describe("uninstall gives back what it took", () => {
  const handWritten = {
    command: "uvx",
    args: ["tool-mcp"],
    env: { TOOL_KEY: SECRET },
  };
  /**
   * ~/.claude.json with a hand-written entry (imported, so adopted), and one added by hand after
   * the import, which mcp-twin never touches.
   */
  const adopted = async () => {
    const m = setup({ kind: "linux" }, {});
    const file = m.paths.claudeCodeConfig;
    const doc = { numStartups: 4, mcpServers: { tool: handWritten } as Record<string, unknown> };
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
    const imported = await m.run(["import", "--yes"]);
    expect(imported.code, imported.stderr).toBe(0);
    // Its key in its entry, as the hand-written one had it (a key-carrying server is otherwise
    // reached through the bridge).
    expect((await m.run(["share", "tool", "off"])).code).toBe(0);
    doc.mcpServers.mine = { command: "mine", args: ["--x"] };
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    writeFileSync(file, text);
    const synced = await m.run(["sync", "--json"]);
    expect(synced.code, synced.stderr).toBe(0);
    expect(JSON.parse(synced.stdout).targets[0].updated).toContain("tool");
    expect(json(file).mcpServers.tool.type).toBe("stdio"); // rewritten by sync
    return { m, file, text };
  };

  test("an adopted entry comes back in its hand-written form; the rest is untouched; restore undoes it", async () => {
    const { m, file, text } = await adopted();
    const dry = await m.run(["uninstall", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("tool given back as you wrote it");
    expect(dry.stdout + dry.stderr).not.toContain(SECRET);
    const u = await m.run(["uninstall", "--yes"]);
    expect(u.code, u.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(text); // byte for byte
    expect(u.stdout).toContain("`mcp-twin restore` puts these entries back");

    // restore after an uninstall: the entries mcp-twin had written come back, and are its own.
    const r = await m.run(["restore"]);
    expect(r.code, r.stderr).toBe(0);
    expect(json(file).mcpServers.tool.type).toBe("stdio");
    expect(json(file).mcpServers.mine).toEqual({ command: "mine", args: ["--x"] });
    const status = JSON.parse((await m.run(["status", "--json"])).stdout);
    expect(status.find((s: { server: string }) => s.server === "tool").state).toBe("synced");
    // …and a second uninstall still knows the hand-written form.
    expect((await m.run(["uninstall", "--yes"])).code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(text);
  });

  test("an adopted entry sync never rewrote is left as it is (the issue: it was deleted)", async () => {
    const m = setup({ kind: "linux" }, {});
    const file = m.paths.claudeCodeConfig;
    const text = `${JSON.stringify({ numStartups: 4, mcpServers: { tool: handWritten } }, null, 2)}\n`;
    writeFileSync(file, text, { mode: 0o600 });
    expect((await m.run(["import", "--yes"])).code).toBe(0);
    const u = await m.run(["uninstall", "--yes"]);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toContain("tool: left as you wrote it");
    expect(readFileSync(file, "utf8")).toBe(text);
  });

  test("an entry taken over with --force comes back in the form it had", async () => {
    const m = setup({ kind: "linux" }, {});
    const file = m.paths.claudeCodeConfig;
    const foreign = { command: "npx", args: ["-y", "their-server"] };
    writeFileSync(file, `${JSON.stringify({ mcpServers: { theirs: foreign } }, null, 2)}\n`);
    writeManifest(m, { servers: { theirs: { command: "uvx", args: ["ours"] } } });
    const plain = await m.run(["sync", "--json"]);
    expect(JSON.parse(plain.stdout).targets[0].foreign).toEqual(["theirs"]);
    expect((await m.run(["sync", "--force"])).code).toBe(0);
    expect(json(file).mcpServers.theirs.command).toBe("uvx");
    expect((await m.run(["uninstall", "--yes"])).code).toBe(0);
    expect(json(file).mcpServers.theirs).toEqual(foreign);
  });

  test("a config mcp-twin created goes again, and restore brings it back", async () => {
    const m = linux();
    const cursor = path.join(m.paths.linuxHome, ".cursor");
    mkdirSync(cursor);
    chmodSync(m.paths.claudeCodeConfig, 0o600);
    expect((await m.run(["sync"])).code).toBe(0);
    const created = path.join(cursor, "mcp.json");
    const written = readFileSync(created, "utf8");
    expect((await m.run(["uninstall", "--yes"])).code).toBe(0);
    expect(existsSync(created)).toBe(false);
    expect(readFileSync(m.paths.claudeCodeConfig, "utf8")).toBe(
      '{\n  "numStartups": 1,\n  "mcpServers": {}\n}\n',
    );
    expect((await m.run(["restore"])).code).toBe(0);
    expect(readFileSync(created, "utf8")).toBe(written);
  });

  test("on a terminal it shows what it will do (keys masked) and asks; no means nothing changes", async () => {
    const { m, file } = await adopted();
    const before = readFileSync(file, "utf8");
    const no = runInPty(["uninstall"], m.env, m.paths.linuxHome);
    await no.waitFor(/Change 1 file\?/);
    no.type("n");
    no.type(KEY.enter);
    const declined = await no.exit;
    expect(declined.code, declined.output).toBe(0);
    expect(declined.output).toContain("mcp-twin uninstall will:");
    expect(declined.output).toContain("tool given back as you wrote it");
    expect(declined.output).toContain('-      "type": "stdio",');
    expect(declined.output).not.toContain(SECRET);
    expect(declined.output).toContain("Nothing changed.");
    expect(readFileSync(file, "utf8")).toBe(before);

    const yes = runInPty(["uninstall"], m.env, m.paths.linuxHome);
    await yes.waitFor(/Change 1 file\?/);
    yes.type("y");
    yes.type(KEY.enter);
    expect((await yes.exit).code).toBe(0);
    expect(json(file).mcpServers.tool).toEqual(handWritten);
  });
});

/**
 * Issue 11 (journey e): restore must leave the bookkeeping as sync would have left it. On main,
 * putting a whole file back (one an uninstall had deleted) left state without its target, so a
 * second uninstall said "mcp-twin has written no entries" and left keys behind in Claude
 * Desktop's and Cursor's files, and status called mcp-twin's own entries foreign.
 */
describe("restore leaves the bookkeeping true", () => {
  const servers = () => ({
    fixture: {
      package: inject("fixtureName"),
      share: "off",
      env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
    },
  });
  /** A machine with the fixture server, after its sync (exit 0). */
  const syncedFixture = () => setup.synced({}, servers());
  const files = (m: FakeMachine) => [
    m.paths.claudeDesktopConfig,
    m.paths.cursorConfig,
    m.paths.claudeCodeConfig,
  ];
  const read = (f: string) => (existsSync(f) ? readFileSync(f, "utf8") : null);
  const statusRows = async (m: FakeMachine) =>
    JSON.parse((await m.run(["status", "--json"])).stdout) as Array<{
      server: string;
      client: string;
      state: string;
    }>;
  /** The manifest asks for something else now: mcp-twin's entries are then stale, anyone else's foreign. */
  const changeManifest = (m: FakeMachine) =>
    writeManifest(m, {
      servers: {
        fixture: {
          package: inject("fixtureName"),
          args: ["--changed"],
          share: "off",
          env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
        },
      },
    });

  test("uninstall, restore, uninstall: the second uninstall finds every entry restore put back, whole files too", async () => {
    const m = await syncedFixture();
    const synced = files(m).map(read);
    expect(synced.every((t) => t?.includes(SECRET))).toBe(true);
    expect((await m.run(["uninstall", "--yes"])).code).toBe(0);
    expect(existsSync(m.paths.claudeDesktopConfig)).toBe(false); // mcp-twin had created it
    const r = await m.run(["restore", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(files(m).map(read)).toEqual(synced);

    // Every file is known again: `uninstall --packages` plans all three (on main: 1 file).
    const plan = JSON.parse((await m.run(["uninstall", "--packages", "--dry-run", "--json"])).stdout);
    expect(
      plan.targets
        .filter((t: { action: string }) => t.action !== "unchanged")
        .map((t: { client: string; action: string }) => `${t.client} ${t.action}`)
        .sort(),
    ).toEqual(["claude-code updated", "claude-desktop deleted", "cursor deleted"]);
    // status: mcp-twin's own entries, stale once the manifest moves on — never "foreign".
    changeManifest(m);
    const rows = (await statusRows(m)).filter((s) => s.server === "fixture");
    expect(rows.map((s) => s.state)).toEqual(["stale", "stale", "stale"]);

    const again = await m.run(["uninstall", "--yes"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toContain("has written no entries");
    expect(existsSync(m.paths.claudeDesktopConfig)).toBe(false);
    expect(existsSync(m.paths.cursorConfig)).toBe(false);
    expect(json(m.paths.claudeCodeConfig).mcpServers.fixture).toBeUndefined();
    for (const f of files(m)) expect(read(f) ?? "").not.toContain(SECRET);
  }, 120_000);

  test("restore --from a backup of a deleted file, and restore after a sync: state says what is mcp-twin's", async () => {
    const m = await syncedFixture();
    expect((await m.run(["uninstall", "--yes"])).code).toBe(0);
    // --from the backup uninstall kept of Cursor's file: it comes back whole, and is mcp-twin's.
    const cursor = (await list(m, "windows:cursor")).targets[0]!;
    const r = await m.run([
      "restore",
      "windows:cursor",
      "--from",
      cursor.backups.find((b) => !b.original)!.name,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(read(m.paths.cursorConfig)).toContain(SECRET);
    // A sync writes the manifest's entries again over it (on main: "foreign", left alone).
    changeManifest(m);
    const sync = JSON.parse((await m.run(["sync", "--json"])).stdout);
    const row = sync.targets.find((t: { client: string }) => t.client === "cursor");
    expect(row).toMatchObject({ action: "updated", updated: ["fixture"] });
    expect(row.foreign).toBeUndefined();

    // restore undoes that sync: the entry is as before it, and still mcp-twin's.
    expect((await m.run(["restore", "windows:cursor"])).code).toBe(0);
    expect(json(m.paths.cursorConfig).mcpServers.fixture.args).not.toContain("--changed");
    const rows = (await statusRows(m)).filter((s) => s.client === "cursor");
    expect(rows.map((s) => s.state)).toEqual(["stale"]);
    expect((await m.run(["uninstall", "--yes"])).code).toBe(0);
    expect(existsSync(m.paths.cursorConfig)).toBe(false);
  }, 120_000);

  test("an entry a sync took over with --force is yours again after restore (foreign, never removed)", async () => {
    const m = linux();
    const file = m.paths.claudeCodeConfig;
    const theirs = { command: "npx", args: ["-y", "old"] };
    writeFileSync(file, `${JSON.stringify({ numStartups: 1, mcpServers: { tool: theirs } }, null, 2)}\n`);
    expect((await m.run(["sync", "--force"])).code).toBe(0);
    expect(json(file).mcpServers.tool.command).toBe("uvx");
    expect((await m.run(["restore", "claude-code"])).code).toBe(0);
    expect(json(file).mcpServers.tool).toEqual(theirs);
    const rows = await statusRows(m);
    expect(rows.find((s) => s.server === "tool")?.state).toBe("foreign");
    const u = await m.run(["uninstall", "--yes"]);
    expect(u.code, u.stderr).toBe(0);
    expect(json(file).mcpServers.tool).toEqual(theirs);
  });
});

/**
 * Issue 11 (journeys b and e, findings 13–14): a preview says what will happen — `•`, never ✔ —
 * a file that goes is "deleted" with a diff ending in /dev/null (not `+{}` and "updated"); the
 * question names exactly the files that change; each file is listed once in the preview and once
 * in the result, each diff shown once.
 */
describe("previews and reports", () => {
  const servers = () => ({
    fixture: {
      package: inject("fixtureName"),
      share: "off",
      env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
    },
  });
  /** A machine with the fixture server, after its sync (exit 0). */
  const syncedFixture = () => setup.synced({}, servers());
  const quote = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  /**
   * The report rows naming `file` (a mark, env, client, then the path). Not anchored at a line's
   * start: on a terminal the first result row follows the spinner's erased line.
   */
  const rows = (output: string, file: string) =>
    output.match(new RegExp(`[•✔–✖▲] \\S+ \\S+ ${quote(file)}  [^\\n]*`, "g")) ?? [];
  /** The output before the question, and after its answer. */
  const around = (output: string, question: string) => {
    const asked = output.indexOf(`? ${question}`);
    const answered = output.indexOf(`✔ ${question} Yes`);
    expect(asked, output).toBeGreaterThan(0);
    expect(answered, output).toBeGreaterThan(asked);
    return [output.slice(0, asked), output.slice(answered + question.length + 6)];
  };
  const count = (output: string, text: string) => output.split(text).length - 1;
  const desktop = "C:\\Users\\alice\\AppData\\Roaming\\Claude\\claude_desktop_config.json";
  const cursor = "C:\\Users\\alice\\.cursor\\mcp.json";

  test("uninstall then restore on a terminal: planned rows, deletions as deletions, one question naming every file", async () => {
    const m = await syncedFixture();
    const code = m.paths.claudeCodeConfig;

    const u = runInPty(["uninstall"], m.env, m.paths.linuxHome);
    await u.waitFor(/Change 1 file and delete 2 files\?/);
    u.type("y");
    u.type(KEY.enter);
    const uninstalled = await u.exit;
    expect(uninstalled.code, uninstalled.output).toBe(0);
    const out = uninstalled.output;
    const [preview, result] = around(out, "Change 1 file and delete 2 files?");
    for (const file of [code, desktop, cursor]) {
      expect(rows(preview!, file), file).toHaveLength(1);
      expect(rows(result!, file), file).toHaveLength(1);
    }
    // Under "mcp-twin uninstall will:", what it will do (a dry run says what it would).
    expect(preview).toContain("mcp-twin uninstall will:");
    expect(rows(preview!, desktop)[0]).toMatch(
      /^• windows claude-desktop .* will be deleted: fixture removed/,
    );
    expect(rows(preview!, code)[0]).toMatch(/^• wsl:Ubuntu claude-code .* will be updated: fixture removed$/);
    expect(preview).not.toContain("would be");
    expect(preview).not.toContain("✔");
    expect(preview).toContain(`--- ${desktop}\n+++ /dev/null`);
    expect(out).not.toContain("+{}");
    expect(rows(result!, desktop)[0]).toMatch(
      /^✔ windows claude-desktop .* deleted: fixture removed; mcp-twin had created the file/,
    );
    expect(count(out, `--- ${cursor}`)).toBe(1);
    expect(out).not.toContain(SECRET);

    const r = runInPty(["restore"], m.env, m.paths.linuxHome);
    await r.waitFor(/Put back 2 whole files and change 1 file\?/);
    r.type("y");
    r.type(KEY.enter);
    const restored = await r.exit;
    expect(restored.code, restored.output).toBe(0);
    const [asked, done] = around(restored.output, "Put back 2 whole files and change 1 file?");
    for (const file of [code, desktop, cursor]) {
      expect(rows(asked!, file), file).toHaveLength(1);
      expect(rows(done!, file), file).toHaveLength(1);
    }
    expect(rows(asked!, desktop)[0]).toMatch(
      /^• windows claude-desktop .* will be created: the whole file put back from /,
    );
    expect(rows(asked!, code)[0]).toMatch(/will be updated: fixture put back$/);
    expect(asked).not.toContain("would be");
    expect(asked).not.toContain("✔");
    // Each diff once: in the preview, not again in the result.
    expect(count(restored.output, `+++ ${desktop}`)).toBe(1);
    expect(count(restored.output, `+++ ${code}`)).toBe(1);
    expect(done).not.toContain("+++");
    expect(restored.output).not.toContain(SECRET);
  }, 120_000);

  test("restore on a terminal undoes exactly the last change: its diffs, one question, the other files untouched; a second restore says it was undone", async () => {
    const m = await syncedFixture();
    const code = m.paths.claudeCodeConfig;
    const cursorFile = m.paths.cursorConfig;
    const before = {
      code: readFileSync(code, "utf8"),
      desktop: readFileSync(m.paths.claudeDesktopConfig, "utf8"),
    };
    // A hand edit in Cursor, then a sync that takes it back for Cursor alone: the last change.
    const edited = json(cursorFile);
    edited.mcpServers.fixture.args = ["--by-hand"];
    writeFileSync(cursorFile, JSON.stringify(edited, null, 2));
    const force = await m.run(["sync", "--force", "--client", "cursor"]);
    expect(force.code, force.stderr).toBe(0);
    const afterForce = readFileSync(cursorFile, "utf8");

    const r = runInPty(["restore"], m.env, m.paths.linuxHome);
    await r.waitFor(/Change 1 file\?/);
    r.type("y");
    r.type(KEY.enter);
    const restored = await r.exit;
    expect(restored.code, restored.output).toBe(0);
    const [asked, done] = around(restored.output, "Change 1 file?");
    expect(asked).toMatch(/mcp-twin restore will undo the last change \(a sync at [^)]+\):/);
    expect(rows(asked!, cursor)).toHaveLength(1);
    expect(rows(asked!, cursor)[0]).toMatch(/will be updated: fixture put back$/);
    expect(asked).toContain(`--- ${cursor}`);
    expect(asked).toContain('+        "--by-hand"');
    expect(rows(done!, cursor)[0]).toMatch(/^✔ windows cursor .* updated: fixture put back$/);
    // Files the last change never touched are neither shown nor changed.
    expect(restored.output).not.toContain(code);
    expect(restored.output).not.toContain(desktop);
    expect(restored.output).not.toContain(SECRET);
    expect(readFileSync(code, "utf8")).toBe(before.code);
    expect(readFileSync(m.paths.claudeDesktopConfig, "utf8")).toBe(before.desktop);
    expect(json(cursorFile).mcpServers.fixture.args).toEqual(["--by-hand"]);
    expect(readFileSync(cursorFile, "utf8")).not.toBe(afterForce);

    // Undone already: said so, with the backups that are kept, not "has not changed a target yet".
    const again = await m.run(["restore"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(
      /^Nothing to restore: the last change \(a sync at [^)]+\) has been undone already\. mcp-twin keeps \d+ backups of 2 files: `mcp-twin restore --list` shows them, and `mcp-twin restore <target> --from <backup>` puts mcp-twin's entries back as of one\.$/m,
    );
    expect(again.stdout).not.toContain("has not changed a target yet");
  }, 120_000);

  test("restore --yes and --json undo the last change without asking; a no: nothing changed", async () => {
    const m = await syncedFixture();
    const cursorFile = m.paths.cursorConfig;
    const edited = json(cursorFile);
    edited.mcpServers.fixture.args = ["--by-hand"];
    writeFileSync(cursorFile, JSON.stringify(edited, null, 2));
    expect((await m.run(["sync", "--force", "--client", "cursor"])).code).toBe(0);
    const forced = readFileSync(cursorFile, "utf8");

    const no = runInPty(["restore"], m.env, m.paths.linuxHome);
    await no.waitFor(/Change 1 file\?/);
    no.type("n");
    no.type(KEY.enter);
    const declined = await no.exit;
    expect(declined.code, declined.output).toBe(0);
    expect(declined.output).toContain("Nothing changed.");
    expect(readFileSync(cursorFile, "utf8")).toBe(forced);

    const j = await m.run(["restore", "--json"]);
    expect(j.code, j.stderr).toBe(0);
    const doc = JSON.parse(j.stdout) as { targets: Array<{ client: string; action: string }> };
    expect(doc.targets.map((t) => `${t.client} ${t.action}`)).toEqual(["cursor updated"]);
    expect(json(cursorFile).mcpServers.fixture.args).toEqual(["--by-hand"]);
  }, 120_000);

  test("--dry-run and --json: the same facts, planned; a deleted file's action is `deleted`", async () => {
    const m = await syncedFixture();
    const dry = await m.run(["uninstall", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).not.toContain("✔");
    expect(rows(dry.stdout, cursor)[0]).toMatch(/• windows cursor .* would be deleted/);
    const r = await m.run(["uninstall", "--yes", "--json"]);
    const doc = JSON.parse(r.stdout);
    expect(doc.targets.map((t: { action: string }) => t.action).sort()).toEqual([
      "deleted",
      "deleted",
      "updated",
    ]);
  });
});

/**
 * Issue 11 (journey b, finding 18): an adopted entry is given back "as you wrote it" — on main
 * with your values but mcp-twin's layout (inline arrays became multi-line). Now the text you wrote
 * is spliced back from the backup that holds it; without one, the line says what it is.
 */
describe("given back as you wrote it", () => {
  const text = [
    "{",
    '  "numStartups": 4,',
    '  "mcpServers": {',
    '    "tool": { "command": "uvx", "args": ["tool-mcp", "--inline"],',
    `      "env": { "TOOL_KEY": "${SECRET}" } }, // mine`,
    '    "other": {"command": "uvx", "args": ["other-mcp"]}',
    "  }",
    "}",
    "",
  ].join("\r\n");

  const adoptedAndRewritten = async () => {
    const m = setup({ kind: "linux" }, {});
    const file = m.paths.claudeCodeConfig;
    writeFileSync(file, text, { mode: 0o600 });
    expect((await m.run(["import", "--yes"])).code).toBe(0);
    // Its key in its entry, as written (a key-carrying server is otherwise run in the bridge, whose
    // start these tests do not judge).
    expect((await m.run(["share", "tool", "off"])).code).toBe(0);
    expect((await m.run(["sync"])).code).toBe(0);
    expect(readFileSync(file, "utf8")).not.toContain('"args": ["tool-mcp"');
    return { m, file };
  };

  test("the bytes you wrote come back (inline arrays, spacing, CRLF)", async () => {
    const { m, file } = await adoptedAndRewritten();
    const u = await m.run(["uninstall", "--yes"]);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toContain("tool, other given back as you wrote them");
    expect(readFileSync(file, "utf8")).toBe(text);
  });

  test("when no backup holds your text any more, the line says it is your values in mcp-twin's layout", async () => {
    const { m, file } = await adoptedAndRewritten();
    const folder = path.dirname((await list(m)).targets[0]!.backups[0]!.file);
    for (const name of readdirSync(folder)) if (name.endsWith(".bak")) rmSync(path.join(folder, name));
    const u = await m.run(["uninstall", "--yes"]);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toContain(
      "tool, other given back with the values you wrote (in mcp-twin's layout, not yours)",
    );
    expect(u.stdout).not.toContain("as you wrote");
    expect(parseJsonc(readFileSync(file, "utf8")).mcpServers.tool).toEqual({
      command: "uvx",
      args: ["tool-mcp", "--inline"],
      env: { TOOL_KEY: SECRET },
    });
  });
});

/**
 * Issue 11 (the journeys' second run): what follows an uninstall and a restore is said as it is.
 * status names the entries that are not in their files (and files that do not exist) and what
 * sync does about it — not "not installed" for an entry that is not there; uninstall says what
 * loads its change (as sync does); restore says the next sync rewrites what it put back only when
 * that is so, and what it would change.
 */
describe("after an uninstall, and after a restore", () => {
  const desktop = "C:\\Users\\alice\\AppData\\Roaming\\Claude\\claude_desktop_config.json";
  const cursor = "C:\\Users\\alice\\.cursor\\mcp.json";
  const withBridge = async (args: string[] = []) => {
    const { freePort } = await import("../helpers/net.js");
    const m = setup();
    writeManifest(m, {
      servers: {
        fixture: {
          package: inject("fixtureName"),
          args,
          share: "off",
          env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
        },
      },
      bridge: { enabled: true, port: await freePort() },
    });
    const sync = await m.run(["sync"]);
    expect(sync.code, sync.stderr).toBe(0);
    return m;
  };

  test("status after uninstall --packages: the entries are not in the files (two are gone), and sync writes them after installing", async () => {
    const m = await withBridge();
    const u = await m.run(["uninstall", "--packages", "--yes"]);
    expect(u.code, u.stderr).toBe(0);
    const r = await m.run(["status"]);
    expect(r.code, r.stderr).toBe(0);
    const notes = r.stdout.split("\n").slice(4);
    expect(notes).toEqual([
      `wsl:Ubuntu claude-code: fixture and mcp-twin are not in ${m.paths.claudeCodeConfig}.`,
      `windows claude-desktop: fixture and mcp-twin are not in ${desktop}, which does not exist.`,
      `windows cursor: fixture and mcp-twin are not in ${cursor}, which does not exist.`,
      `\`mcp-twin sync\` writes them, after installing ${inject("fixtureName")} in wsl:Ubuntu and windows.`,
      "",
    ]);
    expect(r.stdout).not.toContain("is not installed in");
    const rows = JSON.parse((await m.run(["status", "--json"])).stdout) as Array<{
      server: string;
      client: string;
      state: string;
      detail?: string;
    }>;
    expect(rows.every((row) => row.state === "missing")).toBe(true);
    expect(rows.find((row) => row.server === "mcp-twin" && row.client === "cursor")?.detail).toBe(
      `not in ${cursor}, which does not exist: \`mcp-twin sync\` writes it`,
    );
    expect(rows.find((row) => row.server === "fixture" && row.client === "claude-code")?.detail).toBe(
      `not in ${m.paths.claudeCodeConfig}: \`mcp-twin sync\` installs ${inject("fixtureName")} in wsl:Ubuntu and writes it`,
    );
    // What status said sync does, sync does.
    expect((await m.run(["sync"])).code).toBe(0);
    const after = JSON.parse((await m.run(["status", "--json"])).stdout) as Array<{ state: string }>;
    expect(after.every((row) => row.state === "synced")).toBe(true);
  });

  test("after uninstall --packages: a second one says nothing is left; restore says the entries it put back start nothing until sync installs their package again (text and --json)", async () => {
    const m = await withBridge();
    expect((await m.run(["uninstall", "--packages", "--yes"])).code).toBe(0);
    // A second uninstall --packages: nothing of mcp-twin's is left, said so — not "mcp-twin has
    // written no entries" (it did, and its backups hold them).
    const again = await m.run(["uninstall", "--packages", "--yes"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(
      "No client config holds an entry mcp-twin wrote now, and no package it installed is left: nothing to uninstall. (It wrote some before: `mcp-twin restore` puts them back from its backups.)",
    );
    expect(again.stdout).not.toContain("has written no entries");
    const r = await m.run(["restore", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `▲ fixture was put back in wsl:Ubuntu claude-code, windows claude-desktop and windows cursor, but its package is not installed there now: it starts nothing until \`mcp-twin sync\` installs it again.`,
    );
    // The bridge's entry (mcp-twin itself) is there: not named.
    expect(r.stdout).not.toMatch(/mcp-twin (was|were) put back/);
    // --json says the same (another uninstall and restore, as a script would run them).
    expect((await m.run(["uninstall", "--yes"])).code).toBe(0);
    const j = JSON.parse((await m.run(["restore", "--yes", "--json"])).stdout);
    expect(j.notInstalled.map((n: { client: string }) => n.client).sort()).toEqual([
      "claude-code",
      "claude-desktop",
      "cursor",
    ]);
    expect(j.notInstalled.every((n: { servers: string[] }) => n.servers.join() === "fixture")).toBe(true);
    // What it said sync does, sync does.
    expect((await m.run(["sync"])).code).toBe(0);
    const rows = JSON.parse((await m.run(["status", "--json"])).stdout) as Array<{ state: string }>;
    expect(rows.every((row) => row.state === "synced")).toBe(true);
  });

  test("uninstall says what loads its change, for the clients whose configs changed", async () => {
    const m = await withBridge();
    const one = await m.run(["uninstall", "--client", "cursor", "--yes"]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain(
      "Restart Cursor to load the changes (until then, an app still open keeps the removed servers).",
    );
    expect(one.stdout).not.toContain("Claude Desktop");
    const all = await m.run(["uninstall", "--yes", "--json"]);
    expect(JSON.parse(all.stdout).restart).toEqual({ apps: ["Claude Desktop"], sessions: ["Claude Code"] });
    // restore undoes the last uninstall (Cursor's entries went in the one before).
    expect((await m.run(["restore", "--yes"])).code).toBe(0);
    const again = await m.run(["uninstall", "--yes"]);
    expect(again.stdout).toContain(
      "Restart Claude Desktop, and start a new Claude Code session, to load the changes (until then, an app still open keeps the removed servers).",
    );
    // Nothing changed: nothing to load.
    const none = await m.run(["uninstall", "--yes"]);
    expect(none.stdout).not.toContain("to load the changes");
  });

  test("restore says the next sync rewrites what it put back only when it would, and what", async () => {
    const m = await withBridge(["--first"]);
    expect((await m.run(["uninstall", "--yes"])).code).toBe(0);
    const back = await m.run(["restore", "--yes"]);
    expect(back.code, back.stderr).toBe(0);
    // What was put back is what sync writes: no word of sync undoing it.
    expect(back.stdout).not.toContain("mcp-twin sync");
    expect(back.stdout).toContain(
      "Restart Claude Desktop and Cursor, and start a new Claude Code session, to load the changes.",
    );
    const rows = JSON.parse((await m.run(["status", "--json"])).stdout) as Array<{ state: string }>;
    expect(rows.every((row) => row.state === "synced")).toBe(true);

    // The manifest moved on since that backup: restore puts the old entry back, and says sync
    // would write the manifest's again, where.
    const manifest = path.join(m.paths.home, "mcp-twin.jsonc");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace('"--first"', '"--second"'));
    expect((await m.run(["sync"])).code).toBe(0);
    const old = await m.run(["restore", "--yes"]);
    expect(old.code, old.stderr).toBe(0);
    expect(old.stdout).toContain(
      "The next `mcp-twin sync` writes the manifest's entries again where they differ from what was put back: ~fixture in wsl:Ubuntu claude-code, windows claude-desktop and windows cursor.",
    );
    const sync = await m.run(["sync"]);
    expect(sync.stdout.match(/updated ~fixture/g)).toHaveLength(3);
  });
});

describe("restore and uninstall write as sync writes (core/ledger/write-sequence.ts)", () => {
  test("a temp file a killed run left beside a config is cleared by uninstall and restore, as by sync", async () => {
    const m = linux();
    const file = m.paths.claudeCodeConfig;
    expect((await m.run(["sync"])).code).toBe(0);
    // What replaceFile leaves when a run is killed between the temp file and the rename.
    const leftover = () =>
      path.join(path.dirname(file), `.${path.basename(file)}.mcp-twin-99999-0badf00d.tmp`);
    writeFileSync(leftover(), "{ half written");
    const u = await m.run(["uninstall", "--yes"]);
    expect(u.code, u.stderr).toBe(0);
    expect(existsSync(leftover())).toBe(false);

    writeFileSync(leftover(), "{ half written");
    const r = await m.run(["restore"]);
    expect(r.code, r.stderr).toBe(0);
    expect(json(file).mcpServers.tool.args).toEqual(["tool-mcp", "--v0"]);
    expect(existsSync(leftover())).toBe(false);
  });
});
