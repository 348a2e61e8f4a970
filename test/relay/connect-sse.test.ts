/**
 * `connect <url> --transport sse`: stdio ⇄ HTTP+SSE through the SDK's SSE client, for clients
 * that cannot write an SSE entry (Claude Desktop, Codex). The key comes from connect's own
 * environment (never argv); a server that refuses the key or is not there answers the client's
 * request with a JSON-RPC error at once (never silence), and the key is never printed.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, expect, test } from "vitest";
import { BIN, bridgeEnv, call, cleanup, runCli, stdioClient, tempDir } from "../bridge-server/helpers.js";
import { freePort } from "../helpers/net.js";
import { SSE_SERVER_NAME, type SseServer, startSseServer } from "../helpers/sse-server.js";

const KEY = "sse-relay-key-8b1d4e6f";
let sse: SseServer;
beforeAll(async () => {
  sse = await startSseServer({ apiKey: KEY });
});
afterAll(async () => {
  await cleanup();
  await sse.close();
});

test("relays a full session to an SSE server, the key read from ${VAR}", async () => {
  const { client, stderr } = await stdioClient(
    ["connect", sse.url, "--transport", "sse", "--header", "Authorization: Bearer ${MCP_TWIN_HEADER_0}"],
    bridgeEnv(tempDir(), { MCP_TWIN_HEADER_0: KEY }),
  );
  expect(client.getServerVersion()?.name).toBe(SSE_SERVER_NAME);
  expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(["add", "echo"]);
  expect((await call(client, "add", { a: 20, b: 22 })).text).toBe("42");
  // Several requests at once, answered each to its own id.
  const texts = await Promise.all(["a", "b", "c"].map((text) => call(client, "echo", { text })));
  expect(texts.map((t) => t.text)).toEqual(["a", "b", "c"]);
  expect(stderr()).not.toContain(KEY);
});

/** One raw initialize over stdio; the first line connect answers with. */
async function firstAnswer(
  args: string[],
  env: Record<string, string>,
): Promise<{ line: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer; stderr: ${err}`)), 15_000);
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf("\n");
      if (nl !== -1) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.stdin.write(
      `${JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" } },
      })}\n`,
    );
  });
  child.stdin.end();
  await new Promise((resolve) => child.once("exit", resolve));
  return { line, stderr: err };
}

test("a wrong key or no server: the request is answered with an error naming the SSE server", async () => {
  const wrong = await firstAnswer(
    ["connect", sse.url, "--transport", "sse", "--header", "Authorization: Bearer ${MCP_TWIN_HEADER_0}"],
    bridgeEnv(tempDir(), { MCP_TWIN_HEADER_0: `${KEY}-old` }),
  );
  const answer = JSON.parse(wrong.line);
  expect(answer.id).toBe(1);
  expect(answer.error.message).toContain(`the SSE server at ${sse.url} is unreachable`);
  expect(wrong.stderr).toContain("cannot open the SSE stream");
  expect(wrong.stderr + wrong.line).not.toContain(KEY);

  const nobody = `http://127.0.0.1:${await freePort()}/sse`;
  const gone = await firstAnswer(["connect", nobody, "--transport", "sse"], bridgeEnv(tempDir()));
  expect(JSON.parse(gone.line).error.message).toContain(`the SSE server at ${nobody} is unreachable`);
});

test("the server goes away mid-session: the relay ends (exit 1) instead of hanging on a dead stream", async () => {
  const own = await startSseServer();
  const child = spawn(process.execPath, [BIN, "connect", own.url, "--transport", "sse"], {
    env: bridgeEnv(tempDir()),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const answered = new Promise<string>((resolve) =>
    child.stdout.once("data", (c: Buffer) => resolve(c.toString())),
  );
  child.stdin.write(
    `${JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" } },
    })}\n`,
  );
  expect(JSON.parse(await answered).result.serverInfo.name).toBe(SSE_SERVER_NAME);
  const closedAt = Date.now();
  await own.close();
  expect(await exited).toBe(1); // stdin still open: the relay ended by itself
  expect(Date.now() - closedAt).toBeLessThan(10_000);
  expect(err).toContain(`the SSE stream from ${own.url} broke`);
});

test("--transport takes http or sse only (exit 2)", async () => {
  const r = await runCli(["connect", sse.url, "--transport", "ws"], bridgeEnv(tempDir()));
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("--transport must be http or sse");
});
