/**
 * A `./mcp-twin.jsonc` in the current folder is a project manifest — committed with a repo,
 * written by someone else. It drives only that project's project-scope files (as if --project .),
 * never a user-level config; when its servers run programs it is trusted before its first sync
 * (shown, then confirmed on a terminal or with --yes), by the file's hash, so an edit asks again.
 * Every report names the manifest used.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { doctor, one } from "../doctor/helpers.js";
import type { FakeMachine } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";
import { KEY, runInPty } from "../helpers/pty.js";

const SECRET = "fx-5a4b3c2d1e0f9a8b";
const setup = fixtureMachines(SECRET, () => `${inject("fixtureName")}@1.0.0`);

const userConfigs = (m: FakeMachine) =>
  [m.paths.claudeDesktopConfig, m.paths.cursorConfig, m.paths.claudeCodeConfig].map((f) =>
    existsSync(f) ? readFileSync(f, "utf8") : null,
  );

/** A synced machine, and a cloned repo beside it with its own manifest. */
async function machineWithRepo(servers: Record<string, unknown>) {
  const m = setup();
  expect((await m.run(["sync"])).code).toBe(0);
  const repo = path.join(m.root, "repo");
  mkdirSync(repo, { recursive: true });
  const manifest = path.join(repo, "mcp-twin.jsonc");
  writeFileSync(manifest, `${JSON.stringify({ servers, bridge: { enabled: true } }, null, 2)}\n`);
  return { m, repo, manifest, before: userConfigs(m) };
}

const RUNS_A_PROGRAM = {
  evil: { command: "node", args: ["-e", "require('fs').writeFileSync('/tmp/owned','')"] },
  pinned: { package: `${inject("fixtureName")}@1.0.0` },
};

describe("a project manifest that runs programs", () => {
  test("is refused until trusted (exit 2, the programs shown); nothing is written anywhere", async () => {
    const { m, repo, before } = await machineWithRepo(RUNS_A_PROGRAM);
    const state = readFileSync(path.join(m.paths.home, "state.json"), "utf8");
    const r = await m.run(["sync"], { cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("this project's manifest runs programs and is not trusted yet");
    expect(r.stderr).toContain("evil (node -e require('fs').writeFileSync('/tmp/owned',''))");
    expect(r.stderr).toContain("mcp-twin sync --yes");
    expect(userConfigs(m)).toEqual(before);
    expect(existsSync(path.join(repo, ".mcp.json"))).toBe(false);
    expect(readFileSync(path.join(m.paths.home, "state.json"), "utf8")).toBe(state);
  });

  test("trusted with --yes: only the project's files are written, user-level configs stay byte for byte", async () => {
    const { m, repo, manifest, before } = await machineWithRepo(RUNS_A_PROGRAM);
    const r = await m.run(["sync", "--yes", "--json"], { cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("evil: node -e");
    const report = JSON.parse(r.stdout);
    expect(report.manifest).toEqual({ path: manifest, scope: "project" });
    expect(report.targets.every((t: { scope: string }) => t.scope === "project")).toBe(true);
    expect(userConfigs(m)).toEqual(before);
    const project = JSON.parse(readFileSync(path.join(repo, ".mcp.json"), "utf8"));
    expect(Object.keys(project.mcpServers).sort()).toEqual(["evil", "pinned"]); // no bridge: not the project's to enable
    // Trusted once: the next run does not ask.
    const again = await m.run(["sync"], { cwd: repo });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`Manifest: ${manifest} (this project's`);
    // Edited: asked again.
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace("/tmp/owned", "/tmp/owned-again"));
    const edited = await m.run(["sync"], { cwd: repo });
    expect(edited.code).toBe(2);
    expect(edited.stderr).toContain("not trusted yet");
    expect(userConfigs(m)).toEqual(before);
  });

  test("on a terminal it is shown and asked; no writes nothing, yes syncs", async () => {
    const { m, repo, before } = await machineWithRepo(RUNS_A_PROGRAM);
    const no = runInPty(["sync"], m.env, repo);
    await no.waitFor(/evil: node -e/);
    await no.waitFor(/Trust it, and write these servers into this project's files\?/);
    no.type(`n${KEY.enter}`);
    expect((await no.exit).code).toBe(2);
    expect(existsSync(path.join(repo, ".mcp.json"))).toBe(false);
    const yes = runInPty(["sync"], m.env, repo);
    await yes.waitFor(/Trust it, and write these servers/);
    yes.type(`y${KEY.enter}`);
    expect((await yes.exit).code).toBe(0);
    expect(existsSync(path.join(repo, ".mcp.json"))).toBe(true);
    expect(userConfigs(m)).toEqual(before);
  });
});

describe("a project manifest that runs no program of its own", () => {
  test("needs no trust; status and doctor name it and look at the project's files only", async () => {
    const { m, repo, manifest, before } = await machineWithRepo({
      pinned: { package: `${inject("fixtureName")}@1.0.0` },
      docs: { url: "https://example.com/mcp" },
    });
    const r = await m.run(["sync"], { cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(
      `Manifest: ${manifest} (this project's: it writes only this project's files, never your user-level configs)`,
    );
    expect(userConfigs(m)).toEqual(before);
    const rows = JSON.parse((await m.run(["status", "--json"], { cwd: repo })).stdout) as Array<{
      scope: string;
      manifest: string;
      state: string;
    }>;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.scope === "project" && row.manifest === manifest)).toBe(true);
    expect(rows.every((row) => row.state === "synced")).toBe(true);
    const run = await doctor(m, ["--no-probe"], { cwd: repo });
    expect(JSON.parse(run.stdout).manifest).toEqual({ path: manifest, scope: "project" });
    expect(one(run, "manifest.found").message).toContain("drives only this project's files");
    // The user's own servers are not "missing" from the project's point of view.
    expect(run.checks.filter((c) => c.id === "drift.entry" && c.status === "fail")).toEqual([]);
  });

  test("the home manifest is still the one for user-level files: --manifest, init and import use it", async () => {
    const { m, repo } = await machineWithRepo(RUNS_A_PROGRAM);
    const home = path.join(m.paths.home, "mcp-twin.jsonc");
    const r = await m.run(["sync", "--manifest", home, "--json"], { cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).manifest).toEqual({ path: home, scope: "user" });
    const init = await m.run(["init", "--yes", "--no-sync", "--server", "memory", "--json"], { cwd: repo });
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(init.stdout).manifest).toBe(home);
    expect(readFileSync(home, "utf8")).toContain('"memory"');
    expect(readFileSync(path.join(repo, "mcp-twin.jsonc"), "utf8")).not.toContain('"memory"');
  });
});
