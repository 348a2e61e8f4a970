/**
 * stdio ⇄ Streamable HTTP, for one client session (`connect`, and `serve` on stdio). Both sides
 * are SDK transports: messages pass through as they are, in order. What the relay adds:
 * - the negotiated protocol version is given to the HTTP side once `initialize` has answered;
 * - the bridge restarted (session unknown: 404) or went away (connection refused, and
 *   `recover` starts it again): the relay opens a new session by replaying the client's own
 *   `initialize` and `initialized`, then sends the message again, so the client never notices;
 * - the token was rotated (401): headers are read again and the message sent again;
 * - a request that still cannot be delivered gets a JSON-RPC error, never silence.
 * stdout carries only JSON-RPC; logs go to `log` (stderr).
 */
import type { Readable, Writable } from "node:stream";
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  ErrorCode,
  type InitializeResult,
  isInitializedNotification,
  isInitializeRequest,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";
import { nodeFetch } from "./fetch.js";

export interface RelayOptions {
  url: URL;
  /** Request headers (read again after a 401, e.g. a rotated token). */
  headers: () => Promise<Record<string, string>>;
  log: (line: string) => void;
  /** Nothing answers at `url`: start it (connect to a local bridge does). */
  recover?: () => Promise<void>;
  stdin?: Readable;
  stdout?: Writable;
  signal?: AbortSignal;
}

const REINIT_TIMEOUT_MS = 15_000;

function failure(error: unknown): { status?: number; refused: boolean; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  const status = error instanceof StreamableHTTPError ? error.code : undefined;
  const cause = String((error as { cause?: { code?: string } })?.cause?.code ?? "");
  const refused =
    /ECONNREFUSED|ECONNRESET|EPIPE|UND_ERR_SOCKET/.test(cause) || /fetch failed|ECONNREFUSED/.test(message);
  return { ...(status !== undefined ? { status } : {}), refused, message };
}

export async function relay(options: RelayOptions): Promise<void> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stdio = new StdioServerTransport(stdin, stdout);
  let headers = await options.headers();
  let initRequest: JSONRPCRequest | undefined;
  let initialized: JSONRPCMessage | undefined;
  let protocolVersion: string | undefined;
  let internalId = 0;
  const internal = new Map<RequestId, (m: JSONRPCMessage) => void>();
  let gate: Promise<void> = Promise.resolve();
  let finished = false;

  const makeHttp = (sessionId?: string) => {
    const transport = new StreamableHTTPClientTransport(options.url, {
      requestInit: { headers },
      fetch: nodeFetch,
      ...(sessionId ? { sessionId } : {}),
    });
    if (protocolVersion) transport.setProtocolVersion(protocolVersion);
    transport.onmessage = (message) => {
      const isResponse = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
      if (isResponse && message.id !== undefined) {
        const waiter = internal.get(message.id);
        if (waiter) {
          internal.delete(message.id);
          waiter(message);
          return;
        }
        if (initRequest && message.id === initRequest.id && isJSONRPCResultResponse(message)) {
          protocolVersion = (message.result as InitializeResult).protocolVersion;
          transport.setProtocolVersion(protocolVersion);
        }
      }
      stdio.send(message).catch((error: unknown) => options.log(`stdout: ${(error as Error).message}`));
    };
    transport.onerror = (error) => options.log(`bridge: ${error.message}`);
    return transport;
  };
  let http = makeHttp();
  await http.start();

  /** A new session on the bridge, set up with the client's own initialize. */
  const reopen = async () => {
    await http.close().catch(() => {});
    http = makeHttp();
    await http.start();
    if (!initRequest) return;
    const id = `mcp-twin-relay-${++internalId}`;
    const answered = new Promise<JSONRPCMessage>((resolve, reject) => {
      internal.set(id, resolve);
      setTimeout(() => reject(new Error("the bridge did not answer initialize")), REINIT_TIMEOUT_MS).unref();
    });
    await http.send({ ...initRequest, id });
    const answer = await answered;
    if (isJSONRPCErrorResponse(answer))
      throw new Error(`the bridge refused initialize: ${answer.error.message}`);
    if (protocolVersion) http.setProtocolVersion(protocolVersion);
    if (initialized) await http.send(initialized);
    options.log("reconnected to the bridge (new session)");
  };

  const deliver = async (message: JSONRPCMessage, attempt = 0): Promise<void> => {
    await gate;
    try {
      await http.send(message);
    } catch (error) {
      const f = failure(error);
      if (attempt < 2 && !finished) {
        if (f.status === 401) {
          headers = await options.headers();
          const sessionId = http.sessionId;
          await http.close().catch(() => {});
          http = makeHttp(sessionId);
          await http.start();
          return deliver(message, attempt + 1);
        }
        const canReopen = !isInitializeRequest(message);
        if ((f.status === 404 && canReopen) || (f.refused && options.recover)) {
          const reopening = (async () => {
            if (f.refused) await options.recover!();
            if (canReopen) await reopen();
          })();
          gate = reopening.catch(() => {});
          try {
            await reopening;
            return deliver(message, attempt + 1);
          } catch (again) {
            return refuse(message, failure(again).message);
          }
        }
      }
      return refuse(message, f.status ? `HTTP ${f.status}: ${f.message}` : f.message);
    }
  };

  const refuse = async (message: JSONRPCMessage, why: string) => {
    options.log(`could not deliver ${"method" in message ? message.method : "a response"}: ${why}`);
    if (isJSONRPCRequest(message))
      await stdio.send({
        jsonrpc: "2.0",
        id: message.id,
        error: {
          code: ErrorCode.ConnectionClosed,
          message: `mcp-twin: the bridge at ${options.url.href} is unreachable (${why})`,
        },
      });
  };

  let chain = Promise.resolve();
  stdio.onmessage = (message) => {
    if (isInitializeRequest(message)) initRequest = structuredClone(message) as JSONRPCRequest;
    else if (isInitializedNotification(message)) initialized = message;
    // Messages leave in the order they came; requests do not wait for each other's answers.
    const sent = chain.then(() => deliver(message));
    chain = isInitializeRequest(message) ? sent.catch(() => {}) : Promise.resolve();
    sent.catch((error: unknown) => options.log(`relay: ${(error as Error).message}`));
  };
  stdio.onerror = (error) => options.log(`stdin: ${error.message}`);

  await new Promise<void>((resolve) => {
    const end = () => resolve();
    stdin.once("end", end);
    stdin.once("close", end);
    options.signal?.addEventListener("abort", end, { once: true });
    http.onclose = undefined;
    void stdio.start();
  });
  finished = true;
  await http.terminateSession().catch(() => {});
  await http.close().catch(() => {});
  await stdio.close().catch(() => {});
}
