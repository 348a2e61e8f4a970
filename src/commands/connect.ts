/**
 * `mcp-twin connect <url>` through the full command line (bin/mcp-twin.js usually takes the lean
 * way in, connect/entry.ts); both run connect/prepare.ts, then connect/session.ts.
 */
import { prepareConnect } from "./connect/prepare.js";
import { runConnect } from "./connect/session.js";
import type { connectCommand } from "./connect-flags.js";
import type { ContextOf } from "./shared/command.js";

export async function run(ctx: ContextOf<typeof connectCommand>): Promise<number> {
  const { header, tokenFile, start, transport = "http", auth, as: client } = ctx.options;
  const options = { url: ctx.args[0], header, tokenFile, start, transport, auth, client };
  const prepared = prepareConnect(options, ctx.host.env, ctx.host.cwd);
  return runConnect(prepared, { host: ctx.host, out: ctx.output, signal: ctx.signal });
}
