/**
 * After `add` or `init` wrote remote servers: which of them need a login (asked once, as sync asks),
 * said with the command that logs in — and, on a terminal, the login offered right away.
 */

import type { Machine } from "../../core/environments/machine.js";
import type { ServerSpec } from "../../core/manifest/schema.js";
import type { CommandContext, SharedOptions } from "./command.js";

export async function offerLogins(
  ctx: CommandContext<SharedOptions<"json" | "manifest">>,
  machine: Machine,
  servers: ReadonlyArray<readonly [string, ServerSpec]>,
  options: {
    /** Ask on a terminal (not with --yes, --json, or without a TTY). */
    ask?: (name: string) => Promise<boolean>;
    /** Say which need a login (a sync report may have said it already). */
    say: boolean;
  },
): Promise<string[]> {
  const remotes = servers.filter(([, s]) => s.url !== undefined && !s.disabled);
  if (remotes.length === 0) return [];
  const { detectLogins, loginLines } = await import("../../core/oauth/needs-login.js");
  await detectLogins(machine, remotes);
  const needed = loginLines(machine, remotes).filter((l) => l.mode === "oauth" && l.state.state !== "ok");
  const out = ctx.output;
  for (const l of needed) {
    if (options.say && !out.json)
      out.print(
        `${out.theme.warn} ${l.server} needs a login (${l.url} asks for one): \`mcp-twin login ${l.server}\` logs in once for every client.`,
      );
    if (!options.ask || !(await options.ask(l.server))) continue;
    const { run } = await import("../login.js");
    // `login <server>` with the manifest of the command that offers it, in the browser.
    await run({ ...ctx, args: [l.server], options: { ...ctx.options, browser: true } });
  }
  return needed.map((l) => l.server);
}
