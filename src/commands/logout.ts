/**
 * `mcp-twin logout <server>`: revoke mcp-twin's login at its provider where the provider offers that
 * (RFC 7009), then forget it — its tokens and client registration leave the home. The entries stay.
 */

import { UsageError } from "../core/errors.js";
import type { Revocation } from "../core/oauth/revoke.js";
import {
  forgetLogin,
  loginFile,
  loginSecrets,
  readLogin,
  type StoredLogin,
} from "../core/oauth/token-store.js";
import type { Output } from "../ui/output.js";
import type { logoutCommand } from "./logout-flags.js";
import type { ContextOf } from "./shared/command.js";
import { openCommandMachine } from "./shared/open-machine.js";

export async function run(ctx: ContextOf<typeof logoutCommand>): Promise<number> {
  const name = ctx.args[0];
  if (!name)
    throw new UsageError("missing-argument", "logout needs a server name, e.g. mcp-twin logout docs.");
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name))
    throw new UsageError("bad-name", `"${name}" is not a server name.`);
  const out = ctx.output;
  const machine = await openCommandMachine(ctx);
  const file = loginFile(machine.paths.oauth, name);
  const dryRun = Boolean(ctx.options.dryRun);
  const held = readLogin(machine.paths.oauth, name);
  out.addSecrets(loginSecrets(held));
  let revocation: Revocation | undefined;
  let issuer: string | undefined;
  const had = dryRun
    ? held !== undefined
    : await forgetLogin(
        machine.paths.oauth,
        name,
        () => out.info(`Waiting for the renewal of the login to ${name} under way to finish…`),
        async (login) => {
          // The login as it is now (a renewal may have rotated its tokens meanwhile).
          out.addSecrets(loginSecrets(login));
          issuer = login.authorizationServer;
          const step = out.progress.step(`Revoking the login to ${name} at its provider`);
          const { revokeLogin } = await import("../core/oauth/revoke.js");
          const { oauthTimeoutMs } = await import("../core/oauth/oauth-fetch.js");
          const timeoutMs = oauthTimeoutMs(ctx.host.env);
          revocation = await revokeLogin(login, { signal: ctx.signal, timeoutMs }).finally(() => step.stop());
        },
      );
  const offered = held ? await revocationOffered(held) : false;
  if (out.json) {
    out.result({
      server: name,
      loggedOut: had && !dryRun,
      wasLoggedIn: had,
      file,
      dryRun,
      ...(dryRun
        ? had
          ? { revocation: offered ? "planned" : "not-offered" }
          : {}
        : revocation
          ? {
              revocation: revocation.outcome,
              ...(revocation.outcome === "failed" ? { error: revocation.message } : {}),
            }
          : {}),
    });
    return revocation?.outcome === "failed" ? 1 : 0;
  }
  if (!had) {
    out.print(`mcp-twin holds no login to ${name}; nothing to forget.`);
    return 0;
  }
  const shownFile = machine.shown(file);
  if (dryRun) {
    out.print(
      offered
        ? `Would revoke the login to ${name} at its provider, then forget it (${shownFile}).`
        : `Would forget the login to ${name} (${shownFile}); its provider offers no way to revoke it, so it would not be told.`,
    );
    return 0;
  }
  sayLoggedOut(out, name, shownFile, revocation, issuer);
  return revocation?.outcome === "failed" ? 1 : 0;
}

/** Does the login's provider advertise a revocation endpoint? */
async function revocationOffered(login: StoredLogin): Promise<boolean> {
  const { revocationEndpoint } = await import("../core/oauth/revoke.js");
  return revocationEndpoint(login) !== undefined;
}

/** What happened, plainly: revoked at the provider, or only the local copy forgotten (and why). */
function sayLoggedOut(
  out: Output,
  name: string,
  file: string,
  revocation: Revocation | undefined,
  issuer: string | undefined,
): void {
  const { ok, warn } = out.theme;
  const stays = `The tokens it issued stay valid until they expire; to end them sooner, revoke mcp-twin's access at the provider${issuer ? ` (${issuer})` : ""}.`;
  if (revocation?.outcome === "revoked")
    out.print(
      `${ok} Logged out of ${name}: its provider revoked the login, and its tokens are gone from ${file}.`,
    );
  else if (revocation?.outcome === "failed")
    out.print(
      `${warn} Forgot the login to ${name} (its tokens are gone from ${file}), but its provider could not revoke it: ${revocation.message}. ${stays}`,
    );
  else
    out.print(
      `${ok} Forgot the login to ${name}: its tokens are gone from ${file}. Only this copy was forgotten: its provider offers no way to revoke a login (no revocation endpoint). ${stays}`,
    );
  out.print(
    `  Its entries stay; until you run \`mcp-twin login ${name}\` again, every client is told that a login is needed.`,
  );
}
