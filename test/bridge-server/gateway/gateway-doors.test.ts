/**
 * The door matrix: a call of a shared server's tool takes one route (share-call.ts) from every door
 * — `/share/<name>` and `/tools`' `call_tool`, each in both eras — so each door answers the same: a
 * tool held back by the pins, one the manifest denies (its rule and line), one not on the judged
 * list, each refused alike; progress out of order, a cancel and a server's question reach the
 * calling client and no other, with two clients at once.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Client } from "@modelcontextprotocol/client";
import { afterAll, afterEach, expect, test } from "vitest";
import { clientToken } from "../../../src/core/bridge-link/client-token.js";
import { approve, changesOf, unflagged } from "../../../src/core/pins/pin-changes.js";
import { savePins } from "../../../src/core/pins/pin-file.js";
import type { ListedTool } from "../../../src/core/pins/tool-pin.js";
import type { Cleanups } from "../helpers.js";
import {
  closeClients,
  eraFixtures,
  type Gateway,
  gatewayBridge,
  scriptServer,
  until,
  v2Client,
} from "./gateway-helpers.js";

// One gateway for the whole matrix: every door is asked the same of the same server (a gateway's
// start and warm-up cost more than a door's calls); each test's clients are closed after it.
afterEach(closeClients);
const kept: Cleanups = [];
afterAll(async () => {
  for (const stop of kept.splice(0).reverse())
    await Promise.resolve()
      .then(stop)
      // One step that fails (a folder already gone) must not keep the next from running.
      .catch(() => {});
});
let shared: Promise<Gateway> | undefined;
const theGateway = () => {
  shared ??= doorsGateway();
  return shared;
};

/** `old` (2025-11-25, machine-shared) behind /share and /tools for Gemini CLI; `count` denied to it; `whoami` held back. */
async function doorsGateway(): Promise<Gateway> {
  const { v1 } = await eraFixtures();
  const g = await gatewayBridge(
    {
      servers: {
        old: { ...scriptServer(v1.script, "machine"), clientTools: { "gemini-cli": { deny: ["count"] } } },
      },
      toolSearch: { clients: ["gemini-cli"] },
    },
    [],
    kept,
  );
  expect((await g.warm()).warmed).toEqual(["old"]);
  // What sync does, less one tool: every tool pinned as listed but whoami, new since, so held back.
  const cache = JSON.parse(readFileSync(path.join(g.dir, "shares-cache.json"), "utf8")) as {
    servers: Record<string, { lists: { "tools/list": { tools: ListedTool[] } } }>;
  };
  const tools = (cache.servers.old?.lists["tools/list"].tools ?? []).filter((t) => t.name !== "whoami");
  const old = approve(undefined, changesOf(undefined, tools), unflagged, { at: "2026-12-01T00:00:00Z" });
  await savePins(path.join(g.dir, "..", "mcp-twin-home", "pins.json"), { old });
  await g.reload();
  return g;
}

type Era = "legacy" | { pin: "2026-07-28" };
/** A door: where a client connects, and how it calls a tool of `old` there. */
interface Door {
  name: string;
  open(g: Gateway, era: Era, elicit?: (m: string) => Record<string, unknown>): Promise<Client>;
  call: (tool: string, args: Record<string, unknown>) => { name: string; arguments: Record<string, unknown> };
}
const share: Door = {
  name: "/share/old",
  open: (g, era, elicit) =>
    v2Client(
      g.shareUrl("old"),
      clientToken(g.token, "old", "linux:gemini-cli"),
      era,
      elicit ? { elicit } : {},
    ),
  call: (name, args) => ({ name, arguments: args }),
};
const tools: Door = {
  name: "/tools",
  open: (g, era, elicit) =>
    v2Client(
      g.url.replace(/\/mcp$/, "/tools"),
      clientToken(g.token, "/tools", "linux:gemini-cli"),
      era,
      elicit ? { elicit } : {},
    ),
  call: (name, args) => ({ name: "call_tool", arguments: { name: `old/${name}`, arguments: args } }),
};

