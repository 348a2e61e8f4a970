/**
 * `mcp-twin serve` on stdio: what a client's config runs. It relays to the one bridge that owns the
 * state (starting it when none answers), so every stdio client shares one state.
 */
import { ensureBridge, localLifecycle } from "../../core/bridge-control/lifecycle.js";
import { ExitCode } from "../../core/errors.js";
import type { serveCommand } from "../serve-flags.js";
import type { ContextOf } from "../shared/command.js";

/**
 * Serve stdin and stdout until the client ends them (or Ctrl-C); `where` says where the bridge is:
 * its host and port, and whether the user pinned them.
 */
export async function runStdio(
  ctx: ContextOf<typeof serveCommand>,
  where: () => Promise<{ host: string; port: number; pinned: boolean }>,
): Promise<number> {
  const out = ctx.output;
  if (process.stdin.isTTY)
    out.info(
      "mcp-twin serve speaks MCP on stdin and stdout: it is what an MCP client's config runs, not a command to type. To run the bridge for every client, use `mcp-twin bridge start` (or `mcp-twin serve --http`). Ctrl-C ends this.",
    );
  const want = await where();
  const log = (line: string) => out.info(line);
  // The bridge is found (or started) while the client's first messages are read: its discover is
  // answered at once, whatever the bridge is doing.
  const relayTarget = import("../../core/relay/bridge-target.js");
  const targeting = (async () => {
    const ensured = await ensureBridge({ ...localLifecycle(ctx.host, log), pinned: want.pinned }, want, {
      follow: true,
    });
    // The token goes only to what is proven to be this home's bridge (bridge-target.ts).
    return (await relayTarget).bridgeTarget({
      url: new URL(ensured.url),
      start: true,
      host: ctx.host,
      log,
      configured: async () => ({ ...want, enabled: true }),
      headers: {},
      secret: (value) => out.addSecrets([value]),
    });
  })();
  // Awaited below; this only keeps an early rejection from being unhandled.
  targeting.catch(() => {});
  const interrupted = new Promise<undefined>((end) => {
    if (ctx.signal.aborted) end(undefined);
    ctx.signal.addEventListener("abort", () => end(undefined), { once: true });
  });
  const { readOpening } = await import("./opening.js");
  const stdin = await Promise.race([readOpening(process.stdin, process.stdout), interrupted]);
  // stdin is read until the client ends it, or Ctrl-C: then nothing more is read.
  const done = () => {
    process.stdin.unpipe();
    process.stdin.pause();
    process.stdin.destroy();
  };
  // Ctrl-C ends it as it ends `serve --http`: interrupted (130); stdin closed by the client is done.
  const outcome = () => (ctx.signal.aborted ? ExitCode.interrupted : ExitCode.ok);
  if (!stdin) {
    done();
    return outcome();
  }
  const target = await targeting;
  const { StreamableHttpRelay } = await import("../../core/relay/http-relay.js");
  await new StreamableHttpRelay({
    ...target,
    log: (line) => out.error(line),
    note: log,
    stdin,
    stdout: process.stdout,
    signal: ctx.signal,
  }).run();
  done();
  target.agent?.destroy();
  return outcome();
}
