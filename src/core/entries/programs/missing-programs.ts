/**
 * A program an entry runs is missing where it runs (program-check.ts finds it): the report's one line
 * for each environment and program, naming every server and client it stops there.
 */

import { type Restarts, startAgain } from "../../clients/restarts.js";
import { isAbsoluteAny } from "../../environments/launch-paths.js";
import { andList } from "../../text/prose-lists.js";

/** A program missing in an environment: what the report's one line for that environment needs. */
export interface MissingProgram {
  program: string;
  env: string;
  /** The sentence that installs it there (no full stop). */
  install: string;
  /** It runs in the bridge (a shared server): no client restart needed. */
  shared?: true;
  /** A shared server's: what starts it once installed (the next call, or a sync first). */
  startsAfter?: string;
}

/**
 * One line per environment and missing program, naming every server and client it stops there
 * (Claude Desktop and Cursor on one Windows run the same `uvx`: one cause, one line), with the
 * install step and what then starts the entries.
 *
 * Claude Desktop and Cursor on one Windows run the same `uvx`: one cause, one line. Pure, and kept
 * apart from program-check.ts so a sync's report does not load the lookups.
 */
export function missingProgramLines(
  items: ReadonlyArray<{ missing: MissingProgram; server: string; client: Restarts }>,
): string[] {
  const groups = new Map<
    string,
    { missing: MissingProgram; servers: string[]; clients: Restarts[]; direct: boolean }
  >();
  for (const { missing, server, client } of items) {
    const key = `${missing.env}\0${missing.program}`;
    const g = groups.get(key) ?? { missing, servers: [], clients: [], direct: false };
    if (!missing.shared) g.direct = true;
    if (!g.servers.includes(server)) g.servers.push(server);
    if (!g.clients.some((c) => c.name === client.name)) g.clients.push(client);
    groups.set(key, g);
  }
  return [...groups.values()].map(({ missing, servers, clients, direct }) => {
    const { program, env, install } = missing;
    const where = isAbsoluteAny(program) ? "" : " (not on its PATH)";
    // Only shared servers: they run in the bridge, which starts them on the next call.
    const then = direct
      ? startAgain(clients)
      : (missing.startsAfter ?? "the bridge starts it on the next call");
    return `\`${program}\` is not found in ${env}${where}: ${andList(servers)} will not start in ${andList(clients.map((c) => c.name))} until it is installed there. ${install}; then ${then}.`;
  });
}
