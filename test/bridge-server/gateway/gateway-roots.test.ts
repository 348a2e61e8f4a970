/**
 * What a shared process holds is the manifest's, never one client's: a server that asks
 * `roots/list` (the fixture's `--roots`, as server-filesystem asks at its start) gets the folders
 * its manifest entry names when it is `machine`-shared, its project folder when `project`-shared,
 * its own client's roots when `session`-shared — whatever another client answers; a client's
 * `roots/list_changed` reaches its own session's process only; a client that declares no roots gets
 * a working first call, through `/tools` too.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import {
  Client,
  StreamableHTTPClientTransport,
  type VersionNegotiationMode,
} from "@modelcontextprotocol/client";
import { afterEach, expect, inject, test } from "vitest";
import { clientToken } from "../../../src/core/bridge-link/client-token.js";
import { ON_MESSAGE } from "../../helpers/script-messages.js";
import { forFile, tempDir } from "../helpers.js";
import { gatewayBridge, scriptServer, until } from "./gateway-helpers.js";

const root = tempDir();
const folder = (name: string) => {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
};
/** The folder the manifest names in `m`'s (and `t`'s) arguments, and a project's. */
const given = folder("given");
const project = folder("project");
const uri = (dir: string) => pathToFileURL(dir).href;

/**
 * A raw 2026-07-28-only stdio server (no SDK) whose `roots` tool asks `roots/list` by
 * `input_required` (with an elicitation beside it when called with `{ "also": true }`), again for
 * what a retry did not answer, and answers the URIs it was given.
 */
const SCRIPT_2026 =
  ON_MESSAGE +
  String.raw`
const out = (m) => process.stdout.write(JSON.stringify({ jsonrpc: "2.0", ...m }) + "\n");
const complete = (r) => ({ ...r, resultType: "complete" });
onMessage((m) => {
  if (m.id === undefined || m.method === undefined) return;
  const p = m.params ?? {};
  const answers = p.inputResponses ?? {};
  if (m.method === "initialize")
    out({ id: m.id, error: { code: -32022, message: "Unsupported protocol version: " + p.protocolVersion } });
  else if (m.method === "server/discover")
    out({ id: m.id, result: complete({ supportedVersions: ["2026-07-28"], capabilities: { tools: {} } }) });
  else if (m.method === "tools/list")
    out({ id: m.id, result: complete({ tools: [{ name: "roots", inputSchema: { type: "object" } }] }) });
  else if (!answers.r || (p.arguments?.also && !answers.e)) {
    const inputRequests = {};
    if (!answers.r) inputRequests.r = { method: "roots/list" };
    if (p.arguments?.also && !answers.e) inputRequests.e = { method: "elicitation/create", params: { mode: "form",
      message: "Sure?", requestedSchema: { type: "object", properties: {} } } };
    out({ id: m.id, result: { resultType: "input_required", requestState: "s", inputRequests } });
  } else {
    const text = JSON.stringify({ now: answers.r.roots.map((r) => r.uri), also: answers.e?.action });
    out({ id: m.id, result: complete({ content: [{ type: "text", text }] }) });
  }
});
`;

const bridge = forFile(async (list) => {
  const script = inject("fixtureScript");
  const script2026 = path.join(root, "roots-2026.cjs");
  writeFileSync(script2026, SCRIPT_2026);
  const g = await gatewayBridge(
    {
      servers: {
        m: scriptServer(script, "machine", ["--roots", given]),
        p: scriptServer(script, "project", ["--roots"]),
        s: scriptServer(script, "session", ["--roots"]),
        t: scriptServer(script, "machine", ["--roots", given]),
        m26: scriptServer(script2026, "machine", [given]),
      },
      toolSearch: { clients: ["gemini-cli"] },
    },
    [],
    list,
  );
  expect(await g.warm()).toMatchObject({ failed: [] });
  return g;
});

