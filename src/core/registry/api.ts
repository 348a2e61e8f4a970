/**
 * A client of the MCP Registry API (the official one, or any registry that implements it): every call
 * bounded by a timeout and Ctrl-C, answers cached for a few minutes, an older one standing in when it
 * does not answer.
 */
import { VERSION } from "../../version.js";
import { InterruptedError, OperationError } from "../errors.js";
import { readAtMost } from "../system/bounded-body.js";
import { FRESH_MS, type RegistryCache } from "./answer-cache.js";
import { parseEntry, type RegistryEntry, serverListSchema } from "./schema.js";

export const OFFICIAL_REGISTRY = "https://registry.modelcontextprotocol.io";
export const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * An answer larger than this, decoded (after gzip, deflate or br), is not a registry page (the
 * official one sends ~3 KB per server): reading stops there, whatever the headers claimed.
 */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export interface RegistryClientOptions {
  /** The registry's base URL (default: the official one). */
  base?: string;
  cache?: RegistryCache;
  timeoutMs?: number;
  /** The command's signal: aborted by Ctrl-C. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface SearchPage {
  entries: RegistryEntry[];
  nextCursor?: string;
  /** Entries that did not follow the server.json schema (left out). */
  skipped: number;
  /** Set when the registry did not answer and a cached answer this old was used. */
  staleMs?: number;
}

/** A failure to talk to the registry: exit 1, with what to do. */
export class RegistryError extends OperationError {
  static override readonly kind: string = "RegistryError";
  /**
   * What went wrong as a clause naming the registry's address, no capital, no full stop — for a
   * sentence that has named the MCP Registry already ("The MCP Registry could not be searched:
   * its address … does not resolve (offline?).").
   */
  readonly reason: string;
  constructor(
    code: string,
    message: string,
    options: { hint?: string; cause?: unknown; reason?: string } = {},
  ) {
    const { reason, ...rest } = options;
    super(code, message, rest);
    this.reason = reason ?? `${message.charAt(0).toLowerCase()}${message.slice(1)}`.replace(/\.$/, "");
  }
}

/**
 * The registry URL in the form mcp-twin calls it: no trailing slash, no query.
 *
 * `/v0.1` is the stable API version (the registry's own advice for clients); a registry that only
 * serves `/v0` (older deployments, private ones) is used at `/v0`. A base URL that already ends in a
 * version path is used as it is.
 */
function normalizeRegistryUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RegistryError("registry-url", `"${text}" is not a registry URL.`, {
      hint: "Give its base URL, e.g. --registry https://registry.modelcontextprotocol.io",
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new RegistryError("registry-url", `"${text}" is not an http(s) URL.`);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

export class RegistryClient {
  readonly base: string;
  private readonly options: RegistryClientOptions;
  /** The API version path, once known (`/v0.1` unless the registry answers only at `/v0`). */
  private prefix: string | undefined;

  constructor(options: RegistryClientOptions = {}) {
    this.options = options;
    this.base = normalizeRegistryUrl(options.base ?? OFFICIAL_REGISTRY);
    if (/\/v0(\.\d+)?$/.test(this.base)) this.prefix = "";
  }

  /** One page of the newest version of each server whose name (or description) holds `term`. */
  async searchPage(
    term: string,
    page: { limit?: number; cursor?: string; signal?: AbortSignal } = {},
  ): Promise<SearchPage> {
    const query = new URLSearchParams({ version: "latest" });
    if (term) query.set("search", term);
    if (page.limit) query.set("limit", String(page.limit));
    if (page.cursor) query.set("cursor", page.cursor);
    const answer = await this.call(`/servers?${query}`, page.signal);
    if (answer.status === 404) throw this.invalid("/servers", "answered 404 Not Found");
    const list = serverListSchema.safeParse(answer.body);
    if (!list.success) throw this.invalid("/servers", "did not answer with a server list");
    const entries: RegistryEntry[] = [];
    let skipped = 0;
    for (const item of list.data.servers) {
      const entry = parseEntry(item);
      if (entry) entries.push(entry);
      else skipped++;
    }
    const next = list.data.metadata?.nextCursor ?? list.data.metadata?.next_cursor ?? undefined;
    return {
      entries,
      skipped,
      ...(next ? { nextCursor: next } : {}),
      ...(answer.staleMs !== undefined ? { staleMs: answer.staleMs } : {}),
    };
  }

  /**
   * Servers matching every word (in name, title or description), newest version of each, active
   * or deprecated (deleted ones are left out), following `nextCursor` until `limit` are found.
   * The registry matches one substring, so it is asked for the longest word and the rest is
   * filtered here.
   */
  async find(
    words: readonly string[],
    options: { limit: number; cursor?: string; signal?: AbortSignal; maxPages?: number },
  ): Promise<SearchPage> {
    const lowered = words.map((w) => w.toLowerCase()).filter(Boolean);
    const term = [...lowered].sort((a, b) => b.length - a.length)[0] ?? "";
    const found = new Map<string, RegistryEntry>();
    let cursor = options.cursor;
    let skipped = 0;
    let staleMs: number | undefined;
    for (let pageNo = 0; pageNo < (options.maxPages ?? 5); pageNo++) {
      // Never more than still wanted: a page is taken whole, so the cursor after it loses nothing.
      const page = await this.searchPage(term, {
        limit: Math.min(100, Math.max(1, options.limit - found.size)),
        ...(cursor ? { cursor } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      skipped += page.skipped;
      if (page.staleMs !== undefined) staleMs = Math.max(staleMs ?? 0, page.staleMs);
      for (const entry of page.entries) {
        if (entry.meta.status === "deleted") continue;
        if (entry.meta.isLatest === false) continue;
        const text = [entry.server.name, entry.server.title ?? "", entry.server.description]
          .join(" ")
          .toLowerCase();
        if (!lowered.every((w) => text.includes(w))) continue;
        if (!found.has(entry.server.name)) found.set(entry.server.name, entry);
      }
      cursor = page.nextCursor;
      if (!cursor || found.size >= options.limit) break;
    }
    return {
      entries: [...found.values()],
      skipped,
      ...(cursor ? { nextCursor: cursor } : {}),
      ...(staleMs !== undefined ? { staleMs } : {}),
    };
  }

  /** One server at a version (`latest` by default); undefined when the registry does not have it. */
  async get(
    name: string,
    version = "latest",
    signal?: AbortSignal,
  ): Promise<(RegistryEntry & { staleMs?: number }) | undefined> {
    const where = `/servers/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`;
    const answer = await this.call(where, signal);
    if (answer.status === 404) return undefined;
    const entry = parseEntry(answer.body);
    if (!entry)
      throw this.invalid(where, "answered with a server that does not follow the server.json schema");
    return answer.staleMs !== undefined ? { ...entry, staleMs: answer.staleMs } : entry;
  }

  /** Where the registry lists a server, for people (the API answer, readable JSON). */
  serverUrl(name: string): string {
    return `${this.base}${this.prefix ?? "/v0.1"}/servers/${encodeURIComponent(name)}/versions/latest`;
  }

  private invalid(where: string, what: string): RegistryError {
    return new RegistryError("registry-invalid", `The registry at ${this.base} ${what} (${where}).`, {
      hint: "Is this the base URL of an MCP Registry? Pass --registry <url> (the official one: https://registry.modelcontextprotocol.io).",
      reason: `${this.base} ${what} (${where})`,
    });
  }

  private tooLarge(url: string): RegistryError {
    const where = new URL(url).pathname;
    const limit = `${MAX_ANSWER_BYTES / 1024 / 1024} MB`;
    return new RegistryError(
      "registry-too-large",
      `The registry's answer is too large: ${this.base} sent more than ${limit} for ${where}.`,
      {
        hint: "A registry page is a few hundred KB at most. Is this the base URL of an MCP Registry? Pass --registry <url> (the official one: https://registry.modelcontextprotocol.io).",
        reason: `the registry's answer is too large (${this.base} sent more than ${limit} for ${where})`,
      },
    );
  }

  /** GET a path under the API version, through the cache. 404 is an answer, not an error. */
  private async call(
    where: string,
    signal: AbortSignal | undefined,
  ): Promise<{ status: number; body: unknown; staleMs?: number }> {
    const prefixes = this.prefix !== undefined ? [this.prefix] : ["/v0.1", "/v0"];
    let last = { status: 404, body: null as unknown };
    for (const prefix of prefixes) {
      const got = await this.cachedGet(`${this.base}${prefix}${where}`, signal);
      if (got.status !== 404 || prefixes.length === 1) {
        this.prefix = prefix;
        return got;
      }
      // 404 at /v0.1: either the server is unknown or the registry serves only /v0. Ask /v0 too.
      last = got;
    }
    return last;
  }

  private async cachedGet(
    url: string,
    signal: AbortSignal | undefined,
  ): Promise<{ status: number; body: unknown; staleMs?: number }> {
    const now = this.options.now ?? Date.now;
    const cached = this.options.cache?.get(url);
    if (cached && now() - cached.fetchedAt <= FRESH_MS) return { status: 200, body: cached.body };
    try {
      const answer = await this.fetchJson(url, signal);
      // A cache: unwritten, the next search asks the registry again.
      if (answer.status === 200) await this.options.cache?.put(url, answer.body).catch(() => {});
      return answer;
    } catch (error) {
      // Offline, or the registry is down: an older answer, said to be old, beats none.
      const down = error instanceof RegistryError && /timeout|unreachable|down/.test(error.code);
      if (down && cached) return { status: 200, body: cached.body, staleMs: now() - cached.fetchedAt };
      throw error;
    }
  }

  private async fetchJson(
    url: string,
    signal: AbortSignal | undefined,
  ): Promise<{ status: number; body: unknown }> {
    const command = this.options.signal;
    if (command?.aborted || signal?.aborted) throw abortReason(command, signal);
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = AbortSignal.any([timeout, ...(command ? [command] : []), ...(signal ? [signal] : [])]);
    const doFetch = this.options.fetch ?? fetch;
    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, {
        headers: { accept: "application/json", "user-agent": `mcp-twin/${VERSION}` },
        signal: combined,
        redirect: "follow",
      });
      if (Number(response.headers.get("content-length") ?? 0) > MAX_ANSWER_BYTES) {
        // Too large is thrown below: a body already ended has nothing to cancel.
        await response.body?.cancel().catch(() => {});
        throw this.tooLarge(url);
      }
      const bytes = await readAtMost(response, MAX_ANSWER_BYTES);
      if (!bytes) throw this.tooLarge(url);
      text = new TextDecoder().decode(bytes);
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      if (command?.aborted || signal?.aborted) throw abortReason(command, signal);
      if (timeout.aborted) {
        const within = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`;
        throw new RegistryError(
          "registry-timeout",
          `The MCP Registry at ${this.base} did not answer within ${within}.`,
          { hint: registryHint(), reason: `${this.base} did not answer within ${within}` },
        );
      }
      const reason = networkReason(this.base, error);
      throw new RegistryError("registry-unreachable", `The MCP Registry cannot be reached: ${reason}.`, {
        hint: registryHint(),
        reason,
      });
    }
    if (response.status === 404) return { status: 404, body: undefined };
    if (response.status !== 200) {
      const answered = `${this.base} answered ${response.status} ${response.statusText}`.trim();
      throw new RegistryError(
        response.status >= 500 ? "registry-down" : "registry-http",
        `The MCP Registry at ${answered}.`,
        {
          hint: response.status >= 500 ? "The registry has a problem; try again later." : registryHint(),
          reason: answered,
        },
      );
    }
    try {
      return { status: 200, body: JSON.parse(text) as unknown };
    } catch {
      throw this.invalid(new URL(url).pathname, "did not answer JSON");
    }
  }
}

/** Ctrl-C (the command's signal) means exit 130; a caller's own abort is passed on as it is. */
function abortReason(command: AbortSignal | undefined, signal: AbortSignal | undefined): unknown {
  if (command?.aborted) return command.reason instanceof Error ? command.reason : new InterruptedError();
  return signal?.reason ?? new DOMException("aborted", "AbortError");
}

/** Why `base` could not be reached, as a clause naming it ("its address … does not resolve"). */
function networkReason(base: string, error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code === "ENOTFOUND" || cause?.code === "EAI_AGAIN")
    return `its address ${base} does not resolve (offline?)`;
  if (cause?.code === "ECONNREFUSED") return `${base} refused the connection`;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return `${base} cannot be reached (${detail})`;
}

function registryHint(): string {
  return "The catalogue (`mcp-twin add --list`) works offline. Another registry: --registry <url> or MCP_TWIN_REGISTRY.";
}
