/**
 * Every client on the file it writes itself (test/fixtures/first-run: real runs, its source, or committed
 * copies): sync adds its entry keeping every other byte; doctor, import and status report only servers
 * a person added through it; restore and uninstall give it back byte for byte.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse as parseToml } from "smol-toml";
import { describe, expect, inject, test } from "vitest";
import { parseConfig, readEntries } from "../../src/core/formats/json/merge.js";
import { doctor } from "../doctor/helpers.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";

runInProcessByDefault();

const FIXTURES = path.join(import.meta.dirname, "..", "fixtures", "first-run");

interface Case {
  client: string;
  /** The client's own file, in test/fixtures/first-run/<client>/. */
  fixture: string;
  /** Where the client keeps it, under the Linux home. */
  file: string[];
  /** Where the servers are in it. */
  key: string;
  toml?: true;
  /** Servers the client itself wrote into the file (through its own UI), kept as they are. */
  theirs?: string[];
}

const CASES: Case[] = [
  { client: "claude-code", fixture: ".claude.json", file: [".claude.json"], key: "mcpServers" },
  {
    client: "codex",
    fixture: "config.toml",
    file: [".codex", "config.toml"],
    key: "mcp_servers",
    toml: true,
  },
  { client: "gemini-cli", fixture: "settings.json", file: [".gemini", "settings.json"], key: "mcpServers" },
  {
    client: "copilot-cli",
    fixture: "mcp-config.json",
    file: [".copilot", "mcp-config.json"],
    key: "mcpServers",
  },
  {
    client: "amp",
    fixture: "settings.json",
    file: [".config", "amp", "settings.json"],
    key: "amp.mcpServers",
  },
  { client: "augment", fixture: "settings.json", file: [".augment", "settings.json"], key: "mcpServers" },
  { client: "factory-droid", fixture: "mcp.json", file: [".factory", "mcp.json"], key: "mcpServers" },
  { client: "kilo-code", fixture: "kilo.jsonc", file: [".config", "kilo", "kilo.jsonc"], key: "mcp" },
  {
    client: "opencode",
    fixture: "opencode.jsonc",
    file: [".config", "opencode", "opencode.jsonc"],
    key: "mcp",
  },
  { client: "qwen-code", fixture: "settings.json", file: [".qwen", "settings.json"], key: "mcpServers" },
  { client: "vscode", fixture: "mcp.json", file: [".config", "Code", "User", "mcp.json"], key: "servers" },
  {
    client: "cline",
    fixture: "cline_mcp_settings.json",
    file: [".cline", "data", "settings", "cline_mcp_settings.json"],
    key: "mcpServers",
  },
  {
    client: "roo-code",
    fixture: "mcp_settings.json",
    file: [
      ".config",
      "Code",
      "User",
      "globalStorage",
      "rooveterinaryinc.roo-cline",
      "settings",
      "mcp_settings.json",
    ],
    key: "mcpServers",
  },
  {
    client: "claude-desktop",
    fixture: "claude_desktop_config.json",
    file: [".config", "Claude", "claude_desktop_config.json"],
    key: "mcpServers",
  },
  {
    client: "kiro",
    fixture: "mcp.json",
    file: [".kiro", "settings", "mcp.json"],
    key: "mcpServers",
    theirs: ["fetch", "XcodeBuildMCP"],
  },
  {
    client: "windsurf",
    fixture: "mcp_config.json",
    file: [".codeium", "windsurf", "mcp_config.json"],
    key: "mcpServers",
    theirs: ["filesystem", "memory", "silicon-labs-docs"],
  },
  {
    client: "cursor",
    fixture: "mcp.json",
    file: [".cursor", "mcp.json"],
    key: "mcpServers",
    theirs: ["postgres"],
  },
  {
    client: "lm-studio",
    fixture: "mcp.json",
    file: [".lmstudio", "mcp.json"],
    key: "mcpServers",
    theirs: ["hf-mcp-server"],
  },
  {
    client: "junie",
    fixture: "mcp.json",
    file: [".junie", "mcp", "mcp.json"],
    key: "mcpServers",
  },
  {
    client: "antigravity",
    fixture: "mcp_config.json",
    file: [".gemini", "config", "mcp_config.json"],
    key: "mcpServers",
    theirs: ["figma"],
  },
];

/** The clients whose first run edits a file mcp-twin created: their bytes after it, in after-sync/. */
const AFTER_SYNC = CASES.filter((c) => existsSync(path.join(FIXTURES, c.client, "after-sync", c.fixture)));

interface Placed {
  c: Case;
  file: string;
  before: string;
}