const clients: Client[] = [];
afterEach(() => Promise.all(clients.splice(0).map((c) => c.close().catch(() => {}))));
/** A client of `url` that declares roots and answers `roots` (or declares none: undefined). */
async function client(
  url: string,
  token: string,
  roots: string[] | undefined,
  era: VersionNegotiationMode = "legacy",
  headers: Record<string, string> = {},
) {
  const c = new Client(
    { name: "roots-client", version: "1" },
    { versionNegotiation: { mode: era }, capabilities: roots ? { roots: { listChanged: true } } : {} },
  );
  let asked = 0;
  if (roots)
    c.setRequestHandler("roots/list", async () => {
      asked++;
      return { roots: roots.map((r) => ({ uri: r })) };
    });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${token}`, ...headers } },
    }),
  );
  clients.push(c);
  return { c, asked: () => asked };
}

/** What the server says it was answered: at its start, after a change, during this call. */
async function rootsOf(c: Client, name = "roots", args: Record<string, unknown> = {}) {
  const r = (await c.callTool({ name, arguments: args })) as {
    content: Array<{ text: string }>;
    isError?: boolean;
  };
  const text = r.content.map((p) => p.text).join("");
  if (r.isError) throw new Error(text);
  return JSON.parse(text) as { start: unknown; changed: unknown; now: unknown };
}

test("a machine-shared server gets the folders its manifest entry names, whichever client's call started it and whatever that client answers", async () => {
  const g = bridge();
  // The first call starts it: a client that would widen it to the whole disk is not asked.
  const wide = await client(g.shareUrl("m"), g.token, ["file:///"]);
  const none = await client(g.shareUrl("m"), g.token, undefined, { pin: "2026-07-28" });
  const expected = { start: [uri(given)], changed: null, now: [uri(given)] };
  expect(await rootsOf(wide.c)).toEqual(expected);
  expect(await rootsOf(none.c)).toEqual(expected);
  // Its change says nothing to a process that is every client's.
  await wide.c.sendRootsListChanged();
  expect(await rootsOf(wide.c)).toEqual(expected);
  expect(wide.asked()).toBe(0);
});

test("a machine-shared 2026-07-28 server asking roots by input_required gets them from the gateway; what else it asks still goes to the client", async () => {
  const g = bridge();
  for (const era of ["legacy", { pin: "2026-07-28" as const }] as const) {
    const wide = await client(g.shareUrl("m26"), g.token, ["file:///"], era);
    expect(await rootsOf(wide.c)).toEqual({ now: [uri(given)] });
    expect(wide.asked()).toBe(0);
  }
  // Asked roots and an elicitation at once: the client is asked the elicitation only.
  const c = new Client(
    { name: "roots-client", version: "1" },
    {
      versionNegotiation: { mode: { pin: "2026-07-28" } },
      capabilities: { roots: {}, elicitation: { form: {} } },
    },
  );
  const asked: string[] = [];
  c.setRequestHandler("roots/list", async () => {
    asked.push("roots/list");
    return { roots: [{ uri: "file:///" }] };
  });
  c.setRequestHandler("elicitation/create", async () => {
    asked.push("elicitation/create");
    return { action: "accept", content: {} };
  });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(g.shareUrl("m26")), {
      requestInit: { headers: { Authorization: `Bearer ${g.token}` } },
    }),
  );
  clients.push(c);
  expect(await rootsOf(c, "roots", { also: true })).toEqual({ now: [uri(given)], also: "accept" });
  expect(asked).toEqual(["elicitation/create"]);
});

test("a project-shared server gets its project folder; a session-shared one its own client's roots, or none", async () => {
  const g = bridge();
  const inProject = { "Mcp-Twin-Project": project };
  const wide = await client(g.shareUrl("p"), g.token, ["file:///"], "legacy", inProject);
  expect(await rootsOf(wide.c)).toEqual({ start: [uri(project)], changed: null, now: [uri(project)] });
  expect(wide.asked()).toBe(0);
  const own = await client(g.shareUrl("s"), g.token, ["file:///own"]);
  const none = await client(g.shareUrl("s"), g.token, undefined);
  expect(await rootsOf(own.c)).toEqual({ start: ["file:///own"], changed: null, now: ["file:///own"] });
  // A client that declares no roots: its process is told it has none, and its first call works.
  expect(await rootsOf(none.c)).toEqual({ start: [], changed: null, now: [] });
});

test("a client's roots/list_changed reaches its own session's process, which asks it again", async () => {
  const g = bridge();
  const own = await client(g.shareUrl("s"), g.token, ["file:///own"]);
  const other = await client(g.shareUrl("s"), g.token, ["file:///other"]);
  expect(await rootsOf(own.c)).toMatchObject({ changed: null });
  expect(await rootsOf(other.c)).toMatchObject({ changed: null });
  const before = own.asked();
  await own.c.sendRootsListChanged();
  await until("its process asks it again", () => own.asked() > before || undefined);
  expect(await rootsOf(own.c)).toMatchObject({ changed: ["file:///own"] });
  expect(await rootsOf(other.c)).toMatchObject({ changed: null });
});

test.each(["legacy", { pin: "2026-07-28" as const }] as const)(
  "through /tools, the first call after a start works for a %o client that declares no roots",
  async (era) => {
    const g = bridge();
    // Every process of `t` stopped: the call below starts it.
    const restart = g.url.replace(/\/mcp$/, "/control/restart/t");
    await fetch(restart, { method: "POST", headers: { authorization: `Bearer ${g.token}` } });
    const token = clientToken(g.token, "/tools", "linux:gemini-cli");
    const { c } = await client(g.url.replace(/\/mcp$/, "/tools"), token, undefined, era);
    const found = await rootsOf(c, "call_tool", { name: "t/roots", arguments: {} });
    expect(found).toEqual({ start: [uri(given)], changed: null, now: [uri(given)] });
  },
);
