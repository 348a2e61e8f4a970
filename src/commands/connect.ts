/**
 * `mcp-twin connect <url>` through the full command line (bin/mcp-twin.js usually takes the lean
 * way in, connect/entry.ts); both run connect/prepare.ts, then connect/session.ts.
 */
import type { CommandContext } from "../cli.js";
import { prepareConnect } from "./connect/prepare.js";
import { runConnect } from "./connect/session.js";

export async function run(ctx: CommandContext): Promise<number> {
  const o = ctx.options;
  const text = (v: unknown) => (typeof v === "string" ? v : undefined);
  const prepared = prepareConnect(
    {
      url: ctx.args[0],
      header: Array.isArray(o.header) ? o.header.map(String) : [],
      tokenFile: text(o.tokenFile),
      start: o.start !== false,
      transport: text(o.transport) ?? "http",
      auth: text(o.auth),
    },
    ctx.host.env,
    ctx.host.cwd,
  );
  return runConnect(prepared, {
    host: ctx.host,
    log: (line) => ctx.output.info(line),
    fail: (line) => ctx.output.error(line),
    secret: (values) => ctx.output.addSecrets(values),
    signal: ctx.signal,
    stdin: process.stdin,
    stdout: process.stdout,
  });
}
