/**
 * Tool rules from the first sync, whole program on a fake Linux machine: sync lists a server no
 * cache knows (a handshake) and writes each client's own field in that same run; a server that
 * does not start still gets its entries, and one line says which rules wait and what brings them;
 * a rule a client cannot keep is said once, with the fix.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parse as parseToml } from "smol-toml";
import { afterEach, describe, expect, inject, test } from "vitest";
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

const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));

/** Gemini CLI, Codex, Copilot CLI, Qwen Code, Crush and Cursor present on a Linux machine. */
function machine(servers: Record<string, unknown>): FakeMachine {
  const m = createFakeMachine({ kind: "linux", cursor: false, claudeDesktop: false });
  machines.push(m);
  for (const dir of [".gemini", ".codex", ".copilot", ".qwen", ".cursor", path.join(".config", "crush")])
    mkdirSync(path.join(m.paths.linuxHome, dir), { recursive: true });
  writeManifest(m, { servers });
  return m;
}

const fixture = (extra: number, rest: Record<string, unknown> = {}) => ({
  command: process.execPath,
  args: [inject("fixtureScript"), "--tools", String(extra)],
  ...rest,
});

interface SyncJson {
  targets: Array<{ client: string; action: string }>;
  toolRules?: Array<{ server: string; clients: string[]; state: string; message: string }>;
}

function files(m: FakeMachine) {
  const home = m.paths.linuxHome;
  return {
    gemini: () => json(path.join(home, ".gemini", "settings.json")).mcpServers.fx,
    codex: () =>
      (
        parseToml(readFileSync(path.join(home, ".codex", "config.toml"), "utf8")) as {
          mcp_servers: Record<string, Record<string, unknown>>;
        }
      ).mcp_servers.fx,
    copilot: () => json(path.join(home, ".copilot", "mcp-config.json")).mcpServers.fx,
    qwen: () => json(path.join(home, ".qwen", "settings.json")).mcpServers.fx,
    crush: () => json(path.join(home, ".config", "crush", "crush.json")).mcp.fx,
  };
}

