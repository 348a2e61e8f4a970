/**
 * A project-shared server behind opencode's `tools` entry: opencode has no variable that names its
 * folder, so its tools entry is mcp-twin's relay, which names the folder it is started in — and
 * search_tools finds that server's tools there. doctor's tools.endpoint says which servers behind
 * an entry have no tools known, where it said the entry works.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { handshake } from "../helpers/mcp.js";

runInProcessByDefault();

let m: FakeMachine;
let file: string;
type Check = { id: string; client?: string; status: string; message: string; fix?: string };

beforeAll(async () => {
  m = createFakeMachine({
    kind: "linux",
    registryUrl: inject("registryUrl"),
    cursor: false,
    claudeDesktop: false,
  });
  file = path.join(m.paths.linuxHome, ".config", "opencode", "opencode.json");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, "{}\n", { mode: 0o600 });
  writeManifest(m, {
    servers: {
      fixture: { package: inject("fixtureName") },
      perproject: { package: inject("fixtureName"), share: "project" },
    },
    toolSearch: { clients: ["opencode"] },
  });
  const r = await m.run(["sync"]);
  expect(r.code, r.stderr).toBe(0);
}, 180_000);

afterAll(() => m?.cleanup());

const toolsEntry = () =>
  JSON.parse(readFileSync(file, "utf8")).mcp.tools as { type: string; command: string[] };

describe("a project server behind opencode's tools entry", () => {
  test("the entry is the relay, which names its folder; search_tools finds the project server's tools", async () => {
    const entry = toolsEntry();
    expect(entry.type).toBe("local");
    expect(entry.command).toContain("connect");
    expect(entry.command.some((a) => a.endsWith("/tools"))).toBe(true);
    const project = path.join(m.root, "work", "app");
    mkdirSync(project, { recursive: true });
    const [command = "", ...args] = entry.command;
    const session = await handshake({ command, args }, { baseEnv: m.env, cwd: project });
    try {
      expect(session.tools).toEqual(["call_tool", "search_tools"]);
      const found = JSON.parse(
        (await session.call("search_tools", { query: "echo" })).split("\n")[0] ?? "",
      ) as {
        tools: Array<{ name: string }>;
      };
      expect(found.tools.map((t) => t.name)).toContain("perproject/echo");
    } finally {
      await session.close();
    }
  }, 120_000);

  test("doctor: the servers behind an entry with no tools known are named, not 'it answers'", async () => {
    const ok = await m.run(["doctor", "--json", "--server", "tools"]);
    const pass = (JSON.parse(ok.stdout) as { checks: Check[] }).checks.find((c) => c.id === "tools.endpoint");
    expect(pass?.status, pass?.message).toBe("pass");
    // The gateway's lists forgotten (a bridge that never started its servers): no tools known.
    const cache = path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "shares-cache.json");
    writeFileSync(cache, `${JSON.stringify({ version: 1, servers: {} })}\n`);
    await m.run(["bridge", "restart"]);
    const r = await m.run(["doctor", "--json", "--server", "tools"]);
    const found = (JSON.parse(r.stdout) as { checks: Check[] }).checks.find((c) => c.id === "tools.endpoint");
    expect(found?.status, found?.message).toBe("warn");
    expect(found?.message).toMatch(
      /search_tools finds no tool of fixture and perproject: the bridge knows none of their tools/,
    );
    expect(found?.fix).toMatch(/^Run `mcp-twin sync`: it starts each server behind the tools entry once/);
    // The fixes it gives work.
    const logs = await m.run(["bridge", "logs", "fixture"]);
    expect(logs.code, logs.stderr).toBe(0);
    expect((await m.run(["sync"])).code).toBe(0);
    const again = await m.run(["doctor", "--json", "--server", "tools"]);
    const now = (JSON.parse(again.stdout) as { checks: Check[] }).checks.find(
      (c) => c.id === "tools.endpoint",
    );
    expect(now?.status, now?.message).toBe("pass");
  }, 120_000);
});
