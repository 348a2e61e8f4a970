/**
 * The figures of `mcp-twin tools`, status and doctor are what each client loads, on a fake Linux
 * machine with real files: a person's own entry, one switched off in the client, a server-wide
 * rule, and a client that defers (the same tokens in the text and in --json).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
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

interface ServerRow {
  server: string;
  tools: number;
  kept: number;
  tokens: number;
  deferred: boolean;
  state: string;
  off: boolean;
}
interface ToolsJson {
  clients: Array<{
    client: string;
    servers: ServerRow[];
    tools: number;
    tokens: number;
    deferredTokens: number;
  }>;
}

/** The fixture server with 5 extra tools: echo, add, env, whoami and tool0..tool4 — 9 in all. */
const fixture = (rest: Record<string, unknown> = {}) => ({
  command: process.execPath,
  args: [inject("fixtureScript"), "--tools", "5"],
  ...rest,
});
const DENY = { tools: { deny: ["tool0", "tool1", "tool2"] } };

function machine(servers: Record<string, unknown>): FakeMachine {
  const m = createFakeMachine({ kind: "linux", cursor: false, claudeDesktop: false });
  machines.push(m);
  for (const dir of [".gemini", ".codex", path.join(".config", "crush"), path.join(".config", "goose")])
    mkdirSync(path.join(m.paths.linuxHome, dir), { recursive: true });
  writeManifest(m, { servers });
  return m;
}

const crushFile = (m: FakeMachine) => path.join(m.paths.linuxHome, ".config", "crush", "crush.json");

