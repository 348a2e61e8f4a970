/**
 * A Codex entry that runs `node <script>` outside any node_modules folder stays a command, and its
 * note says only what is true of the files on disk: a script that is not there is said to be
 * missing (whatever package.json a folder above it holds), a script that is a package's bin is
 * named as that package's, one in a project's folder is not, and npm is never promised.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createFakeMachine, type FakeMachine, runInProcessByDefault } from "../helpers/fake-machine.js";

runInProcessByDefault();

let m: FakeMachine;
const put = (file: string, text: string) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};

beforeAll(() => {
  m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false, claudeCode: false });
  // An unrelated folder whose package.json names mcp-twin; the script under it is not there.
  put(path.join(m.root, "audit-b", "package.json"), JSON.stringify({ name: "mcp-twin", version: "9.9.9" }));
  // A checkout of a package whose bin is the script.
  const checkout = path.join(m.root, "src", "local-mcp");
  put(
    path.join(checkout, "package.json"),
    JSON.stringify({ name: "local-mcp", version: "0.1.0", bin: { "local-mcp": "dist/index.js" } }),
  );
  put(path.join(checkout, "dist", "index.js"), "// the server\n");
  // A user's project with a helper script that is none of its bins.
  put(path.join(m.root, "proj", "package.json"), JSON.stringify({ name: "my-app", version: "1.0.0" }));
  put(path.join(m.root, "proj", "tools", "mcp.js"), "// a helper\n");
  const toml = (name: string, script: string) =>
    `[mcp_servers.${name}]\ncommand = "node"\nargs = [${JSON.stringify(script)}]\n`;
  put(
    path.join(m.paths.linuxHome, ".codex", "config.toml"),
    [
      toml("kv", path.join(m.root, "audit-b", "kv.js")),
      toml("checkout", path.join(checkout, "dist", "index.js")),
      toml("helper", path.join(m.root, "proj", "tools", "mcp.js")),
    ].join("\n"),
  );
});
afterAll(() => m?.cleanup());

test("import's notes on node scripts outside node_modules are what the files show", async () => {
  const r = await m.run(["import", "--client", "codex", "--dry-run", "--json"]);
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(r.stdout) as { servers: Array<{ name: string; notes: string[] }> };
  const notes = Object.fromEntries(report.servers.map((c) => [c.name, c.notes.join("\n")]));
  expect(notes.kv).toContain(`runs ${path.join(m.root, "audit-b", "kv.js")}, which does not exist`);
  expect(notes.checkout).toContain(
    `runs a script outside any installed package: the local-mcp bin of local-mcp 0.1.0, from its folder ${path.join(m.root, "src", "local-mcp")}`,
  );
  expect(notes.helper).toContain("runs a script outside any installed package");
  expect(notes.helper).not.toContain("my-app");
  const all = Object.values(notes).join("\n");
  expect(all).not.toMatch(/mcp-twin add|from npm|names mcp-twin/);
});

test("the text report says the same (the run that imports them)", async () => {
  const r = await m.run(["import", "--client", "codex", "--yes"]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain(`note: runs ${path.join(m.root, "audit-b", "kv.js")}, which does not exist`);
  expect(r.stdout).not.toMatch(/mcp-twin add|installs it from npm/);
});
