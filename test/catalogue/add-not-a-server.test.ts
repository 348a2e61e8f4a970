/**
 * A package that is not an MCP server: `add` refuses one with no program to start before anything
 * is written, and says (and on a terminal asks) about one whose metadata says nothing of MCP. A
 * bad server already in the manifest is its own problem in sync's report: the other servers'
 * writes are reported as done, in text and --json.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { createFakeMachine, runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { KEY, runInPty } from "../helpers/pty.js";
import { type Registry, startRegistry } from "../helpers/registry.js";

runInProcessByDefault();

let dir: string;
let registry: Registry;

/** A real package, packed by npm: a library (no bin), or a program that says nothing of MCP. */
function pack(name: string, version: string, bin?: Record<string, string>): string {
  const staging = path.join(dir, name);
  mkdirSync(staging, { recursive: true });
  writeFileSync(
    path.join(staging, "package.json"),
    JSON.stringify({ name, version, main: "index.js", ...(bin ? { bin } : {}), license: "MIT" }),
  );
  writeFileSync(path.join(staging, "index.js"), "#!/usr/bin/env node\nmodule.exports = {};\n");
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], {
    cwd: staging,
    encoding: "utf8",
    env: { ...process.env, npm_config_loglevel: "error" },
  });
  return path.join(dir, (JSON.parse(out) as Array<{ filename: string }>)[0]!.filename);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-not-a-server-"));
  registry = await startRegistry([
    { name: "lodash", version: "4.17.21", tgz: pack("lodash", "4.17.21") },
    {
      name: "left-pad-cli",
      version: "1.0.0",
      tgz: pack("left-pad-cli", "1.0.0", { "left-pad": "index.js" }),
      bin: { "left-pad": "index.js" },
    },
    {
      name: inject("fixtureName"),
      version: "1.0.0",
      tgz: inject("fixtureTgz"),
      bin: { "mcp-twin-fixture-server": "dist/server.js" },
    },
  ]);
});
afterAll(async () => {
  await registry.close();
  rmSync(dir, { recursive: true, force: true });
});

const machine = () => {
  const m = createFakeMachine({ registryUrl: registry.url, kind: "linux" });
  // The MCP Registry asked for a way out: nothing listens there (said so, quickly).
  m.env.MCP_TWIN_REGISTRY = "http://127.0.0.1:9/";
  return m;
};
const manifestFile = (m: ReturnType<typeof machine>) => path.join(m.paths.home, "mcp-twin.jsonc");

test("add lodash: refused before the manifest is written (exit 2), with the way out", async () => {
  const m = machine();
  try {
    const r = await m.run(["add", "lodash", "--yes"]);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toContain(
      "lodash@4.17.21 is not an MCP server mcp-twin can run: the package has no bin, so there is no program to start. Nothing was written.",
    );
    expect(r.stderr).toContain("`mcp-twin add --list` shows the catalogue");
    expect(r.stderr).toContain('goes into the manifest as a "command" with its "args"');
    expect(r.stdout).not.toContain("Added");
    expect(existsSync(manifestFile(m))).toBe(false);
    const j = await m.run(["add", "lodash", "--yes", "--json"]);
    expect(JSON.parse(j.stdout).errors[0].code).toBe("not-a-server");
  } finally {
    m.cleanup();
  }
});

test("a program that says nothing of MCP: warned before it is written; on a terminal, asked (no by default)", async () => {
  const m = machine();
  try {
    const session = runInPty(["add", "left-pad-cli"], m.env, m.paths.linuxHome);
    await session.waitFor(/Add it anyway\?/);
    session.type(KEY.enter);
    const declined = await session.exit;
    expect(declined.code, declined.output).toBe(0);
    expect(declined.output).toContain(
      "left-pad-cli@1.0.0 may not be an MCP server: nothing npm says of it mentions MCP",
    );
    expect(declined.output).toContain("Nothing changed.");
    expect(existsSync(manifestFile(m))).toBe(false);
    // --yes (a script): the warning, then it is added as asked.
    const r = await m.run(["add", "left-pad-cli", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("left-pad-cli@1.0.0 may not be an MCP server");
    expect(readFileSync(manifestFile(m), "utf8")).toContain('"left-pad-cli"');
  } finally {
    m.cleanup();
  }
}, 60_000);

test("sync with a package that has no bin: the other server's writes are done, the bad one is named per target", async () => {
  const m = machine();
  try {
    writeManifest(m, {
      servers: {
        fixture: { package: `${inject("fixtureName")}@1.0.0` },
        lodash: { package: "lodash@4.17.21" },
      },
    });
    const r = await m.run(["sync"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/▲ linux claude-code \S+ {2}updated \+fixture\n/);
    expect(r.stdout).not.toMatch(/claude-code .* failed/);
    expect(r.stdout).toContain(
      "✖ lodash: lodash@4.17.21 has no bin: the package holds no program to start, so it is not an MCP server mcp-twin can run (`mcp-twin remove lodash` takes it out of the manifest)",
    );
    expect(r.stdout).not.toContain('set "bin"');
    const j = await m.run(["sync", "--json"]);
    expect(j.code).toBe(1);
    const doc = JSON.parse(j.stdout) as {
      targets: Array<{ client: string; action: string; problems?: Array<{ server: string }> }>;
    };
    const code = doc.targets.find((t) => t.client === "claude-code")!;
    // Nothing to write the second time: the target got nothing it lacks but lodash.
    expect(code.action).toBe("failed");
    expect(code.problems?.map((p) => p.server)).toEqual(["lodash"]);
    const entries = JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers;
    expect(Object.keys(entries)).toEqual(["fixture"]);
  } finally {
    m.cleanup();
  }
}, 120_000);
