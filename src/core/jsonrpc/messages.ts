/**
 * The few JSON-RPC facts the relay and the gateway route on (kind, id, method) and the error objects
 * they answer with, built by hand so the relay's hot path never loads the SDK's protocol layer or
 * zod; the types come type-only from the SDK's client, and the shapes are JSON-RPC 2.0's.
 */
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/client";

/** The largest message the relay passes on, either way (docs/bridge.md: the relay, its promises). */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export type Routed =
  | { kind: "request"; id: RequestId; method: string; message: JSONRPCMessage }
  | { kind: "notification"; method: string; message: JSONRPCMessage }
  | { kind: "response"; id: RequestId | undefined; message: JSONRPCMessage }
  | { kind: "invalid"; why: "json" | "jsonrpc" };

const isId = (v: unknown): v is RequestId =>
  typeof v === "string" || (typeof v === "number" && Number.isFinite(v));

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

const INVALID: Routed = { kind: "invalid", why: "jsonrpc" };

/**
 * A parsed value as the relay routes it: a JSON-RPC 2.0 message, checked by its keys and their
 * types (params an object or array, an error's code and message), never by the method's schema.
 * An error without an id (null, or none) is a response whose id is undefined.
 */
export function route(m: unknown): Routed {
  if (!isObject(m) || Array.isArray(m) || m.jsonrpc !== "2.0") return INVALID;
  const message = m as JSONRPCMessage;
  if (typeof m.method === "string") {
    if (m.params !== undefined && !isObject(m.params)) return INVALID;
    if (m.id === undefined) return { kind: "notification", method: m.method, message };
    return isId(m.id) ? { kind: "request", id: m.id, method: m.method, message } : INVALID;
  }
  if ("result" in m === "error" in m) return INVALID;
  if ("error" in m) {
    const e = m.error;
    if (!isObject(e) || !Number.isInteger(e.code) || typeof e.message !== "string") return INVALID;
    if (m.id === undefined || m.id === null) return { kind: "response", id: undefined, message };
  }
  return isId(m.id) ? { kind: "response", id: m.id, message } : INVALID;
}

/** One line of a client's stdin, routed. */
export function routeLine(line: string): Routed {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: "invalid", why: "json" };
  }
  return route(value);
}

/** A JSON-RPC error response, as one line of text. */
export function errorLine(id: RequestId | null, code: number, message: string): string {
  return JSON.stringify({ jsonrpc: "2.0", id, error: { code, message } });
}

/**
 * The top-level `"id"` of the start of a message too large to read whole, when it comes early
 * enough to be there (a string or a number); null when it cannot be told.
 */
export function peekId(start: string): RequestId | null {
  let depth = 0;
  for (let i = 0; i < start.length; i++) {
    const c = start[i];
    if (c === '"') {
      const end = stringEnd(start, i);
      if (end === -1) return null;
      if (depth === 1 && start.slice(i, end + 1) === '"id"') {
        const rest = /^\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
          start.slice(end + 1),
        );
        if (rest?.[1] !== undefined) return JSON.parse(rest[1]) as RequestId;
      }
      i = end;
    } else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
  }
  return null;
}

/** The index of the quote closing the JSON string that opens at `i`; -1 when it does not close. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === "\\") j++;
    else if (text[j] === '"') return j;
  }
  return -1;
}

/**
 * A JSON text as one line: raw line breaks in valid JSON can only be whitespace between tokens
 * (inside strings they are escaped), so they become spaces and nothing else changes.
 */
export const oneLine = (json: string): string => (/[\r\n]/.test(json) ? json.replace(/[\r\n]/g, " ") : json);
