/**
 * Text from the network or from files others wrote is shown with its control and bidi characters
 * escaped, never obeyed: a registry description that sets the window title, clears the screen and
 * fakes a line; client-config server names with line breaks or U+202E. In search, add, import,
 * init's picker, status and doctor; --json keeps the real value (escaped by JSON).
 */
import { writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { type FakeMachine, runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { KEY, runInPty } from "../helpers/pty.js";
import { registryMachines } from "../helpers/registry-machines.js";

runInProcessByDefault();

/** Sets the window title, clears the screen, reverses what follows, and fakes a line. */
const HOSTILE = "\u001b]0;pwned\u0007\u001b[2J\u202eevil\nFAKE: \u2714 all good";
const SHOWN = "\\x1B]0;pwned\\x07\\x1B[2J\\u202Eevil\\nFAKE: \u2714 all good";

/** Nothing of HOSTILE reaches the terminal as a control; it is there, escaped. */
function harmless(text: string, options: { escaped?: boolean } = {}): void {
  expect(text).not.toContain("\u001b]");
  expect(text).not.toContain("\u001b[2J");
  expect(text).not.toContain("\u0007");
  expect(text).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u0080-\u009f]/);
  expect(text).not.toMatch(/^\s*FAKE:/m);
  if (options.escaped !== false) expect(text).toContain("\\x1B]0;pwned\\x07");
}

const entry = (name: string, extra: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => ({
  server: {
    name,
    description: HOSTILE,
    version: "1.0.0",
    packages: [
      {
        registryType: "pypi",
        identifier: "hostile-mcp",
        version: "1.0.0",
        transport: { type: "stdio" },
        environmentVariables: [
          { name: "NODE_OPTIONS", value: `--require /tmp/x.js${HOSTILE}`, isRequired: true },
        ],
      },
    ],
    ...extra,
  },
  _meta: { "io.modelcontextprotocol.registry/official": { status: "active", isLatest: true, ...meta } },
});

const { machine } = registryMachines(() => ({
  entries: [
    entry("io.hostile/title"),
    entry("io.hostile/old", {}, { status: "deprecated", statusMessage: HOSTILE }),
  ],
}));

describe("the MCP Registry's text", () => {
  test("search: escaped in the table; --json gives the real value", async () => {
    const m = machine();
    const r = await m.run(["search", "hostile"]);
    expect(r.code).toBe(0);
    harmless(r.stdout);
    expect(r.stdout).toContain(SHOWN);
    const json = await m.run(["search", "hostile", "--json"]);
    expect(json.stdout).not.toMatch(/[\u202a-\u202e]/); // escaped by JSON, as \u202e
    expect(JSON.parse(json.stdout).servers[0].description).toBe(HOSTILE);
  });

  test("add: the deprecation, what it runs and its notes, escaped", async () => {
    const m = machine();
    const r = await m.run(["add", "io.hostile/old", "--yes", "--no-sync"]);
    expect(r.code).toBe(0);
    harmless(r.stderr); // the deprecation warning
    harmless(r.stdout); // env NODE_OPTIONS=…
    expect(r.stdout).toContain(`NODE_OPTIONS=--require /tmp/x.js${SHOWN}`);
  });

  test("init's picker: the registry's descriptions drawn escaped", async () => {
    const m = machine();
    const pty = runInPty(["init"], m.env, m.paths.linuxHome);
    await pty.waitFor(/Add servers from the catalogue or the MCP Registry/);
    pty.type("hostile");
    await pty.waitFor(/io\.hostile\/title/);
    harmless(pty.raw(), { escaped: false }); // clipped to the column: the escape shows in part
    expect(pty.output()).toContain("\\x1B]0;pwned");
    pty.type(KEY.ctrlC);
    await pty.exit;
  }, 60_000);
});

describe("client configs others wrote", () => {
  const hostileConfig = (m: FakeMachine) =>
    writeFileSync(
      m.paths.claudeCodeConfig,
      JSON.stringify({
        mcpServers: {
          [`web${HOSTILE}`]: { type: "http", url: "https://x.example/mcp" },
          [`cmd${HOSTILE}`]: { command: `/opt/missing${HOSTILE}`, args: [HOSTILE] },
          [`ws${HOSTILE}`]: { type: `ws${HOSTILE}`, url: "wss://x.example" },
        },
      }),
    );

  test("import: names, commands and reasons escaped; --json has the real names", async () => {
    const m = machine();
    hostileConfig(m);
    const r = await m.run(["import", "--dry-run"]);
    expect(r.code).toBe(0);
    harmless(r.stdout);
    const json = await m.run(["import", "--dry-run", "--json"]);
    const doc = JSON.parse(json.stdout);
    expect(doc.skipped.map((s: { server: string }) => s.server)).toContain(`ws${HOSTILE}`);
  });

  test("status and doctor: escaped", async () => {
    const m = machine();
    writeManifest(m, { servers: { plain: { command: "node", args: ["x.js"] } } });
    hostileConfig(m);
    const status = await m.run(["status"]);
    harmless(status.stdout + status.stderr, { escaped: false });
    const doctor = await m.run(["doctor", "--no-probe"]);
    harmless(doctor.stdout);
    expect(doctor.stdout).toContain(`cmd${SHOWN}`);
  });
});
