/**
 * The login provider `connect --auth <server>` loads (remote-auth.ts says what it gives): mcp-twin's
 * login to that server, from the home (core/oauth/relay-auth.ts). Loaded only for such a relay.
 */
import type { OpenRemoteAuth } from "./remote-auth.js";

export const openRemoteAuth: OpenRemoteAuth = async (ctx) => {
  // The home, as every command finds it (on a Windows PC: the one Windows and WSL share).
  const { hostFrom } = await import("../system/host.js");
  const { openMachine } = await import("../environments/machine.js");
  const machine = await openMachine(hostFrom(ctx.env, process.cwd(), process.argv[1] ?? ""));
  const { loginHeaders } = await import("../oauth/relay-auth.js");
  return loginHeaders({
    oauthDir: machine.paths.oauth,
    server: ctx.server,
    url: ctx.url.href,
    addSecret: ctx.secret,
  });
};
