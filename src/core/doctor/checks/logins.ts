/**
 * Logins (pure): for each server that needs one, the state of mcp-twin's login to it — none, for
 * another URL, expired, renewing fails, or logged in (its scopes, when its token expires).
 */

import { defineCheck } from "../check-def.js";
import type { ServerFacts } from "../facts.js";
import { finding } from "../types.js";

export const loginChecks = [
  defineCheck({
    id: "login.state",
    scope: "manifest-server",
    doc: 'a remote server that needs a login (`"auth": "oauth"`, or it answered 401 with `WWW-Authenticate: Bearer`): mcp-twin holds no login to it, one for another URL, one that expired, or renewing it fails (the provider refused it, or cannot be reached); pass shows its scopes and when its token expires. With `"auth": "client"` each client holds its own login, which doctor cannot see (skip).',
    fix: "`mcp-twin login <server>`.",
    run: (f: ServerFacts) => {
      const l = f.login;
      if (!l) return [];
      const where = { server: f.name };
      const fix = `Run \`mcp-twin login ${f.name}\`.`;
      if (l.mode === "client")
        return [
          finding(
            "skip",
            where,
            `"auth": "client": each client holds its own login to ${l.url}, which doctor cannot see.`,
          ),
        ];
      const s = l.state;
      switch (s.state) {
        case "none":
          return [finding("fail", where, `${l.url} needs a login, and mcp-twin holds none.`, { fix })];
        case "other-url":
          return [finding("fail", where, `mcp-twin's login is for ${s.url}, not ${l.url}.`, { fix })];
        case "expired":
          return [
            finding(
              "fail",
              where,
              `the login expired ${new Date(s.expiresAt).toISOString()} and the provider gave no way to renew it.`,
              { fix },
            ),
          ];
        case "failing":
          return [
            finding(
              "fail",
              where,
              `renewing the login fails: ${s.message}${s.revoked && !s.spent ? " (the provider refused it)" : ""}.`,
              {
                fix: s.revoked
                  ? fix
                  : `${fix} once the provider answers again (every relay tries again on its next request).`,
              },
            ),
          ];
        case "ok": {
          const scopes = s.scopes.length > 0 ? ` with scopes ${s.scopes.join(" ")}` : "";
          const at = s.expiresAt === undefined ? "" : new Date(s.expiresAt).toISOString();
          const expiry =
            s.expiresAt === undefined
              ? ""
              : s.expired
                ? `; its access token expired ${at} and is renewed on next use`
                : s.refreshable
                  ? `; its token is valid until ${at}, then renewed`
                  : `; it expires ${at}, then log in again`;
          return [finding("pass", where, `logged in${scopes}${expiry}.`)];
        }
      }
    },
  }),
] as const;
