/**
 * `serve --share <name>` reads the manifest sync reads — in a cloned repo, the repo's
 * `./mcp-twin.jsonc` — and follows sync's rule for it: a project manifest's server that runs a
 * program is started only once the user trusted that very text (`mcp-twin sync` there asks). On
 * main it was started with no question. A name JavaScript objects know (`constructor`) is no server.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import { BIN, runCli } from "../helpers/fake-machine.js";
import { bridgeEnv, cleanup, tempDir } from "./helpers.js";

afterEach(cleanup);

function clonedRepo() {
  const root = tempDir();
  const home = path.join(root, "mcp-twin-home");
  mkdirSync(home, { recursive: true });
  writeFileSync(
    path.join(home, "mcp-twin.jsonc"),
    JSON.stringify({ servers: { fixture: { command: process.execPath, args: [inject("fixtureScript")] } } }),
  );
  const repo = path.join(root, "repo");
  mkdirSync(repo);
  const mark = path.join(root, "it-ran");
  // Leaves a mark, then serves MCP like the fixture (so a trusted share really starts).
  const script = `require('fs').writeFileSync(${JSON.stringify(mark)}, 'ran'); require(${JSON.stringify(inject("fixtureScript"))})`;
  writeFileSync(
    path.join(repo, "mcp-twin.jsonc"),
    JSON.stringify({ servers: { theirs: { command: process.execPath, args: ["-e", script] } } }, null, 2),
  );
  return { root, repo, mark, env: bridgeEnv(root) };
}

describe("serve --share from a project manifest", () => {
  test("an untrusted one's program is not started (exit 2, what it would run, how to trust it)", async () => {
    const { repo, mark, env } = clonedRepo();
    const r = await runCli(["serve", "--share", "theirs", "--port", "0"], env, repo, undefined, 15_000);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("this project's manifest is not trusted");
    expect(r.stderr).toContain("theirs would run");
    expect(r.stderr).toContain("mcp-twin sync");
    expect(existsSync(mark)).toBe(false);
  });

  test("trusted through sync (the same record), it is shared", async () => {
    const { repo, mark, env } = clonedRepo();
    const trusted = await runCli(["sync", "--yes", "--client", "claude-code"], env, repo);
    expect(trusted.code, trusted.stderr).toBe(0);
    // The bridge keeps running: the mark its server leaves is the proof, and then it is stopped.
    const serve = spawn(process.execPath, [BIN, "serve", "--share", "theirs", "--port", "0"], {
      env,
      cwd: repo,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    serve.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => serve.once("exit", resolve));
    const marked = (async () => {
      while (!existsSync(mark)) await new Promise((r) => setTimeout(r, 50));
    })();
    const first = await Promise.race([
      marked.then(() => "marked" as const),
      exited.then(() => "exited" as const),
    ]);
    serve.kill("SIGTERM");
    await exited;
    expect(first, stderr).toBe("marked");
    expect(stderr).not.toContain("not trusted");
  });

  test("--share constructor is an unknown server (exit 2), not Object's constructor", async () => {
    const { root, env } = clonedRepo();
    const r = await runCli(["serve", "--share", "constructor", "--port", "0"], env, root, undefined, 15_000);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--share constructor: not a server in/);
  });
});
