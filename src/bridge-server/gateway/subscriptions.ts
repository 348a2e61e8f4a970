/**
 * Resource subscriptions through a shared server: how many one session may hold, and what a
 * process is asked when the wanted set changes (only the difference, never the whole set again).
 */
import type { Upstream } from "./upstream.js";
import type { Json } from "./wire-json.js";

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

/**
 * What one process is asked to send of its resources: the set some session wants, applied to the
 * running process by difference (2025-11-25) or as one listen (2026-07-28), again after a restart.
 */
export class UpstreamSubscriptions {
  /** Resources some session wants updates of, and those the running process was asked for. */
  #wanted = new Set<string>();
  #subscribed = new Set<string>();
  /** What closes the 2026-07-28 listen open now. */
  #listen: (() => void) | undefined;

  /** How many resources some session wants. */
  get wanted(): number {
    return this.#wanted.size;
  }

  want(uris: ReadonlySet<string>): void {
    this.#wanted = new Set(uris);
  }

  /** A new start: nothing was asked of its process yet. */
  restarted(): void {
    this.#subscribed = new Set();
    this.#listen = undefined;
  }

  async apply(live: Upstream): Promise<void> {
    if (live.said.era === "2026-07-28") return this.#relisten(live);
    // Only the difference: what is wanted and was not asked for, and what was and is no longer wanted.
    const added = [...this.#wanted].filter((u) => !this.#subscribed.has(u));
    const gone = [...this.#subscribed].filter((u) => !this.#wanted.has(u));
    this.#subscribed = new Set(this.#wanted);
    // A server that refuses a subscription sends no updates for it, which is what it said; a refused
    // unsubscribe leaves updates the bridge drops (no session wants them).
    const ask = (method: string, uri: string) => live.request(method, { uri }).catch(() => {});
    await Promise.all([
      ...added.map((uri) => ask("resources/subscribe", uri)),
      ...gone.map((uri) => ask("resources/unsubscribe", uri)),
    ]);
  }

  /** A 2026-07-28 process sends nothing unasked: one listen for its list changes and the resources wanted. */
  async #relisten(live: Upstream): Promise<void> {
    const caps = live.said.capabilities as Record<
      string,
      { listChanged?: boolean; subscribe?: boolean } | undefined
    >;
    const filter = {
      ...(caps.tools?.listChanged ? { toolsListChanged: true as const } : {}),
      ...(caps.prompts?.listChanged ? { promptsListChanged: true as const } : {}),
      ...(caps.resources?.listChanged ? { resourcesListChanged: true as const } : {}),
      ...(caps.resources?.subscribe && this.#wanted.size > 0 && { resourceSubscriptions: [...this.#wanted] }),
    };
    const before = this.#listen;
    this.#listen =
      Object.keys(filter).length > 0 && live.listen
        ? // A refused listen: no list changes come, and the cached lists stay what the server said.
          await live.listen(filter as Json).catch(() => undefined)
        : undefined;
    // The old listen is replaced: one already ended has nothing to close.
    before?.();
  }
}
