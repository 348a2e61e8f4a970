/**
 * Continue's config.yaml end to end on a fake Linux machine, as a new user has it: the file Continue
 * writes on first run, with `mcpServers: [] # none yet` added by hand (CRLF, as an editor on Windows
 * saves it). sync writes the item under the key in the file's indentation, the comment staying on
 * the key's line; a second sync writes nothing; uninstall gives the file back byte for byte. The same
 * for the file as Continue wrote it, without the key, and as `cn` writes it after onboarding.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, inject, test } from "vitest";
import { parseDocument, parse as parseYaml } from "yaml";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";

runInProcessByDefault();

/** `YAML.stringify(defaultConfig)` as Continue writes it (continuedev/continue core/util/paths.ts). */
const DEFAULT = "name: Main Config\nversion: 1.0.0\nschema: v1\nmodels: []\n";

const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

function machineWith(text: string): { m: FakeMachine; file: string } {
  const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false, claudeCode: false });
  machines.push(m);
  const file = path.join(m.paths.linuxHome, ".continue", "config.yaml");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  writeManifest(m, { servers: { fx: { command: process.execPath, args: [inject("fixtureScript")] } } });
  return { m, file };
}

async function syncThenUninstall(m: FakeMachine, file: string, before: string): Promise<string> {
  const first = await m.run(["sync", "--client", "continue"]);
  expect(first.code, first.stderr).toBe(0);
  const written = readFileSync(file, "utf8");
  const item = (parseYaml(written) as { mcpServers: Array<Record<string, unknown>> }).mcpServers.find(
    (s) => s.name === "fx",
  );
  expect(item).toEqual({ name: "fx", command: process.execPath, args: [inject("fixtureScript")] });
  const again = await m.run(["sync", "--client", "continue"]);
  expect(again.code, again.stderr).toBe(0);
  expect(readFileSync(file, "utf8")).toBe(written);
  const gone = await m.run(["uninstall", "--yes"]);
  expect(gone.code, gone.stderr).toBe(0);
  expect(readFileSync(file, "utf8")).toBe(before);
  return written;
}

test("`mcpServers: [] # none yet`: the comment stays on its line through sync, and uninstall gives every byte back", async () => {
  const before = `${DEFAULT}mcpServers: [] # none yet\n`.replace(/\n/g, "\r\n");
  const { m, file } = machineWith(before);
  const written = await syncThenUninstall(m, file, before);
  const node = process.execPath;
  expect(written).toBe(
    [
      "name: Main Config",
      "version: 1.0.0",
      "schema: v1",
      "models: []",
      "mcpServers: # none yet",
      "  - name: fx",
      `    command: ${node}`,
      "    args:",
      `      - ${inject("fixtureScript")}`,
      "",
    ].join("\r\n"),
  );
}, 120_000);

test("Continue's own first file (no mcpServers) and cn's after onboarding: the key added in their indentation, then taken away", async () => {
  const onboarded = parseDocument("");
  onboarded.set("name", "Main Config");
  onboarded.set("version", "1.0.0");
  onboarded.set("schema", "v1");
  onboarded.set("models", [
    { name: "Claude Sonnet 4.6", provider: "anthropic", model: "claude-sonnet-4-6", roles: ["chat", "edit"] },
  ]);
  for (const before of [DEFAULT, `${onboarded.toString()}# my notes\n`]) {
    const { m, file } = machineWith(before);
    const written = await syncThenUninstall(m, file, before);
    expect(written).toContain(
      `\nmcpServers:\n  - name: fx\n    command: ${process.execPath}\n    args:\n      - `,
    );
    expect(written.startsWith(before.replace("# my notes\n", ""))).toBe(true);
  }
}, 120_000);

test("`mcpServers: []\\t# none yet` and `mcpServers: # none yet` (nothing): uninstall and restore --original give the key's line back as it was, not `[]` with other blanks", async () => {
  for (const line of ["mcpServers: []\t# none yet", "mcpServers: # none yet"]) {
    const before = `${DEFAULT}${line}\nrules: []\n`;
    const { m, file } = machineWith(before);
    const written = await syncThenUninstall(m, file, before);
    expect(written).toContain(`\n${line.replace(" []", "")}\n  - name: fx\n`);
    // The same through restore: the edit alone writes `[]` back (Continue refuses a null list);
    // the line comes from the file before mcp-twin.
    expect((await m.run(["sync", "--client", "continue"])).code).toBe(0);
    const back = await m.run(["restore", file, "--original", "--yes"]);
    expect(back.code, back.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(before);
  }
}, 120_000);
