/**
 * Session ids a restarted bridge can honour: each is a sealed record (AES-256-GCM, key in the state
 * folder's `session-key`) of what it takes to open that session again, bound to its credential, with
 * an expiry; an id its client ended stays ended across restarts (`sessions-ended`).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { OperationError } from "../core/errors.js";
import { createPrivateFileOnce, readTextOrNull, writePrivateFile } from "../core/system/files.js";
import { credentialOf as credentialUnder } from "./credential.js";
import { headerOf } from "./http-guards.js";

/** What a session is opened again from. */
export interface SealedSession {
  /** The endpoint's path (`/mcp`, `/share/<name>`): the id opens nothing elsewhere. */
  endpoint: string;
  init: { protocolVersion: string; clientInfo: { name: string; version: string }; capabilities: unknown };
  /** The headers of `initialize` its endpoint keeps for the session (Endpoint.sessionHeaders). */
  headers?: Record<string, string>;
}

/** The record inside: the session, the credential's keyed hash (never the token), its expiry (s). */
interface Record_ extends SealedSession {
  credential: string;
  exp: number;
}

/** A sealed id reopens after a restart for a week from its `initialize` (a live session is not cut). */
const SEALED_ID_TTL_S = 7 * 24 * 3600;

/** Past this many bytes of JSON, the client's info and capabilities are cut to their bones. */
const MAX_RECORD = 2048;
/** No record sealed is larger (an id of up to 4 KiB): past it, an id no restart honours. */
const HARD_MAX_RECORD = 2900;
/** The client capabilities the 2025-11-25 spec defines: the SDK server drops any other key. */
const CLIENT_CAPABILITIES = ["experimental", "sampling", "elicitation", "roots", "tasks", "extensions"];
const IV = 12;
const TAG = 16;

/**
 * A 2025-11-25 session's id seals its endpoint, `initialize`, kept headers and credential hash under
 * a key made once (0600): after a restart it reopens as if just initialized (sessions.ts `restore`).
 */
export class SessionSeal {
  readonly #key: Buffer;
  readonly #now: () => number;
  readonly #ended: EndedIds;

  /** `now`: the clock, in ms (tests give theirs); `ended`: the ids ended before. */
  private constructor(key: Buffer, now: () => number, ended: EndedIds) {
    this.#key = key;
    this.#now = now;
    this.#ended = ended;
  }

  /** The key in `file`, made exclusively (two starts agree on one) when there is none. */
  static async open(
    file: string,
    { ended, now = Date.now }: { ended: string; now?: () => number },
  ): Promise<SessionSeal> {
    const read = async () => {
      const text = (await readTextOrNull(file))?.trim();
      return text ? Buffer.from(text, "base64url") : undefined;
    };
    let key = await read();
    if (!key) {
      await createPrivateFileOnce(file, `${randomBytes(32).toString("base64url")}\n`);
      key = await read();
    }
    if (key?.length !== 32)
      throw new OperationError(
        "session-key",
        `${file} is not a session key (32 bytes, base64url): remove it, and the bridge makes a new one (sessions open before then start over)`,
      );
    return new SessionSeal(key, now, await EndedIds.open(ended, now()));
  }

  /** The credential of a request's `Authorization` header, hashed under this key (stable across restarts). */
  credentialOf(headers: IncomingHttpHeaders): string {
    return credentialUnder(headers, this.#key);
  }

  /** A new session id sealed for `headers`' credential; undefined past HARD_MAX_RECORD. */
  seal(session: SealedSession, headers: IncomingHttpHeaders): string | undefined {
    const record: Record_ = {
      ...trimmed(session),
      credential: this.credentialOf(headers),
      exp: Math.floor(this.#now() / 1000) + SEALED_ID_TTL_S,
    };
    const text = JSON.stringify(record);
    if (Buffer.byteLength(text, "utf8") > HARD_MAX_RECORD) return undefined;
    const iv = randomBytes(IV);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    const body = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
  }

  /** The session `id` seals, if it unseals for `headers`' credential, unexpired and not ended. */
  unseal(id: string, headers: IncomingHttpHeaders): SealedSession | undefined {
    const record = this.#open(id);
    if (!record || record.credential !== this.credentialOf(headers)) return undefined;
    if (this.#ended.has(endedKey(id), record.exp)) return undefined;
    const { credential: _, exp: __, ...session } = record;
    return session;
  }

  /** `id` was ended on purpose (DELETE, eviction): it is never opened again, after a restart too. */
  end(id: string): void {
    const record = this.#open(id);
    if (record) this.#ended.add(endedKey(id), record.exp, Math.floor(this.#now() / 1000));
  }

  flushed(): Promise<void> {
    return this.#ended.flushed();
  }

  #open(id: string): Record_ | undefined {
    if (!/^[A-Za-z0-9_-]{40,}$/.test(id)) return undefined;
    // 40 characters and more: 30 bytes, past the IV and the tag.
    const raw = Buffer.from(id, "base64url");
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#key, raw.subarray(0, IV));
      decipher.setAuthTag(raw.subarray(raw.length - TAG));
      const text = Buffer.concat([decipher.update(raw.subarray(IV, raw.length - TAG)), decipher.final()]);
      const record = JSON.parse(text.toString("utf8")) as Record_;
      return typeof record.exp === "number" && record.exp * 1000 > this.#now() ? record : undefined;
    } catch {
      return undefined;
    }
  }
}

/** An id as the ended list keeps it: 128 bits of its SHA-256 (fixed size, whatever the id's length). */
const endedKey = (id: string) => createHash("sha256").update(id).digest("base64url").slice(0, 22);

/** How many ended ids are kept; past it the oldest go, and with them every id sealed before theirs. */
const ENDED_KEPT = 4096;

/**
 * The ids ended on purpose, with their expiry, in a private file. Past ENDED_KEPT the first to
 * expire goes and `floor` rises to its expiry: bounded, and no ended id ever opens again.
 */
class EndedIds {
  readonly #ids = new Map<string, number>();
  #floor = 0;
  readonly #file: string;
  #writing: Promise<void> = Promise.resolve();
  #pending = false;

