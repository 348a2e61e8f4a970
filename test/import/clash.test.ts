/**
 * One key, two values: Cursor on Windows holds one FIXTURE_API_KEY, Claude Code in WSL another,
 * and Claude Desktop never had the server. Import shows the clash — which client and file had
 * which value, by label and (a long key) a fingerprint — the first 8 hex digits of its SHA-256, never
 * any part of the value, not even its last characters — and does not pick one:
 * without a choice it stops (exit 2, nothing written); `--keep-both` keeps each place's own and
 * gives the server only to the clients that had it (Desktop gets no key it never had, checked
 * after a real sync); `--prefer-client` and `--secret` put one chosen value everywhere. On a
 * terminal it asks (a select, or a hidden prompt for a new value).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { findClashes, settle, valueFingerprint } from "../../src/core/import/clashes.js";
import { createFakeMachine, type FakeMachine, runInProcessByDefault } from "../helpers/fake-machine.js";
import { machinesCleanedAfterAll } from "../helpers/machines.js";
import { KEY, runInPty } from "../helpers/pty.js";
import { importJson, manifestOf, placeJson, places } from "./helpers.js";

runInProcessByDefault();

const CURSOR_KEY = "fx-live-cursor-0123456789-WXYZ";
const CODE_KEY = "fx-live-code-9876543210-QRST";
const TYPED_KEY = "fx-live-typed-5555555555-TYPD";

const machines = machinesCleanedAfterAll();

/** Desktop, Cursor and WSL Claude Code are present; only Cursor and Claude Code have the server. */
function clashMachine(): FakeMachine {
  const m = createFakeMachine({ registryUrl: inject("registryUrl") });
  machines.push(m);
  const p = places(m);
  const entry = (key: string) => ({
    command: "npx",
    args: ["-y", inject("fixtureName")],
    env: { FIXTURE_API_KEY: key },
  });
  placeJson(p.desktop, { mcpServers: {} });
  placeJson(p.cursor, { mcpServers: { fixture: entry(CURSOR_KEY) } });
  placeJson(p.wslCode, { numStartups: 2, mcpServers: { fixture: entry(CODE_KEY) } });
  return m;
}

/** A key's fingerprint, computed here as a user would (`printf %s "$KEY" | sha256sum | cut -c1-8`). */
const fp = (key: string) => createHash("sha256").update(key).digest("hex").slice(0, 8);
const CODE_FP = fp(CODE_KEY);
const CURSOR_FP = fp(CURSOR_KEY);

/** No key, nor its end (what the old "…QRST" hint showed), in the text. */
const never = (text: string) => {
  for (const key of [CURSOR_KEY, CODE_KEY, TYPED_KEY]) {
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.slice(-4));
  }
};
const secretsOf = (m: FakeMachine) =>
  JSON.parse(readFileSync(path.join(m.paths.home, "secrets.json"), "utf8")).secrets as Record<string, string>;
const entryIn = (file: string) => JSON.parse(readFileSync(file, "utf8")).mcpServers?.fixture;

