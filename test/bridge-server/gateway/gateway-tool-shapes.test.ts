/**
 * The gateway's tool rules closed by default: a `tools/call` they cannot judge — its name
 * no string, its params no object, in a batch — is refused and never reaches the server, through a
 * url entry and the relay, in both eras, under a deny rule and an allow list.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { clientToken } from "../../../src/core/bridge-link/client-token.js";
import { onJsonLines } from "../../helpers/json-lines.js";
import { postModern } from "../../helpers/raw-post-2026.js";
import { rawSession } from "../../helpers/raw-session.js";
import { ON_MESSAGE } from "../../helpers/script-messages.js";
import { BIN, tempDir } from "../helpers.js";
import { closeAfterEach, type Gateway, gatewayBridge, scriptServer } from "./gateway-helpers.js";

closeAfterEach();

/**
 * A raw 2025-11-25 stdio server that reads a call's tool name loosely (`String(name)`: the array
 * `["read_secret"]` is `read_secret`) and appends every request it gets, as it came, to the file
 * named by its argument.
 */
const LOGGING_SERVER =
  ON_MESSAGE +
  String.raw`
const { appendFileSync } = require("node:fs");
const got = process.argv[2];
const out = (m) => process.stdout.write(JSON.stringify({ jsonrpc: "2.0", ...m }) + "\n");
const tools = ["echo", "read_secret"].map((name) => ({ name, inputSchema: { type: "object" } }));
onMessage((m) => {
  if (m.id === undefined || m.method === undefined) return;
  appendFileSync(got, JSON.stringify(m) + "\n");
  const p = m.params ?? {};
  if (m.method === "initialize")
    out({ id: m.id, result: { protocolVersion: p.protocolVersion, capabilities: { tools: {} },
      serverInfo: { name: "vault", version: "1.0.0" } } });
  else if (m.method === "tools/list") out({ id: m.id, result: { tools } });
  else if (m.method === "tools/call") {
    const name = String(Array.isArray(p) ? p[0] : typeof p === "object" ? p.name : p);
    const text = name === "read_secret" ? "the secret" : "ran " + name;
    out({ id: m.id, result: { content: [{ type: "text", text }] } });
  } else out({ id: m.id, error: { code: -32601, message: "Method not found: " + m.method } });
});
`;

/** `vault` shared: every client is denied `read_secret`; VS Code gets `echo` alone. */
async function vault(): Promise<{ g: Gateway; calls: () => unknown[] }> {
  const dir = tempDir();
  const script = path.join(dir, "vault.cjs");
  const log = path.join(dir, "requests.jsonl");
  writeFileSync(script, LOGGING_SERVER);
  const g = await gatewayBridge({
    servers: {
      vault: {
        ...scriptServer(script, "machine", [log]),
        tools: { deny: ["read_secret"] },
        clientTools: { vscode: { allow: ["echo"] } },
      },
    },
  });
  const calls = () =>
    (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [])
      .map((l) => JSON.parse(l) as { method: string; params?: unknown })
      .filter((m) => m.method === "tools/call")
      .map((m) => m.params);
  return { g, calls };
}

const NO_PARAMS = Symbol("no params");
/** The params of every call the filter cannot judge (the first ran `read_secret` before). */
const SHAPES: unknown[] = [
  { name: ["read_secret"], arguments: {} },
  { name: 1 },
  { name: { 0: "read_secret" } },
  { name: null },
  { arguments: {} },
  JSON.parse('{"__proto__":{"name":"read_secret"}}'),
  ["read_secret"],
  "read_secret",
  NO_PARAMS,
];
const META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A call with these params (none for NO_PARAMS), in 2026-07-28 with the envelope where it fits. */
function callOf(id: number, params: unknown, era: "2025-11-25" | "2026-07-28" = "2025-11-25") {
  const modern = era === "2026-07-28" ? { _meta: META } : {};
  const sent = params === NO_PARAMS ? modern : isObject(params) ? { ...params, ...modern } : params;
  const none = params === NO_PARAMS && era === "2025-11-25";
  return { jsonrpc: "2.0", id, method: "tools/call", ...(none ? {} : { params: sent }) };
}

type Answer = { id?: unknown; result?: unknown; error?: { code: number; message: string } };

