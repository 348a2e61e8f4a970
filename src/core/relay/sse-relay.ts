/**
 * stdio ⇄ HTTP+SSE, for one client session (`connect --transport sse`): a client that speaks only
 * stdio (Claude Desktop), or no SSE (Codex), reaches a remote that still speaks the transport MCP
 * replaced in 2025-03. Both sides are SDK transports (the SDK's SSEClientTransport opens the event
 * stream, learns the endpoint and POSTs each message): messages pass through as they are, in
 * order. What the relay adds:
 * - a request that cannot be delivered gets a JSON-RPC error, never silence;
 * - when the event stream breaks (the server restarted or went away), the relay ends, exit 1: the
 *   client sees its server exit and can start it again. An SSE session cannot be resumed, and the
 *   stream's own reconnection would land in a new session that never saw the client's initialize.
 * stdout carries only JSON-RPC; logs go to `log` (stderr).
 */
import type { Readable, Writable } from "node:stream";
import { SSEClientTransport, SseError } from "@modelcontextprotocol/sdk/client/sse.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { refuseDelivery } from "./streamable-http-relay.js";

export interface SseRelayOptions {
  url: URL;
  /** Sent with the request that opens the stream and with every POST. */
  headers: Record<string, string>;
  log: (line: string) => void;
  stdin?: Readable;
  stdout?: Writable;
  signal?: AbortSignal;
}

/** "closed": the client went away (or Ctrl-C); "lost": the server's event stream broke. */
export async function sseRelay(options: SseRelayOptions): Promise<"closed" | "lost"> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stdio = new StdioServerTransport(stdin, stdout);
  const sse = new SSEClientTransport(options.url, { requestInit: { headers: options.headers } });
  let ended: (how: "closed" | "lost") => void = () => {};
  const done = new Promise<"closed" | "lost">((resolve) => {
    ended = resolve;
  });
  let started = false;

  sse.onmessage = (message) => {
    stdio.send(message).catch((error: unknown) => options.log(`stdout: ${(error as Error).message}`));
  };
  sse.onerror = (error) => {
    options.log(`server: ${error.message}`);
    if (started && error instanceof SseError) {
      options.log(`the SSE stream from ${options.url.href} broke; ending this session`);
      ended("lost");
    }
  };
  sse.onclose = () => ended("lost");

  const refuse = (message: JSONRPCMessage, why: string) =>
    refuseDelivery(
      stdio,
      options.log,
      message,
      why,
      `mcp-twin: the SSE server at ${options.url.href} is unreachable (${why})`,
    );

  // Opening the stream first: the endpoint to POST to arrives on it.
  let opened: string | undefined;
  try {
    await sse.start();
    started = true;
  } catch (error) {
    opened = error instanceof Error ? error.message : String(error);
    options.log(`cannot open the SSE stream at ${options.url.href}: ${opened}`);
  }

  let chain = Promise.resolve();
  stdio.onmessage = (message) => {
    // One POST at a time keeps the order; answers come back on the stream, not in the POST.
    chain = chain.then(async () => {
      if (opened !== undefined) return refuse(message, opened);
      try {
        await sse.send(message);
      } catch (error) {
        await refuse(message, error instanceof Error ? error.message : String(error));
      }
    });
    chain.catch((error: unknown) => options.log(`relay: ${(error as Error).message}`));
  };
  stdio.onerror = (error) => options.log(`stdin: ${error.message}`);

  const closed = () => ended("closed");
  stdin.once("end", closed);
  stdin.once("close", closed);
  options.signal?.addEventListener("abort", closed, { once: true });
  await stdio.start();
  const how = await done;
  sse.onclose = undefined;
  sse.onerror = undefined;
  await chain.catch(() => {});
  await sse.close().catch(() => {});
  await stdio.close().catch(() => {});
  return how;
}
