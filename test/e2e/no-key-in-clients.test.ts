/**
 * No key in any client's file (issue 77, item 6): a new user's `init --yes --server tavily --server
 * github --server memory` with Claude Code, Cursor, VS Code and opencode present (two of their files
 * readable by other users) leaves neither Tavily's key nor GitHub's token in any of them — both stay
 * in the home, the gateway adding them on the way out, and sync says so. A server kept unshared
 * keeps its key in its entries, said once by the sync that writes them, with `share` as the fix.
 */
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import { createFakeMachine, type FakeMachine, runInProcessByDefault } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";

runInProcessByDefault();

const FIRST_RUN = path.join(import.meta.dirname, "..", "fixtures", "first-run");
const TAVILY_KEY = "tvly-dev-7Qe2mXc4Rb9LpW3s";
const GITHUB_TOKEN = "ghp_9fK2xLq7Vb3Nm8Rt5Yw1Zc6Hd4Js0Pa2Ue7Q";

const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

/** The four clients on the files they write themselves; Cursor's and VS Code's readable by others. */
const CLIENTS = [
  { fixture: ["claude-code", ".claude.json"], file: [".claude.json"], mode: 0o600 },
  { fixture: ["cursor", "mcp.json"], file: [".cursor", "mcp.json"], mode: 0o644 },
  { fixture: ["vscode", "mcp.json"], file: [".config", "Code", "User", "mcp.json"], mode: 0o644 },
  { fixture: ["opencode", "opencode.jsonc"], file: [".config", "opencode", "opencode.jsonc"], mode: 0o600 },
];

/**
 * The catalogue's packages as installed (`<prefix>/lib/node_modules`, their versions), each running
 * the fixture server: sync finds them present and installs nothing (no registry holds them here).
 */
function installed(m: FakeMachine, packages: Record<string, string>): void {
  for (const [name, version] of Object.entries(packages)) {
    const dir = path.join(m.paths.linuxPrefix, "lib", "node_modules", ...name.split("/"));
    mkdirSync(path.join(dir, "dist"), { recursive: true });
    cpSync(inject("fixtureScript"), path.join(dir, "dist", "server.js"));
    const bin = { [name.split("/").pop() ?? name]: "dist/server.js" };
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, version, type: "module", bin }));
  }
}

/** Every spelling of a key a file could hold it in: as it is, and its part past a vendor prefix. */
const keyBytes = (key: string) => [key, key.replace(/^(tvly-dev-|ghp_)/, "")];

describe("a new user's init with the catalogue's servers", () => {
  test("leaves no key in any client's file: Tavily's and GitHub's stay in the home, and sync says so", async () => {
    const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false, claudeCode: false });
    machines.push(m);
    const files = CLIENTS.map((c) => {
      const file = path.join(m.paths.linuxHome, ...c.file);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, readFileSync(path.join(FIRST_RUN, ...c.fixture)));
      chmodSync(file, c.mode);
      return file;
    });
    installed(m, { "tavily-mcp": "0.2.22", "@modelcontextprotocol/server-memory": "2026.8.31" });
    const r = await m.run(
      [
        ...["init", "--yes", "--server", "tavily", "--server", "github", "--server", "memory"],
        ...[
          "--secret",
          `TAVILY_API_KEY=${TAVILY_KEY}`,
          "--secret",
          `GITHUB_PERSONAL_ACCESS_TOKEN=${GITHUB_TOKEN}`,
        ],
      ],
      { timeoutMs: 120_000 },
    );
    const said = r.stdout + r.stderr;
    expect(r.code, said).toBe(0);
    // Each client got the three servers…
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (const server of ["tavily", "github", "memory"]) expect(text, file).toContain(`"${server}"`);
      // …and holds no byte of either key.
      for (const key of [TAVILY_KEY, GITHUB_TOKEN])
        for (const bytes of keyBytes(key)) expect(text, file).not.toContain(bytes);
    }
    // Claude Code's private file reaches GitHub through the gateway with its own client token; a
    // file others can read gets the relay, which carries no credential at all.
    const claude = JSON.parse(readFileSync(files[0] ?? "", "utf8")).mcpServers.github;
    expect(claude.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/share\/github$/);
    expect(claude.headers.Authorization).toMatch(/^Bearer mt2\.github\.linux:claude-code\./);
    const cursor = JSON.parse(readFileSync(files[1] ?? "", "utf8")).mcpServers.github;
    expect(cursor.args).toContain("connect");
    expect(JSON.stringify(cursor)).not.toContain("Bearer");
    // No file will hold a key, so none is said to; where the keys stay is said.
    expect(said).not.toContain("will hold a key");
    expect(said).toContain(
      "The keys of tavily and github stay in mcp-twin's home: the bridge adds them on the way out, so no client's file holds them.",
    );
    for (const key of [TAVILY_KEY, GITHUB_TOKEN]) expect(said).not.toContain(key);
    // The keys are in the secrets file (0600), and only there.
    const secrets = path.join(m.paths.home, "secrets.json");
    expect(readFileSync(secrets, "utf8")).toContain(GITHUB_TOKEN);
    expect(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8")).not.toContain(GITHUB_TOKEN);
  }, 180_000);
});

const SECRET = "fx-4d2c1b0a9e8f7g6h";
const setup = fixtureMachines(SECRET, () => `${inject("fixtureName")}@1.0.0`);

test("a server kept unshared keeps its key in its entries: said once by the sync that writes them, with share as the fix", async () => {
  const m = setup({ kind: "linux", claudeDesktop: false, cursor: false });
  const first = await m.run(["sync"]);
  expect(first.code, first.stderr).toBe(0);
  expect(first.stdout).toContain(
    "fixture is not shared: its key is in each client's entry of it. `mcp-twin share fixture machine`, then `mcp-twin sync`, keeps it in mcp-twin's home (the bridge adds it on the way out).",
  );
  expect(first.stdout).not.toContain(SECRET);
  // Nothing written: nothing said again.
  const again = await m.run(["sync"]);
  expect(again.code, again.stderr).toBe(0);
  expect(again.stdout).not.toContain("is not shared");
}, 120_000);
