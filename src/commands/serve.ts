/**
 * `mcp-twin serve`: the bridge. `--http` runs the process that owns the state; without it, serve
 * speaks stdio and relays to that process, starting it when none answers, so every stdio client
 * shares one state. `--share` exposes manifest servers; `--print-token` / `--rotate-token` manage
 * the token.
 */
import { ensureBridge } from "../bridge/instance.js";
import { bridgeFiles, bridgeHome, bridgeUrl, DEFAULT_BRIDGE_PORT, isLoopback } from "../bridge/paths.js";
import { ensureToken, readToken, rotateToken } from "../bridge/token.js";
import type { CommandContext } from "../cli.js";
import { ExitCode, UsageError } from "../core/errors.js";

interface ServeOptions {
  http: boolean;
  port: number | undefined;
  host: string;
  allowRemote: boolean;
  allowOrigin: string[];
  share: string[];
  plugins: boolean;
  printToken: boolean;
  rotateToken: boolean;
}

/**
 * The options, checked by hand rather than with zod: `serve --http` runs for days, and an idle
 * bridge should not carry zod (it loads with the first session).
 */
export function parseServeOptions(options: Record<string, unknown>): ServeOptions {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  let port: number | undefined;
  if (options.port !== undefined) {
    port = Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535 || String(options.port).trim() === "")
      throw new UsageError(
        "bad-option",
        `--port ${String(options.port)}: expected a port number from 0 to 65535.`,
      );
  }
  const host = options.host === undefined ? "127.0.0.1" : String(options.host).trim();
  if (!host) throw new UsageError("bad-option", "--host needs an address.");
  const origins = list(options.allowOrigin);
  for (const origin of origins)
    if (!/^https?:\/\/[^/\s]+$/i.test(origin.replace(/\/+$/, "")))
      throw new UsageError(
        "bad-option",
        `--allow-origin ${origin}: expected scheme://host[:port], e.g. http://localhost:5173.`,
      );
  return {
    http: options.http === true,
    port,
    host,
    allowRemote: options.allowRemote === true,
    allowOrigin: origins,
    share: list(options.share),
    plugins: options.plugins !== false,
    printToken: options.printToken === true,
    rotateToken: options.rotateToken === true,
  };
}

export async function run(ctx: CommandContext): Promise<number> {
  const o = parseServeOptions(ctx.options);
  const out = ctx.output;
  const files = bridgeFiles(bridgeHome(ctx.host));

  if (o.rotateToken || o.printToken) {
    const token = o.rotateToken ? await rotateToken(files.token) : (await ensureToken(files.token)).token;
    if (o.rotateToken)
      out.info(
        `New bridge token in ${files.token}. A running bridge accepts only it from the next request; run \`mcp-twin sync\` so clients configured with the old one get it.`,
      );
    if (out.json)
      out.result({
        tokenFile: files.token,
        ...(o.printToken ? { token } : {}),
        rotated: Boolean(o.rotateToken),
      });
    else if (o.printToken) process.stdout.write(`${token}\n`);
    return ExitCode.ok;
  }

  if (o.http || o.share.length > 0) return serveHttp(ctx, o, files);

  // stdio: relay to the one bridge that owns the state, starting it when none answers.
  const start = () =>
    ensureBridge({
      files,
      self: ctx.host.self,
      port: o.port ?? DEFAULT_BRIDGE_PORT,
      env: ctx.host.env,
      log: (line) => out.info(line),
    });
  const { host, port } = await start();
  const { relay } = await import("../bridge/relay.js");
  await relay({
    url: new URL(bridgeUrl(host, port)),
    headers: async () => ({ Authorization: `Bearer ${(await readToken(files.token)) ?? ""}` }),
    recover: async () => {
      await start();
    },
    log: (line) => out.info(line),
    signal: ctx.signal,
  });
  return ExitCode.ok;
}

async function serveHttp(
  ctx: CommandContext,
  o: ServeOptions,
  files: ReturnType<typeof bridgeFiles>,
): Promise<number> {
  const out = ctx.output;
  if (!isLoopback(o.host)) {
    if (!o.allowRemote)
      throw new UsageError(
        "remote-bind",
        `--host ${o.host} would make the bridge reachable from other machines; it listens on 127.0.0.1 unless you also pass --allow-remote.`,
        {
          hint: "Windows clients reach a bridge in WSL on 127.0.0.1 already (localhost forwarding, or mirrored networking).",
        },
      );
    out.warn(
      `Listening on ${o.host} (--allow-remote): other machines on the network can reach the bridge; the bearer token is all that stands between them and your memory, notes and shared servers. Origin is still checked.`,
    );
  }
  const log = (line: string) => out.info(line);
  const shares: import("../bridge/share.js").SharedServer[] = [];
  if (o.share.length > 0) {
    const { shareLaunches } = await import("../bridge/share-manifest.js");
    const { SharedServer } = await import("../bridge/share.js");
    for (const launch of await shareLaunches(ctx, o.share)) shares.push(new SharedServer(launch, log));
  }
  const { runOwner } = await import("../bridge/owner.js");

  const stop = new AbortController();
  let terminated = false;
  const onTerm = () => {
    terminated = true;
    stop.abort();
  };
  const onAbort = () => stop.abort();
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  process.on("SIGTERM", onTerm);
  process.on("SIGHUP", onTerm);
  // A plugin's stray error must not take the bridge (and every client's state) down.
  const onStray = (error: unknown) =>
    log(`error outside a request (kept running): ${(error as Error)?.stack ?? String(error)}`);
  process.on("uncaughtException", onStray);
  process.on("unhandledRejection", onStray);
  try {
    await runOwner(
      {
        files,
        host: o.host,
        port: o.port ?? DEFAULT_BRIDGE_PORT,
        allowedOrigins: o.allowOrigin,
        shares,
        plugins: o.plugins,
        log,
        onReady: (bridge) => {
          out.info(`mcp-twin bridge on ${bridge.url} (state: ${files.dir}; pid ${process.pid})`);
          for (const s of shares)
            out.info(`sharing "${s.launch.name}" at ${bridgeUrl(o.host, bridge.port, s.path)}`);
          if (out.json)
            out.result({
              url: bridge.url,
              port: bridge.port,
              pid: process.pid,
              stateDir: files.dir,
              shares: shares.map((s) => ({
                name: s.launch.name,
                url: bridgeUrl(o.host, bridge.port, s.path),
              })),
            });
        },
      },
      stop.signal,
    );
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
    process.off("SIGTERM", onTerm);
    process.off("SIGHUP", onTerm);
    process.off("uncaughtException", onStray);
    process.off("unhandledRejection", onStray);
  }
  return terminated || !ctx.signal.aborted ? ExitCode.ok : ExitCode.interrupted;
}
