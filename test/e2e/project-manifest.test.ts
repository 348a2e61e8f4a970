/**
 * A `./mcp-twin.jsonc` in the current folder is a project manifest — committed with a repo,
 * written by someone else. It drives only that project's project-scope files (as if --project .),
 * never a user-level config; when its servers run programs it is trusted before its first sync
 * (shown, then confirmed on a terminal or with --yes), by the file's hash, so an edit asks again.
 * Every report names the manifest used.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { doctor, one } from "../doctor/helpers.js";
import type { FakeMachine } from "../helpers/fake-machine.js";
import { runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";
import { KEY, runInPty } from "../helpers/pty.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const SECRET = "fx-5a4b3c2d1e0f9a8b";
const setup = fixtureMachines(SECRET, () => `${inject("fixtureName")}@1.0.0`);

const userConfigs = (m: FakeMachine) =>
  [m.paths.claudeDesktopConfig, m.paths.cursorConfig, m.paths.claudeCodeConfig].map((f) =>
    existsSync(f) ? readFileSync(f, "utf8") : null,
  );

/** A synced machine, and a cloned repo beside it with its own manifest. */
async function machineWithRepo(servers: Record<string, unknown>) {
  const m = await setup.synced();
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
    expect(r.stderr).toContain("evil: node -e require('fs').writeFileSync('/tmp/owned','')");
    // The pinned package runs a program too: trusting the file trusts it as well.
    expect(r.stderr).toContain(`pinned: npm package ${inject("fixtureName")}@1.0.0 (this version)`);
    expect(r.stderr).toContain("mcp-twin sync --yes");
    expect(userConfigs(m)).toEqual(before);
    expect(existsSync(path.join(repo, ".mcp.json"))).toBe(false);
    expect(readFileSync(path.join(m.paths.home, "state.json"), "utf8")).toBe(state);
  });

  test("trusted with --yes: only the project's files are written, user-level configs stay byte for byte", async () => {
    const { m, repo, manifest, before } = await machineWithRepo(RUNS_A_PROGRAM);
    const r = await m.run(["sync", "--yes", "--json"], { cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    // Every server it runs, each on a line of its own under the warning (no stray mark).
    expect(r.stderr).toContain(
      `this project's manifest, written by whoever wrote the project. Trusting it (this version of the file) lets it write these servers into this project's files, where your clients start them:\n  evil: node -e require('fs').writeFileSync('/tmp/owned','')\n  pinned: npm package ${inject("fixtureName")}@1.0.0 (this version)\n`,
    );
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

describe("a project manifest that runs only pinned packages (and remotes)", () => {
  test("needs no trust (the spec's rule: one known version); status and doctor name it and look at the project's files only", async () => {
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

  test("a project sync installs nothing and says so once: no environment 'has no client' (Windows has two)", async () => {
    const { m, repo } = await machineWithRepo({ pinned: { package: `${inject("fixtureName")}@1.0.0` } });
    // A folder without a manifest of its own: `sync --project .` writes the user's servers there.
    const plain = path.join(m.root, "plain");
    mkdirSync(plain);
    const windowsPackages = path.join(m.paths.windowsPrefix, "node_modules");
    const installedBefore = readdirSync(windowsPackages).sort();
    for (const [folder, args] of [
      [repo, ["sync"]],
      [plain, ["sync", "--project", "."]],
    ] as const) {
      const r = await m.run([...args], { cwd: folder });
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(path.join(folder, ".mcp.json"))).toBe(true);
      expect(r.stdout).not.toContain("has no client");
      expect(r.stdout.match(/nothing installed/g)).toHaveLength(1);
      expect(r.stdout).toContain(
        "nothing installed: project entries run their packages through npx (`npx -y <package>@<version>`)",
      );
      expect(r.stderr).not.toContain("Installed");
      const json = JSON.parse((await m.run([...args, "--json"], { cwd: folder })).stdout);
      expect(json.noClient).toBeUndefined();
    }
    expect(readdirSync(windowsPackages).sort()).toEqual(installedBefore);
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

/**
 * Packages mcp-twin installed are machine-wide, but each was installed for a manifest: state
 * records which. A sync considers only the packages its own manifest installed (or relied on), and
 * calls one unused, or uninstalls it with --prune, only when no manifest that installed it uses it
 * still — a project's sync never touches the user-level manifest's, nor the user-level sync a
 * project's.
 */
describe("a project manifest and the packages mcp-twin installed", () => {
  const fixture = () => inject("fixtureName");
  const linuxCopy = (m: FakeMachine) => path.join(m.paths.linuxPrefix, "lib", "node_modules", fixture());
  const windowsCopy = (m: FakeMachine) => path.join(m.paths.windowsPrefix, "node_modules", fixture());
  const installs = (m: FakeMachine) =>
    JSON.parse(readFileSync(path.join(m.paths.home, "state.json"), "utf8")).installs as Record<
      string,
      Record<string, string>
    >;

  test("a project's sync neither calls the user-level manifest's package unused nor --prune uninstalls it", async () => {
    const { m, repo } = await machineWithRepo({ docs: { url: "https://example.com/mcp" } });
    const installed = installs(m);
    expect(installed["wsl:Ubuntu"]?.[fixture()]).toBe("1.0.0");
    const dry = await m.run(["sync", "--dry-run", "--yes"], { cwd: repo });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).not.toContain("stays installed");
    expect(dry.stdout).not.toContain(fixture());
    const prunedDry = await m.run(["sync", "--prune", "--dry-run", "--yes"], { cwd: repo });
    expect(prunedDry.code, prunedDry.stderr).toBe(0);
    expect(prunedDry.stdout).not.toContain("would uninstall");
    const pruned = await m.run(["sync", "--prune", "--yes"], { cwd: repo });
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(`${pruned.stdout}${pruned.stderr}`).not.toContain("Removed");
    expect(existsSync(linuxCopy(m))).toBe(true);
    expect(existsSync(windowsCopy(m))).toBe(true);
    expect(installs(m)).toEqual(installed);
    // The user-level setup is whole: a sync in the home has nothing to install.
    const home = await m.run(["sync", "--json"]);
    expect(home.code, home.stderr).toBe(0);
    expect(JSON.parse(home.stdout).installs.map((i: { action: string }) => i.action)).toEqual([
      "present",
      "present",
    ]);
  });

  test("the user-level --prune keeps what a project's sync installed; the project's own --prune removes it once unused", async () => {
    const m = setup({}, {});
    const repo = path.join(m.root, "repo");
    mkdirSync(repo, { recursive: true });
    const manifest = path.join(repo, "mcp-twin.jsonc");
    writeFileSync(manifest, JSON.stringify({ servers: { pinned: { package: `${fixture()}@1.0.0` } } }));
    // Naming the environment installs the project's package there (what `serve --share` runs).
    const project = await m.run(["sync", "--env", "wsl:Ubuntu"], { cwd: repo });
    expect(project.code, project.stderr).toBe(0);
    expect(existsSync(linuxCopy(m))).toBe(true);
    const home = await m.run(["sync"]);
    expect(home.code, home.stderr).toBe(0);
    expect(home.stdout).not.toContain("stays installed");
    const pruned = await m.run(["sync", "--prune"]);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(`${pruned.stdout}${pruned.stderr}`).not.toContain("Removed");
    expect(existsSync(linuxCopy(m))).toBe(true);
    // The project drops it: its own sync says it stays and how to remove it, and --prune does.
    writeFileSync(manifest, JSON.stringify({ servers: { docs: { url: "https://example.com/mcp" } } }));
    const dropped = await m.run(["sync"], { cwd: repo });
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(dropped.stdout).toContain(
      `ℹ ${fixture()}@1.0.0 (wsl:Ubuntu) stays installed: no server of the manifest uses it now. \`mcp-twin sync --prune\` uninstalls it.`,
    );
    const gone = await m.run(["sync", "--prune"], { cwd: repo });
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stderr).toContain(`Removed ${fixture()} from wsl:Ubuntu`);
    expect(existsSync(linuxCopy(m))).toBe(false);
    expect(installs(m)["wsl:Ubuntu"]?.[fixture()]).toBeUndefined();
  });

  test("a package both manifests use stays until neither does", async () => {
    const { m, repo, manifest } = await machineWithRepo({ pinned: { package: `${fixture()}@1.0.0` } });
    expect((await m.run(["sync"], { cwd: repo })).code).toBe(0);
    // The project relies on the copy the user-level sync installed in WSL: nothing to install and
    // no file to change, but that is recorded.
    const project = await m.run(["sync", "--env", "wsl:Ubuntu"], { cwd: repo });
    expect(project.code, project.stderr).toBe(0);
    expect(project.stderr).not.toContain("Installed");
    writeManifest(m, { servers: {} });
    const dry = await m.run(["sync", "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      `ℹ ${fixture()}@1.0.0 (windows) stays installed: no server of the manifest uses it now. \`mcp-twin sync --prune\` uninstalls it.`,
    );
    const pruned = await m.run(["sync", "--prune"]);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stderr).toContain(`Removed ${fixture()} from windows`);
    expect(pruned.stderr).not.toContain("from wsl:Ubuntu");
    expect(existsSync(windowsCopy(m))).toBe(false);
    expect(existsSync(linuxCopy(m))).toBe(true);
    // Now the project drops it too: nothing else uses it, and its --prune removes it.
    writeFileSync(manifest, JSON.stringify({ servers: { docs: { url: "https://example.com/mcp" } } }));
    const gone = await m.run(["sync", "--prune"], { cwd: repo });
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stderr).toContain(`Removed ${fixture()} from wsl:Ubuntu`);
    expect(existsSync(linuxCopy(m))).toBe(false);
  });

  test("a manifest it was installed for that cannot be read keeps it: the user level's --prune leaves it", async () => {
    const { m, repo, manifest } = await machineWithRepo({ pinned: { package: `${fixture()}@1.0.0` } });
    expect((await m.run(["sync", "--env", "wsl:Ubuntu"], { cwd: repo })).code).toBe(0);
    rmSync(manifest);
    writeManifest(m, { servers: {} });
    const pruned = await m.run(["sync", "--prune"]);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stderr).toContain(`Removed ${fixture()} from windows`);
    expect(existsSync(linuxCopy(m))).toBe(true);
    expect((await m.run(["sync"])).stdout).not.toContain("stays installed");
  });
});

/**
 * doctor starts every server to check it. In a cloned repo, the committed `.mcp.json` names
 * programs someone else chose: on main, `doctor` there ran them with no question. They start only
 * when mcp-twin wrote them, or the user trusted them (`--yes`, a yes on a terminal) — recorded in
 * the home's state like a project manifest's trust, so an edit of those entries asks again.
 */
describe("doctor in a cloned repo", () => {
  /** A repo whose committed .mcp.json runs a program that leaves a mark when started. */
  async function clonedRepo() {
    const m = await setup.synced();
    const repo = path.join(m.root, "cloned");
    mkdirSync(repo, { recursive: true });
    const mark = path.join(m.root, "it-ran");
    const committed = {
      mcpServers: {
        theirs: {
          command: "node",
          args: ["-e", `require('fs').writeFileSync(${JSON.stringify(mark)}, 'ran')`],
        },
      },
    };
    writeFileSync(path.join(repo, ".mcp.json"), `${JSON.stringify(committed, null, 2)}\n`);
    return { m, repo, mark, stateFile: path.join(m.paths.home, "state.json") };
  }

  test("does not start a committed .mcp.json's programs: reported as not started, with why and how to allow it", async () => {
    const { m, repo, mark, stateFile } = await clonedRepo();
    const state = readFileSync(stateFile, "utf8");
    const run = await doctor(m, [], { cwd: repo });
    expect(existsSync(mark)).toBe(false);
    const c = one(run, "probe.trust", { server: "theirs" });
    expect(c).toMatchObject({ status: "warn", client: "claude-code" });
    expect(c.message).toContain("is this project's file");
    expect(c.message).toContain("would run node -e");
    expect(c.fix).toContain("mcp-twin doctor --yes");
    expect(run.checks.filter((x) => x.id === "probe.handshake" && x.server === "theirs")).toEqual([]);
    expect(readFileSync(stateFile, "utf8")).toBe(state);
    // --no-probe starts nothing and asks nothing.
    const quiet = await doctor(m, ["--no-probe"], { cwd: repo });
    expect(quiet.checks.filter((x) => x.id === "probe.trust")).toEqual([]);
    expect(existsSync(mark)).toBe(false);
  });

  test("--yes trusts those entries (kept in the home's state); an edit of them asks again", async () => {
    const { m, repo, mark, stateFile } = await clonedRepo();
    const yes = await doctor(m, ["--yes"], { cwd: repo });
    expect(yes.stderr).toContain("theirs: node -e");
    expect(existsSync(mark)).toBe(true);
    expect(one(yes, "probe.handshake", { server: "theirs" }).status).toBe("fail"); // it ran, and is no MCP server
    const trusted = JSON.parse(readFileSync(stateFile, "utf8")).trusted;
    expect(Object.keys(trusted)).toEqual([path.join(repo, ".mcp.json")]);
    // Trusted: the next doctor starts it without being told again.
    rmSync(mark);
    const again = await doctor(m, [], { cwd: repo });
    expect(existsSync(mark)).toBe(true);
    expect(again.checks.filter((x) => x.id === "probe.trust")).toEqual([]);
    // Edited (a pull brought a new command): not started until trusted again.
    rmSync(mark);
    const file = path.join(repo, ".mcp.json");
    writeFileSync(file, readFileSync(file, "utf8").replace("'ran'", "'ran again'"));
    const edited = await doctor(m, [], { cwd: repo });
    expect(existsSync(mark)).toBe(false);
    expect(one(edited, "probe.trust", { server: "theirs" }).status).toBe("warn");
  });

  test("entries mcp-twin wrote there (from the project's manifest) are started; a hand-added one beside them is not", async () => {
    const { m, repo } = await machineWithRepo({ pinned: { package: `${inject("fixtureName")}@1.0.0` } });
    expect((await m.run(["sync"], { cwd: repo })).code).toBe(0);
    const file = path.join(repo, ".mcp.json");
    const doc = JSON.parse(readFileSync(file, "utf8"));
    const mark = path.join(m.root, "hand-added-ran");
    doc.mcpServers.added = {
      command: "node",
      args: ["-e", `require('fs').writeFileSync(${JSON.stringify(mark)}, '')`],
    };
    writeFileSync(file, JSON.stringify(doc, null, 2));
    const run = await doctor(m, [], { cwd: repo });
    expect(one(run, "probe.handshake", { server: "pinned", client: "claude-code" }).status).toBe("pass");
    expect(one(run, "probe.trust", { server: "added" }).status).toBe("warn");
    expect(existsSync(mark)).toBe(false);
  });

  test("on a terminal it shows the programs and asks; no starts nothing, yes starts them", async () => {
    const { m, repo, mark } = await clonedRepo();
    const no = runInPty(["doctor"], m.env, repo);
    await no.waitFor(/Trust them, and start them to check them\?/);
    expect(no.output()).toContain("theirs: node -e");
    no.type(`n${KEY.enter}`);
    const declined = await no.exit;
    expect(declined.output).toContain("not started by doctor:");
    expect(existsSync(mark)).toBe(false);
    const yes = runInPty(["doctor"], m.env, repo);
    await yes.waitFor(/Trust them, and start them to check them\?/);
    yes.type(`y${KEY.enter}`);
    await yes.exit;
    expect(existsSync(mark)).toBe(true);
  });
});
