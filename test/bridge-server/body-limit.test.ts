/**
 * A body over the limit is answered 413 and the client reads it every time, even when it sends the
 * whole body at once (fetch, or a raw socket with Content-Length or chunked), in both eras.
 */
import net from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { call, cleanup, httpClient, type RunningBridge, startBridge } from "./helpers.js";

afterEach(cleanup);

const TRIES = 8;
const PAD = "x".repeat(5 * 1024 * 1024);

/** A 5 MiB request of each era, its headers as that era's client sends them. */
const ERAS = {
  "2025-11-25": {
    headers: { "mcp-protocol-version": "2025-11-25" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "big", version: "1" },
        pad: PAD,
      },
    }),
  },
  "2026-07-28": {
    headers: { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "memory_set" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: {
        name: "memory_set",
        arguments: { key: "big", value: PAD },
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": {},
          "io.modelcontextprotocol/clientInfo": { name: "big", version: "1" },
        },
      },
    }),
  },
};

const headersOf = (b: RunningBridge, era: keyof typeof ERAS) => ({
  authorization: `Bearer ${b.token}`,
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  ...ERAS[era].headers,
});

/** What a raw socket reads after writing the whole request at once (`chunked`: no length declared). */
function rawPost(b: RunningBridge, era: keyof typeof ERAS, chunked: boolean): Promise<string> {
  const { body } = ERAS[era];
  const head = Object.entries({ host: `127.0.0.1:${b.port}`, ...headersOf(b, era) })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  const framing = chunked
    ? "transfer-encoding: chunked\r\n"
    : `content-length: ${Buffer.byteLength(body)}\r\n`;
  const payload = chunked ? `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n` : body;
  return new Promise((resolve) => {
    const socket = net.connect(b.port, "127.0.0.1");
    let text = "";
    socket.on("data", (c: Buffer) => {
      text += c.toString();
    });
    // A reset (EPIPE, ECONNRESET) is what a lost answer looks like: what was read is the answer.
    socket.on("error", () => {});
    socket.once("close", () => resolve(text));
    socket.write(`POST /mcp HTTP/1.1\r\n${head}${framing}\r\n${payload}`);
  });
}

describe("a body over the limit", () => {
  for (const era of ["2025-11-25", "2026-07-28"] as const)
    test(`${era}: sent whole, ${TRIES} times by fetch and by raw sockets: each reads 413; the bridge goes on`, async () => {
      const b = await startBridge();
      const seen: string[] = [];
      for (let i = 0; i < TRIES; i++) {
        const status = await fetch(b.url, {
          method: "POST",
          headers: headersOf(b, era),
          body: ERAS[era].body,
        })
          .then(async (res) => {
            const answer = (await res.json()) as { error: { code: number; message: string } };
            expect(answer.error.message).toMatch(/^Payload Too Large/);
            return String(res.status);
          })
          .catch((error: Error) => `fetch: ${(error.cause as Error | undefined)?.message ?? error.message}`);
        seen.push(status);
        for (const chunked of [false, true]) {
          const text = await rawPost(b, era, chunked);
          seen.push(/^HTTP\/1\.1 (\d+) /.exec(text)?.[1] ?? `raw: ${JSON.stringify(text.slice(0, 40))}`);
        }
      }
      expect(seen).toEqual(Array(TRIES * 3).fill("413"));
      const client = await httpClient(b.url, b.token);
      expect((await call(client, "memory_set", { key: "alive", value: true })).isError).toBe(false);
    }, 60_000);
});