describe("tool rules from the first sync", () => {
  test("patterns: one sync lists the server and writes Gemini, Codex, Copilot, Qwen and Crush's own fields", async () => {
    const m = machine({
      fx: fixture(12, {
        tools: { deny: ["tool1*"] },
        clientTools: {
          codex: { allow: ["echo", "tool*"] },
          "copilot-cli": { deny: ["whoami"] },
          crush: { allow: ["echo", "tool2*"] },
        },
      }),
    });
    // A dry run starts nothing: it says the run lists the server, then writes the rules.
    const dry = await m.run(["sync", "--dry-run", "--json"]);
    const planned = (JSON.parse(dry.stdout) as SyncJson).toolRules?.find((r) => r.state === "not-yet");
    expect(planned?.clients.sort()).toEqual(["codex", "copilot-cli", "crush", "gemini-cli", "qwen-code"]);
    expect(planned?.message).toContain("`mcp-twin sync` lists them (it starts fx once) and writes the rule");
    const run = await m.run(["sync", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const f = files(m);
    const denied = ["tool1", "tool10", "tool11"];
    expect(f.gemini().excludeTools).toEqual(denied);
    expect(f.qwen().excludeTools).toEqual(denied);
    expect(f.codex()?.enabled_tools).toEqual([
      "echo",
      "tool0",
      ...["2", "3", "4", "5", "6", "7", "8", "9"].map((i) => `tool${i}`),
    ]);
    expect(f.crush().enabled_tools).toEqual(["echo", "tool2"]);
    const copilot = f.copilot().tools as string[];
    expect(copilot).toContain("echo");
    expect(copilot).not.toContain("whoami");
    expect(copilot).not.toContain("tool10");
    // Nothing waits for a list; the clients with no field of their own are named, once.
    const report = JSON.parse(run.stdout) as SyncJson;
    expect(report.toolRules).toEqual([
      expect.objectContaining({ server: "fx", clients: ["claude-code", "cursor"], state: "not-kept" }),
    ]);
    // The list is cached: the next sync starts nothing and changes nothing.
    const again = await m.run(["sync", "--json"]);
    expect(JSON.parse(again.stdout).targets.map((t: { action: string }) => t.action)).not.toContain(
      "updated",
    );
  });

  test("exact names Copilot CLI cannot say without the list (a deny): its tools narrowed by the first sync", async () => {
    const m = machine({ fx: fixture(3, { clientTools: { "copilot-cli": { deny: ["whoami"] } } }) });
    const run = await m.run(["sync", "--client", "copilot-cli"]);
    expect(run.code, run.stderr).toBe(0);
    const tools = files(m).copilot().tools as string[];
    expect(tools).toContain("echo");
    expect(tools).not.toContain("whoami");
    expect(tools).not.toContain("*");
  });

  test("a server that does not start: its entries written all the same, the line names it, its clients and what brings the rule in — and that does", async () => {
    const m = machine({});
    // The server's program fails until it is put right; its launch (and so its entries) stays the same.
    const program = path.join(m.root, "fx.mjs");
    writeFileSync(program, "process.exit(3);\n");
    writeManifest(m, {
      servers: {
        fx: {
          command: process.execPath,
          args: [program, "--tools", "2"],
          clientTools: { "gemini-cli": { deny: ["tool*"] }, codex: { allow: ["echo*"] } },
        },
      },
    });
    const run = await m.run(["sync", "--json"]);
    const report = JSON.parse(run.stdout) as SyncJson;
    const f = files(m);
    expect(f.gemini()).toBeDefined();
    expect(f.gemini().excludeTools).toBeUndefined();
    expect(f.codex()).toBeDefined();
    expect(f.codex()?.enabled_tools).toBeUndefined();
    expect(report.toolRules).toEqual([
      expect.objectContaining({ server: "fx", clients: ["gemini-cli", "codex"], state: "not-yet" }),
    ]);
    expect(report.toolRules?.[0]?.message).toContain("run `mcp-twin sync` once fx starts");
    const human = await m.run(["sync"]);
    expect(human.stdout.match(/fx's tool rule is not in Gemini CLI's and Codex's entries yet/g)).toHaveLength(
      1,
    );
    // Once it starts, the next sync lists it and writes both rules (its entries had not changed).
    writeFileSync(program, `await import(${JSON.stringify(pathToFileURL(inject("fixtureScript")).href)});\n`);
    const fixed = await m.run(["sync", "--json"]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(JSON.parse(fixed.stdout).toolRules).toBeUndefined();
    expect(f.gemini().excludeTools).toEqual(["tool0", "tool1"]);
    expect(f.codex()?.enabled_tools).toEqual(["echo"]);
  });

  test("a pattern that matches none of the tools the first sync lists: refused at its line, nothing written", async () => {
    const m = machine({ fx: fixture(2, { clientTools: { codex: { deny: ["browser_*"] } } }) });
    const codexFile = path.join(m.paths.linuxHome, ".codex", "config.toml");
    writeFileSync(codexFile, "# mine\n");
    const sync = await m.run(["sync"]);
    expect(sync.code, sync.stdout).toBe(2);
    expect(sync.stderr).toMatch(
      /mcp-twin\.jsonc:\d+:\d+.*"browser_\*" matches none of fx's \d+ tools \(echo, /s,
    );
    expect(readFileSync(codexFile, "utf8")).toBe("# mine\n");
  });

  test("a rule a client cannot keep (Cursor, a direct server): said once by sync, with the fix, in --json too", async () => {
    const m = machine({ fx: fixture(2, { clientTools: { cursor: { allow: ["echo"] } } }) });
    const run = await m.run(["sync", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as SyncJson;
    expect(report.toolRules).toEqual([
      expect.objectContaining({ server: "fx", clients: ["cursor"], state: "not-kept" }),
    ]);
    expect(report.toolRules?.[0]?.message).toContain("mcp-twin share fx machine");
    const human = await m.run(["sync", "--force"]);
    expect(human.stdout.match(/Cursor does not keep fx's tool rule/g)).toHaveLength(1);
    expect(human.stdout).toContain("mcp-twin share fx machine");
  });
});