describe("a key with different values in different clients", () => {
  test("without a choice: the clash is shown (no values) and nothing is written", async () => {
    const m = clashMachine();
    const r = await m.run(["import", "--yes"]);
    expect(r.code).toBe(2);
    never(r.stdout + r.stderr);
    expect(r.stderr).toContain("FIXTURE_API_KEY (fixture) has different values in different places");
    expect(r.stderr).toContain(
      `key A (fingerprint ${CODE_FP}): wsl:Ubuntu claude-code "fixture" env.FIXTURE_API_KEY (${m.paths.claudeCodeConfig})`,
    );
    expect(r.stderr).toContain(
      `key B (fingerprint ${CURSOR_FP}): windows cursor "fixture" env.FIXTURE_API_KEY (C:\\Users\\${m.windowsUser}\\.cursor\\mcp.json)`,
    );
    expect(r.stderr).toContain(
      "--prefer-client claude-code (key A), --prefer-client cursor (key B), --keep-both",
    );
    expect(existsSync(path.join(m.paths.home, "mcp-twin.jsonc"))).toBe(false);
    expect(existsSync(path.join(m.paths.home, "secrets.json"))).toBe(false);

    const json = await m.run(["import", "--json", "--dry-run"]);
    expect(json.code).toBe(2);
    const doc = JSON.parse(json.stdout) as { errors: Array<{ code: string; message: string }> };
    expect(doc.errors.map((e) => e.code)).toEqual(["secret-clash"]);
    never(json.stdout + json.stderr);
  });

  test("--keep-both: each keeps its own; Desktop, which never had it, gets no key (after a real sync)", async () => {
    const m = clashMachine();
    const r = await importJson(m, ["--yes", "--keep-both"]);
    expect(r.code, r.stderr).toBe(0);
    never(r.stdout + r.stderr);
    expect(manifestOf(m).servers.fixture).toEqual({
      package: inject("fixtureName"),
      env: { FIXTURE_API_KEY: "${secret:FIXTURE_API_KEY}" },
      overrides: { windows: { env: { FIXTURE_API_KEY: "${secret:FIXTURE_API_KEY_2}" } } },
      clients: ["claude-code", "cursor"],
    });
    expect(secretsOf(m)).toEqual({ FIXTURE_API_KEY: CODE_KEY, FIXTURE_API_KEY_2: CURSOR_KEY });
    expect(r.json.secretClashes).toEqual([
      {
        name: "FIXTURE_API_KEY",
        servers: ["fixture"],
        needsChoice: true,
        resolution: { kind: "keep-both", by: "keep-both-flag" },
        values: [
          expect.objectContaining({ label: "A", fingerprint: CODE_FP, storedAs: "FIXTURE_API_KEY" }),
          expect.objectContaining({ label: "B", fingerprint: CURSOR_FP, storedAs: "FIXTURE_API_KEY_2" }),
        ],
      },
    ]);

    const sync = await m.run(["sync", "--json"], { timeoutMs: 180_000 });
    expect(sync.code, sync.stderr).toBe(0);
    never(sync.stdout + sync.stderr);
    expect(entryIn(m.paths.claudeDesktopConfig)).toBeUndefined();
    expect(entryIn(m.paths.cursorConfig).env).toEqual({ FIXTURE_API_KEY: CURSOR_KEY });
    expect(entryIn(m.paths.claudeCodeConfig).env).toEqual({ FIXTURE_API_KEY: CODE_KEY });
  }, 240_000);

  test("--keep-both with two clients on one side: the value not kept is said to be not stored, not kept as NAME_2", async () => {
    // Windows Desktop and Windows Cursor, each its own key: the manifest keeps values per
    // environment, so one launch fits Windows (docs/import.md, "One key, different values").
    const m = createFakeMachine({ registryUrl: inject("registryUrl") });
    machines.push(m);
    const p = places(m);
    const entry = (key: string) => ({
      command: "npx",
      args: ["-y", inject("fixtureName")],
      env: { FIXTURE_API_KEY: key },
    });
    placeJson(p.desktop, { mcpServers: { fixture: entry(CODE_KEY) } });
    placeJson(p.cursor, { mcpServers: { fixture: entry(CURSOR_KEY) } });
    const cursorBefore = readFileSync(p.cursor.file, "utf8");

    const r = await m.run(["import", "--yes", "--keep-both"]);
    expect(r.code, r.stderr).toBe(0);
    never(r.stdout + r.stderr);
    expect(secretsOf(m)).toEqual({ FIXTURE_API_KEY: CODE_KEY });
    expect(manifestOf(m).servers.fixture).toMatchObject({
      env: { FIXTURE_API_KEY: "${secret:FIXTURE_API_KEY}" },
    });
    expect(r.stdout).toMatch(/windows cursor "fixture" .*not adopted: differs from the entry/);
    expect(r.stdout).toContain(
      "FIXTURE_API_KEY (fixture): each environment keeps one value (A as FIXTURE_API_KEY); key B is not stored: its entry is not adopted and is left as it is (--keep-both)",
    );
    expect(r.stdout).not.toContain("FIXTURE_API_KEY_2");
    expect(r.stdout).not.toContain("each place keeps its own");
    expect(r.stdout).toContain(`key B (fingerprint ${CURSOR_FP}): windows cursor "fixture"`);
    expect(readFileSync(p.cursor.file, "utf8")).toBe(cursorBefore);
  });

  test("--prefer-client: that client's value for every client, Desktop included (it was chosen)", async () => {
    const m = clashMachine();
    const r = await m.run(["import", "--yes", "--prefer-client", "claude-code"]);
    expect(r.code, r.stderr).toBe(0);
    never(r.stdout + r.stderr);
    expect(r.stdout).toContain(
      `FIXTURE_API_KEY (fixture): key A (fingerprint ${CODE_FP}) for every client (--prefer-client), stored as FIXTURE_API_KEY`,
    );
    expect(manifestOf(m).servers.fixture).toEqual({
      package: inject("fixtureName"),
      env: { FIXTURE_API_KEY: "${secret:FIXTURE_API_KEY}" },
    });
    expect(secretsOf(m)).toEqual({ FIXTURE_API_KEY: CODE_KEY });
    // Its key in each entry, where this test looks for the value chosen (a key-carrying server is
    // otherwise reached through the bridge: test/secrets/keychain.test.ts).
    expect((await m.run(["share", "fixture", "off"])).code).toBe(0);
    const sync = await m.run(["sync"], { timeoutMs: 180_000 });
    expect(sync.code, sync.stderr).toBe(0);
    for (const file of [m.paths.claudeDesktopConfig, m.paths.cursorConfig, m.paths.claudeCodeConfig])
      expect(entryIn(file).env).toEqual({ FIXTURE_API_KEY: CODE_KEY });
  }, 240_000);

  test("--secret NAME (read from the environment) settles it with that value; an unknown client is exit 2", async () => {
    const m = clashMachine();
    const r = await importJson(m, ["--yes", "--secret", "FIXTURE_API_KEY"]);
    expect(r.code).toBe(2); // not exported: named, nothing written
    expect(existsSync(path.join(m.paths.home, "mcp-twin.jsonc"))).toBe(false);
    const ok = await m.run(["import", "--yes", "--secret", "FIXTURE_API_KEY"], {
      env: { FIXTURE_API_KEY: TYPED_KEY },
    });
    expect(ok.code, ok.stderr).toBe(0);
    never(ok.stdout + ok.stderr);
    expect(secretsOf(m)).toEqual({ FIXTURE_API_KEY: TYPED_KEY });

    const typo = await m.run(["import", "--yes", "--prefer-client", "cursr"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("Did you mean cursor?");
  });

  test("a --prefer-client that decides nothing says so, before the choices", async () => {
    const m = clashMachine();
    // Claude Desktop never had the server: its config holds no value of the key.
    const none = await m.run(["import", "--yes", "--prefer-client", "claude-desktop"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      "ℹ --prefer-client claude-desktop: no claude-desktop config holds FIXTURE_API_KEY. Choose with --prefer-client claude-code (key A), --prefer-client cursor (key B), --keep-both",
    );
    never(none.stdout + none.stderr);
    expect(existsSync(path.join(m.paths.home, "mcp-twin.jsonc"))).toBe(false);
  });

  test("init --yes --import follows the same rules (and takes the same flags)", async () => {
    const m = clashMachine();
    const stuck = await m.run(["init", "--yes", "--import", "--no-sync"]);
    expect(stuck.code).toBe(2);
    expect(stuck.stderr).toContain("FIXTURE_API_KEY (fixture) has different values in different places");
    expect(existsSync(path.join(m.paths.home, "mcp-twin.jsonc"))).toBe(false);
    // A client name no one knows is named as such (exit 2, did you mean, nothing written), as
    // import does — not answered with the clash again as if the flag had not been given.
    const typo = await m.run(["init", "--yes", "--import", "--no-sync", "--prefer-client", "cursr"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("--prefer-client cursr: not a client mcp-twin knows. Did you mean cursor?");
    expect(typo.stderr).not.toContain("has different values");
    const json = await m.run(["init", "--yes", "--import", "--json", "--prefer-client", "windows:cursr"]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).errors[0].code).toBe("unknown-client");
    expect(existsSync(path.join(m.paths.home, "mcp-twin.jsonc"))).toBe(false);
    const ok = await m.run(["init", "--yes", "--import", "--no-sync", "--prefer-client", "cursor"]);
    expect(ok.code, ok.stderr).toBe(0);
    never(stuck.stdout + stuck.stderr + ok.stdout + ok.stderr);
    expect(secretsOf(m)).toEqual({ FIXTURE_API_KEY: CURSOR_KEY });
  });

  test("on a terminal it asks: a value by its label, or a new one typed hidden", async () => {
    const m = clashMachine();
    const session = runInPty(["import"], m.env, m.paths.linuxHome);
    // The pty may be 80 columns wide: lines wrap, so read the screen without its line breaks.
    const screen = (await session.waitFor(/type another value/)).replace(/\n/g, "");
    expect(screen).toContain(
      "FIXTURE_API_KEY has different values in different places (fixture). Which should every client use?",
    );
    expect(screen).toMatch(new RegExp(`key A \\(fingerprint ${CODE_FP}\\)\\s+wsl:Ubuntu claude-code`));
    expect(screen).toMatch(new RegExp(`key B \\(fingerprint ${CURSOR_FP}\\)\\s+windows cursor`));
    never(screen);
    session.type(KEY.down); // key B: Cursor's
    session.type(KEY.enter);
    const { code, output } = await session.exit;
    expect(code, output).toBe(0);
    never(output);
    expect(secretsOf(m)).toEqual({ FIXTURE_API_KEY: CURSOR_KEY });

    const other = clashMachine();
    const typed = runInPty(["import"], other.env, other.paths.linuxHome);
    await typed.waitFor(/type another value/);
    typed.type(KEY.up); // the last choice: type another value
    typed.type(KEY.enter);
    await typed.waitFor(/FIXTURE_API_KEY \(hidden\)/);
    typed.type(`${TYPED_KEY}${KEY.enter}`);
    const done = await typed.exit;
    expect(done.code, done.output).toBe(0);
    never(done.output);
    expect(secretsOf(other)).toEqual({ FIXTURE_API_KEY: TYPED_KEY });
  }, 60_000);
});

describe("clashes (pure)", () => {
  const place = (client: string, env = "windows") => ({
    env,
    client,
    path: "p",
    server: "s",
    field: "env.K",
  });
  test("a long key gets a fingerprint (8 hex digits of its SHA-256, no part of the key); a short one none", () => {
    expect(valueFingerprint("x".repeat(19))).toBeUndefined();
    const key = `${"x".repeat(16)}abcd`;
    // sha256("xxxxxxxxxxxxxxxxabcd"), from `printf %s xxxxxxxxxxxxxxxxabcd | sha256sum`.
    expect(valueFingerprint(key)).toBe("74003599");
    expect(valueFingerprint(key)).not.toContain("abcd");
    expect(valueFingerprint(`${"x".repeat(16)}abce`)).not.toBe(valueFingerprint(key));
  });
  test("a choice is needed only when one server holds two values", () => {
    const { clashes } = findClashes(
      [
        { name: "K", value: "one", group: "a", place: place("cursor") },
        { name: "K", value: "two", group: "b", place: place("claude-code", "wsl:Ubuntu") },
        { name: "T", value: "x", group: "c", place: place("cursor") },
        { name: "T", value: "y", group: "c", place: place("vscode") },
      ],
      { K: "one" },
    );
    expect(clashes.map((c) => [c.name, c.needsChoice])).toEqual([
      ["K", false],
      ["T", true],
    ]);
    expect(clashes[0]!.values.map((v) => [v.label, v.stored ?? false])).toEqual([
      ["A", true],
      ["B", false],
    ]);
  });
  test("--secret beats --prefer-client beats --keep-both; a client holding two values does not decide", () => {
    const { clashes, values } = findClashes(
      [
        { name: "K", value: "one", group: "s", place: place("cursor") },
        { name: "K", value: "two", group: "s", place: place("cursor", "wsl:Ubuntu") },
        { name: "K", value: "three", group: "s", place: place("claude-code", "wsl:Ubuntu") },
      ],
      {},
    );
    const k = clashes[0]!;
    const all = values.get("K")!;
    expect(settle(k, all, { secrets: { K: "given" }, preferClients: ["cursor"] })).toEqual({
      resolution: { kind: "given", by: "secret-flag" },
      value: "given",
    });
    expect(settle(k, all, { preferClients: ["cursor", "claude-code"], keepBoth: true })).toEqual({
      resolution: { kind: "value", label: "C", by: "prefer-client" },
      value: "three",
    });
    expect(settle(k, all, { preferClients: ["wsl:cursor"] }).value).toBe("two");
    expect(settle(k, all, { preferClients: ["cursor"], keepBoth: true }).resolution).toEqual({
      kind: "keep-both",
      by: "keep-both-flag",
    });
    expect(settle(k, all, {})).toEqual({});
  });
});
