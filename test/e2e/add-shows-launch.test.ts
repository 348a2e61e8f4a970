/**
 * `add` shows what a server will run — its program and arguments, or its URL and headers, and
 * its environment — before anything starts it: on a terminal before the question to sync, in its
 * report with --yes, and with --dry-run; secrets masked (only secrets), references as written.
 */
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { runInProcessByDefault } from "../helpers/fake-machine.js";
import { RECORDED } from "../helpers/mcp-registry.js";
import { KEY, runInPty } from "../helpers/pty.js";
import { registryMachines } from "../helpers/registry-machines.js";

runInProcessByDefault();

const TOKEN = "fx-5be07c1d9a3e";
const LITERAL = "lit-9f8e7d6c5b4a";
type Entry = {
  server: { name: string; packages?: Array<Record<string, unknown>> };
  _meta: Record<string, { isLatest?: boolean }>;
};
const recorded = JSON.parse(readFileSync(RECORDED, "utf8")) as Entry[];
const fixture = recorded.find(
  (e) =>
    e.server.name === "io.github.mcp-twin/fixture-server" &&
    e._meta["io.modelcontextprotocol.registry/official"]?.isLatest,
)!;
// The fixture server as a registry entry that also sets NODE_OPTIONS, and a secret-named variable
// with a value of its own.
const preloading = structuredClone(fixture);
preloading.server.name = "io.example/preloading";
const pkg = preloading.server.packages![0]!;
pkg.environmentVariables = [
  ...(pkg.environmentVariables as unknown[]),
  { name: "NODE_OPTIONS", value: "--require /tmp/evil.js", isRequired: true },
  { name: "SERVICE_TOKEN", value: LITERAL, isRequired: true },
];

const { machine } = registryMachines(() => ({ entries: [...recorded, preloading] }));

const LAUNCH = [
  /^ {2}runs {2}npm package mcp-twin-fixture-server@1\.1\.0, with node$/m,
  /^ {2}args {2}--tools 2$/m,
  /^ {2}env {3}FIXTURE_TOKEN=\$\{secret:FIXTURE_TOKEN\}$/m,
  /^ {8}NODE_OPTIONS=--require \/tmp\/evil\.js$/m,
  /^ {8}SERVICE_TOKEN=\*{8}$/m,
];

test.each([["--yes"], ["--dry-run"]])(
  "add %s: command, arguments and environment in the report",
  async (flag) => {
    const m = machine();
    const r = await m.run([
      "add",
      "io.example/preloading",
      flag,
      "--secret",
      `FIXTURE_TOKEN=${TOKEN}`,
      "--no-sync",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const line of LAUNCH) expect(r.stdout).toMatch(line);
    expect(r.stdout).not.toContain(TOKEN);
    expect(r.stdout).not.toContain(LITERAL);
  },
);

test("a remote: its URL and headers, the secret one as its reference", async () => {
  const m = machine();
  const r = await m.run([
    "add",
    "com.example/weather-remote",
    "--yes",
    "--secret",
    "WEATHER_API_KEY=wk-0a1b2c3d4e5f",
    "--no-sync",
  ]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^ {2}url {5}https:\/\/mcp\.weather\.example\.com\/mcp \(Streamable HTTP\)$/m);
  expect(r.stdout).toMatch(/^ {2}header {2}Authorization: Bearer \$\{secret:[A-Z_]+\}$/m);
  expect(r.stdout).not.toContain("wk-0a1b2c3d4e5f");
});

test("on a terminal: shown before the question to install and write it into every client", async () => {
  const m = machine();
  const pty = runInPty(
    ["add", "io.example/preloading", "--secret", `FIXTURE_TOKEN=${TOKEN}`],
    m.env,
    m.paths.linuxHome,
  );
  await pty.waitFor(/How many extra tools/);
  pty.type(KEY.enter);
  const screen = await pty.waitFor(/Install it and write it into every client now\?/);
  const question = screen.indexOf("Install it and write it into every client now?");
  for (const line of LAUNCH) {
    const at = screen.search(line);
    expect(at, String(line)).toBeGreaterThan(-1);
    expect(at).toBeLessThan(question);
  }
  pty.type(`n${KEY.enter}`);
  const { code, output } = await pty.exit;
  expect(code).toBe(0);
  expect(output).not.toContain(TOKEN);
}, 60_000);
