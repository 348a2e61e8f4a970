/**
 * `mcp-twin share <server> machine|project|session|off`: the manifest's `share` set or removed in
 * place (comments kept), the mode it has already changes nothing, bad input is exit 2 with the
 * nearest known name and nothing written; `add` says a catalogue server's mode and why, and adds it
 * unshared (saying so) where the manifest turns the bridge off.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createFakeMachine, type FakeMachine, runInProcessByDefault } from "../helpers/fake-machine.js";

runInProcessByDefault();

let machine: FakeMachine;
const file = () => path.join(machine.paths.home, "mcp-twin.jsonc");
const TEXT = `// my servers
{
  "servers": {
    // the one I use most
    "tavily": { "package": "tavily-mcp@0.2.22" },
    "docs": { "url": "https://example.com/mcp" }
  }
}
`;

beforeAll(() => {
  machine = createFakeMachine({ kind: "linux" });
  mkdirSync(machine.paths.home, { recursive: true });
  writeFileSync(file(), TEXT);
});
afterAll(() => machine?.cleanup());

describe("mcp-twin share", () => {
  test("sets the mode in place, keeping the comments; the same mode again writes nothing", async () => {
    const r = await machine.run(["share", "tavily", "machine", "--no-sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("tavily is shared per machine");
    const text = readFileSync(file(), "utf8");
    expect(text).toContain("// the one I use most");
    expect(text).toMatch(/"tavily": \{[^}]*"share": "machine"/);
    const again = await machine.run(["share", "tavily", "machine", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ server: "tavily", share: "machine", changed: false });
    expect(readFileSync(file(), "utf8")).toBe(text);
  });

  test("off removes it, and only it", async () => {
    const r = await machine.run(["share", "tavily", "off", "--no-sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("tavily is no longer shared");
    const text = readFileSync(file(), "utf8");
    expect(text).not.toContain("share");
    expect(text).toContain("// the one I use most");
    expect(JSON.parse(text.replace(/^\s*\/\/.*$/gm, "")).servers.tavily).toEqual({
      package: "tavily-mcp@0.2.22",
    });
  });

  test("an unknown server or mode: exit 2, the nearest known one named, nothing written", async () => {
    const before = readFileSync(file(), "utf8");
    const server = await machine.run(["share", "tavilly", "machine"]);
    expect(server.code).toBe(2);
    expect(server.stderr).toMatch(/tavilly.*not a server/);
    expect(server.stderr).toContain("tavily");
    const mode = await machine.run(["share", "tavily", "sesion"]);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toContain("session");
    // A url server has no project folder: only machine or session.
    const remote = await machine.run(["share", "docs", "project"]);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toMatch(/a url server has no project folder to run in: share it "machine"/);
    expect(readFileSync(file(), "utf8")).toBe(before);
  });

  test("a url server shared per machine goes through the bridge, which adds its headers on the way", async () => {
    const r = await machine.run(["share", "docs", "machine", "--no-sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("docs is shared per machine");
    expect(readFileSync(file(), "utf8")).toMatch(/"docs": \{[^}]*"share": "machine"/);
    expect((await machine.run(["share", "docs", "off", "--no-sync"])).code).toBe(0);
  });
});

test('with the bridge\'s own tools off (`"enabled": false`): share is accepted, as the gateway runs for shared servers all the same', async () => {
  const before = readFileSync(file(), "utf8");
  writeFileSync(
    file(),
    '{ "bridge": { "enabled": false }, "servers": { "tavily": { "package": "tavily-mcp@0.2.22" } } }\n',
  );
  try {
    const r = await machine.run(["share", "tavily", "machine", "--no-sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file(), "utf8")).servers.tavily.share).toBe("machine");
  } finally {
    writeFileSync(file(), before);
  }
});

describe("add says how a catalogue server runs", () => {
  test("memory: shared per machine, with the reason", async () => {
    const r = await machine.run(["add", "memory", "--yes", "--no-sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "Shared per machine (one process for every client session, in the bridge): a knowledge graph meant to be common: every session reads and writes the same one.",
    );
  });

  test("with the bridge's own tools off: added shared all the same (the gateway runs for it)", async () => {
    writeFileSync(file(), '{ "bridge": { "enabled": false }, "servers": {} }\n');
    const r = await machine.run(["add", "playwright", "--yes", "--no-sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Shared per session");
    expect(r.stdout).not.toContain("Not shared");
    expect(JSON.parse(readFileSync(file(), "utf8")).servers.playwright.share).toBe("session");
  });
});
