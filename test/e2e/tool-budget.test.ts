/**
 * Tools per client, whole program on a fake Linux machine: the manifest's tool rules reach Gemini
 * CLI, Codex and Copilot CLI in their own fields (patterns expanded from the list the first sync
 * learns by a handshake and caches), a client with no field is told so, `tools --json` counts what
 * each client loads, and doctor's tools.budget fix brings a client under its limit.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { parse as parseToml } from "smol-toml";
import { afterEach, describe, expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { handshake } from "../helpers/mcp.js";

runInProcessByDefault();

const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));

interface ToolsJson {
  clients: Array<{
    env: string;
    client: string;
    scope: string;
    servers: Array<{
      server: string;
      tools: number;
      kept: number;
      tokens: number;
      deferred: boolean;
      from: string;
    }>;
    tools: number;
    tokens: number;
    limit?: number;
    over?: boolean;
  }>;
}

function machine(servers: Record<string, unknown>): FakeMachine {
  const m = createFakeMachine({ kind: "linux", cursor: false, claudeDesktop: false });
  machines.push(m);
  for (const dir of [".gemini", ".codex", ".copilot", path.join(".config", "Code", "User")])
    mkdirSync(path.join(m.paths.linuxHome, dir), { recursive: true });
  writeManifest(m, { servers });
  return m;
}

const fixture = (extra: number, rest: Record<string, unknown> = {}) => ({
  command: process.execPath,
  args: [inject("fixtureScript"), "--tools", String(extra)],
  ...rest,
});

async function toolsJson(m: FakeMachine): Promise<ToolsJson> {
  const run = await m.run(["tools", "--json"]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as ToolsJson;
}

const client = (t: ToolsJson, id: string) => {
  const c = t.clients.find((x) => x.client === id);
  if (!c) throw new Error(`no ${id} in ${JSON.stringify(t.clients.map((x) => x.client))}`);
  return c;
};

describe("tools per client", () => {
  test("each client told in its own field, patterns expanded from the list the first sync learns; tools --json counts what each loads", async () => {
    const m = machine({
      fx: fixture(12, {
        tools: { deny: ["tool1*"] },
        clientTools: { codex: { allow: ["echo", "tool*"] }, "copilot-cli": { deny: ["whoami"] } },
      }),
    });
    // The rules have patterns and no list is known yet: sync lists fx (a handshake, cached) and
    // writes the expanded names into each client's own field in that same run.
    expect((await m.run(["sync"])).code).toBe(0);
    const gemini = path.join(m.paths.linuxHome, ".gemini", "settings.json");
    const denied = ["tool1", "tool10", "tool11"];
    expect(json(gemini).mcpServers.fx.excludeTools).toEqual(denied);
    const codex = parseToml(readFileSync(path.join(m.paths.linuxHome, ".codex", "config.toml"), "utf8")) as {
      mcp_servers: Record<string, { enabled_tools?: string[] }>;
    };
    expect(codex.mcp_servers.fx?.enabled_tools).toEqual([
      "echo",
      "tool0",
      ...["2", "3", "4", "5", "6", "7", "8", "9"].map((i) => `tool${i}`),
    ]);
    const copilot = json(path.join(m.paths.linuxHome, ".copilot", "mcp-config.json")).mcpServers.fx
      .tools as string[];
    expect(copilot).not.toContain("whoami");
    expect(copilot).not.toContain("tool10");
    expect(copilot).toContain("echo");
    expect((await m.run(["status"])).stdout).not.toContain("Gemini CLI does not keep");

    // `mcp-twin tools` answers from the list sync cached: nothing started.
    const listed = await toolsJson(m);
    const all = client(listed, "claude-code").servers[0];
    expect(all).toMatchObject({ server: "fx", from: "cache", deferred: true });
    const count = all?.tools ?? 0;
    expect(count).toBeGreaterThan(12);

    const after = await toolsJson(m);
    expect(client(after, "gemini-cli").servers[0]?.kept).toBe(count - 3);
    expect(client(after, "codex").servers[0]?.kept).toBe(10);
    expect(client(after, "copilot-cli").servers[0]?.kept).toBe(copilot.length);
    // VS Code has no per-tool field: it loads every tool, and is told so once; it searches them
    // itself (as toolSearch, which refuses it, says), so they are deferred and it has no limit.
    expect(client(after, "vscode")).toMatchObject({ tools: count });
    expect(client(after, "vscode").servers[0]?.deferred).toBe(true);
    expect(client(after, "vscode").limit).toBeUndefined();
    const human = await m.run(["tools"]);
    expect(human.stdout).toContain(
      "VS Code does not keep fx's tool rule: it has no per-tool field in its config",
    );
    expect(human.stdout.match(/VS Code does not keep/g)).toHaveLength(1);
    // A second sync writes nothing: the expanded names are what the files hold.
    const again = await m.run(["sync", "--json"]);
    expect(JSON.parse(again.stdout).targets.map((t: { action: string }) => t.action)).not.toContain(
      "updated",
    );
  });

  test("a shared server's url entries: the gateway keeps VS Code's rule, each client lists what tools --json counts", async () => {
    const m = machine({
      fx: fixture(12, {
        share: "machine",
        tools: { deny: ["tool1*"] },
        clientTools: { vscode: { allow: ["echo", "tool*"] } },
      }),
    });
    // Private files get url entries (a token in a file others read would be theirs too).
    const claudeFile = path.join(m.paths.linuxHome, ".claude.json");
    writeFileSync(claudeFile, existsSync(claudeFile) ? readFileSync(claudeFile) : "{}");
    chmodSync(claudeFile, 0o600);
    const synced = await m.run(["sync", "--client", "vscode", "--client", "claude-code"]);
    expect(synced.code, synced.stderr).toBe(0);
    const vscodeFile = path.join(m.paths.linuxHome, ".config", "Code", "User", "mcp.json");
    const vscode = json(vscodeFile).servers.fx as { url?: string; headers?: Record<string, string> };
    const claude = json(claudeFile).mcpServers.fx as typeof vscode;
    expect(vscode.url).toMatch(/\/share\/fx$/);
    expect(claude, JSON.stringify(claude)).toMatchObject({ url: vscode.url });
    const listed = async (entry: typeof vscode) => {
      const c = new Client({ name: "url-entry", version: "1" });
      await c.connect(
        new StreamableHTTPClientTransport(new URL(entry.url ?? ""), {
          requestInit: { headers: entry.headers ?? {} },
        }),
      );
      try {
        return (await c.listTools()).tools.map((t) => t.name);
      } finally {
        await c.close();
      }
    };
    const forVscode = await listed(vscode);
    const forClaude = await listed(claude);
    expect(forVscode.sort()).toEqual([
      "echo",
      "tool0",
      ...["2", "3", "4", "5", "6", "7", "8", "9"].map((i) => `tool${i}`),
    ]);
    expect(forClaude).toContain("whoami");
    expect(forClaude).not.toContain("tool10");
    // What each client loads, as `mcp-twin tools --json` counts it: the gateway's answers.
    const counted = await toolsJson(m);
    expect(client(counted, "vscode").servers[0]).toMatchObject({ server: "fx", kept: forVscode.length });
    expect(client(counted, "claude-code").servers[0]).toMatchObject({ server: "fx", kept: forClaude.length });
    const status = await m.run(["status"]);
    expect(status.stdout).toContain("VS Code through the gateway (its entry names it to the bridge)");
    expect(status.stdout).not.toContain("VS Code does not keep");
    const human = await m.run(["tools"]);
    expect(human.stdout).not.toContain("does not keep");
  }, 120_000);

  test("through the relay too: Claude Code's relay and VS Code's url entry to one shared process each list and call only their own tools", async () => {
    const m = machine({
      fx: fixture(4, {
        share: "machine",
        clientTools: { "claude-code": { allow: ["echo", "whoami"] }, vscode: { allow: ["tool*"] } },
      }),
    });
    // Claude Code's file as it comes (others may read it): the relay, which holds no token.
    const synced = await m.run(["sync", "--client", "vscode", "--client", "claude-code"]);
    expect(synced.code, synced.stderr).toBe(0);
    const relay = json(m.paths.claudeCodeConfig).mcpServers.fx as { command: string; args: string[] };
    expect(relay.args.slice(-4)).toEqual([
      "connect",
      expect.stringMatching(/\/share\/fx$/),
      "--as",
      "linux:claude-code",
    ]);
    expect(JSON.stringify(relay)).not.toContain("mt2.");
    const vscodeFile = path.join(m.paths.linuxHome, ".config", "Code", "User", "mcp.json");
    const url = json(vscodeFile).servers.fx as { url: string; headers: Record<string, string> };
    const viaUrl = new Client({ name: "url-entry", version: "1" });
    await viaUrl.connect(
      new StreamableHTTPClientTransport(new URL(url.url), { requestInit: { headers: url.headers } }),
    );
    const viaRelay = await handshake(relay, { baseEnv: m.env as Record<string, string> });
    try {
      expect(viaRelay.tools).toEqual(["echo", "whoami"]);
      const pid = JSON.parse(await viaRelay.call("whoami", {})).pid;
      await expect(viaRelay.call("tool1", {})).rejects.toThrow(
        /the tool "tool1" of fx is not available to claude-code: the manifest's servers\.fx\.clientTools\.claude-code\.allow \(.*mcp-twin\.jsonc:\d+:\d+\) does not allow it/,
      );
      expect((await viaUrl.listTools()).tools.map((t) => t.name).sort()).toEqual([
        "tool0",
        "tool1",
        "tool2",
        "tool3",
      ]);
      await viaUrl.callTool({ name: "tool1", arguments: {} });
      await expect(viaUrl.callTool({ name: "whoami", arguments: {} })).rejects.toThrow(
        "servers.fx.clientTools.vscode.allow",
      );
      // One process behind both: the shared server the relay's call reached.
      const status = await m.run(["bridge", "status", "fx", "--json"]);
      expect(status.stdout).toContain(String(pid));
      // status and doctor say the relay keeps the rule, as the url entry does.
      const said = await m.run(["status"]);
      expect(said.stdout).toContain("Claude Code through the gateway");
      expect(said.stdout).not.toContain("does not keep");
    } finally {
      await viaRelay.close();
      await viaUrl.close();
    }
  }, 120_000);

  test("MCP_TWIN_BRIDGE_HOME: tools reads the gateway's list cache where the bridge keeps it", async () => {
    const m = machine({ fx: fixture(3, { share: "machine" }) });
    const env = { MCP_TWIN_BRIDGE_HOME: path.join(m.root, "bridge-state") };
    try {
      const synced = await m.run(["sync", "--client", "vscode"], { env });
      expect(synced.code, synced.stderr).toBe(0);
      expect(existsSync(path.join(env.MCP_TWIN_BRIDGE_HOME, "shares-cache.json"))).toBe(true);
      const run = await m.run(["tools", "--json", "--client", "vscode"], { env });
      expect(run.code, run.stderr).toBe(0);
      const fx = client(JSON.parse(run.stdout) as ToolsJson, "vscode").servers[0];
      expect(fx).toMatchObject({ server: "fx", from: "cache" });
      expect(fx?.tools).toBeGreaterThan(3);
    } finally {
      await m.run(["bridge", "stop"], { env });
    }
  }, 120_000);

  test("a pattern that matches nothing the server lists is said with the list's names, at its line", async () => {
    const m = machine({ fx: fixture(2, { clientTools: { codex: { deny: ["browser_*"] } } }) });
    await toolsJson(m);
    const human = await m.run(["tools"]);
    expect(human.stdout).toMatch(
      /mcp-twin\.jsonc:\d+:\d+: servers\.fx\.clientTools\.codex\.deny\[0\]: "browser_\*" matches none of fx's \d+ tools \(echo, /,
    );
    // sync refuses it as bad input: exit 2, the place and the list said, nothing written.
    const codexFile = path.join(m.paths.linuxHome, ".codex", "config.toml");
    writeFileSync(codexFile, "# mine\n");
    const sync = await m.run(["sync"]);
    expect(sync.code, sync.stdout).toBe(2);
    expect(sync.stderr).toMatch(
      /mcp-twin\.jsonc:\d+:\d+.*"browser_\*" matches none of fx's \d+ tools \(echo, /s,
    );
    expect(sync.stderr).toContain("mcp-twin tools");
    expect(readFileSync(codexFile, "utf8")).toBe("# mine\n");
  });

  test("doctor warns for a client over its limit of tools, and its one-line fix brings it under", async () => {
    const m = machine({ fx: fixture(140) });
    mkdirSync(path.join(m.paths.linuxHome, ".codeium", "windsurf"), { recursive: true });
    expect((await m.run(["sync", "--client", "copilot-cli", "--client", "windsurf"])).code).toBe(0);
    const doctor = async () => {
      const run = await m.run(["doctor", "--json", "--client", "copilot-cli", "--client", "windsurf"]);
      return (
        JSON.parse(run.stdout) as {
          checks: Array<{ id: string; client?: string; status: string; message: string; fix?: string }>;
        }
      ).checks.filter((c) => c.id === "tools.budget");
    };
    const found = await doctor();
    const copilot = found.find((c) => c.client === "copilot-cli");
    expect(copilot).toMatchObject({ status: "warn" });
    expect(copilot?.message).toContain("over its limit of 128");
    // The fix: a clientTools rule for Copilot CLI (it keeps rules itself), computed from the list.
    const rule = /servers\.fx: "clientTools": \{ "copilot-cli": (\{.*?\}) \}/.exec(copilot?.fix ?? "")?.[1];
    expect(rule).toBeDefined();
    // Windsurf has no field: its fix leaves the server out of it.
    expect(found.find((c) => c.client === "windsurf")?.fix).toContain('servers.fx: "clients": [');

    const manifestFile = path.join(m.paths.home, "mcp-twin.jsonc");
    const manifest = json(manifestFile);
    manifest.servers.fx.clientTools = { "copilot-cli": JSON.parse(rule ?? "{}") };
    writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
    expect((await m.run(["sync", "--client", "copilot-cli"])).code).toBe(0);
    const tools = json(path.join(m.paths.linuxHome, ".copilot", "mcp-config.json")).mcpServers.fx.tools;
    expect(tools.length).toBeLessThanOrEqual(128);
    const now = await doctor();
    expect(now.find((c) => c.client === "copilot-cli" && c.status === "warn")).toBeUndefined();
    expect(client(await toolsJson(m), "copilot-cli")).toMatchObject({ over: false, tools: tools.length });
  });

  test("a shared server: doctor's fix for Windsurf (no field of its own) is the clientTools rule the gateway keeps, and it brings Windsurf under 100", async () => {
    const m = machine({ fx: fixture(140, { share: "machine" }) });
    mkdirSync(path.join(m.paths.linuxHome, ".codeium", "windsurf"), { recursive: true });
    const synced = await m.run(["sync", "--client", "windsurf"]);
    expect(synced.code, synced.stderr).toBe(0);
    // The sync that puts it over says so, under its line, from the list the gateway cached.
    expect(synced.stdout).toMatch(
      /^ {6}▲ it loads \d+ tools now, over its limit of 100: past it, its requests fail\. `mcp-twin tools` gives the fix\.$/m,
    );
    const budget = async () => {
      const run = await m.run(["doctor", "--json", "--client", "windsurf"]);
      return (
        JSON.parse(run.stdout) as {
          checks: Array<{ id: string; client?: string; status: string; message: string; fix?: string }>;
        }
      ).checks.filter((c) => c.id === "tools.budget");
    };
    const found = (await budget()).find((c) => c.client === "windsurf");
    expect(found).toMatchObject({ status: "warn" });
    expect(found?.message).toContain("over its limit of 100");
    expect(found?.fix).not.toContain('servers.fx: "clients"');
    const rule = /servers\.fx: "clientTools": \{ "windsurf": (\{.*?\}) \}/.exec(found?.fix ?? "")?.[1];
    expect(rule, found?.fix).toBeDefined();

    const manifestFile = path.join(m.paths.home, "mcp-twin.jsonc");
    const manifest = json(manifestFile);
    manifest.servers.fx.clientTools = { windsurf: JSON.parse(rule ?? "{}") };
    writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
    const fixed = await m.run(["sync", "--client", "windsurf"]);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).not.toContain("over its limit");
    expect((await budget()).filter((c) => c.status === "warn")).toEqual([]);
    // What Windsurf's url entry lists now, as the gateway answers it: under its limit.
    const file = path.join(m.paths.linuxHome, ".codeium", "windsurf", "mcp_config.json");
    const raw = json(file).mcpServers.fx as { serverUrl: string; headers: Record<string, string> };
    const entry = { url: raw.serverUrl, headers: raw.headers };
    const c = new Client({ name: "url-entry", version: "1" });
    await c.connect(
      new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers } }),
    );
    try {
      const listed = (await c.listTools()).tools.length;
      expect(listed).toBeLessThanOrEqual(100);
      expect(client(await toolsJson(m), "windsurf")).toMatchObject({ over: false, tools: listed });
    } finally {
      await c.close();
    }
  }, 120_000);
});
