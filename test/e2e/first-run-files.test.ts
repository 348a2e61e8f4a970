/**
 * Goose's and Zed's files as the clients themselves write them (test/fixtures/first-run): Goose's
 * config.yaml of a first run, its own extensions in it; Zed's settings.json with a server added
 * through its UI. Nothing the client owns is reported broken, adopted or drifted; its bytes are kept.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { parse as parseYaml } from "yaml";
import { parseConfig, readEntries } from "../../src/core/formats/json/merge.js";
import { doctor } from "../doctor/helpers.js";
import {
  createFakeMachine,
  type FakeMachine,
  REPO,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";

runInProcessByDefault();

const FIXTURES = path.join(REPO, "test", "fixtures", "first-run");
/** Goose's own extensions in its first-run file: the built-in `developer`, the platform ones. */
const GOOSE_OWN = [
  "developer",
  "analyze",
  "todo",
  "apps",
  "chatrecall",
  "extensionmanager",
  "scheduler",
  "summon",
  "summarize",
  "code_execution",
  "orchestrator",
  "tom",
  "skills",
];

/** A fixture's text, the fixture server's node and script put in for `{{node}}` and `{{script}}`. */
function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), "utf8")
    .replaceAll("{{node}}", process.execPath)
    .replaceAll("{{script}}", inject("fixtureScript"));
}

function machineWith(file: string[], text: string, servers: Record<string, unknown>) {
  const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false, claudeCode: false });
  const at = path.join(m.paths.linuxHome, ...file);
  mkdirSync(path.dirname(at), { recursive: true });
  writeFileSync(at, text);
  writeManifest(m, { servers });
  return { m, file: at };
}

const FX = () => ({ fx: { command: process.execPath, args: [inject("fixtureScript")] } });

/** Every line of `before` is in `after`, in order. */
function linesKept(before: string, after: string): void {
  const lines = after.split("\n");
  let at = 0;
  for (const line of before.split("\n")) {
    at = lines.indexOf(line, at);
    expect(at, line).toBeGreaterThanOrEqual(0);
  }
}

/** doctor: exit 0, and no finding but a pass about any of these entries. */
async function nothingBroken(m: FakeMachine, client: string, names: readonly string[]): Promise<void> {
  const run = await doctor(m, ["--client", client]);
  const bad = run.checks.filter((c) => c.status === "fail" || c.status === "warn");
  expect(bad, JSON.stringify(bad, null, 1)).toEqual([]);
  expect(run.code).toBe(0);
  expect(run.checks.filter((c) => c.server !== undefined && names.includes(c.server))).toEqual([]);
}