/** What a call answered: its text, or its refusal's words (a JSON-RPC error at /share, a tool error at /tools). */
async function said(c: Client, call: ReturnType<Door["call"]>): Promise<string> {
  try {
    const r = await c.callTool(call);
    return (r.content as Array<{ text?: string }>).map((x) => x.text).join("");
  } catch (error) {
    return (error as Error).message;
  }
}

const cancels = (g: Gateway) => (g.serverLog("old").match(/slow cancelled after/g) ?? []).length;

const DOORS: Array<{ door: Door; era: Era }> = [share, tools].flatMap((door) =>
  (["legacy", { pin: "2026-07-28" }] as const).map((era) => ({ door, era })),
);

test.each(DOORS)(
  "through $door.name ($era): one route's answers",
  async ({ door, era }) => {
    const g = await theGateway();
    const a = await door.open(g, era, () => ({ action: "accept", content: { name: "A" } }));
    const b = await door.open(g, era, () => ({ action: "accept", content: { name: "B" } }));
    // A held tool, a denied one (the rule and its line), one not on the judged list: refused alike.
    expect(await said(a, door.call("whoami", {}))).toMatch(
      /the tool "whoami" of old is held back: it is new since old's tools were approved.*mcp-twin tools --approve old/,
    );
    expect(await said(a, door.call("count", {}))).toMatch(
      /the tool "count" of old is not available to gemini-cli: the manifest's servers\.old\.clientTools\.gemini-cli\.deny \(.*mcp-twin\.jsonc:\d+:\d+\) denies it/,
    );
    expect(await said(a, door.call("nosuch", {}))).toMatch(
      /the tool "nosuch" is not on old's tools list as the gateway last read it/,
    );
    // A name the route cannot read (not a string) is refused, never passed on to be read as "echo".
    const unread = door.call("echo", { text: "x" });
    const named =
      door === share ? { ...unread, name: ["echo"] } : { ...unread, arguments: { name: ["old/echo"] } };
    expect(await said(a, named as never)).toMatch(
      /\["echo"\] is not on old's tools list|must name its tool with a string|expected string/i,
    );
    // Progress out of order (the later call ends first), each client's its own.
    const seen = { a: 0, b: 0 };
    const slowA = a.callTool(door.call("slow", { ms: 400 }), { onprogress: () => void seen.a++ });
    const slowB = b.callTool(door.call("slow", { ms: 100 }), { onprogress: () => void seen.b++ });
    const first = await Promise.race([slowA.then(() => "a"), slowB.then(() => "b")]);
    expect(first).toBe("b");
    await slowA;
    expect(seen.a).toBeGreaterThan(seen.b);
    expect(seen.b).toBeGreaterThan(0);
    // A cancel stops its own call at the server; the other client's call beside it goes on.
    const abort = new AbortController();
    let started = () => {};
    const progressed = new Promise<void>((resolve) => {
      started = resolve;
    });
    const long = a
      .callTool(door.call("slow", { ms: 20_000 }), { signal: abort.signal, onprogress: () => started() })
      .catch(() => "cancelled");
    const beside = said(b, door.call("slow", { ms: 200 }));
    await progressed;
    const before = cancels(g);
    abort.abort();
    expect(await long).toBe("cancelled");
    expect(await beside).toBe("slept 200");
    await until("the server saw the cancel", async () => (cancels(g) > before ? true : undefined));
    // A server's question reaches the client whose call asked it; with two calls at once, that client
    // or none (a 2025-11-25 server over stdio does not say which call asks: refused, never guessed).
    expect(await said(a, door.call("ask", {}))).toBe("hello A");
    expect(await said(b, door.call("ask", {}))).toBe("hello B");
    const asked = await Promise.all([said(a, door.call("ask", {})), said(b, door.call("ask", {}))]);
    expect(asked[0]).toMatch(/^hello A$|can ask a client only during that client's own call/);
    expect(asked[1]).toMatch(/^hello B$|can ask a client only during that client's own call/);
  },
  120_000,
);
