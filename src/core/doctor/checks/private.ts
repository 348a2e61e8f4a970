/**
 * A client config that already holds keys — an entry's env value or header — and that other users can
 * read (pure): sync warns before writing a key into such a file; this finds those that hold keys
 * already.
 */

import { readEntry } from "../../clients/entry-view.js";
import { shellQuote } from "../../environments/path-translation.js";
import { isSecretName } from "../../secrets/placeholders.js";
import type { ConfigFacts } from "../gather/read-configs.js";
import { AS_IS, type Show } from "../path-style.js";
import { type Finding, finding } from "../types.js";
import { placeholderKind } from "./secrets.js";

/** A value that only names a variable (`${API_KEY}`, `${env:X}`, `$X`) holds no key. */
const REFERENCE_ONLY = /^(?:\$\{[^{}]+\}|\$[A-Za-z_][A-Za-z0-9_]*)$/;

/** The servers of a config whose entries hold a key in the file itself (never the values). */
function serversHoldingKeys(f: ConfigFacts): string[] {
  const out = new Set<string>();
  for (const set of f.sets)
    for (const [server, raw] of Object.entries(set.entries)) {
      const view = readEntry(raw, f.target.client.id);
      const values = [
        ...Object.entries(view.env).filter(([name]) => isSecretName(name)),
        ...Object.entries(view.headers).filter(([name]) => isSecretName(name)),
      ];
      const holds = values.some(([name, value]) => {
        const bare = value.trim().replace(/^(Bearer|Basic|Token)\s+/i, "");
        return bare !== "" && !REFERENCE_ONLY.test(bare) && !placeholderKind(name, bare);
      });
      if (holds) out.add(server);
    }
  return [...out].sort();
}

/**
 * Modes are known for Linux files only (collect leaves a Windows drive's out): chmod takes the Linux path.
 *
 * The bridge's bearer token is a header too. Windows files are left out: mode bits mean nothing
 * there (on /mnt/c neither); the profile's ACL protects them.
 */
export function checkConfigPrivate(f: ConfigFacts, show: Show = AS_IS): Finding[] {
  const t = f.target;
  if (t.env.kind === "windows" || f.mode === undefined || f.text === null) return [];
  const servers = serversHoldingKeys(f);
  if (servers.length === 0) return [];
  const where = { env: t.env.id, client: t.client.id, scope: t.scope };
  const mode = (f.mode & 0o777).toString(8).padStart(3, "0");
  const of = `${servers.length === 1 ? "a key" : "keys"} (${servers.join(", ")})`;
  if ((f.mode & 0o044) === 0)
    return [
      {
        ...finding("pass", where, `${show.path(t.path)} holds ${of} and only its owner can read it.`),
        about: servers,
      },
    ];
  const real = f.realPath ?? t.file;
  const shown = real !== t.file ? `${show.path(t.path)} (a link to ${show.path(real)})` : show.path(t.path);
  return [
    {
      ...finding(
        "warn",
        where,
        `${shown} holds ${of} and is readable by other users (mode ${mode}): anyone on this machine can read ${servers.length === 1 ? "it" : "them"}.`,
        { fix: `chmod 600 ${shellQuote(real)}` },
      ),
      about: servers,
    },
  ];
}
