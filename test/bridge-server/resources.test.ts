/**
 * The shared notes as MCP resources, over real SDK clients: listed, read, subscribed to, with
 * `notifications/resources/updated` when a subscribed note changes — written by another session or
 * edited on disk — and `list_changed` when one appears; the capabilities declared are exactly the
 * ones served.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterEach, expect, test } from "vitest";
import { bridgeForFile, call, cleanup, httpClient, sleep, startBridge } from "./helpers.js";

afterEach(cleanup);

/** The bridge of the capabilities and of the notes listed as resources (the only notes it holds). */
const shared = bridgeForFile();

async function until<T>(what: string, get: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

test("capabilities: tools (no listChanged) and resources with subscribe; nothing else", async () => {
  const b = shared();
  const client = await httpClient(b.url, b.token);
  expect(client.getServerCapabilities()).toEqual({
    tools: {},
    resources: { subscribe: true, listChanged: true },
  });
});

test("notes are resources: list, templates, read; a note that does not exist is -32002 (2025-11-25) or -32602 (2026-07-28)", async () => {
  const b = shared();
  const client = await httpClient(b.url, b.token);
  const modern = await httpClient(b.url, b.token, "modern-client", { pin: "2026-07-28" });
  await call(client, "notes_write", { path: "plans/auth plan", content: "# Auth\n- jose\n" });
  await call(client, "notes_write", { path: "todo", content: "- review\n" });
  const { resources } = await client.listResources();
  expect(resources).toEqual([
    expect.objectContaining({
      uri: "mcp-twin://notes/plans/auth%20plan.md",
      name: "plans/auth plan.md",
      mimeType: "text/markdown",
      size: 14,
    }),
    expect.objectContaining({ uri: "mcp-twin://notes/todo.md", name: "todo.md" }),
  ]);
  expect((await client.listResourceTemplates()).resourceTemplates[0]?.uriTemplate).toBe(
    "mcp-twin://notes/{+path}",
  );
  const read = await client.readResource({ uri: resources[0]!.uri });
  expect(read.contents).toEqual([
    { uri: "mcp-twin://notes/plans/auth%20plan.md", mimeType: "text/markdown", text: "# Auth\n- jose\n" },
  ]);
  // The SDK's client reads either code as "not found": the 2025-11-25 session's code is read off the wire.
  const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId!;
  for (const uri of ["mcp-twin://notes/nope.md", "mcp-twin://notes/../token", "file:///etc/passwd"]) {
    const wire = await fetch(b.url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${b.token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-session-id": sessionId,
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "resources/read", params: { uri } }),
    }).then((r) => r.json() as Promise<{ error?: { code: number; data?: unknown } }>);
    expect(wire.error?.code, uri).toBe(-32002);
    expect(wire.error?.data, uri).toEqual({ uri });
    const error = await modern.readResource({ uri }).then(
      () => undefined,
      (e: { code?: number }) => e,
    );
    expect(error?.code, uri).toBe(-32602);
  }
});

test("subscribe: another session's write, and an edit on disk, send resources/updated; a new note list_changed", async () => {
  const b = await startBridge();
  const reader = await httpClient(b.url, b.token, "claude-desktop");
  const writer = await httpClient(b.url, b.token, "claude-code");
  await call(writer, "notes_write", { path: "plan", content: "v1\n" });
  const updated: string[] = [];
  let listChanged = 0;
  reader.setNotificationHandler("notifications/resources/updated", async (n) => {
    updated.push(n.params.uri);
  });
  reader.setNotificationHandler("notifications/resources/list_changed", async () => {
    listChanged++;
  });
  await reader.subscribeResource({ uri: "mcp-twin://notes/plan.md" });
  await reader.subscribeResource({ uri: "mcp-twin://notes/marker.md" });
  // The reader's GET stream (where unrelated notifications go) is open once a list_changed reaches
  // it: a new note is written until one does (one written before it opened is not heard).
  let warm = 0;
  let warmedAt = 0;
  await until("the GET stream", () => {
    if (listChanged > 0) return true;
    if (Date.now() - warmedAt >= 100) {
      warmedAt = Date.now();
      void call(writer, "notes_write", { path: `warm-${warm++}`, content: "x" });
    }
    return undefined;
  });
  listChanged = 0;
  /** Nothing else arrived: a marker note's update, sent after it, has (one stream, in order). */
  let markers = 0;
  const marker = async () => {
    await call(writer, "notes_write", { path: "marker", content: `${++markers}\n` });
    await until("the marker's update", () =>
      updated.filter((u) => u === "mcp-twin://notes/marker.md").length >= markers ? true : undefined,
    );
  };

  await call(writer, "notes_write", { path: "plan.md", content: "v2\n", mode: "append" });
  await until("an update", () => (updated.length >= 1 ? true : undefined));
  expect(updated).toEqual(["mcp-twin://notes/plan.md"]);
  expect((await reader.readResource({ uri: "mcp-twin://notes/plan.md" })).contents[0]).toMatchObject({
    text: "v1\nv2\n",
  });

  // Someone edits the file by hand: the watcher notices.
  writeFileSync(path.join(b.dir, "notes", "plan.md"), "edited by hand\n");
  await until("an update from disk", () => (updated.length >= 2 ? true : undefined));
  expect(updated[1]).toBe("mcp-twin://notes/plan.md");

  // A note in a folder made by hand after the subscription.
  await reader.subscribeResource({ uri: "mcp-twin://notes/later/idea.md" });
  mkdirSync(path.join(b.dir, "notes", "later"));
  // The watcher takes up a new folder a moment after it appears, and a note written before then
  // goes unseen (no fixed wait is long enough on a busy machine): written again until it is seen,
  // each time after longer than the watcher's 50 ms settling time, which every write restarts.
  let written = 0;
  await until("an update in a new folder", () => {
    if (updated.includes("mcp-twin://notes/later/idea.md")) return true;
    if (Date.now() - written >= 250) {
      writeFileSync(path.join(b.dir, "notes", "later", "idea.md"), "an idea\n");
      written = Date.now();
    }
    return undefined;
  });
  await reader.unsubscribeResource({ uri: "mcp-twin://notes/later/idea.md" });

  // Other notes change: no update for them, but the list changed.
  await call(writer, "notes_write", { path: "other", content: "x" });
  await until("list_changed", () => (listChanged >= 1 ? true : undefined));
  await marker();
  const others = (u: string) => !["mcp-twin://notes/plan.md", "mcp-twin://notes/marker.md"].includes(u);
  expect(updated.filter((u) => others(u) && !u.includes("later/"))).toEqual([]);

  await reader.unsubscribeResource({ uri: "mcp-twin://notes/plan.md" });
  const before = updated.filter((u) => u === "mcp-twin://notes/plan.md").length;
  await call(writer, "notes_write", { path: "plan", content: "v3\n" });
  await marker();
  expect(updated.filter((u) => u === "mcp-twin://notes/plan.md").length).toBe(before);
}, 30_000);
