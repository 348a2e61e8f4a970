/**
 * The login provider `connect --auth <server>` loads (remote-auth.ts says what it gives). A stand-in
 * until login support is wired in: it says so, and the relay answers the client with that.
 */
import type { OpenRemoteAuth } from "./remote-auth.js";

export const openRemoteAuth: OpenRemoteAuth = async (ctx) => {
  throw new Error(
    `mcp-twin: ${ctx.server} needs a login, and login support is not installed yet in this mcp-twin`,
  );
};
