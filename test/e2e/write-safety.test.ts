/**
 * Writing a target keeps what it is (issue 9, item 7) and warns when it exposes a secret (item 10):
 * a symlink stays a symlink, owner/group/mode stay (also run as root), bytes that are not UTF-8
 * stay exactly, a read-only file is refused without --force, a 5,000-deep file (JSON, a Codex
 * config.toml, the manifest) is a config error, and a file others can read gets the chmod that fixes
 * it. Real files, real links, real bytes, the real CLI.
 */

import { execFileSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { doctor, one } from "../doctor/helpers.js";
import {
  createFakeMachine,
  runInProcessByDefault,
  writeManifest,
  writeUnsharedTemplate,
} from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";
import { KEY, runInPty } from "../helpers/pty.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const SECRET = "fx-5afe7f11e5c0ffee42";
const setup = fixtureMachines(SECRET);
/** A plain Linux machine and a server that needs no install: runs take a second. */
const linux = () =>
  setup(
    { kind: "linux" },
    {
      tool: {
        command: "uvx",
        args: ["tool-mcp"],
        share: "off",
        env: { TOOL_KEY: "${secret:FIXTURE_TOKEN}" },
      },
    },
  );

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, uid, gid);
    else if (!entry.isSymbolicLink()) chownSync(p, uid, gid);
  }
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const OTHER_UID = 1000;
const OTHER_GID = 1000;

describe("a symlinked config", () => {
  test("stays a link: the file it points to (through two links) is edited", async () => {
    const m = linux();
    const dotfiles = path.join(m.root, "dotfiles");
    mkdirSync(dotfiles);
    const real = path.join(dotfiles, "claude.json");
    writeFileSync(real, '{\n  "numStartups": 3,\n  "mcpServers": {}\n}\n', { mode: 0o600 });
    symlinkSync(real, path.join(dotfiles, "current.json"));
    const link = m.paths.claudeCodeConfig;
    rmSync(link);
    symlinkSync(path.join(dotfiles, "current.json"), link);

    const r = await m.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(path.join(dotfiles, "current.json"));
    expect(lstatSync(path.join(dotfiles, "current.json")).isSymbolicLink()).toBe(true);
    const doc = JSON.parse(readFileSync(real, "utf8"));
    expect(doc.numStartups).toBe(3);
    expect(doc.mcpServers.tool.command).toBe("uvx");
    // No temp file left beside the link or the file.
    expect(readdirSync(dotfiles).sort()).toEqual(["claude.json", "current.json"]);
    expect(readdirSync(path.dirname(link)).filter((n) => n.includes(".mcp-twin-"))).toEqual([]);
    // uninstall goes through the link as well, and gives the bytes back.
    const u = await m.run(["uninstall", "--yes"]);
    expect(u.code, u.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, "utf8")).toBe('{\n  "numStartups": 3,\n  "mcpServers": {}\n}\n');
  });
});

/**
 * A config with several hard links (a dotfiles folder linked with `ln`, not `ln -s`): on main a
 * sync gave `~/.claude.json` a new file by rename and left the other name on the old bytes.
 * Written in place, it stays one file under every name — same inode, owner and mode.
 */
