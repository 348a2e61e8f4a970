/**
 * A recorded install given back by a fake machine's npm is the real npm's, on both sides: the same
 * prefix (paths, modes, links, bytes) and the same output but for npm's clock; so is the uninstall
 * after it; an `npm view` asked again is answered with the first answer's bytes.
 */
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, inject, test } from "vitest";
import { createFakeMachine, type FakeMachine } from "./fake-machine.js";
import { machinesCleanedAfterAll } from "./machines.js";
import { INSTALL_FLAGS, UNINSTALL_FLAGS } from "./npm-replay.js";

const machines = machinesCleanedAfterAll();

function make(realNpm: boolean): FakeMachine {
  const m = createFakeMachine({ registryUrl: inject("registryUrl"), bridgePort: false, realNpm });
  machines.push(m);
  return m;
}

/** Every entry under `dir`: its kind and mode, a link's target, a file's bytes. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = path.join(rel, name);
      const full = path.join(dir, r);
      const st = lstatSync(full);
      const mode = (st.mode & 0o777).toString(8);
      if (st.isSymbolicLink()) out[r] = `link ${readlinkSync(full)}`;
      else if (st.isDirectory()) {
        out[r] = `dir ${mode}`;
        walk(r);
      } else out[r] = `file ${mode} ${readFileSync(full, "base64")}`;
    }
  };
  walk("");
  return out;
}

/** npm's output with its clock taken out: durations, and the time in its log file's name. */
const clockless = (text: string) =>
  text
    .replace(/\d+(\.\d+)?m?s\b/g, "<t>")
    .replace(/\d{4}-\d\d-\d\dT\d\d_\d\d_\d\d_\d+Z/g, "<date>")
    .split(/\r?\n/)
    .filter((line) => !/ silly logfile /.test(line));

