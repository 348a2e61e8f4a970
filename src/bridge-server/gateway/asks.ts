/**
 * A shared server's requests to a client (sampling, elicitation, roots), bounded: each session holds
 * at most ASKS_PER_SESSION of them unanswered, and each is answered within ASK_TIMEOUT_MS or given up;
 * the one client a 2025-11-25 server's question can be of; the gateway's own answer to `roots/list`.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { RPC, rpcError } from "../../core/jsonrpc/codes.js";
import type { Clock } from "../clock.js";
import type { Json } from "./wire-json.js";

/**
 * Unanswered requests a session may hold at once: a server asking without end (30,000 held cost
 * the bridge 193 MB) is answered at once past it, and a person is never asked more than a few
 * things at a time.
 */
export const ASKS_PER_SESSION = 16;

/**
 * How long a client has to answer: a person reading a question and answering it, not a client
 * that never will (each unanswered one holds the server's call and the bridge's memory).
 */
export const ASK_TIMEOUT_MS = 120_000;

/** What a server may ask its client during a call (2025-11-25 has it ask over its own connection). */
export const ASK_METHODS = ["elicitation/create", "sampling/createMessage", "roots/list"] as const;
export type AskMethod = (typeof ASK_METHODS)[number];
/** What a client must have declared for each question a server may put to it. */
export const NEEDS: Record<string, string> = {
  "elicitation/create": "elicitation",
  "sampling/createMessage": "sampling",
  "roots/list": "roots",
};

/** The requests a shared server's process put to its sessions and that wait for an answer. */
export class Asks {
  readonly #clock: Clock;
  readonly #held = new Map<object, number>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * Put `method` to `session` through `send`: refused at once when the session already holds
   * ASKS_PER_SESSION; past ASK_TIMEOUT_MS (or when `given` aborts: the server withdrew it) `send`'s
   * signal aborts, which tells the client it is cancelled, and the server gets an error.
   */
  put(
    session: object,
    method: string,
    send: (signal: AbortSignal) => Promise<Json>,
    given?: AbortSignal,
  ): Promise<Json> {
    const held = this.#held.get(session) ?? 0;
    if (held >= ASKS_PER_SESSION)
      return Promise.reject(
        rpcError(
          `${method}: the client has ${ASKS_PER_SESSION} requests of shared servers unanswered already (the most a session holds); ask again once it answers one`,
          RPC.serverError,
        ),
      );
    this.#held.set(session, held + 1);
    const stop = new AbortController();
    return new Promise<Json>((resolve, reject) => {
      let settled = false;
      const settle = () => {
        if (settled) return false;
        settled = true;
        timer.cancel();
        given?.removeEventListener("abort", withdrawn);
        const left = (this.#held.get(session) ?? 1) - 1;
        if (left > 0) this.#held.set(session, left);
        else this.#held.delete(session);
        return true;
      };
      const timer = this.#clock.after(ASK_TIMEOUT_MS, () => {
        if (!settle()) return;
        const error = rpcError(
          `${method}: the client did not answer within ${ASK_TIMEOUT_MS / 1000} s`,
          RPC.serverError,
        );
        stop.abort(error);
        reject(error);
      });
      const withdrawn = () => {
        if (!settle()) return;
        stop.abort(given?.reason);
        reject(rpcError(`${method}: withdrawn by the server`, RPC.serverError));
      };
      given?.addEventListener("abort", withdrawn, { once: true });
      if (given?.aborted) return withdrawn();
      send(stop.signal).then(
        (answer) => settle() && resolve(answer),
        (error: unknown) => settle() && reject(error),
      );
    });
  }
}

/**
 * The client a question of a 2025-11-25 server over stdio is of — its protocol does not say which
 * call asked, so: the one client with calls in flight (its caller that can be asked, if any), or why
 * none can be said (none in flight, or calls of several).
 */
export function onlyCaller<T extends { client: { session: object }; ask?: unknown }>(
  inFlight: Iterable<T>,
): T | string {
  const sessions = new Set<object>();
  let caller: T | undefined;
  for (const c of inFlight) {
    sessions.add(c.client.session);
    if (!caller?.ask) caller = c;
  }
  if (sessions.size === 1 && caller) return caller;
  return sessions.size === 0
    ? "no call of a client is in flight"
    : `${sessions.size} client sessions have calls in flight`;
}

/** The folders a launch's arguments name: each absolute path that is a folder here (flags, files and relative paths are not). */
export async function foldersIn(args: readonly string[]): Promise<string[]> {
  const found = await Promise.all(
    args.map(async (a) =>
      // An argument naming nothing here (or nothing this account may read) names no folder of it.
      path.isAbsolute(a) && (await stat(a).catch(() => undefined))?.isDirectory() ? a : "",
    ),
  );
  return found.filter((f) => f !== "");
}

/** A `roots/list` answer naming these folders. */
export const rootsOf = (folders: readonly string[]): Json => ({
  roots: folders.map((f) => ({ uri: pathToFileURL(f).href })),
});
