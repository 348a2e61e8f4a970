/**
 * Which manifest servers need a login, and whose login their entries use: the manifest's `"auth"`,
 * else whether the remote answers 401 with a Bearer challenge (or serves RFC 9728 metadata), asked
 * once per URL and remembered in the home's cache so every command's entries agree offline.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { FetchLike } from "@modelcontextprotocol/client";
import type { Machine } from "../environments/machine.js";
import type { ServerSpec } from "../manifest/schema.js";
import { dict, own } from "../plain-records.js";
import { oauthFetch } from "./oauth-fetch.js";
import { type LoginState, loginFile, loginState, readLogin } from "./token-store.js";

/** `oauth`: mcp-twin holds the login and every entry is its relay; `client`: each client logs in. */
type LoginMode = "oauth" | "client";

interface Remembered {
  /** true: it needs a login; false: it answered without one; null: it could not be reached. */
  login: boolean | null;
  at: number;
}

const CACHE_VERSION = 1;
/** How long an answer is kept: "needs a login" until the URL changes. */
const KEEP_OPEN_MS = 24 * 3600_000;
const KEEP_UNREACHABLE_MS = 10 * 60_000;

function cacheFile(machine: Pick<Machine, "paths">): string {
  return path.join(machine.paths.cache, "remote-logins.json");
}

function remembered(machine: Pick<Machine, "paths" | "caches">): Record<string, Remembered> {
  try {
    const data = JSON.parse(machine.caches.read(cacheFile(machine)) ?? "") as {
      version?: number;
      remotes?: Record<string, Remembered>;
    };
    return data.version === CACHE_VERSION && data.remotes ? dict(data.remotes) : dict<Remembered>();
  } catch {
    return dict<Remembered>();
  }
}

/**
 * Could this server need a login that mcp-twin should find out about? Not one with headers: a key
 * in a header is how it logs in (a server may take a key or a login, and the key works as it is).
 */
/** The url to ask, of a server whose need for a login can be asked (undefined: not one). */
function askableUrl(spec: ServerSpec): string | undefined {
  return askable(spec) ? spec.url : undefined;
}

function askable(spec: ServerSpec): boolean {
  if (spec.url === undefined || spec.auth !== undefined || spec.transport === "sse") return false;
  if (spec.url.includes("${")) return false;
  const headers = [spec.headers, ...Object.values(spec.overrides ?? {}).map((o) => o.headers)];
  return headers.every((h) => Object.keys(h ?? {}).length === 0);
}

/** How a server's login is handled (pure but for the cache and the login files it reads). */
function loginModeOf(
  machine: Pick<Machine, "paths" | "caches">,
  name: string,
  spec: ServerSpec,
  known: Record<string, Remembered> = remembered(machine),
): LoginMode | undefined {
  if (spec.url === undefined) return undefined;
  if (spec.auth) return spec.auth;
  if (!askable(spec)) return undefined;
  if (own(known, spec.url)?.login === true) return "oauth";
  return existsSync(loginFile(machine.paths.oauth, name)) ? "oauth" : undefined;
}

/** The servers whose entries are mcp-twin's relay with its login (`connect --auth <server>`). */
export function relayLogins(
  machine: Pick<Machine, "paths" | "caches">,
  servers: ReadonlyArray<readonly [string, ServerSpec]>,
): Set<string> {
  const out = new Set<string>();
  if (!servers.some(([, s]) => s.url !== undefined)) return out;
  const known = remembered(machine);
  for (const [name, spec] of servers) if (loginModeOf(machine, name, spec, known) === "oauth") out.add(name);
  return out;
}

export interface LoginLine {
  server: string;
  url: string;
  mode: LoginMode;
  /** mcp-twin's login (mode oauth; for client mode, the one clients that cannot log in use). */
  state: LoginState;
}

/** Each server that needs a login: how, and the state of mcp-twin's login for it. */
export function loginLines(
  machine: Pick<Machine, "paths" | "caches" | "host">,
  servers: ReadonlyArray<readonly [string, ServerSpec]>,
): LoginLine[] {
  const known = remembered(machine);
  const now = machine.host.now().getTime();
  const out: LoginLine[] = [];
  for (const [name, spec] of servers) {
    const mode = loginModeOf(machine, name, spec, known);
    if (!mode || spec.url === undefined) continue;
    out.push({
      server: name,
      url: spec.url,
      mode,
      state: loginState(readLogin(machine.paths.oauth, name), spec.url, now),
    });
  }
  return out;
}

/**
 * Ask the remotes not asked yet (or long ago) whether they need a login: in parallel, each within
 * `timeoutMs`, the answers remembered. Returns the names that need one.
 */
export async function detectLogins(
  machine: Pick<Machine, "paths" | "caches" | "host">,
  servers: ReadonlyArray<readonly [string, ServerSpec]>,
  options: { timeoutMs?: number; fetchFn?: FetchLike } = {},
): Promise<string[]> {
  const known = remembered(machine);
  const now = machine.host.now().getTime();
  const fresh = (r: Remembered | undefined) =>
    r !== undefined &&
    (r.login === true || now - r.at < (r.login === false ? KEEP_OPEN_MS : KEEP_UNREACHABLE_MS));
  const ask = [
    ...new Set(
      servers.flatMap(([, s]) => {
        const url = askableUrl(s);
        return url !== undefined && !fresh(own(known, url)) ? [url] : [];
      }),
    ),
  ];
  if (ask.length > 0) {
    const answers = await Promise.all(
      ask.map((url) => {
        const timeoutMs = options.timeoutMs ?? 4_000;
        // Each answer read at most 1 MiB (an endless metadata document is no answer).
        return needsLogin(url, timeoutMs, options.fetchFn ?? oauthFetch({ timeoutMs }));
      }),
    );
    answers.forEach((login, i) => {
      const url = ask[i];
      if (url !== undefined) known[url] = { login, at: now };
    });
    await machine.caches.write(
      cacheFile(machine),
      `${JSON.stringify({ version: CACHE_VERSION, remotes: known }, null, 2)}\n`,
    );
  }
  return servers
    .filter(([, s]) => {
      const url = askableUrl(s);
      return url !== undefined && own(known, url)?.login === true;
    })
    .map(([n]) => n);
}

/**
 * Does this remote need a login? A request without credentials answered 401 with a Bearer
 * challenge, or Protected Resource Metadata served at its well-known address. null: no answer.
 */
async function needsLogin(url: string, timeoutMs: number, fetchFn: FetchLike): Promise<boolean | null> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    // No MCP message: a server that guards its endpoint refuses any request without credentials.
    const res = await fetchFn(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: "{}",
      signal,
    });
    // The status is all that is read: a body already ended has nothing to cancel.
    await res.body?.cancel().catch(() => {});
    // A 401 asking for a bearer token; any other 401 (a key of its own) is told by the metadata.
    if (res.status === 401 && /^\s*bearer\b/i.test(res.headers.get("www-authenticate") ?? "")) return true;
    const u = new URL(url);
    const metadata = new URL(`/.well-known/oauth-protected-resource${u.pathname.replace(/\/$/, "")}`, u);
    const prm = await fetchFn(metadata, { signal });
    if (!prm.ok) {
      // The status is all that is read: a body already ended has nothing to cancel.
      await prm.body?.cancel().catch(() => {});
      return false;
    }
    // Metadata that is not JSON names no authorization server.
    const body = (await prm.json().catch(() => null)) as { authorization_servers?: unknown } | null;
    return Array.isArray(body?.authorization_servers) && body.authorization_servers.length > 0;
  } catch {
    return null;
  }
}
