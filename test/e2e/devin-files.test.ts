/**
 * Devin for Terminal on its own first-run files (test/fixtures/devin: `config.json` beside
 * `mcp_config.json`) on a fake Linux machine: sync writes `mcp_config.json` only, and status,
 * doctor, import, restore and uninstall read both as Devin does; a home where an earlier mcp-twin
 * wrote into `config.json` keeps its claims true whether or not Devin has moved the entries since.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import { parseConfig, readEntries } from "../../src/core/formats/json/merge.js";
import { doctor, pick } from "../doctor/helpers.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { importJson } from "../import/helpers.js";

runInProcessByDefault();

const FIXTURES = path.join(import.meta.dirname, "..", "fixtures", "devin");
const SETTINGS = readFileSync(path.join(FIXTURES, "config.json"), "utf8");
const SERVERS = readFileSync(path.join(FIXTURES, "mcp_config.json"), "utf8");

const read = (file: string) => readFileSync(file, "utf8");
const entries = (file: string) => readEntries(parseConfig(read(file), file), ["mcpServers"], file);

interface Home {
  m: FakeMachine;
  settings: string;
  servers: string;
  statePath: string;
}

let machine: FakeMachine | undefined;
afterEach(() => {
  machine?.cleanup();
  machine = undefined;
});

/** A Linux machine with Devin's first-run files and a manifest of one server, `fx`. */
function devinHome(): Home {
  const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false, claudeCode: false });
  machine = m;
  const dir = path.join(m.paths.linuxHome, ".config", "devin");
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(FIXTURES, "config.json"), path.join(dir, "config.json"));
  copyFileSync(path.join(FIXTURES, "mcp_config.json"), path.join(dir, "mcp_config.json"));
  writeManifest(m, { servers: { fx: { command: process.execPath, args: [inject("fixtureScript")] } } });
  return {
    m,
    settings: path.join(dir, "config.json"),
    servers: path.join(dir, "mcp_config.json"),
    statePath: path.join(m.paths.home, "state.json"),
  };
}

