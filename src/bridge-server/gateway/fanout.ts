/**
 * What a shared server says to no call in particular, handed to the sessions that can receive it:
 * only those with a stream open, each resource's updates merged within a tick.
 */
import type { LoggingMessageNotificationParams } from "@modelcontextprotocol/server";
import type { ListKind } from "./list-cache.js";
import { admits } from "./log-levels.js";
import type { SessionRef } from "./share-view.js";

type Notify = NonNullable<SessionRef["notify"]>;

/**
 * The sessions a message unrelated to any call can reach now: a 2025-11-25 session while its GET
 * stream is open (without one the message would be built, then dropped — per session, per line).
 */
function* receivers(sessions: Iterable<SessionRef>): Generator<[SessionRef, Notify]> {
  for (const s of sessions) if (s.notify && (s.receiving?.() ?? true)) yield [s, s.notify];
}

export function sendListChanged(sessions: Iterable<SessionRef>, kind: ListKind): void {
  for (const [, notify] of receivers(sessions)) notify(`notifications/${kind}/list_changed`);
}

/** A log message not tied to one call: to each session that can receive it and whose level takes it. */
export function sendLogMessage(
  sessions: Iterable<SessionRef>,
  params: LoggingMessageNotificationParams,
): void {
  for (const [s, notify] of receivers(sessions))
    if (admits(s.logLevel, params.level)) notify("notifications/message", { ...params });
}

/**
 * `resources/updated` gathered per URI and handed on once the tick's messages are read: a server
 * that writes a thousand updates of one resource at once costs each subscriber one.
 */
export class MergedUpdates {
  #pending: Set<string> | undefined;
  readonly #flush: (uri: string) => void;

  constructor(flush: (uri: string) => void) {
    this.#flush = flush;
  }

  add(uri: string): void {
    if (this.#pending) return void this.#pending.add(uri);
    const pending = new Set([uri]);
    this.#pending = pending;
    setImmediate(() => {
      this.#pending = undefined;
      for (const u of pending) this.#flush(u);
    });
  }
}

export function sendResourceUpdated(sessions: Iterable<SessionRef>, uri: string): void {
  for (const [s, notify] of receivers(sessions))
    if (s.subscriptions.has(uri)) notify("notifications/resources/updated", { uri });
}