function parsed(c: Case, text: string): Record<string, unknown> {
  if (c.toml) return parseToml(text) as Record<string, unknown>;
  return (text.trim() === "" ? {} : parseConfig(text, "f").value) as Record<string, unknown>;
}

function entriesOf(c: Case, text: string): Record<string, unknown> {
  if (c.toml) return (parsed(c, text)[c.key] ?? {}) as Record<string, unknown>;
  return readEntries(parseConfig(text, "f"), [c.key], "f");
}

/** Everything in the file but its servers. */
function ownKeys(c: Case, text: string): Record<string, unknown> {
  const { [c.key]: _servers, ...rest } = parsed(c, text);
  return rest;
}

function fx(): { command: string; args: string[] } {
  return { command: process.execPath, args: [inject("fixtureScript")] };
}

function machine(): FakeMachine {
  const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false, claudeCode: false });
  writeManifest(m, { servers: { fx: fx() } });
  return m;
}

function place(m: FakeMachine, c: Case, text?: string): Placed {
  const file = path.join(m.paths.linuxHome, ...c.file);
  mkdirSync(path.dirname(file), { recursive: true });
  const before = text ?? readFileSync(path.join(FIXTURES, c.client, c.fixture), "utf8");
  writeFileSync(file, before);
  return { c, file, before };
}

interface ImportJson {
  servers: Array<{ name: string; found: Array<{ client: string }> }>;
  adopted: Array<{ client: string; server: string }>;
  skipped: Array<{ file: string; server: string; reason: string }>;
  files: Array<{ client: string; entries: number }>;
}

/**
 * Import offers none of the clients' own keys and finds nothing it cannot use; what it offers is
 * exactly the servers a client wrote through its own UI (a disabled one named and left alone).
 */
async function importsNothing(m: FakeMachine, placed: Placed[], entries: number): Promise<void> {
  const r = await m.run(["import", "--json", "--dry-run", "--yes"]);
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as ImportJson;
  const theirs = placed.flatMap((p) => (p.c.theirs ?? []).map((name) => `${p.c.client} ${name}`)).sort();
  const offered = out.servers.flatMap((s) => s.found.map((f) => `${f.client} ${s.name}`));
  const left = out.skipped.map((s) => `${placed.find((p) => p.file === s.file)?.c.client} ${s.server}`);
  expect([...offered, ...left].sort()).toEqual(theirs);
  for (const s of out.skipped) expect(s.reason).toBe("disabled in this client; left as it is");
  for (const a of out.adopted) expect(theirs).toContain(`${a.client} ${a.server}`);
  for (const f of out.files) {
    const c = placed.find((p) => p.c.client === f.client)?.c;
    expect(f.entries, f.client).toBe(entries + (c?.theirs?.length ?? 0));
  }
}

/** Status: each client holds fx, synced, and nothing else of its is a row. */
async function statusSynced(m: FakeMachine, clients: string[]): Promise<void> {
  const r = await m.run(["status", "--json"]);
  const rows = JSON.parse(r.stdout) as Array<{ client: string; server: string; state: string }>;
  const mine = rows.filter((row) => clients.includes(row.client));
  expect(mine.map((row) => `${row.client} ${row.server} ${row.state}`).sort()).toEqual(
    clients.map((client) => `${client} fx synced`).sort(),
  );
}

/**
 * Doctor read each client's file and fails nothing (its own keys are neither drift nor breakage):
 * fx started; the servers a client wrote itself checked without starting them (they need the
 * network, or are off in their client), only a placeholder the app itself wrote said of them.
 */
async function doctorClean(m: FakeMachine, placed: Placed[]): Promise<void> {
  const theirs = (check: { client?: string; server?: string }) =>
    placed.some((p) => p.c.client === check.client && p.c.theirs?.includes(check.server ?? ""));
  const started = await doctor(m, ["--server", "fx"]);
  const still = await doctor(m, ["--no-probe"]);
  const failed = [...started.checks, ...still.checks].filter(
    (check) => check.status === "fail" && !(check.id === "secrets.placeholder" && theirs(check)),
  );
  expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
  for (const run of [started, still]) {
    const parsed = run.checks.filter((check) => check.id === "config.parse" && check.status === "pass");
    expect(parsed.map((check) => check.client).sort()).toEqual(placed.map((p) => p.c.client).sort());
  }
}

