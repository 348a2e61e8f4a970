/**
 * `mcp-twin logout <server>`: forget mcp-twin's login to a server — its tokens and client
 * registration leave the home. The entries stay: their relay then answers that a login is needed.
 */
import type { CommandContext } from "../cli.js";
import { UsageError } from "../core/errors.js";
import { forgetLogin, loginFile, readLogin } from "../core/oauth/token-store.js";
import { openCommandMachine } from "./shared/open-machine.js";

export async function run(ctx: CommandContext): Promise<number> {
  const name = ctx.args[0];
  if (!name)
    throw new UsageError("missing-argument", "logout needs a server name, e.g. mcp-twin logout docs.");
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name))
    throw new UsageError("bad-name", `"${name}" is not a server name.`);
  const out = ctx.output;
  const machine = await openCommandMachine(ctx);
  const file = loginFile(machine.paths.oauth, name);
  const dryRun = Boolean(ctx.options.dryRun);
  const had = dryRun
    ? readLogin(machine.paths.oauth, name) !== undefined
    : await forgetLogin(machine.paths.oauth, name, () =>
        out.info(`Waiting for the renewal of the login to ${name} under way to finish…`),
      );
  if (out.json) {
    out.result({ server: name, loggedOut: had && !dryRun, wasLoggedIn: had, file, dryRun });
    return 0;
  }
  if (!had) {
    out.print(`mcp-twin holds no login to ${name}; nothing to forget.`);
    return 0;
  }
  out.print(
    dryRun
      ? `Would forget the login to ${name} (${machine.shown(file)}).`
      : `${out.theme.ok} Logged out of ${name}: its tokens are gone from ${machine.shown(file)}.`,
  );
  if (!dryRun)
    out.print(
      `  Its entries stay; until you run \`mcp-twin login ${name}\` again, every client is told that a login is needed.`,
    );
  return 0;
}
