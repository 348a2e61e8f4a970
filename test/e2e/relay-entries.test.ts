/**
 * A url server in a client that takes only stdio servers (Claude Desktop) is mcp-twin's relay:
 * sync says how it reaches that client and what the client then depends on (in text and --json),
 * and every entry that runs mcp-twin — the relay and the bridge's — reaches it by one path.
 */
import { copyFileSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  BIN,
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";

runInProcessByDefault();

let machine: FakeMachine;
let installed: string;

beforeAll(async () => {
  machine = createFakeMachine();
  // mcp-twin installed globally inside WSL, as `npm install -g` lays it out (bin → the package).
  const pkg = path.join(machine.paths.linuxPrefix, "lib", "node_modules", "mcp-twin");
  installed = path.join(pkg, "bin", "mcp-twin.js");
  mkdirSync(path.dirname(installed), { recursive: true });
  copyFileSync(BIN, installed);
  mkdirSync(path.join(machine.paths.linuxPrefix, "bin"), { recursive: true });
  symlinkSync(installed, path.join(machine.paths.linuxPrefix, "bin", "mcp-twin"));
  writeManifest(machine, {
    bridge: { enabled: true, port: await freePort() },
    servers: { docs: { url: "https://docs.example.com/mcp" } },
  });
});

afterAll(() => machine?.cleanup());

test("Claude Desktop's url server: the target line says it goes through mcp-twin's relay in WSL and needs WSL and mcp-twin there; one path to mcp-twin for the relay and the bridge", async () => {
  const json = await machine.run(["sync", "--json"]);
  expect(json.code).toBe(0);
  const targets = JSON.parse(json.stdout).targets as Array<{
    env: string;
    client: string;
    relays?: Array<{ server: string; runsIn: string; why: string }>;
  }>;
  const desktop = targets.find((t) => t.client === "claude-desktop")!;
  expect(desktop.relays).toEqual([{ server: "docs", runsIn: "wsl:Ubuntu", why: "stdio-only" }]);
  // Cursor and Claude Code take the url itself: no relay, nothing to depend on.
  expect(targets.filter((t) => t.client !== "claude-desktop").map((t) => t.relays)).toEqual([
    undefined,
    undefined,
  ]);

  const entries = JSON.parse(readFileSync(machine.paths.claudeDesktopConfig, "utf8")).mcpServers;
  // wsl.exe -d Ubuntu --exec <node> --v8-pool-size=1 <mcp-twin> connect <url>: the same mcp-twin
  // for both entries.
  expect(entries.docs.args.slice(0, 3)).toEqual(["-d", "Ubuntu", "--exec"]);
  expect(entries.docs.args.slice(4, 6)).toEqual(["--v8-pool-size=1", installed]);
  expect(entries["mcp-twin"].args.slice(4, 6)).toEqual(["--v8-pool-size=1", installed]);
  expect(entries.docs.args[3]).toBe(entries["mcp-twin"].args[3]);

  // Said on every sync (this one changes nothing), as where entries run is.
  const text = await machine.run(["sync"]);
  expect(text.code).toBe(0);
  expect(text.stdout).toContain(
    "docs is a remote server, and Claude Desktop takes only stdio servers: it goes through mcp-twin's relay (`mcp-twin connect`) in wsl:Ubuntu, started by wsl.exe, so Claude Desktop needs WSL and mcp-twin in wsl:Ubuntu for it",
  );
  // Said once, under Claude Desktop's line only.
  expect(text.stdout.match(/mcp-twin's relay/g)).toHaveLength(1);
});