interface Row {
  client: string;
  path: string;
  action: string;
  added: string[];
}
async function sync(m: FakeMachine): Promise<Row | undefined> {
  const r = await m.run(["sync", "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { targets: Row[] }).targets.find((t) => t.client === "devin");
}

/** Every line of `original` is in `written`, in order. */
function keepsLines(written: string, original: string): void {
  const lines = written.split("\n");
  let at = 0;
  for (const line of original.split("\n")) {
    at = lines.findIndex((l, i) => i >= at && (l === line || l === `${line},`));
    expect(at, line).toBeGreaterThanOrEqual(0);
  }
}

/**
 * What doctor says is wrong with Devin's files (probes left out: `linear` is a real URL). Its advice
 * on the person's `npx` server (entry.cold-start) is about that server, true of it in any client.
 */
async function devinProblems(m: FakeMachine) {
  const run = await doctor(m, ["--client", "devin", "--no-probe"]);
  return run.checks.filter(
    (c) =>
      c.client === "devin" && (c.status === "fail" || c.status === "warn") && c.id !== "entry.cold-start",
  );
}

async function statusOf(m: FakeMachine): Promise<string[]> {
  const r = await m.run(["status", "--json"]);
  const rows = JSON.parse(r.stdout) as Array<{ client: string; server: string; state: string }>;
  return rows.filter((x) => x.client === "devin").map((x) => `${x.server}: ${x.state}`);
}

/**
 * The home an earlier mcp-twin left: `fx` in config.json's `mcpServers` (as it wrote it there),
 * its state claiming it in that file, nothing of it in mcp_config.json.
 */
async function earlierTwinHome(): Promise<Home & { fx: unknown; legacy: string }> {
  const home = devinHome();
  await sync(home.m);
  const fx = entries(home.servers).fx;
  const state = JSON.parse(read(home.statePath)) as { targets: Record<string, { path: string }> };
  for (const [key, record] of Object.entries(state.targets)) {
    if (!key.includes("|devin|")) continue;
    delete state.targets[key];
    state.targets[key.replace("mcp_config.json", "config.json")] = { ...record, path: home.settings };
  }
  writeFileSync(home.statePath, JSON.stringify(state, null, 2));
  writeFileSync(home.servers, SERVERS);
  const legacy = SETTINGS.replace(
    /\n}\n$/,
    `,\n  "mcpServers": {\n    "fx": ${JSON.stringify(fx)}\n  }\n}\n`,
  );
  writeFileSync(home.settings, legacy);
  return { ...home, fx, legacy };
}

describe("Devin for Terminal on its own first-run files", () => {
  test("sync writes mcp_config.json, in its schema, and never config.json; status, doctor, import, restore and uninstall agree", async () => {
    const { m, settings, servers } = devinHome();
    const row = await sync(m);
    expect(row).toMatchObject({ path: servers, action: "updated", added: ["fx"] });
    expect(read(settings)).toBe(SETTINGS);
    keepsLines(read(servers), SERVERS);
    const written = entries(servers);
    // No `type`: Devin's schema refuses keys it does not name.
    expect(written.fx).toEqual({ command: process.execPath, args: [inject("fixtureScript")] });
    expect(written.linear).toEqual({ url: "https://mcp.linear.app/mcp", transport: "http" });
    const after = read(servers);
    expect((await sync(m))?.action).toBe("unchanged");
    expect(read(servers)).toBe(after);

    expect(await statusOf(m)).toEqual(["fx: synced"]);
    expect(await devinProblems(m)).toEqual([]);

    const found = await importJson(m, ["--dry-run"]);
    expect(found.code, found.stderr).toBe(0);
    expect(found.server("linear")).toBeDefined();
    expect(found.server("github")).toBeDefined();
    // mcp-twin's own entry is not the person's to import.
    expect(found.server("fx")).toBeUndefined();

    const restored = await m.run(["restore", servers, "--yes"]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(read(servers)).toBe(SERVERS);
    await sync(m);
    const gone = await m.run(["uninstall", "--yes"]);
    expect(gone.code, gone.stderr).toBe(0);
    expect(read(servers)).toBe(SERVERS);
    expect(read(settings)).toBe(SETTINGS);
  }, 120_000);
});

describe("servers a person added with an older Devin, still in config.json", () => {
  test("are the person's: sync leaves config.json byte for byte, doctor says Devin moves them, import reads them", async () => {
    const { m, settings, servers } = devinHome();
    const older = SETTINGS.replace(
      /\n}\n$/,
      ',\n  "mcpServers": {\n    "notion": { "url": "https://mcp.notion.com/mcp", "transport": "http" }\n  }\n}\n',
    );
    writeFileSync(settings, older);
    expect((await sync(m))?.path).toBe(servers);
    expect(read(settings)).toBe(older);

    const problems = await devinProblems(m);
    expect(problems.map((p) => [p.id, p.status])).toEqual([["config.moved-servers", "warn"]]);
    expect(problems[0]?.message).toContain("still holds the server notion under mcpServers");

    const found = await importJson(m, ["--dry-run"]);
    expect(found.server("notion")?.found).toMatchObject([
      { client: "devin", path: settings, adopted: false },
    ]);
    const r = await m.run(["import", "--yes", "--client", "devin"]);
    expect(r.code, r.stderr).toBe(0);
    expect(read(settings)).toBe(older);
  }, 120_000);
});

describe("import's count of the files it read", () => {
  test("names Devin once with its two files, so the count matches the names", async () => {
    const { m } = devinHome();
    const r = await m.run(["import", "--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Read 2 client configs: linux devin (2 files).");
  }, 120_000);
});

describe("an entry with a `type` in mcp_config.json (another tool's shared shape)", () => {
  test("doctor says Devin's schema refuses it; sync leaves it as it is", async () => {
    const { m, servers } = devinHome();
    const typed = SERVERS.replace('"github": {', '"github": {\n      "type": "stdio",');
    writeFileSync(servers, typed);
    await sync(m);
    keepsLines(read(servers), typed);
    const shape = (await devinProblems(m)).filter((c) => c.id === "entry.shape");
    expect(shape.map((c) => [c.server, c.status])).toEqual([["github", "fail"]]);
    expect(shape[0]?.message).toContain('has "type", a key its mcp_config.json schema refuses');
  }, 120_000);
});

describe("a home where an earlier mcp-twin wrote Devin's servers into config.json", () => {
  test("Devin not started since: sync leaves config.json as it is and keeps its claim there; doctor says Devin moves it; uninstall takes fx out of both files", async () => {
    const { m, settings, servers, statePath, legacy } = await earlierTwinHome();
    const row = await sync(m);
    expect(row).toMatchObject({ path: servers, added: ["fx"] });
    expect(read(settings)).toBe(legacy);
    const claims = Object.values(
      (JSON.parse(read(statePath)) as { targets: Record<string, { path: string; entries: object }> }).targets,
    ).filter((r) => r.path.includes("devin"));
    expect(claims.map((r) => [path.basename(r.path), Object.keys(r.entries)]).sort()).toEqual([
      ["config.json", ["fx"]],
      ["mcp_config.json", ["fx"]],
    ]);

    const problems = await devinProblems(m);
    expect(problems.map((p) => p.id)).toEqual(["config.moved-servers"]);
    expect(problems[0]?.message).toContain("moves it into");

    // Read in config.json too, and known there as mcp-twin's own: not offered as the person's.
    const found = await importJson(m, ["--dry-run"]);
    expect(found.json.files.map((f) => path.basename(f.path)).sort()).toEqual([
      "config.json",
      "mcp_config.json",
    ]);
    expect(found.server("fx")).toBeUndefined();

    const gone = await m.run(["uninstall", "--yes"]);
    expect(gone.code, gone.stderr).toBe(0);
    expect(read(servers)).toBe(SERVERS);
    expect(entries(settings)).toEqual({});
    keepsLines(read(settings), SETTINGS.replace(/\n}\n$/, ""));
  }, 120_000);

  test("Devin moved fx into mcp_config.json: it is still mcp-twin's there (not the person's, not rewritten), config.json is no longer claimed, uninstall takes it out", async () => {
    const { m, settings, servers, statePath, fx } = await earlierTwinHome();
    // Devin's start: config.json without mcpServers, the entry in mcp_config.json.
    writeFileSync(settings, SETTINGS);
    const moved = JSON.parse(SERVERS) as { mcpServers: Record<string, unknown> };
    moved.mcpServers.fx = fx;
    const movedText = `${JSON.stringify(moved, null, 2)}\n`;
    writeFileSync(servers, movedText);

    const row = await sync(m);
    expect(row).toMatchObject({ path: servers, action: "unchanged" });
    expect(read(servers)).toBe(movedText);
    expect(read(settings)).toBe(SETTINGS);
    const targets = (
      JSON.parse(read(statePath)) as { targets: Record<string, { path: string; entries: object }> }
    ).targets;
    expect(
      Object.values(targets)
        .filter((r) => r.path.includes("devin"))
        .map((r) => [path.basename(r.path), Object.keys(r.entries)]),
    ).toEqual([["mcp_config.json", ["fx"]]]);

    expect(await statusOf(m)).toEqual(["fx: synced"]);
    expect(await devinProblems(m)).toEqual([]);
    expect(pick(await doctor(m, ["--client", "devin", "--no-probe"]), "config.moved-servers")).toEqual([]);

    const gone = await m.run(["uninstall", "--yes"]);
    expect(gone.code, gone.stderr).toBe(0);
    expect(Object.keys(entries(servers)).sort()).toEqual(["github", "linear"]);
    expect(read(settings)).toBe(SETTINGS);
  }, 120_000);
  test("Devin moved fx, then the manifest changed it: sync updates it in mcp_config.json as its own (no --force), never config.json", async () => {
    const { m, settings, servers, fx } = await earlierTwinHome();
    writeFileSync(settings, SETTINGS);
    const moved = JSON.parse(SERVERS) as { mcpServers: Record<string, unknown> };
    moved.mcpServers.fx = fx;
    writeFileSync(servers, `${JSON.stringify(moved, null, 2)}\n`);
    writeManifest(m, {
      servers: { fx: { command: process.execPath, args: [inject("fixtureScript"), "--verbose"] } },
    });
    const r = await m.run(["sync", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const row = (JSON.parse(r.stdout) as { targets: Array<Row & { updated: string[] }> }).targets.find(
      (t) => t.client === "devin",
    );
    expect(row).toMatchObject({ action: "updated", updated: ["fx"] });
    expect(entries(servers).fx).toEqual({
      command: process.execPath,
      args: [inject("fixtureScript"), "--verbose"],
    });
    expect(read(settings)).toBe(SETTINGS);
  }, 120_000);
  test("Devin moved fx, and uninstall runs before any sync: fx is taken out of mcp_config.json, config.json untouched", async () => {
    const { m, settings, servers, fx } = await earlierTwinHome();
    writeFileSync(settings, SETTINGS);
    const moved = JSON.parse(SERVERS) as { mcpServers: Record<string, unknown> };
    moved.mcpServers.fx = fx;
    writeFileSync(servers, `${JSON.stringify(moved, null, 2)}\n`);
    const gone = await m.run(["uninstall", "--yes"]);
    expect(gone.code, gone.stderr).toBe(0);
    expect(Object.keys(entries(servers)).sort()).toEqual(["github", "linear"]);
    expect(read(settings)).toBe(SETTINGS);
  }, 120_000);
});
