/**
 * adopt carries a hand-set tool restriction into the manifest's tool rules (Roo Code's
 * `disabledTools`, Goose's `available_tools`), and the next sync keeps it in that client.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import { parse as parseYaml, stringify as yaml } from "yaml";
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

function machine() {
  const m = createFakeMachine({ kind: "linux", cursor: false, claudeDesktop: false, claudeCode: false });
  machines.push(m);
  const home = m.paths.linuxHome;
  const roo = path.join(
    home,
    ".config",
    "Code",
    "User",
    "globalStorage",
    "rooveterinaryinc.roo-cline",
    "settings",
    "mcp_settings.json",
  );
  const goose = path.join(home, ".config", "goose", "config.yaml");
  mkdirSync(path.dirname(roo), { recursive: true });
  writeFileSync(roo, '{\n  "mcpServers": {}\n}\n');
  mkdirSync(path.dirname(goose), { recursive: true });
  writeFileSync(goose, "extensions: {}\n");
  const manifest = writeManifest(m, {
    servers: { fx: { command: process.execPath, args: [inject("fixtureScript")] } },
  });
  return { m, roo, goose, manifest };
}

const rooFx = (file: string) =>
  JSON.parse(readFileSync(file, "utf8")).mcpServers.fx as Record<string, unknown>;
const gooseFx = (file: string) =>
  (parseYaml(readFileSync(file, "utf8")) as { extensions: Record<string, Record<string, unknown>> })
    .extensions.fx ?? {};

describe("adopt takes a hand-set tool restriction into the manifest", () => {
  test("Roo Code's disabledTools and Goose's available_tools: adopted as tool rules, kept by the next sync", async () => {
    const { m, roo, goose, manifest } = machine();
    expect((await m.run(["sync"])).code).toBe(0);
    // The person restricts the server's tools in each client, by hand.
    const r = JSON.parse(readFileSync(roo, "utf8"));
    r.mcpServers.fx.disabledTools = ["whoami"];
    writeFileSync(roo, JSON.stringify(r, null, 2));
    const g = parseYaml(readFileSync(goose, "utf8")) as {
      extensions: Record<string, Record<string, unknown>>;
    };
    (g.extensions.fx as Record<string, unknown>).available_tools = ["echo", "add"];
    writeFileSync(goose, yaml(g));

    const a1 = await m.run(["adopt", "fx", "--from", "linux:roo-code", "--yes"]);
    expect(a1.code, a1.stderr).toBe(0);
    expect(a1.stdout).toContain(
      "servers.fx.clientTools.roo-code set: deny whoami (from the entry's disabledTools)",
    );
    const a2 = await m.run(["adopt", "fx", "--from", "linux:goose", "--yes"]);
    expect(a2.code, a2.stderr).toBe(0);
    expect(a2.stdout).toContain(
      "servers.fx.clientTools.goose set: allow echo, add (from the entry's available_tools)",
    );
    expect(a2.stdout).not.toContain("the manifest already said the same");
    const written = JSON.parse(readFileSync(manifest, "utf8")).servers.fx;
    expect(written.clientTools).toEqual({
      "roo-code": { deny: ["whoami"] },
      goose: { allow: ["echo", "add"] },
    });

    // The next sync keeps each restriction where it was set (and writes nothing), status says it is kept.
    const s = await m.run(["sync", "--json"]);
    expect(s.code, s.stderr).toBe(0);
    const targets = (JSON.parse(s.stdout) as { targets: Array<{ action: string }> }).targets;
    expect(targets.every((t) => t.action === "unchanged")).toBe(true);
    expect(rooFx(roo).disabledTools).toEqual(["whoami"]);
    expect(gooseFx(goose).available_tools).toEqual(["echo", "add"]);
    const rows = JSON.parse((await m.run(["status", "--json"])).stdout) as Array<{
      client: string;
      state: string;
      toolRules?: { state: string };
    }>;
    for (const client of ["roo-code", "goose"])
      expect(rows.find((r) => r.client === client)).toMatchObject({
        state: "synced",
        toolRules: { state: "kept" },
      });
  }, 120_000);
});
