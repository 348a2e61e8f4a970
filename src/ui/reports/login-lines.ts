/**
 * Each server that needs a login, as sync and status say it (not logged in, logged in until when
 * with which scopes, renewing fails — with the command that fixes it — or each client's own).
 */
import type { LoginLine } from "../../core/oauth/needs-login.js";
import { when } from "../moment.js";
import type { Theme } from "../theme.js";

export function loginJson(lines: readonly LoginLine[]) {
  return lines.map((l) => ({
    server: l.server,
    mode: l.mode,
    state: l.state.state,
    ...(l.state.state === "ok"
      ? {
          scopes: l.state.scopes,
          ...(l.state.expiresAt !== undefined
            ? { expiresAt: new Date(l.state.expiresAt).toISOString() }
            : {}),
          refreshable: l.state.refreshable,
        }
      : {}),
    ...(l.state.state === "failing" ? { error: l.state.message, revoked: l.state.revoked } : {}),
    ...(l.state.state === "none" ||
    l.state.state === "failing" ||
    l.state.state === "expired" ||
    l.state.state === "other-url"
      ? { fix: `mcp-twin login ${l.server}` }
      : {}),
  }));
}

export function loginText(
  line: LoginLine,
  theme: Pick<Theme, "ok" | "warn" | "fail" | "info">,
  now: number,
): string {
  const s = line.state;
  const fix = `run \`mcp-twin login ${line.server}\``;
  if (line.mode === "client")
    return `${theme.info} ${line.server}: "auth": "client": each client asks for its own login${s.state === "ok" ? "" : ` (clients that cannot log in themselves, Claude Desktop, use mcp-twin's: ${fix})`}`;
  switch (s.state) {
    case "none":
      return `${theme.warn} ${line.server} needs a login: ${fix} (every client then reaches it through mcp-twin's relay)`;
    case "other-url":
      return `${theme.warn} ${line.server}: the login mcp-twin holds is for ${s.url}, not ${line.url}: ${fix}`;
    case "expired":
      return `${theme.fail} ${line.server}: the login expired and cannot be renewed: ${fix}`;
    case "failing":
      return `${theme.fail} ${line.server}: renewing the login fails (${s.message}): ${s.revoked ? fix : `the provider may be down; if it lasts, ${fix}`}`;
    case "ok": {
      // What is stored, never ✔: neither sync nor status has seen the login work (doctor tries it).
      const scopes = s.scopes.length > 0 ? `scopes ${s.scopes.join(" ")}` : "";
      const until =
        s.expiresAt === undefined
          ? ""
          : s.expiresAt <= now
            ? `the access token expired at ${when(s.expiresAt, now)}; it is renewed on next use`
            : s.refreshable
              ? `token valid until ${when(s.expiresAt, now)}, then renewed`
              : `until ${when(s.expiresAt, now)}, then log in again`;
      return `${theme.info} ${line.server}: logged in${scopes || until ? ` (${[scopes, until].filter(Boolean).join("; ")})` : ""}`;
    }
  }
}

/**
 * Under the logins, when one is said to be logged in: that this is what mcp-twin has stored, not
 * what the provider says now (it may have revoked the login since).
 */
export function loginsNote(lines: readonly LoginLine[]): string | undefined {
  return lines.some((l) => l.mode !== "client" && l.state.state === "ok")
    ? "As stored: the provider was not asked (it may have ended a login since). `mcp-twin doctor` tries each login."
    : undefined;
}
