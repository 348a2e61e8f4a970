/**
 * stdio ⇄ Streamable HTTP, for one client session (`connect`, and `serve` on stdio). Both sides
 * are SDK transports: messages pass through as they are, in order. What the relay adds:
 * - the negotiated protocol version is given to the HTTP side once `initialize` has answered;
 * - the server restarted (session unknown: 404) or went away (connection refused, and `recover`
 *   starts it again — possibly at another address, which the relay then uses): the relay opens a
 *   new session by replaying the client's own `initialize` and `initialized`, then sends the
 *   message again, so the client never notices;
 * - the token was rotated (401): headers are read again and the message sent again;
 * - a request that still cannot be delivered gets a JSON-RPC error that says why in words,
 *   never silence; a line on stdin that is not JSON-RPC gets a JSON-RPC error too (id null);
 * - when stdin ends, answers still on their way are delivered before the relay ends.
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
import { nodeFetch } from "./keep-alive-fetch.js";

export interface RelayOptions {
  url: URL;
  /** How to call the other end in messages: "the bridge", or "the server at <url>". */
  name: string;
  /** Request headers (read again after a 401, e.g. a rotated token). */
  headers: () => Promise<Record<string, string>>;
  /**
   * After a 401: fresh headers (a login renewed), instead of reading `headers` again. What it
   * throws (a login that is missing or cannot be renewed) is said to the client as an MCP error
   * and on stderr, and the relay ends.
   */
  refused?: () => Promise<Record<string, string>>;
  log: (line: string) => void;
  /**
   * Nothing answers at the URL: start it (connect to a local bridge does). Returns where it now
   * answers when that changed.
   */
  recover?: () => Promise<URL | undefined>;
  stdin: Readable;
  stdout: Writable;
  signal?: AbortSignal;
}

const REINIT_TIMEOUT_MS = 15_000;
/** After stdin ends, how long answers still on their way are waited for. */
const DRAIN_MS = 10_000;

interface Failure {
  status?: number;
  refused: boolean;
  message: string;
}

/** An error of the HTTP side, in words a user can act on. */
/**
 * A message the relay could not deliver: logged, and a request answered with ConnectionClosed so
 * the client is not left waiting (both relays, Streamable HTTP and SSE).
 */
export async function refuseDelivery(
  stdio: { send(message: JSONRPCMessage): Promise<void> },
  log: (line: string) => void,
  message: JSONRPCMessage,
  why: string,
  text: string,
): Promise<void> {
  log(`could not deliver ${"method" in message ? message.method : "a response"}: ${why}`);
  if (isJSONRPCRequest(message))
    await stdio.send({
      jsonrpc: "2.0",
      id: message.id,
      error: { code: ErrorCode.ConnectionClosed, message: text },
    });
}

export function describeFailure(error: unknown): Failure {
  const raw = error instanceof Error ? error.message : String(error);
  const status = error instanceof StreamableHTTPError && (error.code ?? 0) > 0 ? error.code : undefined;
  const cause = String(
    (error as { code?: string })?.code ?? (error as { cause?: { code?: string } })?.cause?.code ?? "",
  );
  const text = `${cause} ${raw}`;
  const refused = /ECONNREFUSED|ECONNRESET|EPIPE|UND_ERR_SOCKET|fetch failed/.test(text);
  let message = raw;
  if (/ECONNREFUSED/.test(text)) message = "nothing answers there (connection refused)";
  else if (/ECONNRESET|EPIPE|UND_ERR_SOCKET|socket hang up/.test(text))
    message = "the connection was closed before an answer came";
  else if (/ENOTFOUND|EAI_AGAIN/.test(text)) message = "its host name does not resolve";
  else if (/ETIMEDOUT|timed? ?out/i.test(text)) message = "it did not answer in time";
  else if (status === 401) message = "it refuses the credentials (HTTP 401)";
  else if (status === 403) message = "it refuses this client (HTTP 403)";
  else if (status === 404) message = "no MCP endpoint or session there (HTTP 404)";
  else if (status !== undefined)
    message = `HTTP ${status}: ${raw.replace(/^Error POSTing to endpoint:\s*/, "")}`;
  return { ...(status !== undefined ? { status } : {}), refused, message: message.slice(0, 300) };
}