describe("Goose's config.yaml as a first run writes it", () => {
  const goose = [".config", "goose", "config.yaml"];
  const extensions = (text: string) =>
    (parseYaml(text) as { extensions: Record<string, unknown> }).extensions;

  test("doctor finds nothing broken; sync, uninstall and restore keep Goose's own extensions byte for byte; status says nothing of the fields sync wrote", async () => {
    const before = fixture("goose-config.yaml");
    const { m, file } = machineWith(goose, before, FX());
    try {
      expect((await m.run(["sync"])).code).toBe(0);
      const written = readFileSync(file, "utf8");
      linesKept(before, written);
      for (const name of GOOSE_OWN) expect(extensions(written)[name]).toEqual(extensions(before)[name]);
      expect(extensions(written).fx).toMatchObject({ type: "stdio", cmd: process.execPath });
      expect((await m.run(["sync"])).code).toBe(0);
      expect(readFileSync(file, "utf8")).toBe(written);
      await nothingBroken(m, "goose", GOOSE_OWN);

      // The entry holds what sync wrote (name, enabled, timeout, description as a new entry's):
      // synced, and nothing said to be kept as Goose's or the person's.
      const rows = JSON.parse((await m.run(["status", "--json"])).stdout) as Array<{
        client: string;
        server: string;
        state: string;
        kept?: string[];
      }>;
      expect(rows.filter((r) => r.client === "goose")).toEqual([
        expect.objectContaining({ server: "fx", state: "synced" }),
      ]);
      expect(rows.find((r) => r.client === "goose")?.kept).toBeUndefined();
      const status = await m.run(["status"]);
      expect(status.stdout).not.toMatch(/ keeps /);
      expect(status.stdout).not.toMatch(/adopt/);
      await nothingBroken(m, "goose", GOOSE_OWN);

      expect((await m.run(["uninstall", "--yes"])).code).toBe(0);
      expect(readFileSync(file, "utf8")).toBe(before);
      expect((await m.run(["restore"])).code).toBe(0);
      expect(readFileSync(file, "utf8")).toBe(written);
      await nothingBroken(m, "goose", GOOSE_OWN);
    } finally {
      m.cleanup();
    }
  }, 120_000);

  test("a manifest server named as one of Goose's own extensions: sync leaves Goose's alone, even with --force; status, doctor and adopt say so", async () => {
    const before = fixture("goose-config.yaml");
    const { m, file } = machineWith(goose, before, { developer: FX().fx });
    try {
      const forced = await m.run(["sync", "--force"]);
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stdout).toContain("developer: Goose's own built-in extension has this name here");
      expect(readFileSync(file, "utf8")).toBe(before);

      const rows = JSON.parse((await m.run(["status", "--json"])).stdout) as Array<{
        server: string;
        detail?: string;
        kept?: string[];
      }>;
      expect(rows).toEqual([
        expect.objectContaining({
          server: "developer",
          detail: expect.stringMatching(/^Goose's own built-in/),
        }),
      ]);
      expect(rows[0]?.kept).toBeUndefined();
      expect((await m.run(["status"])).stdout).not.toMatch(/adopt|keeps/);

      const run = await doctor(m, ["--client", "goose", "--server", "developer"]);
      const drift = run.checks.filter((c) => c.id === "drift.entry");
      expect(drift.map((c) => [c.status, c.message])).toEqual([
        ["warn", expect.stringMatching(/^Goose's own built-in extension has this name here/)],
      ]);
      expect(drift[0]?.fix).not.toMatch(/adopt|--force/);

      const adopt = await m.run(["adopt", "developer", "--from", "linux:goose"]);
      expect(adopt.code).toBe(2);
      expect(adopt.stderr).toContain("Goose's own built-in extension, not a server");
      expect(adopt.stderr).not.toContain("--force");
      expect(readFileSync(file, "utf8")).toBe(before);
    } finally {
      m.cleanup();
    }
  }, 120_000);

  test("an entry mcp-twin wrote that Goose's start-up made its own again (`tom`): --force neither overwrites nor removes it", async () => {
    const first = fixture("goose-config.yaml");
    // A file without `tom` yet: sync writes the manifest's `tom` there.
    const withoutTom = first.replace(/^ {2}tom:\n(?: {4}.*\n)+/m, "");
    expect(withoutTom).not.toContain("  tom:");
    const { m, file } = machineWith(goose, withoutTom, { tom: FX().fx });
    try {
      expect((await m.run(["sync"])).code).toBe(0);
      expect(extensions(readFileSync(file, "utf8")).tom).toMatchObject({ type: "stdio" });
      // Goose's config migration puts its platform `tom` back over it at start-up.
      writeFileSync(file, first);
      const forced = await m.run(["sync", "--force"]);
      expect(forced.code, forced.stderr).toBe(0);
      expect(readFileSync(file, "utf8")).toBe(first);
      writeManifest(m, { servers: {} });
      expect((await m.run(["sync", "--force"])).code).toBe(0);
      expect(readFileSync(file, "utf8")).toBe(first);
      await nothingBroken(m, "goose", GOOSE_OWN);
    } finally {
      m.cleanup();
    }
  }, 120_000);

  test("import takes none of Goose's own extensions and calls none of them unusable", async () => {
    const before = fixture("goose-config.yaml");
    const { m, file } = machineWith(goose, before, {});
    try {
      const r = await m.run(["import", "--yes", "--client", "goose"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(/neither a command nor a url|Not imported/);
      const json = JSON.parse(
        (await m.run(["import", "--dry-run", "--json", "--client", "goose"])).stdout,
      ) as {
        skipped: unknown[];
        files: Array<{ entries: number }>;
      };
      expect(json.skipped).toEqual([]);
      expect(json.files.map((f) => f.entries)).toEqual([0]);
      const manifest = readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8");
      for (const name of GOOSE_OWN) expect(manifest).not.toContain(`"${name}"`);
      expect(readFileSync(file, "utf8")).toBe(before);
    } finally {
      m.cleanup();
    }
  });
});

describe("Zed's settings.json with servers added through its UI", () => {
  const zed = [".config", "zed", "settings.json"];
  const servers = (text: string) => readEntries(parseConfig(text, "f"), ["context_servers"], "f");

  test("sync keeps every byte; status does not call the `source` sync wrote the person's; doctor passes; uninstall and restore give it back", async () => {
    const before = fixture("zed-settings.json");
    const { m, file } = machineWith(zed, before, FX());
    try {
      expect((await m.run(["sync"])).code).toBe(0);
      const written = readFileSync(file, "utf8");
      linesKept(before, written);
      expect(servers(written).fx).toEqual({
        source: "custom",
        command: process.execPath,
        args: [inject("fixtureScript")],
      });
      const status = await m.run(["status"]);
      expect(status.stdout).toMatch(/fx\s+synced/);
      expect(status.stdout).not.toMatch(/ keeps /);
      await nothingBroken(m, "zed", ["postgres-context-server"]);
      expect((await m.run(["uninstall", "--yes"])).code).toBe(0);
      expect(readFileSync(file, "utf8")).toBe(before);
      expect((await m.run(["restore"])).code).toBe(0);
      expect(readFileSync(file, "utf8")).toBe(written);
    } finally {
      m.cleanup();
    }
  }, 120_000);

  test("import takes and adopts both servers (`source`, `enabled`, `remote` are Zed's, kept by sync); the file stays as it is", async () => {
    const before = fixture("zed-settings.json");
    const { m, file } = machineWith(zed, before, {});
    try {
      const r = await m.run(["import", "--yes", "--client", "zed"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(/not adopted|postgres-context-server/);
      const state = JSON.parse(readFileSync(path.join(m.paths.home, "state.json"), "utf8")) as {
        targets: Record<string, { entries: Record<string, unknown> }>;
      };
      const adopted = Object.values(state.targets).flatMap((t) => Object.keys(t.entries));
      expect(adopted.sort()).toEqual(["files", "notes"]);
      expect(readFileSync(file, "utf8")).toBe(before);
      // mcp-twin's now: the next sync writes them in its form, Zed's own fields kept.
      const sync = await m.run(["sync"]);
      expect(sync.code, sync.stderr).toBe(0);
      const after = servers(readFileSync(file, "utf8"));
      expect(after.notes).toMatchObject({ source: "custom", enabled: true, command: process.execPath });
      expect(after.files).toMatchObject({ enabled: true, remote: false, command: process.execPath });
      const status = await m.run(["status", "--json"]);
      for (const row of JSON.parse(status.stdout) as Array<{ server: string; state: string }>)
        expect(row.state, row.server).toBe("synced");
      await nothingBroken(m, "zed", ["postgres-context-server"]);
    } finally {
      m.cleanup();
    }
  });
});
