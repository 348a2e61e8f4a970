/**
 * `mcp-twin serve`: the bridge. `--http` runs the process that owns the state; without it, serve
 * speaks stdio (either protocol era) to that process (starting it), so every stdio client shares one state.
 */
import type { RunningBridge } from "../bridge-server/main.js";
import { localLifecycle } from "../core/bridge-control/lifecycle.js";
import { type BridgeSettings, loadBridgeSettings, settingsAt } from "../core/bridge-control/settings.js";
import { bridgeFiles, bridgeHome, bridgeUrl, ensureToken, rotateToken } from "../core/bridge-link/index.js";
import { ExitCode, UsageError } from "../core/errors.js";
import { optimizingCompilers } from "../core/system/busy-compilers.js";
import { systemdSocket } from "../core/system/listen-fds.js";
import { isLoopback } from "../core/system/loopback.js";
import { parseServeOptions, type ServeOptions } from "./serve/options.js";
import type { serveCommand } from "./serve-flags.js";
import type { ContextOf } from "./shared/command.js";

/** What this command gets: its options typed by serve-flags.ts. */
type Ctx = ContextOf<typeof serveCommand>;

/** `--share` exposes manifest servers; `--print-token` / `--rotate-token` manage the token. */
export async function run(ctx: Ctx): Promise<number> {
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

  // Where the bridge is: the flags, else the settings (the same ones sync wrote). `choose`: the
  // process that listens (`serve --http` without `--port`, as a start at logon runs it) takes the
  // port the home keeps — chosen and recorded on the first start, moved off one another program holds.
  const where = async (choose = false): Promise<{ host: string; port: number; pinned: boolean }> => {
    if (o.port !== undefined && o.host !== undefined) return { host: o.host, port: o.port, pinned: true };
    let settings: BridgeSettings = await loadBridgeSettings(ctx.host, ctx.options.manifest);
    if (o.host !== undefined) settings = { ...settings, host: o.host };
    if (choose && o.port === undefined && settings.recordFile) {
      const { choosePortHere, startMovedLine } = await import("../core/bridge-control/port-choice.js");
      const lifecycle = { ...localLifecycle(ctx.host, () => {}), pinned: settings.pinned };
      const { choice } = await choosePortHere(lifecycle, settings, settings.recordFile);
      if (choice.moved)
        out.warn(startMovedLine({ ...choice.moved, to: choice.port }, out.shown(settings.recordFile)));
      settings = settingsAt(settings, choice.port);
    }
    return {
      host: settings.host,
      port: o.port ?? settings.port,
      pinned: o.port !== undefined || settings.pinned,
    };
  };
  if (o.http && o.keep) {
    const where_ = await where(true);
    checkRemoteBind(ctx.output, where_.host, o.allowRemote);
    const { keepBridge } = await import("../core/bridge-control/socket-keeper.js");
    return keepBridge(ctx.host, files, where_);
  }
  if (o.http || o.share.length > 0) return serveHttp(ctx, o, files, await where(true));

  // stdio: relay to the one bridge that owns the state, starting it when none answers.
  const { runStdio } = await import("./serve/stdio.js");
  return runStdio(ctx, where);
}

/** A host other than loopback: refused without --allow-remote, said with it. */
function checkRemoteBind(out: Ctx["output"], host: string, allowRemote: boolean | undefined): void {
  if (isLoopback(host)) return;
  if (!allowRemote)
    throw new UsageError(
      "remote-bind",
      `--host ${host} would make the bridge reachable from other machines; it listens on 127.0.0.1 unless you also pass --allow-remote.`,
      {
        hint: "Windows clients reach a bridge in WSL on 127.0.0.1 already (localhost forwarding, or mirrored networking).",
      },
    );
  out.warn(
    `Listening on ${host} (--allow-remote): other machines on the network can reach the bridge; the bearer token is all that stands between them and your memory, notes and shared servers. Origin is still checked.`,
  );
}