/** `mcp-twin connect <url> --as <label>`, one line at a time, each answer read before the next. */
function relay(g: Gateway, label: string) {
  const child = spawn(process.execPath, [BIN, "connect", g.shareUrl("vault"), "--as", label, "--no-start"], {
    env: g.env,
    stdio: ["pipe", "pipe", "ignore"],
  });
  const waiting: Array<(m: Answer) => void> = [];
  onJsonLines<Answer>(child.stdout, (m) => waiting.shift()?.(m));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    /** Send `m` and read `n` answers (a batch is answered one line per request). */
    send: (m: unknown, n = 1) =>
      new Promise<Answer[]>((resolve) => {
        const got: Answer[] = [];
        for (let i = 0; i < n; i++)
          waiting.push((a) => {
            if (got.push(a) === n) resolve(got);
          });
        child.stdin.write(`${JSON.stringify(m)}\n`);
      }),
    notify: (m: unknown) => child.stdin.write(`${JSON.stringify(m)}\n`),
    end: () => {
      child.stdin.end();
      return exited;
    },
  };
}

const INIT = {
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};
const BATCH = [callOf(20, SHAPES[0]), callOf(21, { name: "read_secret" })];

/** Every shape in both eras, and a batch, through one client's url entry: the answers. */
async function viaUrl(g: Gateway, label: string): Promise<Answer[]> {
  const token = clientToken(g.token, "vault", label);
  const s = await rawSession(g.shareUrl("vault"), token);
  const answers: Answer[] = [];
  for (const [i, params] of SHAPES.entries()) answers.push(...(await s.post(callOf(i + 1, params))).answers);
  answers.push(...(await s.post(BATCH)).answers);
  const modern = (body: unknown) =>
    postModern(g.shareUrl("vault"), token, "tools/call", JSON.stringify(body), { "mcp-name": "read_secret" });
  for (const [i, params] of SHAPES.entries())
    answers.push(...(await modern(callOf(i + 31, params, "2026-07-28"))).messages);
  answers.push(...(await modern([callOf(40, SHAPES[0], "2026-07-28")])).messages);
  return answers;
}

/** The same through the relay (`connect --as`): a batch line is the relay's to refuse. */
async function viaRelay(g: Gateway, label: string): Promise<Answer[]> {
  const r = relay(g, label);
  expect((await r.send(INIT))[0]?.result).toBeDefined();
  r.notify({ jsonrpc: "2.0", method: "notifications/initialized" });
  const answers: Answer[] = [];
  for (const [i, params] of SHAPES.entries()) answers.push(...(await r.send(callOf(i + 1, params))));
  answers.push(...(await r.send(BATCH, 2)));
  for (const [i, params] of SHAPES.entries())
    answers.push(...(await r.send(callOf(i + 31, params, "2026-07-28"))));
  await r.end();
  return answers;
}

test.each([
  ["url", viaUrl],
  ["relay", viaRelay],
] as const)(
  "through the %s entry, with a deny rule and with an allow list, in both eras: every call the rules cannot judge is refused and none reaches the server",
  async (_route, via) => {
    const { g, calls } = await vault();
    for (const label of ["linux:cursor", "linux:vscode"]) {
      const answers = await via(g, label);
      for (const [i, answer] of answers.entries()) {
        const said = `answer ${i} of ${label}: ${JSON.stringify(answer)}`;
        expect(answer.result, said).toBeUndefined();
        expect(answer.error?.code, said).toBeTypeOf("number");
      }
      // A name that is no string is refused as invalid params, as a tool the rules leave out is.
      // The first six shapes (ids 1 to 6, and 31 to 36 in 2026-07-28) are of the name alone.
      const named = answers.filter((a) => typeof a.id === "number" && a.id % 30 >= 1 && a.id % 30 <= 6);
      expect(named.map((a) => a.error?.code)).toEqual(Array(12).fill(-32602));
    }
    expect(calls()).toEqual([]);
    // The log is no blind spot: a call the rules allow is there.
    const s = await rawSession(g.shareUrl("vault"), clientToken(g.token, "vault", "linux:vscode"));
    expect((await s.post(callOf(99, { name: "echo" }))).answers[0]?.result).toBeDefined();
    expect(calls()).toEqual([{ name: "echo" }]);
  },
  90_000,
);
