/**
 * `mcp-twin tools` on a fake Linux machine: each client's column adds up to its "loaded" figure
 * (the tools entry a row of its own, its kept tools named), and `--client` shows only the pins of
 * that client's servers.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";

runInProcessByDefault();

const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

const fixture = () => ({ command: process.execPath, args: [inject("fixtureScript")] });

/** Claude Code and Gemini CLI; fx for both, fy for Claude Code only. */
function machine(extra: Record<string, unknown> = {}): FakeMachine {
  const m = createFakeMachine({ kind: "linux", cursor: false, claudeDesktop: false });
  machines.push(m);
  const gemini = path.join(m.paths.linuxHome, ".gemini", "settings.json");
  mkdirSync(path.dirname(gemini), { recursive: true });
  writeFileSync(gemini, "{}\n");
  writeManifest(m, {
    servers: { fx: fixture(), fy: { ...fixture(), clients: ["claude-code"] } },
    ...extra,
  });
  return m;
}

/** One client's column of the table, by the header's offset: `[row name, cell]` from the first server row to "loaded". */
function column(stdout: string, client: string): Array<[string, string]> {
  const lines = stdout.split("\n");
  const top = lines.findIndex((l) => l.startsWith("server "));
  const at = lines[top]?.indexOf(client) ?? -1;
  expect(at).toBeGreaterThan(0);
  const end = lines.findIndex((l) => l.startsWith("loaded"));
  return lines
    .slice(top + 1, end + 1)
    .map((l) => [l.split(" ")[0] ?? "", l.slice(at).split(/ {2,}/)[0]?.trim() ?? ""]);
}

test("a toolSearch client's column adds up to its loaded figure: the tools entry is a row, its kept tool named", async () => {
  const m = machine({ toolSearch: { clients: ["gemini-cli"], keep: ["fx/whoami"] } });
  expect((await m.run(["sync"], { timeoutMs: 120_000 })).code).toBe(0);
  const r = await m.run(["tools"], { timeoutMs: 120_000 });
  expect(r.code, r.stderr).toBe(0);
  const cells = column(r.stdout, "gemini-cli");
  const loaded = cells.pop();
  expect(loaded?.[0]).toBe("loaded");
  // Its cells (a row per server, one for the tools entry) add up to its loaded figure.
  expect(cells).toContainEqual(["tools", "3"]);
  const sum = cells.reduce((n, [, cell]) => n + (Number.parseInt(cell, 10) || 0), 0);
  expect(sum).toBe(Number.parseInt(loaded?.[1] ?? "", 10));
  expect(sum).toBe(3);
  expect(r.stdout).toMatch(/its tools entry lists 3 \(search_tools, call_tool and whoami \(kept\)\)/);
}, 180_000);

test("tools --client shows the pins of that client's servers only", async () => {
  const m = machine();
  expect((await m.run(["tools"], { timeoutMs: 120_000 })).code).toBe(0);
  expect((await m.run(["sync"], { timeoutMs: 120_000 })).code).toBe(0);
  const all = await m.run(["tools"]);
  expect(all.stdout).toMatch(/^Pinned tools/m);
  expect(all.stdout).toMatch(/^\S* ?fy\b/m);
  const gemini = await m.run(["tools", "--client", "gemini-cli"]);
  expect(gemini.code, gemini.stderr).toBe(0);
  const pins = gemini.stdout.slice(gemini.stdout.indexOf("Pinned tools"));
  expect(pins).toMatch(/\bfx\b/);
  expect(pins).not.toMatch(/\bfy\b/);
  const json = JSON.parse((await m.run(["tools", "--client", "gemini-cli", "--json"])).stdout) as {
    pins: Array<{ server: string }>;
  };
  expect(json.pins.map((p) => p.server)).toEqual(["fx"]);
}, 180_000);