async function serveHttp(
  ctx: Ctx,
  o: ServeOptions,
  files: ReturnType<typeof bridgeFiles>,
  where: { host: string; port: number },
): Promise<number> {
  const out = ctx.output;
  checkRemoteBind(out, where.host, o.allowRemote);
  // Started in the background, its stderr is serve.log: kept under a cap while it runs (months).
  const { serveLogCap } = await import("../bridge-server/serve-log.js");
  const capped = serveLogCap(2, files.log);
  const log = (line: string) => {
    capped?.(line);
    out.info(line);
  };
  optimizing(false);
  // The young space stays at its first size: a gateway used by a few sessions kept 6–12 MB more
  // for good once V8 had doubled it under their bursts (docs/dev/performance.md).
  process.getBuiltinModule("node:v8").setFlagsFromString("--semi-space-growth-factor=1");
  // The manifest's shared servers (read again on each reload), and `--share`'s for this run.
  const { shareLaunches, manifestShares } = await import("../core/entries/share-launch.js");
  const launchOptions = {
    host: ctx.host,
    manifest: ctx.options.manifest,
    addSecrets: (v: readonly string[]) => ctx.output.addSecrets(v),
  };
  const adHoc = (await shareLaunches(launchOptions, o.share)).map((l) => ({
    ...l,
    mode: "machine" as const,
  }));
  const { BRIDGE_RUNNING, runOwner } = await import("../bridge-server/main.js");
  const stop = new AbortController();
  let terminated = false;
  const onTerm = () => {
    terminated = true;
    stop.abort();
  };
  // Under its keeper, `bridge restart` asks it to end to be started again at once on the same socket.
  let restart = false;
  const onRestart = () => {
    restart = true;
    onTerm();
  };
  if (o.listenFd !== undefined) process.on("SIGUSR2", onRestart);
  const handed = o.listenIpc ? await (await import("./serve/keeper.js")).handedByKeeper(onTerm) : undefined;
  const onAbort = () => stop.abort();
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  process.on("SIGTERM", onTerm);
  process.on("SIGHUP", onTerm);
  // A plugin's stray error must not take the bridge (and every client's state) down.
  const onStray = (error: unknown) =>
    log(`error outside a request (kept running): ${(error as Error)?.stack ?? String(error)}`);
  process.on("uncaughtException", onStray);
  process.on("unhandledRejection", onStray);
  // Ending before the bridge listens — nothing left to wait for (something it awaited can never
  // settle), or a plugin calling process.exit — says what it was doing, and is an error, never a
  // silent exit 0.
  let phase = "opening its state";
  let listening = false;
  const endedEarly = (why: string) => () => {
    if (listening) return;
    out.error(`The bridge ended before it listened, while ${phase}${why}.`);
    process.exitCode = ExitCode.failed;
  };
  const onEmpty = endedEarly(": nothing it waited for can finish");
  const onExit = endedEarly("");
  process.once("beforeExit", onEmpty);
  process.once("exit", onExit);
  try {
    await runOwner(
      {
        files,
        host: where.host,
        port: where.port,
        // Its keeper's socket (`--listen-fd`), or systemd's: the socket unit keeps it, no keeper of ours.
        fd: o.listenFd ?? systemdSocket(process.env, process.pid),
        keeper: o.listenFd !== undefined || handed ? process.ppid : undefined,
        handed,
        allowedOrigins: o.allowOrigin,
        peers: await peerRule(ctx.host),
        sessionGraceMs: o.sessionGraceMs,
        gateway: { load: () => manifestShares(launchOptions), adHoc, warm: o.share },
        plugins: o.plugins,
        log,
        onPhase: (text) => {
          phase = text;
        },
        onReady: (bridge) => {
          listening = true;
          optimizing(true);
          reportReady(out, files, where.host, bridge);
        },
      },
      stop.signal,
    );
  } catch (error) {
    // `--ok-if-running`: another bridge of this home running is said, and is exit 0, not 3 — launchd
    // restarts its agent after any other exit.
    if (!o.okIfRunning || (error as { code?: unknown }).code !== BRIDGE_RUNNING) throw error;
    out.info(`${(error as Error).message} This one ends (--ok-if-running).`);
    return ExitCode.ok;
  } finally {
    optimizing(true);
    ctx.signal.removeEventListener("abort", onAbort);
    // Each of its handlers off every event it may be on (off is a no-op where one is not).
    const events = "beforeExit exit SIGTERM SIGHUP SIGUSR2 uncaughtException unhandledRejection".split(" ");
    for (const on of [onEmpty, onExit, onTerm, onRestart, onStray])
      for (const e of events) process.off(e, on);
    // The channel to its keeper would keep this process from ending.
    if (handed && process.connected) process.disconnect();
  }
  if (restart) return ExitCode.bridgeRestart;
  return terminated || !ctx.signal.aborted ? ExitCode.ok : ExitCode.interrupted;
}

/** The bridge listens: where, its state, its pid, and each shared server's url (`--json`: as a result). */
function reportReady(
  out: Ctx["output"],
  files: ReturnType<typeof bridgeFiles>,
  host: string,
  bridge: RunningBridge,
): void {
  out.info(`mcp-twin bridge on ${bridge.url} (state: ${files.dir}; pid ${process.pid})`);
  const shares = bridge.gateway
    .hosts()
    .map((s) => ({ name: s.name, mode: s.mode, url: bridgeUrl(host, bridge.port, s.path) }));
  for (const s of shares) out.info(`sharing "${s.name}" (${s.mode}) at ${s.url}`);
  if (out.json)
    out.result({ url: bridge.url, port: bridge.port, pid: process.pid, stateDir: files.dir, shares });
}

/**
 * V8's optimizing compilers, off until the bridge listens: the start-up (Node's module loader
 * resolving paths, the manifest read) runs hot enough for them, and their code, once paged in, stays
 * in the memory of a bridge idle for days (docs/dev/performance.md). Requests are optimized as ever:
 * kept off until the bridge was busy, as a shared server's are, they cost it twice the CPU a call.
 */
function optimizing(on: boolean): void {
  const v8 = process.getBuiltinModule("node:v8");
  for (const c of optimizingCompilers(Number(process.versions.node.split(".")[0])))
    v8.setFlagsFromString(on ? `--${c}` : `--no-${c}`);
}

/**
 * Linux and WSL (where /proc/net/tcp tells who holds a socket): only this account's processes and
 * root's may use the bridge, whatever credential they present (a captured one is of no use to
 * another account). On WSL a connection no row names is a Windows program's (mirrored networking);
 * NAT mode's localhost forwarding connects as root. Elsewhere: undefined (the credential is all).
 */
async function peerRule(host: Ctx["host"]) {
  const { canTellOwners } = await import("../core/bridge-link/index.js");
  const { sysPath } = await import("../core/system/host.js");
  const proc = sysPath(host, "/proc");
  if (host.platform !== "linux" || typeof process.getuid !== "function" || !canTellOwners(proc))
    return undefined;
  const { detectLocal } = await import("../core/environments/local.js");
  const wsl = (await detectLocal(host)).kind === "wsl";
  return { proc, uids: [...new Set([process.getuid(), 0])], unnamed: wsl };
}
