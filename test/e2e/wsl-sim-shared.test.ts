/**
 * In the simulated WSL machine (test/helpers/wsl-sim.ts: root and `unshare`, else skipped with the
 * reason printed): after `mcp-twin sync`, Cursor's Windows url entry, Claude Code's WSL url entry and
 * Claude Desktop's relay (run through the wsl.exe stand-in, as Windows starts it) reach ONE process
 * of a machine-shared server in the bridge, on its own port, stopped by pid afterwards; each url
 * entry with its own client token (Claude Code's beside the bridge too), never the bridge token.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, test } from "vitest";
import { BIN, REPO } from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";
import { findWslSim, inWslSim } from "../helpers/wsl-sim.js";

const sim = findWslSim();
const skip = "reason" in sim ? sim.reason : undefined;
// Shown in every run's output, so a skip is never silent.
if (skip) console.warn(`WSL simulation tests skipped: ${skip}`);

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Runs inside the simulation: each client's entry used as its client would, then the bridge's report. */
const DRIVER = `
import { readFileSync } from "node:fs";
const sdk = (p) => import(${JSON.stringify(path.join(REPO, "node_modules", "@modelcontextprotocol", "sdk", "dist", "esm"))} + p);
const { Client } = await sdk("/client/index.js");
const { StreamableHTTPClientTransport } = await sdk("/client/streamableHttp.js");
const { StdioClientTransport } = await sdk("/client/stdio.js");
const entry = (file) => JSON.parse(readFileSync(file, "utf8")).mcpServers.fixture;
const whoami = async (transport) => {
  const client = new Client({ name: "sim", version: "1" });
  await client.connect(transport);
  const r = await client.callTool({ name: "whoami", arguments: {} });
  await client.close();
  return JSON.parse(r.content[0].text).pid;
};
const win = "/mnt/c/Users/alice";
const desktop = entry(win + "/AppData/Roaming/Claude/claude_desktop_config.json");
const cursor = entry(win + "/.cursor/mcp.json");
const code = entry("/home/bob/.claude.json");
const out = { desktop, cursor, code, pids: {} };
// Windows starts Desktop's entry: wsl.exe (the stand-in) with a Windows app's bare environment.
out.pids.desktop = await whoami(new StdioClientTransport({ command: "/mnt/c/Windows/System32/wsl.exe", args: desktop.args, env: { PATH: process.env.PATH } }));
out.pids.cursor = await whoami(new StreamableHTTPClientTransport(new URL(cursor.url), { requestInit: { headers: cursor.headers } }));
out.pids.code = await whoami(new StreamableHTTPClientTransport(new URL(code.url), { requestInit: { headers: code.headers } }));
const token = readFileSync("/home/bob/.local/share/mcp-twin/bridge/token", "utf8").trim();
const status = await fetch(new URL("/control/status", cursor.url), { headers: { Authorization: "Bearer " + token } });
out.shares = (await status.json()).shares;
out.bridgePid = JSON.parse(readFileSync("/home/bob/.local/share/mcp-twin/bridge/serve.json", "utf8")).pid;
console.log(JSON.stringify(out));
`;

describe.skipIf(skip !== undefined)(
  `shared servers in the simulated WSL machine${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    test("a Windows client's entry and a WSL client's entry reach one server process", async () => {
      if ("reason" in sim) return;
      const state = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-wsl-sim-shared-"));
      cleanups.push(() => rmSync(state, { recursive: true, force: true }));
      const port = await freePort();
      expect((await inWslSim(sim.script, state, ["true"], { fresh: true })).code).toBe(0);
      const bob = path.join(state, "home", "bob");
      copyFileSync(inject("fixtureScript"), path.join(bob, "fixture-server.js"));
      // As Claude Code writes it (mode 600): a private file takes a url entry with its client token.
      writeFileSync(path.join(bob, ".claude.json"), "{}\n", { mode: 0o600 });
      writeFileSync(path.join(bob, "drive.mjs"), DRIVER);
      const home = path.join(state, "c", "Users", "alice", "AppData", "Roaming", "mcp-twin");
      mkdirSync(home, { recursive: true });
      writeFileSync(
        path.join(home, "mcp-twin.jsonc"),
        JSON.stringify({
          bridge: { port },
          servers: {
            fixture: { command: process.execPath, args: ["/home/bob/fixture-server.js"], share: "machine" },
          },
        }),
      );
      const synced = await inWslSim(sim.script, state, [process.execPath, BIN, "sync"]);
      expect(synced.code, synced.stdout + synced.stderr).toBe(0);
      const r = await inWslSim(sim.script, state, [process.execPath, "/home/bob/drive.mjs"]);
      const line = r.stdout.trim().split("\n").at(-1) ?? "";
      let out: {
        desktop: { command: string; args: string[] };
        cursor: { url: string; headers?: Record<string, string> };
        code: { url: string; headers?: Record<string, string> };
        pids: Record<string, number>;
        shares: Array<{ name: string; children: Array<{ pid: number }> }>;
        bridgePid: number;
      };
      try {
        out = JSON.parse(line);
      } catch {
        throw new Error(`the driver failed: ${r.stdout}\n${r.stderr}`);
      }
      cleanups.push(() => {
        try {
          process.kill(out.bridgePid, "SIGTERM");
        } catch {
          // gone already
        }
      });
      expect(out.desktop.command).toBe("wsl.exe");
      expect(out.cursor.url).toBe(`http://127.0.0.1:${port}/share/fixture`);
      expect(out.code.url).toBe(`http://127.0.0.1:${port}/share/fixture`);
      // Each sends its own client token, Claude Code beside the bridge too: being bob is not enough.
      expect(out.code.headers?.Authorization).toMatch(/^Bearer mt2\.fixture\.wsl[^.]*:claude-code\./);
      expect(out.cursor.headers?.Authorization).toMatch(/^Bearer mt2\.fixture\.windows:cursor\./);
      const pid = out.pids.desktop;
      console.info(`one process in the bridge: ${JSON.stringify(out.pids)}`);
      expect(out.pids).toEqual({ desktop: pid, cursor: pid, code: pid });
      expect(out.shares.find((s) => s.name === "fixture")?.children.map((c) => c.pid)).toEqual([pid]);
      expect(readFileSync(path.join(bob, ".claude.json"), "utf8")).not.toContain(
        readFileSync(path.join(bob, ".local", "share", "mcp-twin", "bridge", "token"), "utf8").trim(),
      );
    }, 180_000);
  },
);
