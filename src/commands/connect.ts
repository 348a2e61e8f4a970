/**
 * `mcp-twin connect <url>`: a stdio ⇄ Streamable HTTP relay for clients that only speak stdio
 * (Claude Desktop ignores HTTP entries); `--transport sse` relays to an HTTP+SSE server instead
 * (for clients that cannot write an SSE entry: Claude Desktop, Codex). This is the way in through
 * the full command line; bin/mcp-twin.js usually takes the lean one (connect/entry.ts). Both run
 * connect/prepare.ts, then connect/session.ts.
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
    secret: (values) => ctx.output.addSecrets(values),
    signal: ctx.signal,
    stdin: process.stdin,
    stdout: process.stdout,
  });
}
