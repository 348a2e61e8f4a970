/**
 * One path style per side (issue 11): run from WSL, every file on a Windows drive is named as
 * Windows names it (C:\Users\…), in every command's report and error alike — never through the
 * automount root (/mnt/c/…). The fake machine moves that root into its temp folder, so any Linux
 * form of a Windows file shows as `<temp>/mnt/…` and is caught here. And where advice is a command
 * that takes such a path (`mcp-twin restore '<path>'`), the form printed is one it accepts.
 * (doctor's lines are doctor's own tests.)
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { type FakeMachine, REPO, runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const SECRET = "fx-3c9a51e07d2b4f68";
const setup = fixtureMachines(SECRET, () => `${inject("fixtureName")}@1.0.0`);

/** Runs commands and keeps what each printed, to look through at the end. */
function recorder(m: FakeMachine) {
  const printed: Array<{ args: string[]; text: string }> = [];
  return {
    printed,
    async run(args: string[], input?: string) {
      const r = await m.run(args, input === undefined ? {} : { input });
      printed.push({ args, text: `${r.stdout}\n${r.stderr}` });
      return r;
    },
    /** Every command whose output names a Windows file through the automount root. */
    linuxForms(): string[] {
      const root = `${m.root}/mnt/`;
      return printed
        .filter((p) => p.text.includes(root))
        .map((p) => `${p.args.join(" ")}: ${p.text.split("\n").find((l) => l.includes(root))}`);
    },
  };
}

const windowsHome = (m: FakeMachine) => `C:\\Users\\${m.windowsUser}\\AppData\\Roaming\\mcp-twin`;

describe("from WSL, a Windows file is named as Windows names it", () => {
  test("in every command's report: sync, status, add, remove, import, adopt, secret, restore, uninstall, bridge, init", async () => {
    const m = setup();
    const r = recorder(m);
    expect((await r.run(["sync", "--dry-run"])).code).toBe(0);
    expect((await r.run(["sync"])).code).toBe(0);
    await r.run(["status"]);
    const added = await r.run(["add", "time", "--yes"]);
    expect(added.stdout).toContain(`✔ Added time in ${windowsHome(m)}\\mcp-twin.jsonc`);
    await r.run(["add", "time", "--yes", "--dry-run", "--force"]);
    await r.run(["remove", "time", "--dry-run"]);
    const removed = await r.run(["remove", "time"]);
    expect(removed.stdout).toContain(`Removed time from ${windowsHome(m)}\\mcp-twin.jsonc.`);
    await r.run(["import"]);
    await r.run(["import", "--dry-run"]);
    // An entry edited by hand: sync keeps it, adopt takes it.
    const cursor = JSON.parse(readFileSync(m.paths.cursorConfig, "utf8"));
    cursor.mcpServers.fixture.args.push("--verbose");
    writeFileSync(m.paths.cursorConfig, JSON.stringify(cursor, null, 2));
    await r.run(["sync"]);
    await r.run(["adopt", "fixture", "--dry-run"]);
    const adopted = await r.run(["adopt", "fixture"]);
    expect(adopted.stdout).toContain(`Manifest: ${windowsHome(m)}\\mcp-twin.jsonc`);
    await r.run(["secret", "list"]);
    const stored = await r.run(["secret", "set", "OTHER_TOKEN", "--yes"], "ot-51f0c2d9e8a7\n");
    expect(stored.stdout).toContain(
      `Stored OTHER_TOKEN in ${windowsHome(m)}\\secrets.json (in your Windows profile, which its ACL keeps to your Windows account)`,
    );
    await r.run(["secret", "rm", "OTHER_TOKEN"]);
    const list = await r.run(["restore", "--list"]);
    expect(list.stdout).toContain(`${windowsHome(m)}\\backups\\`);
    await r.run(["restore", "--dry-run"]);
    await r.run(["restore", "--yes"]);
    await r.run(["uninstall", "--dry-run"]);
    const bridge = await r.run(["bridge", "status"]);
    // The home's record of the port it chose: no `bridge.port` pins one here, nor does the manifest say where it runs.
    expect(bridge.stdout).toContain(`(the free port mcp-twin chose, kept in ${windowsHome(m)}\\bridge.json)`);
    await r.run(["search", "github"]);
    await r.run(["init", "--yes", "--dry-run", "--server", "time"]);
    await r.run(["uninstall", "--yes"]);
    expect(r.linuxForms()).toEqual([]);
  });

  test("in errors that name a file: the manifest's syntax (file:line:column), a config that does not parse, a server that exists", async () => {
    const m = setup();
    const r = recorder(m);
    expect((await r.run(["add", "fixture", "--yes"])).code).toBe(2);
    writeFileSync(m.paths.cursorConfig, '{ "mcpServers": { ');
    const parse = await r.run(["sync"]);
    expect(parse.code).toBe(2);
    expect(parse.stderr).toMatch(/✖ C:\\Users\\alice\\\.cursor\\mcp\.json:1:\d+: closing brace expected/);
    writeManifest(m, '{\n  "servers": {\n    "a": { "command": "x" }\n    "b": { "command": "y" }\n  }\n}\n');
    for (const command of [["sync"], ["status"], ["add", "time", "--yes"], ["import"]]) {
      const bad = await r.run(command);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(`✖ ${windowsHome(m)}\\mcp-twin.jsonc:4:5: comma expected`);
    }
    expect(r.linuxForms()).toEqual([]);
  });

  test("no Linux npm: the interop line names Windows' node.exe as Windows does", async () => {
    const m = setup({ linuxNpm: false });
    const r = recorder(m);
    const sync = await r.run(["sync"]);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toContain(
      "fixture runs in windows through WSL interop (C:\\Program Files\\nodejs\\node.exe)",
    );
    await r.run(["sync"]);
    await r.run(["status"]);
    await r.run(["add", "time", "--yes", "--sync"]);
    expect(r.linuxForms()).toEqual([]);
  });
});

describe("advice that takes a path takes the form it prints", () => {
  test("restore takes a Windows file and a backup as --list shows them (and as this process opens them)", async () => {
    const m = await setup.synced();
    const windowsFile = `C:\\Users\\${m.windowsUser}\\.cursor\\mcp.json`;
    const list = await m.run(["restore", "--list", windowsFile]);
    expect(list.code, list.stderr).toBe(0);
    const shown = list.stdout
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l.startsWith(`${windowsHome(m)}\\backups\\`) && l.endsWith("original.none"))!;
    expect(shown).toBeDefined();
    for (const target of [windowsFile, m.paths.cursorConfig]) {
      const dry = await m.run(["restore", target, "--from", shown, "--dry-run"]);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain(`windows cursor ${windowsFile}  would be deleted: fixture removed`);
    }
    const byLinuxForm = await m.run([
      "restore",
      windowsFile,
      "--from",
      path.join(m.paths.home, "backups", ...shown.slice(`${windowsHome(m)}\\backups\\`.length).split("\\")),
      "--dry-run",
    ]);
    expect(byLinuxForm.code, byLinuxForm.stderr).toBe(0);
  });
});

test("one rule, one place: every command opens its machine through commands/shared/open-machine.ts (which sets how its output names files)", () => {
  const dir = path.join(REPO, "src", "commands");
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  const direct = files.filter(
    (f) =>
      f !== path.join("shared", "open-machine.ts") &&
      /\bopenMachine\(/.test(readFileSync(path.join(dir, f), "utf8")),
  );
  expect(direct).toEqual([]);
  expect(
    files.filter((f) => /openCommandMachine\(/.test(readFileSync(path.join(dir, f), "utf8"))).length,
  ).toBeGreaterThan(10);
});
