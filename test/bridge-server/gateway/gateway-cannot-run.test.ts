/**
 * A server the manifest shares that cannot run here (a `${secret:…}` not set, a package not
 * installed): every client of either era is told which server, why and what to do, in the same
 * answer (HTTP 400, -32602), as `status` and `bridge status` say it; following the fix makes it
 * run. And a reload whose manifest does not load keeps what runs, and says why.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { BIN } from "../helpers.js";
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

const run = promisify(execFile);
/** `mcp-twin <args>` in the bridge's home, its exit code and output (stdin: `input`). */
async function cli(g: Gateway, args: string[], input?: string) {
  const child = run(process.execPath, [BIN, ...args], { env: g.env, encoding: "utf8" });
  if (input !== undefined) child.child.stdin?.end(input);
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A raw POST to a share: its HTTP status and JSON body. */
async function post(g: Gateway, name: string, headers: Record<string, string>, body: unknown) {
  const res = await fetch(g.shareUrl(name), {
    method: "POST",
    headers: {
      authorization: `Bearer ${g.token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as { id: unknown; error?: { code: number; message: string } },
  };
}

const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};
const LIST_2026 = {
  jsonrpc: "2.0",
  id: 7,
  method: "tools/list",
  params: {
    _meta: {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
      "io.modelcontextprotocol/clientCapabilities": {},
    },
  },
};

/** What an SDK client's failed connect says (its message and the body it quotes). */
const refused = (client: Promise<unknown>) =>
  client.then(
    () => "connected",
    (error: unknown) => String(error),
  );

test("a secret not set: both eras get one answer naming the server, the secret and the fix; status says it; the fix makes it run", async () => {
  const { v2 } = await eraFixtures();
  const g = await gatewayBridge({
    servers: {
      keyed: { ...scriptServer(v2.script, "machine", ["--both"]), env: { KEY: "${secret:API_KEY}" } },
    },
  });
  const why =
    'the shared server "keyed" cannot run here: servers.keyed needs secret API_KEY. Set it: `mcp-twin secret set API_KEY`; then run `mcp-twin sync`.';
  const answer = { code: -32602, message: `Invalid params: ${why}` };
  // The same refusal in each era: what a 2026-07-28 client's probe gets lets it fall back and hear it.
  const old = await post(g, "keyed", { "mcp-protocol-version": "2025-11-25" }, INIT);
  expect(old).toEqual({ status: 400, body: { jsonrpc: "2.0", id: 1, error: answer } });
  const modern = await post(
    g,
    "keyed",
    { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/list" },
    LIST_2026,
  );
  expect(modern).toEqual({ status: 400, body: { jsonrpc: "2.0", id: 7, error: answer } });
  // What clients show the user: SDK v1, SDK v2 on 2025-11-25, and SDK v2 negotiating (the probe
  // answered 4xx falls back to initialize, whose refusal it quotes; a 5xx would hide the reason).
  for (const client of [
    v1Client(g.shareUrl("keyed"), g.token),
    v2Client(g.shareUrl("keyed"), g.token, "legacy"),
    v2Client(g.shareUrl("keyed"), g.token, "auto"),
  ])
    expect(await refused(client)).toContain(JSON.stringify(answer.message));

  const line =
    "machine, failed: servers.keyed needs secret API_KEY. Set it: `mcp-twin secret set API_KEY`; then run `mcp-twin sync`";
  const status = await cli(g, ["status"]);
  expect(status.code, status.stderr).toBe(0);
  expect(status.stdout).toContain(`\n  keyed  ${line}\n`);
  const bridge = await cli(g, ["bridge", "status"]);
  expect(bridge.code, bridge.stderr).toBe(0);
  expect(bridge.stdout).toContain(`  shared     keyed: ${line}\n`);
  // Nothing to restart: said so, exit 1, with the same reason.
  const restart = await cli(g, ["bridge", "restart", "keyed"]);
  expect(restart.code).toBe(1);
  expect(restart.stdout + restart.stderr).toContain(
    `keyed cannot run in the bridge, so no process of it runs: ${why.slice(why.indexOf("servers."))}`,
  );

  // The fix as said: the secret stored, then the reload sync asks for; the same client connects.
  const set = await cli(g, ["secret", "set", "API_KEY"], "sk-test-0123456789abcdef");
  expect(set.code, set.stderr).toBe(0);
  expect(await g.reload()).toMatchObject({ added: ["keyed"] });
  expect(await callText(await v2Client(g.shareUrl("keyed"), g.token, "auto"), "echo", { text: "ok" })).toBe(
    "v2:ok",
  );
  expect((await g.status()).shares).toEqual([expect.objectContaining({ name: "keyed", state: "running" })]);
});

test("a package not installed here: its clients are told, with the sync that installs it", async () => {
  const g = await gatewayBridge({ servers: { pkg: { package: "some-mcp-server@1.2.3", share: "machine" } } });
  const { error } = (await post(g, "pkg", { "mcp-protocol-version": "2025-11-25" }, INIT)).body;
  expect(error?.message).toBe(
    'Invalid params: the shared server "pkg" cannot run here: some-mcp-server is not installed in linux. Run `mcp-twin sync --env linux` first: naming the environment installs the manifest\'s packages there, whether a client runs there or not.',
  );
  const [share] = (await g.status()).shares;
  expect(share).toMatchObject({ name: "pkg", state: "failed" });
  expect(error?.message).toContain(share?.lastError);
});

test("a reload whose manifest does not load keeps the shared servers running, and says why", async () => {
  const { v1 } = await eraFixtures();
  const g = await gatewayBridge({ servers: { s: scriptServer(v1.script, "machine") } });
  const client = await v1Client(g.shareUrl("s"), g.token);
  expect(await callText(client, "echo", { text: "a" })).toBe("v1:a");
  const before = (await g.status()).shares;
  writeFileSync(path.join(g.root, "mcp-twin-home", "mcp-twin.jsonc"), '{ "servers": { "s": ');
  const report = (await g.reload()) as {
    added: string[];
    removed: string[];
    changed: string[];
    error?: string;
  };
  expect(report).toMatchObject({ added: [], removed: [], changed: [] });
  // The error names the file, so the user knows what to fix.
  expect(report.error).toBe(
    `${path.join(g.root, "mcp-twin-home", "mcp-twin.jsonc")}:1:21: value expected; the manifest is not valid JSON (JSONC).`,
  );
  // The same process still answers the same session.
  expect(await callText(client, "echo", { text: "b" })).toBe("v1:b");
  expect((await g.status()).shares).toEqual([
    expect.objectContaining({
      name: "s",
      state: "running",
      children: [expect.objectContaining({ pid: before[0]?.children[0]?.pid })],
    }),
  ]);
});

test("an ${env:…} the bridge's own environment lacks: the fix is a stored secret, which a bridge started at logon reads too", async () => {
  const { v2 } = await eraFixtures();
  const g = await gatewayBridge({
    servers: {
      envd: { ...scriptServer(v2.script, "machine", ["--both"]), env: { KEY: "${env:MCP_TWIN_TEST_UNSET}" } },
    },
  });
  const { error } = (await post(g, "envd", { "mcp-protocol-version": "2025-11-25" }, INIT)).body;
  // Not "export it": a variable exported in a shell later never reaches a running bridge.
  expect(error?.message).toBe(
    'Invalid params: the shared server "envd" cannot run here: servers.envd needs env MCP_TWIN_TEST_UNSET. Set it: `mcp-twin secret set MCP_TWIN_TEST_UNSET` and `${secret:MCP_TWIN_TEST_UNSET}` in place of `${env:MCP_TWIN_TEST_UNSET}` (the bridge\'s environment has no MCP_TWIN_TEST_UNSET); then run `mcp-twin sync`.',
  );
});
