/**
 * What loads a changed config in each client: a restart (apps that read it only at start), a new
 * session (command-line clients), or restarting the server from within the client. One rule for
 * sync's report, undo's and the advice after a program is installed.
 */

import { andList } from "../text/prose-lists.js";
import type { ClientModule } from "./types.js";

/** What a client needs to start an entry again: its name and how it loads a changed config. */
export type Restarts = Pick<ClientModule, "name" | "restartToApply" | "newSessionToApply">;

/** The apps to restart and the command-line clients to start a new session of, each named once. */
export function restartsOf(clients: readonly Restarts[]): { apps: string[]; sessions: string[] } {
  return {
    apps: [...new Set(clients.filter((c) => c.restartToApply).map((c) => c.name))],
    sessions: [...new Set(clients.filter((c) => c.newSessionToApply).map((c) => c.name))],
  };
}

/**
 * What makes clients start an entry again once its program is there (the entry is written
 * already, so another sync changes nothing): a restart (apps), a new session (command-line
 * clients), or restarting the server from within the client — "restart Claude Desktop and
 * Cursor, and start a new Claude Code session".
 */
export function startAgain(clients: readonly Restarts[]): string {
  const restart = clients.filter((c) => !c.newSessionToApply && c.restartToApply).map((c) => c.name);
  const sessions = clients.filter((c) => c.newSessionToApply).map((c) => c.name);
  const inside = clients.filter((c) => !c.newSessionToApply && !c.restartToApply).map((c) => c.name);
  return [
    ...(restart.length > 0 ? [`restart ${andList(restart)}`] : []),
    ...(sessions.length > 0
      ? [
          sessions.length === 1
            ? `start a new ${sessions[0]} session`
            : `start new ${andList(sessions)} sessions`,
        ]
      : []),
    ...(inside.length > 0 ? [`restart the server in ${andList(inside)}`] : []),
  ].join(", and ");
}
