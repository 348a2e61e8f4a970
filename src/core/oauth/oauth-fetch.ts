/**
 * The fetch every OAuth request of mcp-twin goes through (discovery, registration, the code
 * exchange, refresh, the needs-a-login check): each within a time limit, each answer at most 1 MiB
 * decoded, Ctrl-C ending it; a provider that stalls or floods ends the whole step it belongs to.
 */
import type { FetchLike } from "@modelcontextprotocol/client";
import { InterruptedError, TwinError } from "../errors.js";
import { limitedResponse } from "../system/bounded-body.js";

/**
 * How long one OAuth request may take, its answer read whole included. Longer than fetch's own
 * limit on connecting (10 s), so a provider that cannot be reached at all is told apart from one
 * that took the request and kept silent (refresh.ts keeps the refresh token only for the first).
 */
export const OAUTH_TIMEOUT_MS = 15_000;
/**
 * The limit of the requests of `login`, `logout`'s revocation and a relay's renewal:
 * MCP_TWIN_OAUTH_TIMEOUT seconds from the Host's environment table when set (a provider slower than
 * 15 s; the tests' stalled providers), else 15 s.
 */
export function oauthTimeoutMs(env: Record<string, string | undefined>): number {
  const seconds = Number(env.MCP_TWIN_OAUTH_TIMEOUT);
  return seconds > 0 ? seconds * 1000 : OAUTH_TIMEOUT_MS;
}
/** The largest OAuth answer read (decoded): metadata and token answers are a few KB. */
export const OAUTH_MAX_BYTES = 1024 * 1024;

/**
 * A provider that did not answer in time, or answered too much: the request may have reached it.
 * Not an OperationError: each step wraps it in its own words ("Cannot find how to log in to …").
 */
export class OAuthHttpError extends TwinError {
  static override readonly kind: string = "OAuthHttpError";
}

/** Where a request went, for messages: no query, no fragment, no credentials. */
function endpoint(url: string | URL): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return String(url).slice(0, 200);
  }
}

const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);

/**
 * A fetch for one step (a discovery, a refresh): each request within `timeoutMs`, its answer's
 * body failing past `maxBytes`. Once one request timed out or answered too much, every later one
 * of the step fails the same way at once (the SDK tries further addresses after an error of its
 * own, and a hostile provider must not be asked again and again). `signal`: the command's Ctrl-C.
 */
export function oauthFetch(
  options: { timeoutMs?: number; maxBytes?: number; signal?: AbortSignal; fetch?: typeof fetch } = {},
): FetchLike {
  const timeoutMs = options.timeoutMs ?? OAUTH_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? OAUTH_MAX_BYTES;
  const command = options.signal;
  const doFetch = options.fetch ?? fetch;
  let failed: Error | undefined;
  const fail = (error: Error) => {
    failed ??= error;
    return failed;
  };
  return async (url, init) => {
    if (command?.aborted) throw new InterruptedError();
    if (failed) throw failed;
    const where = endpoint(url);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signals = [timeout, ...(command ? [command] : []), ...(init?.signal ? [init.signal] : [])];
    const said = (error: unknown): unknown => {
      if (command?.aborted) return new InterruptedError();
      if (timeout.aborted)
        return fail(
          new OAuthHttpError("oauth-no-answer", `${where} did not answer within ${seconds(timeoutMs)}`),
        );
      return error;
    };
    let response: Response;
    try {
      response = await doFetch(url, { ...init, signal: AbortSignal.any(signals) });
    } catch (error) {
      throw said(error);
    }
    const tooLarge = () =>
      fail(
        new OAuthHttpError(
          "oauth-too-large",
          `${where} sent an answer larger than ${maxBytes / 1024 / 1024} MiB`,
        ),
      );
    if (Number(response.headers.get("content-length") ?? 0) > maxBytes) {
      // Too large is thrown below: a body already ended has nothing to cancel.
      await response.body?.cancel().catch(() => {});
      throw tooLarge();
    }
    return limitedResponse(response, maxBytes, tooLarge, said);
  };
}

/** The provider's stall or flood behind an error (its cause chain), if that is what it was. */
export function providerFault(error: unknown): OAuthHttpError | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++)
    if (e instanceof OAuthHttpError) return e;
  return undefined;
}
