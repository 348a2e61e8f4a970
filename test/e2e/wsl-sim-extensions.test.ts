/**
 * In the simulated WSL machine (test/helpers/wsl-sim.ts: root and `unshare`, else skipped with the
 * reason printed): after `mcp-twin sync`, a VS Code window connected to WSL (its remote user file)
 * and a WSL-side Cline start a WSL-only server in WSL, and a Windows window starts it through the
 * wsl.exe stand-in into the same distro; the remote file holds each server once.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, test } from "vitest";
import { BIN, REPO } from "../helpers/fake-machine.js";
import { findWslSim, inWslSim } from "../helpers/wsl-sim.js";

const sim = findWslSim();
const skip = "reason" in sim ? sim.reason : undefined;
// Shown in every run's output, so a skip is never silent.
if (skip) console.warn(`WSL simulation tests skipped: ${skip}`);

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Runs inside the simulation: each file's `fixture` entry started as its client would, asked its pid and folder. */
const DRIVER = `
import { readFileSync } from "node:fs";
const sdk = (p) => import(${JSON.stringify(path.join(REPO, "node_modules", "@modelcontextprotocol", "sdk", "dist", "esm"))} + p);
const { Client } = await sdk("/client/index.js");
const { StdioClientTransport } = await sdk("/client/stdio.js");
const read = (file, key) => JSON.parse(readFileSync(file, "utf8"))[key];
const files = {
  remote: read("/home/bob/.vscode-server/data/User/mcp.json", "servers"),
  windows: read("/mnt/c/Users/alice/AppData/Roaming/Code/User/mcp.json", "servers"),
  cline: read("/home/bob/.cline/data/settings/cline_mcp_settings.json", "mcpServers"),
};
const start = async (entry, command) => {
  const client = new Client({ name: "sim", version: "1" });
  await client.connect(new StdioClientTransport({ command: command ?? entry.command, args: entry.args, env: { PATH: process.env.PATH } }));
  const r = await client.callTool({ name: "whoami", arguments: {} });
  await client.close();
  const pid = JSON.parse(r.content[0].text).pid;
  return { command: entry.command, pid };
};
const out = {
  names: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Object.keys(v).sort()])),
  remote: await start(files.remote.fixture),
  cline: await start(files.cline.fixture),
  // Windows starts the Windows file's entry: wsl.exe (the stand-in) with a Windows app's bare environment.
  windows: await start(files.windows.fixture, "/mnt/c/Windows/System32/wsl.exe"),
  windowsArgs: files.windows.fixture.args,
  version: readFileSync("/proc/version", "utf8").trim(),
};
console.log(JSON.stringify(out));
`;

describe.skipIf(skip !== undefined)(
  `Remote-WSL editors in the simulated WSL machine${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    test("a VS Code window connected to WSL and a WSL-side Cline start a WSL-only server in WSL, each once", async () => {
      if ("reason" in sim) return;
      const state = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-wsl-sim-ext-"));
      cleanups.push(() => rmSync(state, { recursive: true, force: true }));
      expect((await inWslSim(sim.script, state, ["true"], { fresh: true })).code).toBe(0);
      const bob = path.join(state, "home", "bob");
      const appdata = path.join(state, "c", "Users", "alice", "AppData", "Roaming");
      // VS Code on Windows; its server in WSL (a window connected to WSL ran), with Cline in it.
      mkdirSync(path.join(appdata, "Code", "User"), { recursive: true });
      mkdirSync(path.join(bob, ".vscode-server", "data", "User"), { recursive: true });
      mkdirSync(path.join(bob, ".vscode-server", "extensions", "saoudrizwan.claude-dev-4.1.13"), {
        recursive: true,
      });
      copyFileSync(inject("fixtureScript"), path.join(bob, "fixture-server.js"));
      writeFileSync(path.join(bob, "drive.mjs"), DRIVER);
      mkdirSync(path.join(appdata, "mcp-twin"), { recursive: true });
      writeFileSync(
        path.join(appdata, "mcp-twin", "mcp-twin.jsonc"),
        JSON.stringify({
          servers: {
            fixture: {
              command: process.execPath,
              args: ["/home/bob/fixture-server.js"],
              environments: ["wsl"],
            },
          },
        }),
      );
      const synced = await inWslSim(sim.script, state, [process.execPath, BIN, "sync"]);
      expect(synced.code, synced.stdout + synced.stderr).toBe(0);
      expect(synced.stdout).toContain(
        "a window connected to wsl:Ubuntu: fixture starts in wsl:Ubuntu from this file",
      );
      const r = await inWslSim(sim.script, state, [process.execPath, "/home/bob/drive.mjs"]);
      const line = r.stdout.trim().split("\n").at(-1) ?? "";
      let out: {
        names: Record<string, string[]>;
        remote: { command: string; pid: number };
        cline: { command: string; pid: number };
        windows: { command: string; pid: number };
        windowsArgs: string[];
        version: string;
      };
      try {
        out = JSON.parse(line);
      } catch {
        throw new Error(`the driver failed: ${r.stdout}\n${r.stderr}`);
      }
      console.info(`started in the simulated distro: ${JSON.stringify(out)}`);
      expect(out.version).toMatch(/microsoft-standard-WSL2/);
      expect(out.names).toEqual({ remote: ["fixture"], windows: ["fixture"], cline: ["fixture"] });
      // The WSL window's and Cline's entries run WSL's own program; the Windows window's, wsl.exe into it.
      expect(out.remote.command).toBe(process.execPath);
      expect(out.cline.command).toBe(process.execPath);
      expect(out.windows.command).toBe("wsl.exe");
      expect(out.windowsArgs.slice(0, 4)).toEqual(["-d", "Ubuntu", "--exec", process.execPath]);
      for (const who of [out.remote, out.cline, out.windows]) expect(who.pid).toBeGreaterThan(0);
    }, 300_000);
  },
);