describe("a hard-linked config", () => {
  test("stays one file under both names: sync, uninstall and restore write it in place", async () => {
    const m = linux();
    const dotfiles = path.join(m.root, "dotfiles");
    mkdirSync(dotfiles);
    const other = path.join(dotfiles, "claude.json");
    const original = '{\n  "numStartups": 3,\n  "mcpServers": {}\n}\n';
    const file = m.paths.claudeCodeConfig;
    rmSync(file);
    writeFileSync(other, original, { mode: 0o640 });
    chmodSync(other, 0o640);
    linkSync(other, file);
    const inode = statSync(file).ino;

    const r = await m.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    const written = readFileSync(file, "utf8");
    expect(JSON.parse(written).mcpServers.tool.command).toBe("uvx");
    expect(readFileSync(other, "utf8")).toBe(written);
    const st = statSync(file);
    expect(st.ino).toBe(inode);
    expect(st.nlink).toBe(2);
    expect(st.mode & 0o777).toBe(0o640);
    // Nothing left beside either name; the backup of the bytes before is in the home.
    expect(readdirSync(path.dirname(file)).filter((n) => n.includes(".mcp-twin-"))).toEqual([]);
    const list = JSON.parse((await m.run(["restore", "--list", "--json"])).stdout);
    expect(readFileSync(list.targets[0].backups[0].file, "utf8")).toBe(original);

    // A shorter text (uninstall) is cut to its length; restore writes the longer one back in place.
    expect((await m.run(["uninstall", "--yes"])).code).toBe(0);
    expect(readFileSync(other, "utf8")).toBe(original);
    expect((await m.run(["restore"])).code).toBe(0);
    expect(readFileSync(other, "utf8")).toBe(written);
    expect(statSync(other).ino).toBe(inode);
    expect(statSync(file).nlink).toBe(2);
  });

  test("read-only and hard-linked: refused without --force; with it, written in place and still read-only", async () => {
    const m = linux();
    const other = path.join(m.root, "claude-link.json");
    const file = m.paths.claudeCodeConfig;
    linkSync(file, other);
    chmodSync(file, 0o444);
    const before = readFileSync(file, "utf8");
    expect((await m.run(["sync"])).code).toBe(2);
    expect(readFileSync(other, "utf8")).toBe(before);
    const forced = await m.run(["sync", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(readFileSync(other, "utf8")).mcpServers.tool).toBeDefined();
    expect(statSync(file).mode & 0o777).toBe(0o444);
    expect(statSync(file).nlink).toBe(2);
  });
});

describe("owner, group and mode", () => {
  test.skipIf(!isRoot)(
    "a sync run as root leaves the user's file the user's (needs root to make a file of another uid)",
    async () => {
      const m = linux();
      const file = m.paths.claudeCodeConfig;
      chmodSync(file, 0o640);
      chownSync(file, OTHER_UID, OTHER_GID);
      const r = await m.run(["sync"]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(readFileSync(file, "utf8")).mcpServers.tool).toBeDefined();
      const st = statSync(file);
      expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([OTHER_UID, OTHER_GID, 0o640]);
      // restore and uninstall write the same way.
      expect((await m.run(["uninstall", "--yes"])).code).toBe(0);
      const after = statSync(file);
      expect([after.uid, after.gid, after.mode & 0o7777]).toEqual([OTHER_UID, OTHER_GID, 0o640]);
    },
  );

  test.skipIf(!isRoot)(
    "run as root in a user's home, what mcp-twin creates is the user's too: new configs, state, backups",
    async () => {
      const m = linux();
      const cursor = path.join(m.paths.linuxHome, ".cursor");
      mkdirSync(cursor);
      chownTree(m.paths.linuxHome, OTHER_UID, OTHER_GID);
      const r = await m.run(["sync"]);
      expect(r.code, r.stderr).toBe(0);
      const created = path.join(cursor, "mcp.json");
      const home = m.paths.home;
      const backups = path.join(home, "backups");
      const made = [
        created,
        path.join(home, "state.json"),
        backups,
        ...readdirSync(backups).flatMap((d) => [
          path.join(backups, d),
          ...readdirSync(path.join(backups, d)).map((f) => path.join(backups, d, f)),
        ]),
      ];
      for (const f of made) expect([f, statSync(f).uid, statSync(f).gid]).toEqual([f, OTHER_UID, OTHER_GID]);
      expect(statSync(created).mode & 0o777).toBe(0o600);
    },
  );

  // Root or not: the tests above (root only) make files of another uid; this one keeps the runner's.
  test("a sync keeps the owner, group and mode of the file it rewrites", async () => {
    const m = linux();
    const file = m.paths.claudeCodeConfig;
    chmodSync(file, 0o640);
    const before = statSync(file);
    const r = await m.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8")).mcpServers.tool).toBeDefined();
    const after = statSync(file);
    expect([after.uid, after.gid, after.mode & 0o7777]).toEqual([before.uid, before.gid, 0o640]);
  });
});

describe("bytes that are not UTF-8", () => {
  test("stay exactly as they were, in the file and in its backup", async () => {
    const m = linux();
    const file = m.paths.claudeCodeConfig;
    // Latin-1 é in a value, a lone continuation byte and a truncated 3-byte sequence in others.
    const original = Buffer.concat([
      Buffer.from('{\n  "numStartups": 1,\n  "name": "caf'),
      Buffer.from([0xe9]),
      Buffer.from('",\n  "odd": "'),
      Buffer.from([0x80, 0xe2, 0x82]),
      Buffer.from('",\n  "mcpServers": {}\n}\n'),
    ]);
    writeFileSync(file, original);
    const r = await m.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    const after = readFileSync(file);
    expect(after.includes(Buffer.from([0xef, 0xbf, 0xbd]))).toBe(false); // no U+FFFD
    expect(after.subarray(0, original.indexOf(Buffer.from('"mcpServers"')))).toEqual(
      original.subarray(0, original.indexOf(Buffer.from('"mcpServers"'))),
    );
    expect(JSON.parse(after.toString("latin1")).mcpServers.tool.command).toBe("uvx");
    // The backup in the home holds the very bytes.
    const backups = JSON.parse((await m.run(["restore", "--list", "--json"])).stdout).targets[0].backups;
    expect(readFileSync(backups[0].file)).toEqual(original);
    // The dry-run diff shows the odd bytes as \xNN, never as a replacement character.
    writeFileSync(file, Buffer.concat([original.subarray(0, -2), Buffer.from("\n}\n")]));
    const dry = await m.run(["sync", "--dry-run"]);
    expect(dry.stdout).not.toContain("\uFFFD");
    // uninstall gives back the original bytes.
    writeFileSync(file, after);
    expect((await m.run(["uninstall", "--yes"])).code).toBe(0);
    expect(readFileSync(file)).toEqual(original);
  });
});

describe("a read-only file", () => {
  test("is refused (exit 2, nothing written anywhere) unless --force, and stays read-only", async () => {
    const m = linux();
    const cursorDir = path.join(m.paths.linuxHome, ".cursor");
    mkdirSync(cursorDir);
    const file = m.paths.claudeCodeConfig;
    const before = readFileSync(file, "utf8");
    chmodSync(file, 0o444);
    const r = await m.run(["sync"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file} is read-only`);
    expect(r.stderr).toContain("--force");
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(readdirSync(cursorDir)).toEqual([]); // the other target was not written either
    const json = await m.run(["sync", "--json"]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).errors[0]).toMatchObject({ code: "read-only", file });

    const forced = await m.run(["sync", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8")).mcpServers.tool).toBeDefined();
    expect(statSync(file).mode & 0o777).toBe(0o444);

    // uninstall and restore refuse it the same way.
    const synced = readFileSync(file, "utf8");
    for (const args of [["uninstall", "--yes"], ["restore"]]) {
      const refused = await m.run(args);
      expect(refused.code, args.join(" ")).toBe(2);
      expect(refused.stderr).toContain(`${file} is read-only`);
      expect(readFileSync(file, "utf8")).toBe(synced);
    }
    expect((await m.run(["uninstall", "--yes", "--force"])).code).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8")).mcpServers.tool).toBeUndefined();
    expect(statSync(file).mode & 0o777).toBe(0o444);
  });
});

describe("a 5,000-deep file", () => {
  test.each([
    ["objects in an entry", `{"mcpServers": {"deep": ${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}}`],
    ["arrays beside the entries", `{"mcpServers": {}, "x": ${"[".repeat(5000)}${"]".repeat(5000)}}`],
  ])("(%s) is a config-parse error (exit 2) naming the file, not an internal error", async (_, deep) => {
    const m = linux();
    const file = m.paths.claudeCodeConfig;
    writeFileSync(file, deep);
    for (const args of [["sync"], ["sync", "--dry-run"], ["status"]]) {
      const r = await m.run(args);
      // status goes on with the other configs and names this one: a partial result (exit 1).
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(args[0] === "status" ? 1 : 2);
      expect(r.stderr).toContain(file);
      expect(r.stderr).toContain("nested more than");
    }
    const json = JSON.parse((await m.run(["sync", "--json"])).stdout);
    expect(json.errors[0].code).toBe("config-parse");
    expect(readFileSync(file, "utf8")).toBe(deep);
  });
});

describe("a Codex config.toml or a manifest nested thousands of levels deep", () => {
  test.each([3000, 5000])(
    "config.toml %i deep: exit 2 naming the file and Codex's limit, nothing written; doctor and import say the same",
    async (depth) => {
      const m = linux();
      const codex = path.join(m.paths.linuxHome, ".codex", "config.toml");
      mkdirSync(path.dirname(codex), { recursive: true });
      const deep = `model = "gpt-5.5"\nx = ${"[".repeat(depth)}1${"]".repeat(depth)}\n`;
      writeFileSync(codex, deep);
      const claude = readFileSync(m.paths.claudeCodeConfig, "utf8");
      for (const args of [["sync"], ["sync", "--dry-run"], ["status"]]) {
        const r = await m.run(args);
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(args[0] === "status" ? 1 : 2);
        expect(r.stderr).toContain(
          `${codex}:2:85: arrays or inline tables nested more than 80 levels deep; Codex refuses this file too`,
        );
        expect(r.stderr).not.toContain("Unexpected error");
      }
      const check = one(await doctor(m, ["--no-probe"]), "config.parse", { client: "codex" });
      expect(check.status).toBe("fail");
      expect(check.message).toContain(`${codex}:2:85: arrays or inline tables nested more than 80 levels`);
      const imported = await m.run(["import", "--yes"]);
      expect(imported.stderr).not.toContain("Unexpected error");
      expect(imported.stdout + imported.stderr).toContain(`${codex}:2:85`);
      expect(readFileSync(codex, "utf8")).toBe(deep);
      expect(readFileSync(m.paths.claudeCodeConfig, "utf8")).toBe(claude);
    },
  );

  test("a manifest 5,000 deep: exit 2 naming the file, line and column; nothing written", async () => {
    const m = linux();
    const file = path.join(m.paths.home, "mcp-twin.jsonc");
    const deep = `{\n  "servers": {},\n  "x": ${"[".repeat(5000)}${"]".repeat(5000)}\n}\n`;
    writeFileSync(file, deep);
    const claude = readFileSync(m.paths.claudeCodeConfig, "utf8");
    const said = `${file}:3:519: nested more than 512 levels deep; a manifest is a few levels deep`;
    for (const args of [["sync"], ["sync", "--dry-run"], ["status"], ["import", "--yes"], ["login", "x"]]) {
      const r = await m.run(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(said);
    }
    const check = one(await doctor(m, ["--no-probe"]), "manifest.valid");
    expect(check.status).toBe("fail");
    expect(check.message).toContain(said);
    expect(readFileSync(file, "utf8")).toBe(deep);
    expect(readFileSync(m.paths.claudeCodeConfig, "utf8")).toBe(claude);
  });
});

describe("a file others can read that this run writes a secret into", () => {
  test("gets a warning with the exact chmod, worded for when it is read; a private one does not", async () => {
    const m = linux();
    const file = m.paths.claudeCodeConfig;
    chmodSync(file, 0o644);
    const r = await m.run(["sync", "--dry-run"]);
    expect(r.code).toBe(0);
    // The plan: the file will hold the key.
    expect(r.stdout).toContain(
      `▲ ${file} will hold a key (tool) and is readable by other users (mode 644): run chmod 600 ${file}`,
    );
    // After the write: it does.
    const json = JSON.parse((await m.run(["sync", "--json"])).stdout);
    expect(json.targets[0].warnings).toEqual([
      `${file} now holds a key (tool) and is readable by other users (mode 644): run chmod 600 ${file}`,
    ]);
    // A later write that adds no secret (a server without one) says nothing: the key was there
    // before this run (doctor's config.private reports that standing state).
    writeManifest(m, {
      servers: {
        tool: {
          command: "uvx",
          args: ["tool-mcp"],
          share: "off",
          env: { TOOL_KEY: "${secret:FIXTURE_TOKEN}" },
        },
        time: { command: "uvx", args: ["mcp-server-time"] },
      },
    });
    const later = await m.run(["sync"]);
    expect(later.code).toBe(0);
    expect(later.stdout).toMatch(/claude-code .*updated \+time/);
    expect(later.stdout).not.toContain("readable by other users");

    const quiet = linux();
    chmodSync(quiet.paths.claudeCodeConfig, 0o600);
    const q = await quiet.run(["sync"]);
    expect(q.code).toBe(0);
    expect(q.stdout).not.toContain("readable by other users");
  });

  test("sync and add --sync say it after the write ('now holds', once, on the target's line), with the chmod that works", async () => {
    const m = linux();
    const file = m.paths.claudeCodeConfig;
    // A Codex config.toml too: the same words for a TOML file.
    const codex = path.join(m.paths.linuxHome, ".codex", "config.toml");
    mkdirSync(path.dirname(codex), { recursive: true });
    writeFileSync(codex, "# mine\n");
    for (const f of [file, codex]) chmodSync(f, 0o644);
    const r = await m.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("readable by other users");
    for (const f of [file, codex]) {
      const said = `▲ ${f} now holds a key (tool) and is readable by other users (mode 644): run chmod 600 ${f}`;
      expect(r.stdout.split(said).length - 1, r.stdout).toBe(1);
      expect(statSync(f).mode & 0o777).toBe(0o644);
      // The fix, as printed: the file is private, and doctor finds nothing left to say of it.
      execFileSync("/bin/sh", ["-c", said.slice(said.indexOf("chmod 600"))]);
      expect(statSync(f).mode & 0o777).toBe(0o600);
    }
    const run = await doctor(m, ["--no-probe"]);
    expect(run.checks.filter((c) => c.id === "config.private" && c.status !== "pass")).toEqual([]);

    const a = linux();
    const aFile = a.paths.claudeCodeConfig;
    // Unshared (a shared postgres would put no key in the file: its entry reaches the bridge).
    writeUnsharedTemplate(a, "postgres");
    writeManifest(a, { servers: {} });
    chmodSync(aFile, 0o644);
    const added = await a.run([
      "add",
      "postgres",
      "--secret",
      `DATABASE_URI=postgresql://u:${SECRET}@h/db`,
      "--sync",
    ]);
    expect(added.code, added.stderr).toBe(0);
    const said = `▲ ${aFile} now holds a key (postgres) and is readable by other users (mode 644): run chmod 600 ${aFile}`;
    expect(added.stdout.split(said).length - 1).toBe(1);
    expect(added.stderr).not.toContain("readable by other users");
    expect(added.stdout + added.stderr).not.toContain(SECRET);
  });

  test("add on a terminal says it before its question ('will hold'), and after the write ('now holds')", async () => {
    const m = linux();
    const file = m.paths.claudeCodeConfig;
    // Unshared (a shared postgres would put no key in the file: its entry reaches the bridge).
    writeUnsharedTemplate(m, "postgres");
    writeManifest(m, { servers: {} });
    chmodSync(file, 0o644);
    const pty = runInPty(
      ["add", "postgres", "--secret", `DATABASE_URI=postgresql://u:${SECRET}@h/db`],
      m.env,
      m.root,
    );
    await pty.waitFor(/Write it into every client now\?/);
    const screen = pty.output();
    const warning = `▲ ${file} will hold a key (postgres) and is readable by other users (mode 644): run chmod 600 ${file}`;
    expect(screen).toContain(warning);
    expect(screen.indexOf(warning)).toBeLessThan(screen.indexOf("Write it into every client now?"));
    pty.type(KEY.enter);
    const { code, output } = await pty.exit;
    expect(code, output).toBe(0);
    // After the write, what it holds now: the two agree with what was written.
    expect(output).toContain(
      `▲ ${file} now holds a key (postgres) and is readable by other users (mode 644): run chmod 600 ${file}`,
    );
    expect(output.split("readable by other users").length - 1).toBe(2);
    expect(output).not.toContain(SECRET);
  }, 60_000);

  test("a server without secrets is not warned about", async () => {
    const m = setup({ kind: "linux" }, { plain: { command: "uvx", args: ["plain-mcp"] } });
    chmodSync(m.paths.claudeCodeConfig, 0o644);
    const r = await m.run(["sync"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("readable by other users");
  });
});

/**
 * doctor finds a config that already holds keys and others can read — however the keys got there
 * (an older sync, a hand edit, another tool): sync's warning only covers the files it writes.
 */
describe("doctor: a readable config that already holds keys (config.private)", () => {
  test("warns with the exact chmod (the real file behind a link), passes at 0600; values never shown", async () => {
    const m = setup({ kind: "linux" }, {});
    const dotfiles = path.join(m.root, "dot files");
    mkdirSync(dotfiles);
    const real = path.join(dotfiles, "claude.json");
    const doc = {
      numStartups: 2,
      mcpServers: {
        keyed: { command: "uvx", args: ["keyed-mcp"], env: { KEYED_API_KEY: SECRET, LOG_LEVEL: "debug" } },
        remote: {
          type: "http",
          url: "https://example.com/mcp",
          headers: { Authorization: `Bearer ${SECRET}x` },
        },
        plain: { command: "uvx", args: ["plain-mcp"], env: { LOG_LEVEL: "debug" } },
        referenced: { command: "uvx", args: ["ref-mcp"], env: { REF_TOKEN: "${REF_TOKEN}" } },
        placeholder: { command: "uvx", args: ["ph-mcp"], env: { PH_API_KEY: "your-api-key-here" } },
      },
    };
    writeFileSync(real, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o644 });
    chmodSync(real, 0o644);
    rmSync(m.paths.claudeCodeConfig);
    symlinkSync(real, m.paths.claudeCodeConfig);
    const run = await doctor(m, ["--no-probe"]);
    const c = one(run, "config.private", { client: "claude-code" });
    expect(c.status).toBe("warn");
    expect(c.message).toContain("keys (keyed, remote)");
    expect(c.message).toContain("mode 644");
    expect(c.message).toContain(`a link to ${real}`);
    expect(c.fix).toBe(`chmod 600 '${real}'`);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
    // Followed, the fix works: the same file now passes.
    chmodSync(real, 0o600);
    expect(one(await doctor(m, ["--no-probe"]), "config.private", { client: "claude-code" }).status).toBe(
      "pass",
    );
  });

  test("no finding for a file without keys, nor for Windows files (the ACL protects them)", async () => {
    const m = setup({}, {});
    writeFileSync(
      m.paths.claudeCodeConfig,
      JSON.stringify({
        mcpServers: { plain: { command: "uvx", args: ["p"], env: { REF_TOKEN: "${REF_TOKEN}" } } },
      }),
      { mode: 0o644 },
    );
    chmodSync(m.paths.claudeCodeConfig, 0o644);
    const desktop = {
      mcpServers: { keyed: { command: "uvx", args: ["k"], env: { KEYED_API_KEY: SECRET } } },
    };
    writeFileSync(m.paths.claudeDesktopConfig, JSON.stringify(desktop), { mode: 0o644 });
    chmodSync(m.paths.claudeDesktopConfig, 0o644);
    const run = await doctor(m, ["--no-probe"]);
    expect(run.checks.filter((c) => c.id === "config.private")).toEqual([]);
  });
});

describe("a dry run", () => {
  test("writes no file at all, not even a cache, where mcp-twin never wrote: its 'nothing was written' is true", async () => {
    // No gateway port recorded either: the home does not exist before, and must not after.
    const m = createFakeMachine({ registryUrl: inject("registryUrl"), bridgePort: false });
    try {
      const entry = { command: "uvx", args: ["tool-mcp"] };
      writeFileSync(m.paths.cursorConfig, JSON.stringify({ mcpServers: { tool: entry } }));
      const imported = await m.run(["import", "--dry-run"]);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stdout).toContain("Dry run: nothing was written.");
      expect(existsSync(m.paths.home)).toBe(false);
      // The Linux side's locator of the Windows home is a cache too.
      expect(existsSync(path.join(m.paths.linuxHome, ".cache", "mcp-twin"))).toBe(false);
      // A manifest written by hand, nothing else: each dry run leaves the home as it is.
      writeManifest(m, { servers: { tool: entry } });
      for (const args of [
        ["sync", "--dry-run"],
        ["add", "memory", "--dry-run", "--no-sync"],
        ["remove", "tool", "--dry-run"],
      ]) {
        const r = await m.run(args);
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      }
      expect(readdirSync(m.paths.home)).toEqual(["mcp-twin.jsonc"]);
      expect(existsSync(path.join(m.paths.linuxHome, ".cache", "mcp-twin"))).toBe(false);
    } finally {
      m.cleanup();
    }
  });
});
