/**
 * What doctor reports: checks with a stable id, a status, a message and (when something is wrong)
 * the fix. Check logic is pure — facts in, checks out — so each check is unit-tested on its own;
 * gathering the facts (files, processes, probes) lives apart from it.
 */

export type CheckStatus = "pass" | "warn" | "fail" | "skip";

export interface Check {
  /** Stable id, listed in docs/doctor.md (e.g. `entry.spawn`). */
  id: string;
  status: CheckStatus;
  message: string;
  fix?: string;
  env?: string;
  client?: string;
  server?: string;
  /** Which file of that client (user / project / local scope); for grouping, not in --json. */
  scope?: string;
  /** Extra lines (a server's stderr tail, what it printed on stdout). */
  detail?: string[];
}

export type Where = Pick<Check, "env" | "client" | "server" | "scope">;

export function check(
  id: string,
  status: CheckStatus,
  where: Where,
  message: string,
  extra: { fix?: string | undefined; detail?: string[] | undefined } = {},
): Check {
  return {
    id,
    status,
    ...clean(where),
    message,
    ...(extra.fix && status !== "pass" ? { fix: extra.fix } : {}),
    ...(extra.detail && extra.detail.length > 0 ? { detail: extra.detail } : {}),
  };
}

function clean(where: Where): Where {
  const out: Where = {};
  if (where.env) out.env = where.env;
  if (where.client) out.client = where.client;
  if (where.server) out.server = where.server;
  if (where.scope) out.scope = where.scope;
  return out;
}

export const SYNC_FIX = "Run `mcp-twin sync`.";

/** Seconds with one decimal below 10 s, else whole seconds. */
export function seconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}
