/**
 * A manifest with nothing in it — 0 bytes, only whitespace, only comments — is not "no servers":
 * an editor crash, a full disk or `> file` leaves one, and reading it as empty would take every
 * server out of every client. Every command that reads it stops with exit 2, naming the file and
 * what to do, and writes nothing; doctor fails its check. `{ "servers": {} }` still means none.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { doctor, one } from "../doctor/helpers.js";
import { type FakeMachine, runInProcessByDefault } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const setup = fixtureMachines("fx-e3b0c44298fc1c14");
/** A plain Linux machine whose servers need no install, synced: Claude Code holds both entries. */
async function synced(): Promise<FakeMachine> {
  const m = setup(
    { kind: "linux" },
    {
      time: { command: "uvx", args: ["mcp-server-time"] },
      tool: { command: "uvx", args: ["tool-mcp"] },
    },
  );
  const r = await m.run(["sync"]);
  expect(r.code, r.stderr).toBe(0);
  expect(Object.keys(claudeCode(m).mcpServers).sort()).toEqual(["time", "tool"]);
  return m;
}

const claudeCode = (m: FakeMachine) => JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8"));

/** Every file a refused run must leave as it was: the client config, state, the manifest itself. */
function snapshot(m: FakeMachine, manifest: string): () => void {
  const files = [m.paths.claudeCodeConfig, path.join(m.paths.home, "state.json"), manifest];
  const before = files.map((f) => readFileSync(f));
  return () => {
    for (const [i, f] of files.entries()) expect(readFileSync(f), f).toEqual(before[i]);
  };
}

const HINT =
  'Put its servers back (from a copy, version control or your editor\'s history: mcp-twin keeps no copy of the manifest), or write { "servers": {} } in it if you mean no servers.';

const EMPTY: ReadonlyArray<[string, string, string]> = [
  ["0 bytes", "", "the manifest is empty"],
  ["only whitespace", "  \n\t\r\n", "the manifest holds only whitespace"],
  ["only comments", "// my servers\n/* tavily, memory */\n", "the manifest holds only comments"],
  ["only a byte-order mark", "\uFEFF", "the manifest is empty"],
];

describe("an empty home manifest", () => {
  test.each(EMPTY)(
    "%s: sync, --dry-run and status stop with exit 2 at 1:1, Claude Code's config byte for byte as it was",
    async (_, text, what) => {
      const m = await synced();
      const file = path.join(m.paths.home, "mcp-twin.jsonc");
      writeFileSync(file, text);
      const unchanged = snapshot(m, file);
      const said = `${file}:1:1: ${what}; mcp-twin does not read that as "no servers" (an editor crash or a full disk can empty a file), so it changes nothing until the file holds a manifest.`;
      for (const args of [["sync"], ["sync", "--dry-run"], ["sync", "--force"], ["status"]]) {
        const r = await m.run(args);
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain(`✖ ${said}\n`);
        expect(r.stderr).toContain(HINT);
        expect(r.stdout).not.toContain("updated");
      }
      unchanged();
      expect(Object.keys(claudeCode(m).mcpServers).sort()).toEqual(["time", "tool"]);
    },
  );

  test("sync --json and status --json: one error document with the file, 1:1 and the hint", async () => {
    const m = await synced();
    const file = path.join(m.paths.home, "mcp-twin.jsonc");
    writeFileSync(file, "");
    const unchanged = snapshot(m, file);
    for (const args of [
      ["sync", "--json"],
      ["status", "--json"],
    ]) {
      const r = await m.run(args);
      expect(r.code, r.stderr).toBe(2);
      expect(JSON.parse(r.stdout)).toEqual({
        errors: [
          {
            code: "manifest-empty",
            message: expect.stringContaining(`${file}:1:1: the manifest is empty;`),
            file,
            line: 1,
            column: 1,
            hint: HINT,
          },
        ],
      });
    }
    unchanged();
  });

  test("add, remove, import and init refuse it too: the file stays empty, nothing is written", async () => {
    const m = await synced();
    const file = path.join(m.paths.home, "mcp-twin.jsonc");
    writeFileSync(file, "\n");
    const unchanged = snapshot(m, file);
    const secrets = readFileSync(path.join(m.paths.home, "secrets.json"));
    // init adds to an existing manifest: an empty one has lost what it held, and adding to it would
    // leave a manifest whose next sync takes the lost servers out of every client.
    for (const args of [
      ["add", "memory", "--yes", "--no-sync"],
      ["add", "memory", "--dry-run"],
      ["remove", "time", "--no-sync"],
      ["import", "--yes"],
      ["init", "--yes", "--server", "memory", "--no-sync"],
      ["init", "--yes", "--server", "memory", "--dry-run"],
    ]) {
      const r = await m.run(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`✖ ${file}:1:1: the manifest holds only whitespace;`);
      expect(r.stderr).toContain(HINT);
    }
    unchanged();
    expect(readFileSync(path.join(m.paths.home, "secrets.json"))).toEqual(secrets);
  });

  test("doctor fails manifest.valid with the message and what to do, not 'valid (0 servers)'", async () => {
    const m = await synced();
    const file = path.join(m.paths.home, "mcp-twin.jsonc");
    writeFileSync(file, "// nothing here yet\n");
    const run = await doctor(m, ["--no-probe"]);
    expect(run.code).toBe(1);
    expect(run.ok).toBe(false);
    const check = one(run, "manifest.valid");
    expect(check.status).toBe("fail");
    expect(check.message).toContain(`${file}:1:1: the manifest holds only comments;`);
    expect(check.fix).toBe(HINT);
    const text = await m.run(["doctor", "--no-probe"]);
    expect(text.stdout).not.toContain("the manifest is valid");
  });
});

describe("an empty manifest elsewhere", () => {
  test("--manifest naming an empty file: exit 2 naming it, nothing written", async () => {
    const m = await synced();
    const other = path.join(m.root, "x", "empty.jsonc");
    mkdirSync(path.dirname(other), { recursive: true });
    writeFileSync(other, "");
    const unchanged = snapshot(m, other);
    for (const args of [["sync"], ["status"], ["add", "memory", "--yes", "--no-sync"]]) {
      const r = await m.run([...args, "--manifest", other]);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`✖ ${other}:1:1: the manifest is empty;`);
    }
    unchanged();
  });

  test("a project's empty ./mcp-twin.jsonc: exit 2 naming it, no project file written", async () => {
    const m = await synced();
    const repo = path.join(m.root, "repo");
    mkdirSync(repo, { recursive: true });
    const project = path.join(repo, "mcp-twin.jsonc");
    writeFileSync(project, "   \n");
    const unchanged = snapshot(m, project);
    for (const args of [["sync"], ["sync", "--yes"], ["status"]]) {
      const r = await m.run(args, { cwd: repo });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`✖ ${project}:1:1: the manifest holds only whitespace;`);
    }
    unchanged();
    expect(existsSync(path.join(repo, ".mcp.json"))).toBe(false);
  });
});

describe("a manifest that says it has no servers", () => {
  test('{ "servers": {} } is valid: sync takes mcp-twin\'s entries out, as it was told', async () => {
    const m = await synced();
    writeFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), '{ "servers": {} }\n');
    const r = await m.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(claudeCode(m).mcpServers).toEqual({});
    const check = one(await doctor(m, ["--no-probe"]), "manifest.valid");
    expect(check).toMatchObject({ status: "pass", message: "the manifest is valid (0 servers)." });
  });
});
