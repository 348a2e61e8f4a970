/**
 * The manifest's tool rules kept by the gateway for url entries (issue 55): two clients' entries
 * (two client tokens) to one shared process each get their own tools, listed and called, in both
 * protocol eras, on every route (SDK server, fast lanes, the 2026-07-28 handler, the list cache).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { clientToken } from "../../../src/core/bridge-link/client-token.js";
import { postModern } from "../../helpers/raw-post-2026.js";
import {
  callText,
  closeAfterEach,
  eraFixtures,
  type Gateway,
  gatewayBridge,
  scriptServer,
  v1Client,
  v2Client,
} from "./gateway-helpers.js";

closeAfterEach();

/** Both era fixtures shared: every client gets all but `ask`; VS Code only `echo` and `who*`. */
async function ruledGateway(): Promise<Gateway> {
  const { v1, v2 } = await eraFixtures();
  const rules = { tools: { deny: ["ask"] }, clientTools: { vscode: { allow: ["echo", "who*"] } } };
  return gatewayBridge({
    servers: {
      old: { ...scriptServer(v1.script, "machine"), ...rules },
      new: { ...scriptServer(v2.script, "machine"), ...rules },
    },
  });
}

/** `file:line:column` of `servers.<name>.clientTools.vscode.allow` in the manifest as written. */
function allowAt(g: Gateway, name: string): string {
  const file = path.join(g.dir, "..", "mcp-twin-home", "mcp-twin.jsonc");
  const lines = readFileSync(file, "utf8").split("\n");
  const server = lines.findIndex((l) => l.startsWith(`    "${name}": {`));
  const vscode = lines.findIndex((l, i) => i > server && l.includes('"vscode": {'));
  const allow = lines.findIndex((l, i) => i > vscode && l.includes('"allow"'));
  return `${file}:${allow + 1}:${(lines[allow] ?? "").indexOf('"allow"') + 1}`;
}

const names = (listed: { tools: Array<{ name: string }> }) => listed.tools.map((t) => t.name).sort();

test.each([
  ["old", "2025-11-25"],
  ["old", "2026-07-28"],
  ["new", "2025-11-25"],
  ["new", "2026-07-28"],
] as const)(
  "server %s, clients in %s: VS Code's entry lists and calls only its tools, Cursor's its own",
  async (server, era) => {
    const g = await ruledGateway();
    const mode = era === "2025-11-25" ? "legacy" : { pin: "2026-07-28" as const };
    const vscode = await v2Client(g.shareUrl(server), clientToken(g.token, server, "linux:vscode"), mode);
    const cursor = await v2Client(g.shareUrl(server), clientToken(g.token, server, "linux:cursor"), mode);
    expect(names(await vscode.listTools())).toEqual(["echo", "whoami"]);
    const all = names(await cursor.listTools());
    expect(all).toContain("count");
    expect(all).not.toContain("ask");
    // The process runs now: a call takes the fast lane where there is one (a 2025-11-25 server).
    expect(await callText(vscode, "echo", { text: "a" })).toMatch(/:a$/);
    expect(await callText(cursor, "count")).toBe("1");
    await expect(callText(vscode, "count")).rejects.toThrow(
      `the tool "count" of ${server} is not available to vscode: the manifest's servers.${server}.clientTools.vscode.allow (${allowAt(g, server)}) does not allow it`,
    );
    await expect(callText(cursor, "ask")).rejects.toThrow(`servers.${server}.tools.deny`);
    // Refused before the server: the counter did not move.
    expect(await callText(cursor, "count")).toBe("2");
    // The bridge token names no client: every tool.
    const relay = await v2Client(g.shareUrl(server), g.token, mode);
    expect(names(await relay.listTools())).toContain("ask");
  },
  90_000,
);

test("the SDK v1 client (2025-11-25) of VS Code gets its tools only, and the list cache is narrowed per client", async () => {
  const g = await ruledGateway();
  const forVscode = clientToken(g.token, "old", "linux:vscode");
  const forCursor = clientToken(g.token, "old", "linux:cursor");
  const first = await v1Client(g.shareUrl("old"), forVscode);
  expect(names(await first.listTools())).toEqual(["echo", "whoami"]);
  await expect(first.callTool({ name: "count", arguments: {} })).rejects.toThrow(
    "servers.old.clientTools.vscode.allow",
  );
  // Stopped: a new session lists from the cache, each client its own set.
  const restart = await fetch(g.url.replace(/\/mcp$/, "/control/restart/old"), {
    method: "POST",
    headers: { authorization: `Bearer ${g.token}` },
  });
  expect(restart.status).toBe(200);
  expect((await g.status()).shares.find((s) => s.name === "old")?.state).toBe("stopped");
  const vscode = await v1Client(g.shareUrl("old"), forVscode);
  const cursor = await v1Client(g.shareUrl("old"), forCursor);
  expect(names(await vscode.listTools())).toEqual(["echo", "whoami"]);
  expect(names(await cursor.listTools())).toContain("count");
  expect((await g.status()).shares.find((s) => s.name === "old")?.state).toBe("stopped");
}, 90_000);

test("a 2026-07-28 request the SDK's handler answers (not the lane) is narrowed and refused alike", async () => {
  const g = await ruledGateway();
  const token = clientToken(g.token, "new", "linux:vscode");
  const meta = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
    "io.modelcontextprotocol/clientCapabilities": {},
  };
  // An `Mcp-Param-*` header keeps a request off the lane.
  const off = { "mcp-param-x": "1" };
  const listed = await postModern(
    g.shareUrl("new"),
    token,
    "tools/list",
    JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: meta } }),
    off,
  );
  expect(listed.status).toBe(200);
  expect(names(listed.messages.at(-1)?.result)).toEqual(["echo", "whoami"]);
  const called = await postModern(
    g.shareUrl("new"),
    token,
    "tools/call",
    JSON.stringify({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "count", arguments: {}, _meta: meta },
    }),
    { "mcp-name": "count", ...off },
  );
  const error = called.messages.at(-1)?.error;
  expect(error?.code).toBe(-32602);
  expect(error?.message).toContain("servers.new.clientTools.vscode.allow");
  expect(error?.data).toMatchObject({ rule: "servers.new.clientTools.vscode.allow" });
}, 90_000);