  constructor(file: string) {
    this.#file = file;
  }

  static async open(file: string, nowMs: number): Promise<EndedIds> {
    const ended = new EndedIds(file);
    const now = Math.floor(nowMs / 1000);
    for (const line of ((await readTextOrNull(file)) ?? "").split("\n")) {
      const [key, exp] = line.split(" ");
      const at = Number(exp);
      if (!key || !Number.isSafeInteger(at)) continue;
      if (key === "floor") ended.#floor = Math.max(ended.#floor, at);
      else if (at > now && /^[A-Za-z0-9_-]{22}$/.test(key)) ended.#ids.set(key, at);
    }
    while (ended.#ids.size > ENDED_KEPT) ended.#dropOldest();
    return ended;
  }

  has(key: string, exp: number): boolean {
    return exp <= this.#floor || this.#ids.has(key);
  }

  add(key: string, exp: number, now: number): void {
    for (const [k, at] of this.#ids) if (at <= now) this.#ids.delete(k);
    this.#ids.set(key, exp);
    while (this.#ids.size > ENDED_KEPT) this.#dropOldest();
    this.#save();
  }

  flushed(): Promise<void> {
    return this.#writing;
  }

  #dropOldest(): void {
    let oldest: [string, number] | undefined;
    for (const entry of this.#ids) if (!oldest || entry[1] < oldest[1]) oldest = entry;
    if (!oldest) return;
    this.#ids.delete(oldest[0]);
    this.#floor = Math.max(this.#floor, oldest[1]);
  }

  /** Ends that come together are written together; a write that fails is tried with the next end. */
  #save(): void {
    if (this.#pending) return;
    this.#pending = true;
    this.#writing = this.#writing.then(async () => {
      this.#pending = false;
      const lines = [`floor ${this.#floor}`, ...[...this.#ids].map(([k, at]) => `${k} ${at}`)];
      // Unwritten, an ended id opens again after a restart only for its own credential.
      await writePrivateFile(this.#file, `${lines.join("\n")}\n`).catch(() => {});
    });
  }
}

/** The headers named (lower case) as sent, those sent only; undefined when none was. */
export function keptHeaders(
  headers: IncomingHttpHeaders,
  names: readonly string[] | undefined,
): Record<string, string> | undefined {
  const kept: Record<string, string> = {};
  for (const name of names ?? []) {
    const value = headerOf(headers, name);
    if (value !== undefined) kept[name] = value;
  }
  return Object.keys(kept).length > 0 ? kept : undefined;
}

/** The session as it fits in an id: a large client keeps its name, version and spec capabilities. */
function trimmed(session: SealedSession): SealedSession {
  if (Buffer.byteLength(JSON.stringify(session), "utf8") <= MAX_RECORD) return session;
  const { name, version } = session.init.clientInfo;
  const caps = session.init.capabilities;
  const bones =
    caps && typeof caps === "object"
      ? Object.fromEntries(CLIENT_CAPABILITIES.filter((k) => Object.hasOwn(caps, k)).map((k) => [k, {}]))
      : {};
  return {
    ...session,
    init: {
      protocolVersion: String(session.init.protocolVersion).slice(0, 64),
      clientInfo: { name: String(name).slice(0, 200), version: String(version).slice(0, 100) },
      capabilities: bones,
    },
  };
}
