/** The built-in tools over real SDK clients: memory, notes (no escaping the folder), hand-off, status. */
import { mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { bridgeForFile, call, cleanup, httpClient, runCli, startBridge, tempDir } from "./helpers.js";

afterEach(cleanup);

/**
 * The bridge of the tests whose every write is refused (bad arguments, paths out of the notes
 * folder, names Windows cannot hold): one for them, as it holds nothing any of them wrote. The
 * tests that judge what the stores hold have their own.
 */
const refusing = bridgeForFile();

describe("memory", () => {
  test("set/get/list/delete JSON values, per namespace, with versions and conditional updates", async () => {
    const b = await startBridge();
    const desktop = await httpClient(b.url, b.token, "claude-desktop");
    const code = await httpClient(b.url, b.token, "claude-code");
    const decision = { auth: "JWT with refresh tokens", library: "jose" };
    expect((await call(desktop, "memory_set", { key: "auth", value: decision })).data).toMatchObject({
      version: 1,
      created: true,
    });
    const got = (await call(code, "memory_get", { key: "auth" })).data;
    expect(got).toMatchObject({ found: true, value: decision, version: 1, updatedBy: "claude-desktop" });
    await call(code, "memory_set", { key: "db", value: "postgres", namespace: "proj-a" });
    await call(code, "memory_set", { key: "n", value: [1, 2, { x: null }], namespace: "proj-a" });
    const listed = (await call(desktop, "memory_list", { namespace: "proj-a", includeValues: true })).data;
    expect(listed.entries.map((e: { key: string }) => e.key)).toEqual(["db", "n"]);
    expect(listed.entries[1].value).toEqual([1, 2, { x: null }]);
    expect(listed.namespaces).toEqual(["default", "proj-a"]);
    // A stale writer is refused instead of overwriting a change it has not seen.
    await call(code, "memory_set", { key: "auth", value: "v2", expectedVersion: 1 });
    const stale = await call(desktop, "memory_set", { key: "auth", value: "v2-other", expectedVersion: 1 });
    expect(stale.isError).toBe(true);
    expect(stale.text).toMatch(/version 2, not 1/);
    expect((await call(desktop, "memory_set", { key: "fresh", value: 1, expectedVersion: 0 })).isError).toBe(
      false,
    );
    expect((await call(desktop, "memory_delete", { key: "auth" })).data.deleted).toBe(true);
    expect((await call(desktop, "memory_get", { key: "auth" })).data.found).toBe(false);
    expect((await call(desktop, "memory_delete", { key: "auth" })).data.deleted).toBe(false);
  });

  test("bad arguments are tool errors that name the problem", async () => {
    const b = refusing();
    const client = await httpClient(b.url, b.token);
    const r = await client.callTool({ name: "memory_set", arguments: { key: "", value: 1 } });
    expect(r.isError).toBe(true);
    const ns = await client.callTool({ name: "memory_get", arguments: { key: "k", namespace: "../etc" } });
    expect(ns.isError).toBe(true);
  });
});

describe("notes", () => {
  test("write, append, create, read, list and delete Markdown notes", async () => {
    const b = await startBridge();
    const desktop = await httpClient(b.url, b.token, "claude-desktop");
    const code = await httpClient(b.url, b.token, "claude-code");
    expect(
      (await call(desktop, "notes_write", { path: "plans/auth", content: "# Auth plan\n" })).data,
    ).toEqual({
      path: "plans/auth.md",
      bytes: 12,
      created: true,
    });
    await call(desktop, "notes_write", { path: "plans/auth.md", content: "- use jose\n", mode: "append" });
    expect(
      (await call(desktop, "notes_write", { path: "plans/auth.md", content: "x", mode: "create" })).isError,
    ).toBe(true);
    await call(desktop, "notes_write", { path: "todo.md", content: "- [ ] review\n" });
    const read = await code.callTool({ name: "notes_read", arguments: { path: "plans/auth.md" } });
    expect((read.content as Array<{ text: string }>)[0]!.text).toBe("# Auth plan\n- use jose\n");
    const list = (await call(code, "notes_list")).data.notes.map((n: { path: string }) => n.path);
    expect(list).toEqual(["plans/auth.md", "todo.md"]);
    expect((await call(code, "notes_list", { prefix: "plans/" })).data.notes).toHaveLength(1);
    expect((await call(code, "notes_delete", { path: "todo" })).data.deleted).toBe(true);
    expect((await call(code, "notes_read", { path: "todo.md" })).text).toMatch(/No such note/);
  });

  test("no path leaves the notes folder: .., absolute, drive, hidden, or through a symbolic link", async () => {
    const b = refusing();
    const client = await httpClient(b.url, b.token);
    const outside = tempDir();
    for (const p of [
      "../escape",
      "a/../../escape",
      "/etc/passwd",
      "C:\\Windows\\x",
      "..\\..\\x",
      ".hidden",
      "a/.git/config",
      "~/x",
      "",
    ]) {
      const r = await call(client, "notes_write", { path: p, content: "no" });
      expect(r.isError, p).toBe(true);
      expect((await call(client, "notes_read", { path: p })).isError, p).toBe(true);
    }
    mkdirSync(path.join(b.dir, "notes"), { recursive: true });
    symlinkSync(outside, path.join(b.dir, "notes", "link"), "dir");
    const viaLink = await call(client, "notes_write", { path: "link/evil.md", content: "no" });
    expect(viaLink.isError).toBe(true);
    expect(viaLink.text).toMatch(/leaves the notes folder/);
  });

  test("names Windows cannot hold, and names too long, are refused without the state folder's path", async () => {
    const b = refusing();
    const client = await httpClient(b.url, b.token);
    for (const p of [
      "CON",
      "NUL.md",
      "plans/aux",
      "com1.txt",
      "plan.",
      "plan ",
      "a".repeat(300),
      "é".repeat(200),
    ]) {
      const r = await call(client, "notes_write", { path: p, content: "no" });
      expect(r.isError, p).toBe(true);
      expect(r.text, p).not.toContain(b.dir);
    }
    expect((await call(client, "notes_list")).data.notes).toEqual([]);
  });
});

describe("hand-off queue", () => {
  test("Code posts, Desktop lists, claims and completes; Code reads the result", async () => {
    const b = await startBridge();
    const code = await httpClient(b.url, b.token, "claude-code");
    const desktop = await httpClient(b.url, b.token, "claude-desktop");
    const posted = (
      await call(code, "handoff_post", {
        title: "please review this plan",
        body: "see plans/auth.md",
        to: "claude-desktop",
      })
    ).data.item;
    expect(posted).toMatchObject({ status: "open", from: "claude-code", to: "claude-desktop" });
    const open = (await call(desktop, "handoff_list", { to: "claude-desktop" })).data.items;
    expect(open.map((i: { id: string }) => i.id)).toEqual([posted.id]);
    const claimed = (await call(desktop, "handoff_claim", { id: posted.id })).data.item;
    expect(claimed).toMatchObject({ status: "claimed", claimedBy: "claude-desktop" });
    // Nobody else can take it now.
    expect((await call(code, "handoff_claim", { id: posted.id })).isError).toBe(true);
    await call(desktop, "handoff_complete", { id: posted.id, result: "LGTM, but rotate refresh tokens" });
    const done = (await call(code, "handoff_get", { id: posted.id })).data.item;
    expect(done).toMatchObject({
      status: "done",
      result: "LGTM, but rotate refresh tokens",
      completedBy: "claude-desktop",
    });
    expect((await call(code, "handoff_list")).data.items).toEqual([]);
    expect((await call(code, "handoff_list", { status: "done" })).data.items).toHaveLength(1);
    expect((await call(code, "handoff_complete", { id: posted.id, result: "again" })).isError).toBe(true);
    expect((await call(code, "handoff_get", { id: "999" })).isError).toBe(true);
  });
});

test("bridge_status: uptime, connected clients, token age, store sizes; tools have schemas and descriptions", async () => {
  const b = await startBridge();
  const a = await httpClient(b.url, b.token, "claude-desktop");
  await httpClient(b.url, b.token, "claude-code");
  await call(a, "memory_set", { key: "k", value: 1 });
  const s = (await call(a, "bridge_status")).data;
  expect(s).toMatchObject({
    pid: b.pid,
    url: b.url,
    stateDir: b.dir,
    memory: { keys: 1 },
    handoff: { open: 0 },
  });
  expect(s.clients.count).toBe(2);
  expect(s.clients.sessions.map((x: { client: string }) => x.client).sort()).toEqual([
    "claude-code",
    "claude-desktop",
  ]);
  expect(s.token.ageSeconds).toBeGreaterThanOrEqual(0);
  expect(s.uptimeSeconds).toBeGreaterThanOrEqual(0);
  const { tools } = await a.listTools();
  for (const t of tools) {
    expect(t.description!.length, t.name).toBeGreaterThan(20);
    expect(t.inputSchema.type).toBe("object");
  }
  const set = tools.find((t) => t.name === "memory_set")!;
  expect(set.inputSchema.required).toEqual(["key", "value"]);
});

describe("serve --help", () => {
  test("names exactly the tools a real bridge offers", async () => {
    const b = await startBridge({ args: ["--no-plugins"] });
    const client = await httpClient(b.url, b.token);
    const offered = (await client.listTools()).tools.map((t) => t.name).sort();
    const help = await runCli(["serve", "--help"], b.env);
    const block = help.stdout.split("Tools the bridge offers")[1]!.split("\n\n")[0]!;
    const listed = block
      .split("\n")
      .slice(1)
      .filter((line) => /^ {2}[a-z]+_[a-z_]+( |$)/.test(line))
      .flatMap((line) => line.trim().split(" "))
      .sort();
    expect(listed).toEqual(offered);
    expect(offered.length).toBeGreaterThan(10);
  });
});