/** Wait for the run's recording of `spec` on `side` (made in the background at the run's start). */
async function recorded(side: "linux" | "windows", spec: string): Promise<void> {
  const file = path.join(inject("npmInstalls"), side, spec, "registry");
  const deadline = Date.now() + 100_000;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`no recording of ${spec} on ${side}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const spec = () => `${inject("fixtureName")}@1.1.0`;

function linuxNpm(m: FakeMachine, args: string[]) {
  return spawnSync(path.join(m.root, "linux-bin", "npm"), args, {
    env: m.env,
    cwd: m.paths.linuxHome,
    encoding: "utf8",
  });
}

function windowsNpm(m: FakeMachine, args: string[]) {
  const cmd = path.join(m.paths.drive, "Windows", "System32", "cmd.exe");
  return spawnSync(cmd, ["/d", "/s", "/c", "npm", ...args], {
    env: m.env,
    cwd: m.paths.drive,
    encoding: "utf8",
  });
}

test("Linux: the recorded install leaves the prefix real npm leaves, and prints what it prints", async () => {
  await recorded("linux", spec());
  const [copied, real] = [make(false), make(true)];
  const args = ["install", "-g", ...INSTALL_FLAGS, spec()];
  const [a, b] = [linuxNpm(copied, args), linuxNpm(real, args)];
  expect([a.status, b.status]).toEqual([0, 0]);
  // Copied, not installed: the real npm fills its cache, the copy leaves it alone.
  expect(existsSync(path.join(copied.root, "npm-cache", "_cacache"))).toBe(false);
  expect(existsSync(path.join(real.root, "npm-cache", "_cacache"))).toBe(true);
  const prefix = (m: FakeMachine) => path.join(m.paths.linuxHome, ".npm-global");
  expect(tree(prefix(copied))).toEqual(tree(prefix(real)));
  expect(Object.keys(tree(prefix(real)))).toContain(path.join("bin", "mcp-twin-fixture-server"));
  const same = (m: FakeMachine, text: string) => clockless(text.split(m.root).join("<root>"));
  expect(same(copied, a.stdout)).toEqual(same(real, b.stdout));
  expect(same(copied, a.stderr)).toEqual(same(real, b.stderr));
  // A second install into the same prefix is no longer the recorded call: the real npm runs it.
  expect(linuxNpm(copied, args).status).toBe(0);
  expect(existsSync(path.join(copied.root, "npm-cache", "_cacache"))).toBe(true);
});

test("Windows: the recorded install leaves the prefix and shims real npm leaves, and prints what it prints", async () => {
  await recorded("windows", spec());
  const [copied, real] = [make(false), make(true)];
  const args = ["install", "-g", ...INSTALL_FLAGS, spec()];
  const [a, b] = [windowsNpm(copied, args), windowsNpm(real, args)];
  expect([a.status, b.status]).toEqual([0, 0]);
  expect(existsSync(path.join(copied.root, "npm-cache-windows", "_cacache"))).toBe(false);
  expect(existsSync(path.join(real.root, "npm-cache-windows", "_cacache"))).toBe(true);
  const prefix = (m: FakeMachine) => path.join(m.paths.appdata, "npm");
  expect(tree(prefix(copied))).toEqual(tree(prefix(real)));
  expect(Object.keys(tree(prefix(real)))).toContain("mcp-twin-fixture-server.cmd");
  const same = (m: FakeMachine, text: string) => clockless(text.split(m.root).join("<root>"));
  expect(same(copied, a.stdout)).toEqual(same(real, b.stdout));
  expect(same(copied, a.stderr)).toEqual(same(real, b.stderr));
});

test.each(["linux", "windows"] as const)(
  "%s: the uninstall of a recorded install leaves the prefix real npm leaves and prints what it prints; from a prefix holding more, the real npm runs",
  async (side) => {
    await recorded(side, spec());
    const [copied, real] = [make(false), make(true)];
    const npm = side === "linux" ? linuxNpm : windowsNpm;
    const prefix = (m: FakeMachine) =>
      side === "linux" ? path.join(m.paths.linuxHome, ".npm-global") : path.join(m.paths.appdata, "npm");
    // npm's log of the run, which the real npm writes and a replay does not.
    const logs = (m: FakeMachine) =>
      path.join(m.root, side === "linux" ? "npm-cache" : "npm-cache-windows", "_logs");
    const install = ["install", "-g", ...INSTALL_FLAGS, spec()];
    const uninstall = ["uninstall", "-g", ...UNINSTALL_FLAGS, inject("fixtureName")];
    expect([npm(copied, install).status, npm(real, install).status]).toEqual([0, 0]);
    const installed = tree(prefix(real));
    const [a, b] = [npm(copied, uninstall), npm(real, uninstall)];
    expect([a.status, b.status]).toEqual([0, 0]);
    expect(existsSync(logs(copied))).toBe(false);
    expect(existsSync(logs(real))).toBe(true);
    expect(tree(prefix(copied))).toEqual(tree(prefix(real)));
    expect(Object.keys(tree(prefix(real))).length).toBeLessThan(Object.keys(installed).length);
    expect(JSON.stringify(tree(prefix(real)))).not.toContain("dist");
    const same = (m: FakeMachine, text: string) => clockless(text.split(m.root).join("<root>"));
    expect(same(copied, a.stdout)).toEqual(same(real, b.stdout));
    expect(same(copied, a.stderr)).toEqual(same(real, b.stderr));
    // Installed again, and a file of the person's in the prefix: the real npm uninstalls.
    expect(npm(copied, install).status).toBe(0);
    const extra = path.join(prefix(copied), "notes.txt");
    writeFileSync(extra, "mine\n");
    expect(npm(copied, uninstall).status).toBe(0);
    expect(existsSync(logs(copied))).toBe(true);
    expect(readFileSync(extra, "utf8")).toBe("mine\n");
  },
);

test.each(["linux", "windows"] as const)(
  "npm view on %s: asked again, the first answer's bytes, without npm",
  (side) => {
    const m = make(false);
    const args = ["view", inject("fixtureName"), "versions", "dist-tags", "--json"];
    const npm = side === "linux" ? linuxNpm : windowsNpm;
    const first = npm(m, args);
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ versions: ["1.0.0", "1.1.0"] });
    // The real npm's cache holds the registry's answer; asked again, nothing more is fetched (no
    // cache at all: another file of the run asked first, and this answer was its).
    const cache = path.join(m.root, side === "linux" ? "npm-cache" : "npm-cache-windows");
    const cached = () => (existsSync(cache) ? tree(cache) : {});
    const before = cached();
    const again = npm(m, args);
    expect([again.status, again.stdout, again.stderr]).toEqual([0, first.stdout, first.stderr]);
    expect(cached()).toEqual(before);
  },
);
