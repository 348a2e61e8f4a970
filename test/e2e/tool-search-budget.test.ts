/**
 * doctor's tools.budget proposes tools on demand (the manifest's toolSearch) for a client over its
 * budget that cannot search its tools itself (Windsurf, 100 tools a request), never for one that
 * can (VS Code); taken, Windsurf gets one tools entry, under its limit, that doctor's handshake
 * finds answering. Fake Linux.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";

runInProcessByDefault();

let m: FakeMachine | undefined;
afterAll(() => {
  const serve = m && path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "serve.json");
  if (serve && existsSync(serve)) {
    try {
      process.kill((JSON.parse(readFileSync(serve, "utf8")) as { pid: number }).pid, "SIGTERM");
    } catch {
      // gone already
    }
  }
  m?.cleanup();
});

type Check = { id: string; client?: string; status: string; message: string; fix?: string };

describe("tools.budget and toolSearch", () => {
  test("Windsurf over 100 tools is offered toolSearch, VS Code is not; taken, Windsurf gets one tools entry and is under its limit", async () => {
    m = createFakeMachine({ kind: "linux", cursor: false, claudeDesktop: false });
    const machine = m;
    for (const dir of [path.join(".codeium", "windsurf"), path.join(".config", "Code", "User")])
      mkdirSync(path.join(machine.paths.linuxHome, dir), { recursive: true });
    const fx = { command: process.execPath, args: [inject("fixtureScript"), "--tools", "140"] };
    writeManifest(machine, { bridge: { port: await freePort() }, servers: { fx } });
    expect((await machine.run(["sync", "--client", "windsurf", "--client", "vscode"])).code).toBe(0);
    const budget = async () => {
      const run = await machine.run(["doctor", "--json", "--client", "windsurf", "--client", "vscode"]);
      return (JSON.parse(run.stdout) as { checks: Check[] }).checks.filter((c) => c.id === "tools.budget");
    };
    const found = await budget();
    const windsurf = found.find((c) => c.client === "windsurf");
    expect(windsurf).toMatchObject({ status: "warn" });
    expect(windsurf?.message).toContain("over its limit of 100");
    expect(windsurf?.fix).toMatch(
      /"windsurf" in the manifest's "toolSearch": \{ "clients": \[\.\.\.\] \} gives it search_tools and call_tool in place of them \(2 tools, ≈\d+ tokens/,
    );
    // VS Code searches its own tools (so toolSearch refuses it): they are deferred, it is not
    // warned, and nothing offers it toolSearch.
    expect(found.filter((c) => c.client === "vscode")).toEqual([]);
    expect(JSON.stringify(found)).not.toContain('"vscode" in the manifest');

    writeManifest(machine, {
      bridge: { port: await freePort() },
      servers: { fx },
      toolSearch: { clients: ["windsurf"] },
    });
    const synced = await machine.run(["sync", "--client", "windsurf"]);
    expect(synced.code, synced.stderr).toBe(0);
    const file = path.join(machine.paths.linuxHome, ".codeium", "windsurf", "mcp_config.json");
    expect(Object.keys(JSON.parse(readFileSync(file, "utf8")).mcpServers)).toEqual(["tools"]);
    expect((await budget()).find((c) => c.client === "windsurf" && c.status === "warn")).toBeUndefined();
    // Tools on demand alone (nothing shared): doctor's handshake through the entry finds its tools.
    const run = await machine.run(["doctor", "--json", "--client", "windsurf", "--server", "tools"]);
    const endpoint = (JSON.parse(run.stdout) as { checks: Check[] }).checks.filter(
      (c) => c.id === "tools.endpoint",
    );
    expect(endpoint).toMatchObject([
      {
        client: "windsurf",
        status: "pass",
        message: "its tools entry answers at /tools: search_tools, call_tool.",
      },
    ]);
  }, 180_000);
});
