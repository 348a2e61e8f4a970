/**
 * The door matrix: a call of a shared server's tool takes one route (share-call.ts) from every door
 * — `/share/<name>` and `/tools`' `call_tool`, each in both eras, and one client at each at once —
 * so each door answers the same: a tool held back by the pins, one the manifest denies (its rule and
 * line), one not on the judged list, each refused alike; progress out of order, a cancel, a server's
 * question and a `session` server's `roots/list` reach the calling client and no other.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Client } from "@modelcontextprotocol/client";
import { type ExpectStatic, expect, inject, test } from "vitest";
import { clientToken } from "../../../src/core/bridge-link/client-token.js";
import { approve, changesOf, unflagged } from "../../../src/core/pins/pin-changes.js";
import { savePins } from "../../../src/core/pins/pin-file.js";
import type { ListedTool } from "../../../src/core/pins/tool-pin.js";
import { type Cleanups, forFile } from "../helpers.js";
import {
  eraFixtures,
  type Gateway,
  gatewayBridge,
  scriptServer,
  until,
  v2Client,
} from "./gateway-helpers.js";

/**
 * `old` (2025-11-25, machine-shared) and `s` (session-shared, asks roots) behind /share and /tools
 * for Gemini CLI; `count` of old denied to it; `whoami` of old held back.
 */
