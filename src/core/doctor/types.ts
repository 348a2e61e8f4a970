/**
 * What a check finds: a status, a message, where, and (when something is wrong) the fix. The
 * registry (all-checks.ts) stamps each finding with its check's id.
 */
import type { ProbeCommand } from "./probe/probe-command.js";

export type CheckStatus = "pass" | "warn" | "fail" | "skip";

/** What one check found about one thing; the runner adds the check's id. */
export interface Finding {
  status: CheckStatus;
  message: string;
  fix?: string;
  env?: string;
  client?: string;
  server?: string;
  /** Which file of that client (user / project / local scope); for grouping, not in --json. */
  scope?: string;
  /** Extra lines (a server's stderr excerpt, what it printed on stdout). */
  detail?: string[];
  /** The command a failed probe started, as the user can start it again by hand from here. */
  command?: ProbeCommand;
  /**
   * One finding for several client configs (group.ts, secrets.placeholder): where it applies. Such
   * a finding has no `client`; `--json` names the places in its message (group.ts's messageOf).
   */
  places?: Place[];
  /**
   * The servers a finding about a whole file is about (config.private: the servers whose keys it
   * holds): `--server` keeps it only for one of them. Not in --json.
   */
  about?: string[];
  /**
   * One start or contact answered for client configs in several environments (a remote reached
   * once): reported once for all of them, not once per environment (group.ts). Not in --json.
   */
  oneForAll?: boolean;
  /**
   * The start a probe finding is about (probe-phase's key for its launch): findings of different
   * starts are never one group, however alike their messages (group.ts). Not in --json.
   */
  launch?: string;
}

/** A client config a finding applies to: the client's file (user scope unless said) in an environment. */
export interface Place {
  env: string;
  client: string;
  scope?: string;
}

export type Where = Pick<Finding, "env" | "client" | "server" | "scope">;

type Extra = { fix?: string | undefined; detail?: string[] | undefined; command?: ProbeCommand | undefined };

/**
 * A finding. A failure always says what to do (its `fix`, the report's → line): the report's last
 * line says "the → lines say what to do" whenever something failed, so the type asks for it.
 */
export function finding(
  status: "fail",
  where: Where,
  message: string,
  extra: Extra & { fix: string },
): Finding;
export function finding(
  status: Exclude<CheckStatus, "fail">,
  where: Where,
  message: string,
  extra?: Extra,
): Finding;
export function finding(
  status: CheckStatus,
  where: Where,
  message: string,
  extra: Extra & { fix: string },
): Finding;
export function finding(status: CheckStatus, where: Where, message: string, extra: Extra = {}): Finding {
  return {
    status,
    ...clean(where),
    message,
    ...(extra.fix && status !== "pass" ? { fix: extra.fix } : {}),
    ...(extra.detail && extra.detail.length > 0 ? { detail: extra.detail } : {}),
    ...(extra.command ? { command: extra.command } : {}),
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
