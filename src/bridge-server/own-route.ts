/**
 * An ordinary 2026-07-28 request to the bridge's own endpoint (its tools, plugins' too, and the
 * notes as resources) answered on the lane as the SDK's server answers it, with no server built.
 */
import {
  type CacheHint,
  CLIENT_INFO_META_KEY,
  type JSONRPCMessage,
  SERVER_INFO_META_KEY,
} from "@modelcontextprotocol/server";
import { errorObject } from "../core/jsonrpc/codes.js";
import { SERVER_INFO } from "./description.js";
import type { LaneCall } from "./lane.js";
import type { NotesFolder } from "./notes-folder.js";
import { noteResources } from "./resources.js";
import { stampAsSdk } from "./sdk-stamp.js";
import { CACHE_HINTS, callTool, type ToolSet } from "./session-server.js";
import { isPlain } from "./store.js";

type Json = Record<string, unknown>;

/** Each request the lane answers, with the params members it may carry (any other is the SDK's). */
const TAKES: Record<string, readonly string[]> = {
  "tools/call": ["name", "arguments", "_meta"],
  "tools/list": ["_meta"],
  "resources/list": ["_meta"],
  "resources/templates/list": ["_meta"],
  "resources/read": ["uri", "_meta"],
};

/**
 * What answers each request the lane may take (the notes' resources made once): the envelope was
 * checked by the SDK's classification, the headers by laneTakes. A call must name
 * a known tool with an object of arguments (or none); anything else — an unknown tool, a list's
 * cursor, a method the bridge does not serve — is the SDK's handler's to answer. Otherwise undefined.
 */
export function ownRoute(
  tools: ToolSet,
  notes: NotesFolder,
): (message: JSONRPCMessage) => LaneCall | undefined {
  const resources = noteResources(notes, "2026-07-28");
  return (message) => {
    if (!("method" in message) || !("id" in message)) return undefined;
    const { id, method } = message;
    const params = message.params as Json | undefined;
    const allowed = TAKES[method];
    if (!allowed || !isPlain(params) || !isPlain(params._meta)) return undefined;
    for (const key of Object.keys(params)) if (!allowed.includes(key)) return undefined;
    let answer: (stop: { signal: AbortSignal }) => Promise<Json>;
    if (method === "tools/call") {
      const { name, arguments: args } = params;
      if (typeof name !== "string" || !tools.get(name)) return undefined;
      if (args !== undefined && !isPlain(args)) return undefined;
      const named = (params._meta[CLIENT_INFO_META_KEY] as { name?: unknown } | undefined)?.name;
      // A server built for one 2026-07-28 request knows no client but the envelope's.
      const client = typeof named === "string" ? named : "unknown";
      answer = async (stop) => {
        const result = await callTool(tools, name, args, {
          client,
          // The tool's AbortSignal is made when its handler asks for it (most never do).
          get signal() {
            return stop.signal;
          },
        });
        // A copy: the result may be a plugin's own object.
        return stampAsSdk({ ...result }, SERVER_INFO);
      };
    } else {
      if (method === "resources/read" && typeof params.uri !== "string") return undefined;
      const listed = () =>
        method === "tools/list"
          ? Promise.resolve({ tools: tools.list })
          : method === "resources/list"
            ? resources.list()
            : method === "resources/templates/list"
              ? resources.templates()
              : resources.read(params.uri as string);
      answer = async () => stamped(await listed(), CACHE_HINTS[method as keyof typeof CACHE_HINTS]);
    }
    return (send, stop) =>
      void answer(stop).then(
        // A call the client cancelled gets no answer; the members go in the SDK server's order, so
        // the bytes are its bytes too.
        (result) => stop.aborted || send({ result, jsonrpc: "2.0", id } as JSONRPCMessage),
        (error: unknown) => {
          if (stop.aborted) return;
          // A tool's own failure is its result: what is thrown here is a JSON-RPC error (a note not found).
          send({ jsonrpc: "2.0", id, error: errorObject(error) } as JSONRPCMessage);
        },
      );
  };
}

/** A list or read stamped as the SDK's server stamps it: complete, its cache hint, the server's identity. */
function stamped(result: Json, hint: CacheHint | undefined): Json {
  return { ...result, resultType: "complete", ...hint, _meta: { [SERVER_INFO_META_KEY]: SERVER_INFO } };
}