async function toolsJson(m: FakeMachine, ...args: string[]): Promise<ToolsJson> {
  const run = await m.run(["tools", "--json", ...args]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as ToolsJson;
}

const client = (t: ToolsJson, id: string) => {
  const c = t.clients.find((x) => x.client === id);
  if (!c) throw new Error(`no ${id} in ${JSON.stringify(t.clients.map((x) => x.client))}`);
  return c;
};

const n = (x: number) => x.toLocaleString("en-US");

describe("what each client loads", () => {
  test("a person's own entry: counted as the client reads it (Crush all 9, Gemini CLI less its own excludeTools), and the rule is said not kept by status, tools and doctor", async () => {
    const m = machine({ fx: fixture(DENY) });
    // The person's own fx entry in Crush, before mcp-twin: sync leaves it alone (foreign).
    writeFileSync(
      crushFile(m),
      `${JSON.stringify({ mcp: { fx: { type: "stdio", ...fixture(), env: { MINE: "1" } } } }, null, 2)}\n`,
    );
    // And in Gemini CLI, one that leaves out a tool in Gemini CLI's own field.
    writeFileSync(
      path.join(m.paths.linuxHome, ".gemini", "settings.json"),
      `${JSON.stringify({ mcpServers: { fx: { ...fixture(), excludeTools: ["echo"] } } }, null, 2)}\n`,
    );
    expect((await m.run(["sync"])).code).toBe(0);
    expect(JSON.parse(readFileSync(crushFile(m), "utf8")).mcp.fx.disabled_tools).toBeUndefined();

    const figures = await toolsJson(m);
    expect(client(figures, "crush").servers[0]).toMatchObject({
      server: "fx",
      tools: 9,
      kept: 9,
      state: "foreign",
      off: false,
    });
    expect(client(figures, "gemini-cli").servers[0]).toMatchObject({ kept: 8, state: "foreign" });
    // Codex's entry is mcp-twin's: it keeps the rule in its own field.
    expect(client(figures, "codex").servers[0]).toMatchObject({ tools: 9, kept: 6, state: "synced" });

    const status = await m.run(["status"]);
    expect(status.stdout).not.toContain("Crush in disabled_tools");
    expect(status.stdout).toContain("Crush does not keep fx's tool rule: its fx entry is not mcp-twin's");
    const rows = JSON.parse((await m.run(["status", "--json"])).stdout) as Array<{
      client: string;
      toolRules?: { state: string };
    }>;
    expect(rows.find((r) => r.client === "crush")?.toolRules).toEqual({ state: "not-ours" });
    expect((await m.run(["tools"])).stdout).toContain("Crush does not keep fx's tool rule");

    const doctor = JSON.parse((await m.run(["doctor", "--json", "--client", "crush"])).stdout) as {
      checks: Array<{ id: string; client?: string; message: string }>;
    };
    const said = doctor.checks.filter((c) => c.id === "tools.budget").map((c) => c.message);
    expect(said.join("\n")).toContain("Crush does not keep fx's tool rule: its fx entry is not mcp-twin's");
  });

  test("an entry switched off in the client (Crush's disabled, Codex's and Goose's enabled = false) counts none of its tools, and says so", async () => {
    const m = machine({ fx: fixture(), other: fixture() });
    expect((await m.run(["sync"])).code).toBe(0);
    const crush = JSON.parse(readFileSync(crushFile(m), "utf8"));
    crush.mcp.fx.disabled = true;
    writeFileSync(crushFile(m), `${JSON.stringify(crush, null, 2)}\n`);
    const codexFile = path.join(m.paths.linuxHome, ".codex", "config.toml");
    const toml = readFileSync(codexFile, "utf8");
    expect(toml).toContain("[mcp_servers.fx]\n");
    writeFileSync(codexFile, toml.replace("[mcp_servers.fx]\n", "[mcp_servers.fx]\nenabled = false\n"));
    // Goose's own switch, in its YAML: `enabled: false` on the fx extension.
    const gooseFile = path.join(m.paths.linuxHome, ".config", "goose", "config.yaml");
    const yaml = readFileSync(gooseFile, "utf8");
    const at = yaml.indexOf("  fx:\n");
    const on = yaml.indexOf("enabled: true", at);
    expect(at >= 0 && on > at).toBe(true);
    writeFileSync(gooseFile, `${yaml.slice(0, on)}enabled: false${yaml.slice(on + "enabled: true".length)}`);

    const figures = await toolsJson(m);
    for (const id of ["crush", "codex", "goose"]) {
      const c = client(figures, id);
      expect(c.servers.find((s) => s.server === "fx")).toMatchObject({
        tools: 9,
        kept: 0,
        tokens: 0,
        off: true,
      });
      expect(c.servers.find((s) => s.server === "other")).toMatchObject({ kept: 9, off: false });
      expect(c.tools).toBe(9);
    }
    expect(client(figures, "gemini-cli").tools).toBe(18);

    const text = await m.run(["tools", "--client", "crush"]);
    expect(text.stdout).toMatch(/^fx\s+9\s+[\d,]+\s+off$/m);
    const status = await m.run(["status"]);
    expect(status.stdout).toContain("fx in linux crush: switched off in Crush (it loads none of its tools");
    expect(status.stdout).toContain("fx in linux codex: switched off in Codex");
    const rows = JSON.parse((await m.run(["status", "--json"])).stdout) as Array<{
      server: string;
      client: string;
      off?: boolean;
    }>;
    expect(
      rows
        .filter((r) => r.off)
        .map((r) => `${r.server} ${r.client}`)
        .sort(),
    ).toEqual(["fx codex", "fx crush", "fx goose"]);
  });

  test("a server-wide rule every client keeps: the server's ≈tokens is its whole list's size, not 0", async () => {
    const m = machine({ fx: fixture(DENY) });
    expect((await m.run(["sync"])).code).toBe(0);
    await toolsJson(m); // lists fx once
    expect((await m.run(["sync"])).code).toBe(0);
    const only = ["--client", "gemini-cli", "--client", "crush"];
    const figures = await toolsJson(m, ...only);
    expect(client(figures, "crush").servers[0]).toMatchObject({ tools: 9, kept: 6 });
    // Claude Code has no per-tool field: it loads all 9, whose size is the server's.
    const size = client(await toolsJson(m, "--client", "claude-code"), "claude-code").tokens;
    expect(size).toBeGreaterThan(client(figures, "crush").tokens);
    const text = await m.run(["tools", ...only]);
    expect(text.stdout).toMatch(new RegExp(`^fx\\s+9\\s+${n(size)}\\s+6\\s+6$`, "m"));
  });

  test("Claude Code defers: its ≈tokens in the text is the same size as --json's, marked deferred", async () => {
    const m = machine({ fx: fixture() });
    expect((await m.run(["sync", "--client", "claude-code"])).code).toBe(0);
    const figures = client(await toolsJson(m, "--client", "claude-code"), "claude-code");
    expect(figures.tokens).toBeGreaterThan(0);
    const text = await m.run(["tools", "--client", "claude-code"]);
    expect(text.stdout).toMatch(new RegExp(`^≈tokens\\s+${n(figures.tokens)} d$`, "m"));
    expect(figures.deferredTokens).toBe(figures.tokens);
    expect(figures.servers[0]).toMatchObject({ kept: 9, deferred: true, tokens: figures.tokens });
  });

  test("Claude Code with alwaysLoad set by hand in its entry (its own field, kept by sync): not deferred", async () => {
    const m = machine({ fx: fixture() });
    expect((await m.run(["sync", "--client", "claude-code"])).code).toBe(0);
    const file = m.paths.claudeCodeConfig;
    const config = JSON.parse(readFileSync(file, "utf8"));
    config.mcpServers.fx.alwaysLoad = true;
    writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
    const figures = client(await toolsJson(m, "--client", "claude-code"), "claude-code");
    expect(figures.servers[0]).toMatchObject({ kept: 9, deferred: false, state: "synced" });
    expect(figures.deferredTokens).toBe(0);
    const text = await m.run(["tools", "--client", "claude-code"]);
    expect(text.stdout).toMatch(new RegExp(`^≈tokens\\s+${n(figures.tokens)}$`, "m"));
  });
});
