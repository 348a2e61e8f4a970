/**
 * The record of a renewal under way (`oauth/<server>.renewing`), written before its refresh token
 * leaves and removed once the answer is stored: a process that finds it after a crash knows that
 * refresh token may have been used, waits out its outcome, and never sends it again.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ownerAlive, removePath, thisProcess, writePrivateFile } from "../system/files.js";
import { OAUTH_TIMEOUT_MS } from "./oauth-fetch.js";
import { readLogin, renewalFile, type StoredLogin } from "./token-store.js";

interface RenewalRecord {
  pid: number;
  boot: string;
  /** When it was written (ms since the epoch). */
  at: number;
  /** Which refresh token it sends: a hash, never the token. */
  token: string;
}

/** How long after a record was written its renewal has surely ended: the request's limit and some. */
const OUTCOME_MARGIN_MS = 5_000;
const POLL_MS = 200;

/** A refresh token's mark in the record (SHA-256, cut: enough to tell two tokens apart). */
export function tokenMark(refreshToken: string): string {
  return createHash("sha256").update(refreshToken).digest("hex").slice(0, 32);
}

export function readRecord(oauthDir: string, server: string): RenewalRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(renewalFile(oauthDir, server), "utf8")) as Partial<RenewalRecord>;
    return typeof r?.token === "string" && typeof r.at === "number" ? (r as RenewalRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** Written atomically (and synced to disk) before the refresh token is sent. */
export async function writeRecord(
  oauthDir: string,
  server: string,
  refreshToken: string,
  now: number,
): Promise<void> {
  const record: RenewalRecord = { ...(await thisProcess()), at: now, token: tokenMark(refreshToken) };
  await writePrivateFile(renewalFile(oauthDir, server), `${JSON.stringify(record)}\n`);
}

export async function dropRecord(oauthDir: string, server: string): Promise<void> {
  await removePath(renewalFile(oauthDir, server));
}

/**
 * What became of a renewal recorded for the login's current refresh token and never finished: the
 * login its process stored after all (it was still running: its lock had gone stale), the login as
 * it is once that record is gone, "spent" once its process is known to be gone (or its request has
 * surely ended) with nothing stored, or undefined when the login was removed meanwhile.
 */
export async function outcomeOf(
  oauthDir: string,
  server: string,
  sent: string,
  now: () => number,
  timeoutMs = OAUTH_TIMEOUT_MS,
): Promise<StoredLogin | "spent" | undefined> {
  for (;;) {
    const login = readLogin(oauthDir, server);
    if (!login) return undefined;
    const record = readRecord(oauthDir, server);
    if (login.tokens.refresh_token !== sent || record?.token !== tokenMark(sent)) return login;
    if ((await ownerAlive(record)) === false || now() - record.at > timeoutMs + OUTCOME_MARGIN_MS)
      return "spent";
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