describe("each client on the file it writes on its first run", () => {
  test("sync, status, doctor, import, restore and uninstall keep what the client wrote", async () => {
    const m = machine();
    try {
      const placed = CASES.map((c) => place(m, c));
      await importsNothing(m, placed, 0);

      const first = await m.run(["sync", "--json"]);
      expect(first.code, first.stderr).toBe(0);
      const targets = (
        JSON.parse(first.stdout) as { targets: Array<{ client: string; added: string[]; drift: unknown[] }> }
      ).targets;
      for (const p of placed) {
        const target = targets.find((t) => t.client === p.c.client);
        expect(target, p.c.client).toMatchObject({ added: ["fx"], drift: [] });
        const written = readFileSync(p.file, "utf8");
        expect(entriesOf(p.c, written), p.c.client).toEqual({
          ...entriesOf(p.c, p.before),
          fx: expect.objectContaining(entryOf(p.c)),
        });
        expect(ownKeys(p.c, written), p.c.client).toEqual(ownKeys(p.c, p.before));
        keptLines(p, written);
      }
      const synced = placed.map((p) => readFileSync(p.file, "utf8"));

      const again = await m.run(["sync"]);
      expect(again.code, again.stderr).toBe(0);
      expect(placed.map((p) => readFileSync(p.file, "utf8"))).toEqual(synced);
      await statusSynced(
        m,
        CASES.map((c) => c.client),
      );
      await doctorClean(m, placed);
      await importsNothing(m, placed, 1);

      for (const p of placed) {
        const back = await m.run(["restore", p.c.client, "--original", "--yes"]);
        expect(back.code, `${p.c.client}: ${back.stderr}`).toBe(0);
        expect.soft(readFileSync(p.file, "utf8"), p.c.client).toBe(p.before);
      }

      expect((await m.run(["sync"])).code).toBe(0);
      const gone = await m.run(["uninstall", "--yes"]);
      expect(gone.code, gone.stderr).toBe(0);
      for (const p of placed) expect.soft(readFileSync(p.file, "utf8"), p.c.client).toBe(p.before);
    } finally {
      m.cleanup();
    }
  }, 60_000);

  test("doctor does not start a server its client keeps turned off (a fresh Kiro's `fetch`)", async () => {
    const m = machine();
    try {
      const off = CASES.filter((c) => c.client === "kiro" || c.client === "antigravity").map((c) =>
        place(m, c),
      );
      // Only the turned-off ones: the others would be started (and fetched from the registry).
      const run = await doctor(m, ["--server", "fetch", "--server", "figma"]);
      const about = run.checks.filter(
        (check) => check.id.startsWith("probe.") && (check.server === "fetch" || check.server === "figma"),
      );
      expect(about, JSON.stringify(about, null, 1)).toEqual([]);
      for (const p of off) expect(readFileSync(p.file, "utf8")).toBe(p.before);
    } finally {
      m.cleanup();
    }
  }, 60_000);

  test.each(AFTER_SYNC)(
    "$client's first run after sync created its file: its keys are its own",
    async (c) => {
      const m = machine();
      try {
        // The client is there (its folder), its file not yet: sync creates it.
        mkdirSync(path.dirname(path.join(m.paths.linuxHome, ...c.file)), { recursive: true });
        expect((await m.run(["sync"])).code).toBe(0);
        // Then the client's first run edits it: its real bytes, recorded on mcp-twin's file.
        const recorded = readFileSync(path.join(FIXTURES, c.client, "after-sync", c.fixture), "utf8")
          .replace("@NODE@", process.execPath)
          .replace("@SCRIPT@", inject("fixtureScript"));
        const p = place(m, c, recorded);

        await statusSynced(m, [c.client]);
        await doctorClean(m, [p]);
        await importsNothing(m, [p], 1);
        const again = await m.run(["sync", "--json"]);
        expect(again.code, again.stderr).toBe(0);
        expect(readFileSync(p.file, "utf8")).toBe(recorded);

        const gone = await m.run(["uninstall", "--yes"]);
        expect(gone.code, gone.stderr).toBe(0);
        const left = existsSync(p.file) ? readFileSync(p.file, "utf8") : "";
        expect(entriesOf(c, left)).toEqual({});
        expect(ownKeys(c, left)).toEqual(ownKeys(c, recorded));
      } finally {
        m.cleanup();
      }
    },
    60_000,
  );
});

/** The fields of fx every client's entry has (its own shape around them). */
function entryOf(c: Case): Record<string, unknown> {
  const { command, args } = fx();
  if (c.key === "mcp") return { type: "local", command: [command, ...args] };
  return { command, args };
}

/** Every line of the client's file is still there in order (a comma may follow it now). */
function keptLines(p: Placed, written: string): void {
  const lines = written.split("\n").map((l) => l.replace(/,$/, ""));
  let at = 0;
  for (const line of p.before.split("\n")) {
    if (line.includes(`"${p.c.key}"`)) continue;
    at = lines.indexOf(line.replace(/,$/, ""), at);
    expect(at, `${p.c.client}: ${line}`).toBeGreaterThanOrEqual(0);
  }
}
