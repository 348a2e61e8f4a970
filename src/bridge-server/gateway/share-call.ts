/**
 * One call to a shared server, whichever era its client speaks: the server's capabilities, its lists
 * from the cache, the tools the client gets, then its upstream; the answer tidied and errors said per era.
 */
import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import { errorObject, RPC, rpcError } from "../../core/jsonrpc/codes.js";
import type { Era } from "../endpoint.js";
import { stampAsSdk } from "../sdk-stamp.js";
import type { Call } from "./call.js";
import { capabilitiesOf, in2025Terms, tidy } from "./eras.js";
import { type CachedServer, isList } from "./list-cache.js";
import type { SharedChild } from "./shared-child.js";
import { unlisted } from "./tool-policy.js";
import type { Json } from "./wire-json.js";

export const CALLS = ["tools/call", "prompts/get", "resources/read", "completion/complete"] as const;
/** What a list or call needs the server to have declared: its method's first word (completion's: completions). */
export function capabilityOf(method: string): string | undefined {
  if (!isList(method) && !(CALLS as readonly string[]).includes(method)) return undefined;
  return method === "completion/complete" ? "completions" : method.slice(0, method.indexOf("/"));
}

/**
 * Every endpoint's answer to a list or call of a shared server, in its client's era's terms (undefined:
 * cancelled); `server`: what its client is told the server is (a 2025-11-25 session's at its initialize).
 */
export async function callShared(
  c: Call,
  child: SharedChild,
  server: CachedServer | (() => Promise<CachedServer>),
): Promise<JSONRPCMessage | undefined> {
  const { id, method } = c.request;
  const { era } = c.client;
  try {
    const said = typeof server === "function" ? await server() : server;
    const result = await sharedResult(c, child, said);
    const stamped =
      era === "2026-07-28" ? stampAsSdk(result, { ...(child.cached() ?? said).serverInfo }) : result;
    return { jsonrpc: "2.0", id, result: stamped } as JSONRPCMessage;
  } catch (error) {
    if ((error as { cancelled?: boolean }).cancelled) return undefined;
    return { jsonrpc: "2.0", id, ...errorIn(era, method, error) } as JSONRPCMessage;
  }
}

/**
 * The call's result past capabilities, cache and the tools its client gets (tool-policy.ts),
 * tidied for its era, not yet stamped; its error thrown (errorIn says it): every door's one route.
 */
export async function sharedResult(c: Call, child: SharedChild, server: CachedServer): Promise<Json> {
  const { method } = c.request;
  const params = c.request.params ?? {};
  const needs = capabilityOf(method);
  if (!needs || !capabilitiesOf(server)[needs]) throw rpcError("Method not found", RPC.methodNotFound);
  if (isList(method)) {
    const result = child.listFromCache(method, params.cursor) ?? (await child.call(c));
    const policy = method === "tools/list" && c.client.tools?.(result);
    return tidy(policy ? policy.list(result) : result, c.client.era, true);
  }
  const judge = method === "tools/call" ? c.client.tools : undefined;
  // The manifest's rules first (a call they refuse starts nothing), then the pins and the list its
  // process reads now (after a restart, the new one), never a previous run's.
  const refused =
    judge &&
    (judge(undefined)?.refusal(params.name) ??
      (await child
        .judgedTools(c)
        .then(
          (listed = server.lists["tools/list"]) =>
            judge(listed)?.refusal(params.name) ?? unlisted(child.name, listed, params.name),
        )));
  if (refused) throw Object.assign(new Error(refused.message), refused);
  return tidy(await child.call(c), c.client.era, method === "resources/read");
}

/** An error in the terms of the client's era: a 2025-11-25 one knows no 2026-only code, a 2026-07-28 one no -32002. */
function errorIn(era: Era, method: string, error: unknown): { result: Json } | { error: Json } {
  if (era === "2025-11-25") {
    const said = in2025Terms(method, error);
    return said && "result" in said ? said : { error: errorObject(said?.error ?? error) };
  }
  const e = errorObject(error);
  if (e.code === RPC.resourceNotFound) e.code = RPC.invalidParams;
  return { error: e };
}
