/**
 * `mcp-twin connect <url>` through the full command line (bin/mcp-twin.js usually takes the lean
 * way in, connect/entry.ts); both run connect/prepare.ts, then connect/session.ts.
 */
import { prepareConnect } from "./connect/prepare.js";
import { runConnect } from "./connect/session.js";
import type { connectCommand } from "./connect-flags.js";
import type { ContextOf } from "./shared/command.js";

export async function run(ctx: ContextOf<typeof connectCommand>): Promise<number> {
  const o = ctx.options;
  const prepared = prepareConnect(
    {
      url: ctx.args[0],
      header: o.header,
      tokenFile: o.tokenFile,
      start: o.start,
      transport: o.transport ?? "http",
      auth: o.auth,
      client: o.as,
    },
    ctx.host.env,
    ctx.host.cwd,
  );
  return runConnect(prepared, { host: ctx.host, out: ctx.output, signal: ctx.signal });
}
