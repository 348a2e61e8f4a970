/**
 * Resource subscriptions through a shared server: how many one session may hold, and what a
 * process is asked when the wanted set changes (only the difference, never the whole set again).
 */
import { RPC, rpcError } from "../../core/jsonrpc/codes.js";

/**
 * Resources one session (or 2026-07-28 listen) may be subscribed to at once: each costs the server
 * a subscription and the bridge an entry; the bridge's own notes hold as many.
 */
const SUBSCRIPTIONS_PER_SESSION = 1000;

/** Why `held` may not take `uris` too (past the cap), or undefined when it may. */
export function subscriptionRefusal(held: ReadonlySet<string>, uris: Iterable<string>): string | undefined {
  let size = held.size;
  for (const uri of new Set(uris)) if (!held.has(uri)) size++;
  return size > SUBSCRIPTIONS_PER_SESSION
    ? `a session may be subscribed to at most ${SUBSCRIPTIONS_PER_SESSION} resources at once: unsubscribe from some first`
    : undefined;
}

/** The JSON-RPC error of a subscription past the cap. */
export const tooManySubscriptions = (why: string) => rpcError(why, RPC.invalidParams);

/** What to subscribe and unsubscribe to go from `had` to `wanted`. */
export function subscriptionChange(
  had: ReadonlySet<string>,
  wanted: ReadonlySet<string>,
): { added: string[]; gone: string[] } {
  return {
    added: [...wanted].filter((u) => !had.has(u)),
    gone: [...had].filter((u) => !wanted.has(u)),
  };
}
