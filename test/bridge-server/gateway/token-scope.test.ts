/**
 * What an entry's credential opens on a real bridge: a client token minted for one share opens that
 * share and nothing else, and a caller without the right token learns no share name (issue 40).
 */
import { expect, test } from "vitest";
import { clientToken } from "../../../src/core/bridge-link/client-token.js";
import {
  callText,
  closeAfterEach,
  eraFixtures,
  gatewayBridge,
  scriptServer,
  v2Client,
} from "./gateway-helpers.js";

closeAfterEach();

const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "probe", version: "1" } },
});

/** One request as a client would send it: initialize on MCP paths, the route's own method on control. */
async function ask(url: string, token: string | undefined): Promise<{ status: number; body: string }> {
  const control = /\/control\/(\w+)$/.exec(url)?.[1];
  const r = await fetch(url, {
    method: control === "status" ? "GET" : "POST",
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    ...(control === "status" ? {} : { body: control ? "" : INIT }),
  });
  return { status: r.status, body: await r.text() };
}

test("a token minted for share a opens /share/a, and is refused on /share/b, /mcp and every control route", async () => {
  const { v2 } = await eraFixtures();
  const g = await gatewayBridge({
    servers: { a: scriptServer(v2.script, "machine"), b: scriptServer(v2.script, "machine") },
  });
  const forA = clientToken(g.token, "a", "linux:claude-code");
  const client = await v2Client(g.shareUrl("a"), forA, { pin: "2026-07-28" });
  expect(await callText(client, "echo", { text: "1" })).toBe("v2:1");
  const base = g.url.replace(/\/mcp$/, "");
  for (const url of [
    g.shareUrl("b"),
    g.url,
    `${base}/control/status`,
    `${base}/control/reload`,
    `${base}/control/warm`,
  ]) {
    const r = await ask(url, forA);
    expect(r.status, url).toBe(401);
    expect(r.body, url).toContain("Unauthorized");
  }
  // The bridge token still opens them all (sync, status and doctor use it on the control routes).
  expect((await ask(`${base}/control/status`, g.token)).status).toBe(200);
  expect((await ask(g.shareUrl("b"), g.token)).status).toBe(200);
  expect((await ask(g.url, g.token)).status).toBe(200);
}, 60_000);

test("a wrong token, or one for another share: an existing share and an unknown one get the same answer", async () => {
  const { v2 } = await eraFixtures();
  const g = await gatewayBridge({
    servers: { a: scriptServer(v2.script, "machine"), secret: scriptServer(v2.script, "machine") },
  });
  const forA = clientToken(g.token, "a", "linux:claude-code");
  // No credential at all is refused the same way, from any account (no-credential.test.ts).
  for (const token of [forA, "not-a-token"]) {
    const known = await ask(g.shareUrl("secret"), token);
    const unknown = await ask(g.shareUrl("no-such-server"), token);
    expect(known.status, String(token)).toBe(401);
    expect(unknown).toEqual(known);
  }
  // The bridge token's holder owns the bridge: an unknown share is said to be one.
  expect((await ask(g.shareUrl("no-such-server"), g.token)).status).toBe(404);
}, 60_000);