export async function relay(options: RelayOptions): Promise<void> {
  const { stdin, stdout } = options;
  const stdio = new StdioServerTransport(stdin, stdout);
  let url = options.url;
  /** Why nothing can be sent (a login that is missing or cannot be renewed): said, then the end. */
  let unusable: string | undefined;
  let endNow: () => void = () => {};
  let headers: Record<string, string> = {};
  try {
    headers = await options.headers();
  } catch (error) {
    if (!options.refused) throw error;
    unusable = (error as Error).message;
  }
  let initRequest: JSONRPCRequest | undefined;
  let initialized: JSONRPCMessage | undefined;
  let protocolVersion: string | undefined;
  let internalId = 0;
  const internal = new Map<RequestId, (m: JSONRPCMessage) => void>();
  let gate: Promise<void> = Promise.resolve();
  let finished = false;
  const inFlight = new Set<Promise<void>>();

  const makeHttp = (sessionId?: string) => {
    const transport = new StreamableHTTPClientTransport(url, {
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
    transport.onerror = (error) => {
      if (!finished) options.log(`${options.name}: ${describeFailure(error).message}`);
    };
    return transport;
  };
  let http = makeHttp();
  await http.start();

  /** A new session, set up with the client's own initialize. */
  const reopen = async () => {
    await http.close().catch(() => {});
    http = makeHttp();
    await http.start();
    if (!initRequest) return;
    const id = `mcp-twin-relay-${++internalId}`;
    const answered = new Promise<JSONRPCMessage>((resolve, reject) => {
      internal.set(id, resolve);
      setTimeout(() => reject(new Error("it did not answer initialize")), REINIT_TIMEOUT_MS).unref();
    });
    await http.send({ ...initRequest, id });
    const answer = await answered;
    if (isJSONRPCErrorResponse(answer)) throw new Error(`it refused initialize: ${answer.error.message}`);
    if (protocolVersion) http.setProtocolVersion(protocolVersion);
    if (initialized) await http.send(initialized);
    options.log(`reconnected to ${options.name} (new session)`);
  };

  /** The login cannot be used: this request (and any after it) answered with why, then the end. */
  const giveUp = async (message: JSONRPCMessage, why: string) => {
    if (unusable === undefined) options.log(why);
    unusable = why;
    await refuseDelivery(stdio, () => {}, message, why, `mcp-twin: ${why}`);
    if (isJSONRPCRequest(message)) endNow();
  };

  const deliver = async (message: JSONRPCMessage, attempt = 0): Promise<void> => {
    await gate;
    if (unusable !== undefined) return giveUp(message, unusable);
    try {
      await http.send(message);
    } catch (error) {
      const f = describeFailure(error);
      if (attempt < 2 && !finished) {
        if (f.status === 401) {
          if (options.refused) {
            try {
              headers = await options.refused();
            } catch (failed) {
              return giveUp(message, (failed as Error).message);
            }
          } else headers = await options.headers();
          const sessionId = http.sessionId;
          await http.close().catch(() => {});
          http = makeHttp(sessionId);
          await http.start();
          return deliver(message, attempt + 1);
        }
        const canReopen = !isInitializeRequest(message);
        if ((f.status === 404 && canReopen) || (f.refused && options.recover)) {
          const reopening = (async () => {
            if (f.refused) {
              const moved = await options.recover!();
              if (moved && moved.href !== url.href) {
                url = moved;
                await http.close().catch(() => {});
                http = makeHttp();
                await http.start();
              }
            }
            if (canReopen) await reopen();
          })();
          gate = reopening.catch(() => {});
          try {
            await reopening;
            return deliver(message, attempt + 1);
          } catch (again) {
            return refuse(message, describeFailure(again).message);
          }
        }
      }
      return refuse(message, f.message);
    }
  };

  const refuse = (message: JSONRPCMessage, why: string) =>
    refuseDelivery(stdio, options.log, message, why, `mcp-twin: ${options.name} is unreachable: ${why}`);

  let chain = Promise.resolve();
  stdio.onmessage = (message) => {
    if (isInitializeRequest(message)) initRequest = structuredClone(message) as JSONRPCRequest;
    else if (isInitializedNotification(message)) initialized = message;
    // Messages leave in the order they came; requests do not wait for each other's answers.
    const sent = chain.then(() => deliver(message));
    chain = isInitializeRequest(message) ? sent.catch(() => {}) : Promise.resolve();
    const tracked = sent.catch((error: unknown) => options.log(`relay: ${(error as Error).message}`));
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
  };
  stdio.onerror = (error) => {
    // A line that is not JSON-RPC: say so in one line, answer it as JSON-RPC does, carry on.
    const parse = error instanceof SyntaxError;
    options.log(
      `stdin: ignored a line that is not ${parse ? "JSON" : "a JSON-RPC 2.0 message"} (MCP clients send one JSON-RPC message per line)`,
    );
    void stdio
      .send({
        jsonrpc: "2.0",
        id: null,
        error: parse
          ? { code: ErrorCode.ParseError, message: "Parse error: the line is not JSON" }
          : { code: ErrorCode.InvalidRequest, message: "Invalid Request: not a JSON-RPC 2.0 message" },
      } as unknown as JSONRPCMessage)
      .catch(() => {});
  };

  if (unusable !== undefined) options.log(unusable);
  await new Promise<void>((resolve) => {
    const end = () => resolve();
    endNow = end;
    stdin.once("end", end);
    stdin.once("close", end);
    if (options.signal?.aborted) end(); // Ctrl-C while the bridge was being started
    options.signal?.addEventListener("abort", end, { once: true });
    http.onclose = undefined;
    void stdio.start();
  });
  // Answers on their way still reach stdout (a script that pipes requests and closes stdin).
  if (!options.signal?.aborted && inFlight.size > 0)
    await Promise.race([Promise.all([...inFlight]), new Promise((r) => setTimeout(r, DRAIN_MS).unref())]);
  finished = true;
  await http.terminateSession().catch(() => {});
  await http.close().catch(() => {});
  await stdio.close().catch(() => {});
}
