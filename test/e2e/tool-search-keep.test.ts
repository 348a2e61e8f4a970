/**
 * toolSearch's `keep` entries that list nothing — a typo, a `*` pattern, a tool the rules keep
 * out, a server the client does not get — said once each, with the fix, by sync, `tools` and
 * doctor; the one that lists a tool is not. A tool past 256 KiB, left out of search: said by doctor.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";

runInProcessByDefault();

let m: FakeMachine;
const KEEP = ["fixture/whoami", "fixture/wohami", "fixture/e*", "fixture/env", "other/echo"];

beforeAll(async () => {
  m = createFakeMachine({
    kind: "linux",
    registryUrl: inject("registryUrl"),
    cursor: false,
    claudeDesktop: false,
  });
  const gemini = path.join(m.paths.linuxHome, ".gemini", "settings.json");
  mkdirSync(path.dirname(gemini), { recursive: true });
  writeFileSync(gemini, "{}\n", { mode: 0o600 });
  // `big` lists one tool past 256 KiB (its description) beside its echo.
  const described = path.join(m.root, "wide.json");
  writeFileSync(described, JSON.stringify({ wide_tool: "w".repeat(300 * 1024) }));
  writeManifest(m, {
    servers: {
      big: { command: process.execPath, args: [inject("fixtureScript"), "--describe-from", described] },
      fixture: { package: inject("fixtureName"), clientTools: { "gemini-cli": { deny: ["env"] } } },
      other: { package: inject("fixtureName"), clients: ["claude-code"] },
    },
    toolSearch: { clients: ["gemini-cli"], keep: KEEP },
  });
  // The first sync lists the servers behind the tools entry (the gateway's list cache).
  const first = await m.run(["sync"]);
  expect(first.code, first.stderr).toBe(0);
}, 180_000);

afterAll(() => m?.cleanup());

type Said = { kept: string; message: string; fix: string };

function expectEach(said: readonly Said[]): void {
  expect(said.map((k) => k.kept)).toEqual(["fixture/wohami", "fixture/e*", "fixture/env", "other/echo"]);
  const [typo, pattern, denied, away] = said;
  expect(typo?.message).toMatch(
    /toolSearch\.keep\[1\] "fixture\/wohami": fixture lists no tool "wohami" \(its \d+ tools: /,
  );
  expect(typo?.fix).toBe('Correct it (did you mean "fixture/whoami"?), or take it out of keep.');
  expect(pattern?.message).toMatch(
    /mcp-twin\.jsonc:\d+:\d+: toolSearch\.keep\[2\] "fixture\/e\*" is a pattern: keep lists each tool by its exact name/,
  );
  expect(pattern?.fix).toBe('List the tools it means instead: "fixture/echo", "fixture/env".');
  expect(denied?.message).toMatch(
    /"fixture\/env" lists nothing: the tool rules keep it out of Gemini CLI \(servers\.fixture\.clientTools\.gemini-cli\.deny\)$/,
  );
  expect(away?.message).toMatch(
    /"other\/echo" lists nothing: servers\.other\.clients leaves out Gemini CLI$/,
  );
  expect(away?.fix).toBe("Take it out of keep, or give Gemini CLI other (servers.other.clients).");
}

describe("keep entries that list nothing", () => {
  test("sync says each once, with the fix (text and --json)", async () => {
    const r = await m.run(["sync", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expectEach((JSON.parse(r.stdout) as { keep: Said[] }).keep);
    const text = await m.run(["sync"]);
    // One line each, with its fix on it; none for the entry that lists a tool.
    for (const i of [1, 2, 3, 4]) expect(text.stdout.split(`toolSearch.keep[${i}]`).length - 1).toBe(1);
    expect(text.stdout).not.toContain("toolSearch.keep[0]");
    expect(text.stdout).toContain('Correct it (did you mean "fixture/whoami"?), or take it out of keep.');
  }, 120_000);

  test("tools and doctor say the same", async () => {
    const tools = await m.run(["tools", "--json"]);
    expectEach((JSON.parse(tools.stdout) as { keep: Said[] }).keep);
    const doctor = await m.run(["doctor", "--json", "--no-probe"]);
    const checks = (
      JSON.parse(doctor.stdout) as {
        checks: Array<{ id: string; status: string; message: string; fix?: string }>;
      }
    ).checks.filter((c) => c.id === "tools.keep");
    expect(checks.map((c) => c.status)).toEqual(["warn", "warn", "warn", "warn"]);
    expect(checks[0]?.fix).toBe('Correct it (did you mean "fixture/whoami"?), or take it out of keep.');
  }, 120_000);

  test("doctor says the tool left out of search, its server and why, with the fix", async () => {
    const doctor = await m.run(["doctor", "--json", "--no-probe"]);
    const checks = (
      JSON.parse(doctor.stdout) as {
        checks: Array<{ id: string; status: string; message: string; fix?: string }>;
      }
    ).checks.filter((c) => c.id === "tools.left-out");
    expect(checks).toMatchObject([
      {
        status: "warn",
        message:
          'big: left out of search for Gemini CLI: its tool "wide_tool" is larger than 256 KiB: that tool left out.',
      },
    ]);
    expect(checks[0]?.fix).toContain("once it is out of `toolSearch.clients` (then `mcp-twin sync`)");
  }, 120_000);
});
