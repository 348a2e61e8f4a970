/**
 * The manifest's tool rules in Roo Code's `disabledTools` and Goose's `available_tools`, whole
 * program on a fake Linux machine: each written from a rule (the other form expanded from the
 * server's list), removed when the rule goes, and the person's own servers' values left alone.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import { parse as parseYaml } from "yaml";
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

// The person's own files: a server of theirs with its own tool field, other settings beside.
const ROO = `{\r\n\t"mcpServers": {\r\n\t\t"mine": { "command": "node", "args": ["mine.js"], "alwaysAllow": ["read"], "disabledTools": ["write"] }\r\n\t}\r\n}\r\n`;
const GOOSE = [
  "# my goose",
  "GOOSE_PROVIDER: openai",
  "extensions:",
  "  mine:",
  "    name: mine",
  "    type: stdio",
  "    cmd: node",
  "    args: [mine.js]",
  "    enabled: true",
  "    timeout: 300",
  "    available_tools: [read]",
  "",
].join("\n");

interface Files {
  roo: string;
  goose: string;
}

function machine(fx: Record<string, unknown>): { m: FakeMachine; f: Files } {
  const m = createFakeMachine({ kind: "linux", cursor: false, claudeDesktop: false, claudeCode: false });
  machines.push(m);
  const home = m.paths.linuxHome;
  const f: Files = {
    roo: path.join(
      home,
      ".config",
      "Code",
      "User",
      "globalStorage",
      "rooveterinaryinc.roo-cline",
      "settings",
      "mcp_settings.json",
    ),
    goose: path.join(home, ".config", "goose", "config.yaml"),
  };
  mkdirSync(path.dirname(f.roo), { recursive: true });
  writeFileSync(f.roo, ROO);
  mkdirSync(path.dirname(f.goose), { recursive: true });
  writeFileSync(f.goose, GOOSE);
  writeManifest(m, {
    servers: { fx: { command: process.execPath, args: [inject("fixtureScript")], ...fx } },
  });
  return { m, f };
}

const roo = (f: Files) =>
  JSON.parse(readFileSync(f.roo, "utf8")).mcpServers as Record<string, Record<string, unknown>>;
const goose = (f: Files) =>
  (parseYaml(readFileSync(f.goose, "utf8")) as { extensions: Record<string, Record<string, unknown>> })
    .extensions;

async function sync(m: FakeMachine, ...args: string[]): Promise<Array<{ client: string; action: string }>> {
  const r = await m.run(["sync", "--json", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { targets: Array<{ client: string; action: string }> }).targets;
}

describe("tool rules in Roo Code's and Goose's own fields", () => {
  test("each written from its rule and removed with it; the person's own servers keep theirs", async () => {
    const { m, f } = machine({
      clientTools: { "roo-code": { deny: ["whoami"] }, goose: { allow: ["echo", "add"] } },
    });
    await sync(m);
    expect(roo(f).fx?.disabledTools).toEqual(["whoami"]);
    expect(goose(f).fx?.available_tools).toEqual(["echo", "add"]);
    // The person's own servers, and their own values of the same fields, as they were.
    expect(roo(f).mine).toEqual({
      command: "node",
      args: ["mine.js"],
      alwaysAllow: ["read"],
      disabledTools: ["write"],
    });
    expect(goose(f).mine?.available_tools).toEqual(["read"]);
    const status = await m.run(["status", "--json"]);
    const rows = JSON.parse(status.stdout) as Array<{ client: string; toolRules?: unknown }>;
    expect(rows.find((r) => r.client === "roo-code")?.toolRules).toEqual({
      state: "kept",
      fields: ["disabledTools"],
    });
    expect(rows.find((r) => r.client === "goose")?.toolRules).toEqual({
      state: "kept",
      fields: ["available_tools"],
    });
    // A second sync writes nothing.
    expect((await sync(m)).filter((t) => t.action === "updated")).toEqual([]);
    // A tool switched in Roo Code itself (it rewrites the same field) is an edit by hand of
    // mcp-twin's entry, as in every client's tool field: kept, and said.
    const toggled = JSON.parse(readFileSync(f.roo, "utf8"));
    toggled.mcpServers.fx.disabledTools = ["whoami", "env"];
    writeFileSync(f.roo, JSON.stringify(toggled, null, 2));
    const said = await m.run(["sync"]);
    expect(said.stdout).toContain("fx: edited by hand since the last sync; kept");
    expect(roo(f).fx?.disabledTools).toEqual(["whoami", "env"]);
    expect((await m.run(["sync", "--force"])).code).toBe(0);
    expect(roo(f).fx?.disabledTools).toEqual(["whoami"]);

    // The rules go: so do the fields sync wrote, and only those.
    writeManifest(m, { servers: { fx: { command: process.execPath, args: [inject("fixtureScript")] } } });
    const gone = await sync(m);
    expect(
      gone
        .filter((t) => t.action === "updated")
        .map((t) => t.client)
        .sort(),
    ).toEqual(["goose", "roo-code"]);
    expect(roo(f).fx).not.toHaveProperty("disabledTools");
    expect(goose(f).fx).not.toHaveProperty("available_tools");
    expect(roo(f).mine?.disabledTools).toEqual(["write"]);
    expect(goose(f).mine?.available_tools).toEqual(["read"]);
    expect(readFileSync(f.goose, "utf8").startsWith("# my goose\nGOOSE_PROVIDER: openai\n")).toBe(true);
  });

  test("a pattern, or the form a client does not take, is written once the server's list is known", async () => {
    const { m, f } = machine({
      tools: { deny: ["wh*"] },
      clientTools: { "roo-code": { allow: ["echo", "add*"] } },
    });
    // Patterns and no list yet: the first sync lists the server, then writes what each can keep.
    await sync(m);
    // Roo Code leaves out the rest of the list; Goose loads the rest of it.
    expect(roo(f).fx?.disabledTools).toEqual(["env", "whoami"]);
    expect(goose(f).fx?.available_tools).toEqual(["echo", "add", "env"]);
    const counted = JSON.parse((await m.run(["tools", "--json"])).stdout) as {
      clients: Array<{ client: string; servers: Array<{ kept: number }> }>;
    };
    expect(counted.clients.find((c) => c.client === "roo-code")?.servers[0]?.kept).toBe(2);
    expect(counted.clients.find((c) => c.client === "goose")?.servers[0]?.kept).toBe(3);
  });

  test("a rule that leaves Goose no tool is not written as an empty list, which Goose reads as all", async () => {
    const { m, f } = machine({ tools: { allow: ["echo"] }, clientTools: { goose: { deny: ["echo"] } } });
    await sync(m);
    expect(goose(f).fx).not.toHaveProperty("available_tools");
    const status = await m.run(["status"]);
    expect(status.stdout).toContain(
      "Goose does not keep fx's tool rule: the rules leave none of fx's tools, and its field cannot say none",
    );
  });
});