async function doorsGateway(list: Cleanups): Promise<Gateway> {
  const { v1 } = await eraFixtures();
  const g = await gatewayBridge(
    {
      servers: {
        old: { ...scriptServer(v1.script, "machine"), clientTools: { "gemini-cli": { deny: ["count"] } } },
        s: scriptServer(inject("fixtureScript"), "session", ["--roots"]),
      },
      toolSearch: { clients: ["gemini-cli"] },
    },
    [],
    list,
  );
  expect((await g.warm()).warmed.sort()).toEqual(["old", "s"]);
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

/** One bridge per era, started together. */
const bridges = forFile(async (list) => {
  const [legacy, pinned] = await Promise.all([doorsGateway(list), doorsGateway(list)]);
  return { legacy, pinned };
});
/**
 * Each era's tests one after another (its `old` is one process: a cancel is counted in its log, and
 * a question is refused while two clients' calls are in flight), the two eras' side by side.
 */
const turns = new Map<string, Promise<unknown>>();
function inTurn(era: Era, run: () => Promise<void>): Promise<void> {
  const key = era === "legacy" ? "legacy" : "pinned";
  const mine = (turns.get(key) ?? Promise.resolve()).then(run);
  turns.set(
    key,
    mine.catch(() => {}),
  );
  return mine;
}

type Era = "legacy" | { pin: "2026-07-28" };
/** A client of a door: named A or B (what it answers a question), its roots `file:///<name>`. */
interface Who {
  name: string;
  /** The roots/list questions it was asked. */
  asked: number;
  /** A session of its own, named where 2026-07-28 has none (a relay's `Mcp-Twin-Session`): a `session` server's. */
  own?: boolean;
}
/** A door: where a client connects, and how it calls a tool of a server there. */
interface Door {
  name: string;
  open(g: Gateway, era: Era, server: string, who: Who): Promise<Client>;
  call: (
    server: string,
    tool: string,
    args: Record<string, unknown>,
  ) => { name: string; arguments: Record<string, unknown> };
}
/** A client at `url`: it answers a question with its name, roots/list with `file:///<name>`. */
const client = (url: string, token: string, era: Era, who: Who) =>
  v2Client(url, token, era, {
    elicit: () => ({ action: "accept", content: { name: who.name } }),
    roots: () => {
      who.asked++;
      return [`file:///${who.name}`];
    },
    headers: who.own ? { "Mcp-Twin-Session": `${who.name}-${randomUUID()}` } : {},
  });
const share: Door = {
  name: "/share",
  open: (g, era, server, who) =>
    client(g.shareUrl(server), clientToken(g.token, server, "linux:gemini-cli"), era, who),
  call: (_, name, args) => ({ name, arguments: args }),
};
const tools: Door = {
  name: "/tools",
  open: (g, era, _, who) =>
    client(g.url.replace(/\/mcp$/, "/tools"), clientToken(g.token, "/tools", "linux:gemini-cli"), era, who),
  call: (server, name, args) => ({
    name: "call_tool",
    arguments: { name: `${server}/${name}`, arguments: args },
  }),
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

const ERAS: Era[] = ["legacy", { pin: "2026-07-28" }];
const gatewayOf = (era: Era) => (era === "legacy" ? bridges().legacy : bridges().pinned);
/** Clients A and B: both at one door, or A at /share and B at /tools at once. */
const PAIRS = ERAS.flatMap((era) =>
  [
    [share, share],
    [tools, tools],
    [share, tools],
  ].map(([da, db]) => ({ doors: `${da!.name} + ${db!.name}`, da: da!, db: db!, era })),
);

test.concurrent.for(PAIRS)(
  "through $doors ($era): one route's answers, each client's its own",
  { timeout: 120_000 },
  ({ da, db, era }, { expect }) =>
    inTurn(era, async () => {
      const opened: Client[] = [];
      try {
        await matrix(da, db, era, expect, async (door, server, who) => {
          const c = await door.open(gatewayOf(era), era, server, who);
          opened.push(c);
          return c;
        });
      } finally {
        await Promise.all(opened.map((c) => c.close().catch(() => {})));
      }
    }),
);

/** One pair of doors in one era, on that era's bridge; `open`: a client of a door, closed after. */
async function matrix(
  da: Door,
  db: Door,
  era: Era,
  expect: ExpectStatic,
  open: (door: Door, server: string, who: Who) => Promise<Client>,
): Promise<void> {
  const g = gatewayOf(era);
  const A = { name: "A", asked: 0 };
  const B = { name: "B", asked: 0 };
  const a = await open(da, "old", A);
  const b = await open(db, "old", B);
  const old = (door: Door, tool: string, args: Record<string, unknown> = {}) => door.call("old", tool, args);
  for (const [c, door] of [
    [a, da],
    [b, db],
  ] as const) {
    // A held tool, a denied one (the rule and its line), one not on the judged list: refused alike.
    expect(await said(c, old(door, "whoami"))).toMatch(
      /the tool "whoami" of old is held back: it is new since old's tools were approved.*mcp-twin tools --approve old/,
    );
    expect(await said(c, old(door, "count"))).toMatch(
      /the tool "count" of old is not available to gemini-cli: the manifest's servers\.old\.clientTools\.gemini-cli\.deny \(.*mcp-twin\.jsonc:\d+:\d+\) denies it/,
    );
    expect(await said(c, old(door, "nosuch"))).toMatch(
      /the tool "nosuch" is not on old's tools list as the gateway last read it/,
    );
    // A name the route cannot read (not a string) is refused, never passed on to be read as "echo".
    const unread = old(door, "echo", { text: "x" });
    const named =
      door === share ? { ...unread, name: ["echo"] } : { ...unread, arguments: { name: ["old/echo"] } };
    expect(await said(c, named as never)).toMatch(
      /\["echo"\] is not on old's tools list|must name its tool with a string|expected string/i,
    );
  }
  // A session server's roots/list, at its start and during the call, is its own client's alone; a
  // 2026-07-28 client has no stream to be asked on while its call starts the process.
  const own = { A: { name: "A", asked: 0, own: true }, B: { name: "B", asked: 0, own: true } };
  const roots = async (door: Door, who: Who) => {
    const text = await said(await open(door, "s", who), door.call("s", "roots", {}));
    return JSON.parse(text) as { start: unknown; now: unknown };
  };
  const answered = { A: await roots(da, own.A), B: await roots(db, own.B) };
  for (const [name, got] of Object.entries(answered)) {
    expect(got.now).toEqual([`file:///${name}`]);
    expect(got.start).toEqual(
      era === "legacy" ? got.now : { error: expect.stringMatching(/cannot be asked now/) },
    );
  }
  expect([own.A.asked, own.B.asked]).toEqual(era === "legacy" ? [2, 2] : [1, 1]);
  // Progress out of order (the later call ends first), each client's its own.
  const seen = { a: 0, b: 0 };
  const slowA = a.callTool(old(da, "slow", { ms: 400 }), { onprogress: () => void seen.a++ });
  const slowB = b.callTool(old(db, "slow", { ms: 100 }), { onprogress: () => void seen.b++ });
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
    .callTool(old(da, "slow", { ms: 20_000 }), { signal: abort.signal, onprogress: () => started() })
    .catch(() => "cancelled");
  const beside = said(b, old(db, "slow", { ms: 200 }));
  await progressed;
  const before = cancels(g);
  abort.abort();
  expect(await long).toBe("cancelled");
  expect(await beside).toBe("slept 200");
  await until("the server saw the cancel", async () => (cancels(g) > before ? true : undefined));
  // A server's question reaches the client whose call asked it; with two calls at once, that client
  // or none (a 2025-11-25 server over stdio does not say which call asks: refused, never guessed).
  expect(await said(a, old(da, "ask"))).toBe("hello A");
  expect(await said(b, old(db, "ask"))).toBe("hello B");
  const asked = await Promise.all([said(a, old(da, "ask")), said(b, old(db, "ask"))]);
  expect(asked[0]).toMatch(/^hello A$|can ask a client only during that client's own call/);
  expect(asked[1]).toMatch(/^hello B$|can ask a client only during that client's own call/);
  expect(A.asked + B.asked).toBe(0);
}
