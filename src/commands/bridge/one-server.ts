/**
 * `mcp-twin bridge status|restart|logs <server>`: one shared server looked after on its own — its
 * processes, its last error and where, stopping them, its own log (`bridge logs` alone: serve.log).
 */
import { type BridgeAction, bridgeElsewhere, controlBridge } from "../../core/bridge-control/control.js";
import {
  followLog,
  logTail,
  restartShare,
  type ShareRestartOutcome,
  sharedNamed,
} from "../../core/bridge-control/one-share.js";
import { bridgeFiles, bridgeHome, shareLogFile } from "../../core/bridge-link/index.js";
import { openManifest } from "../../core/context/context.js";
import type { Machine } from "../../core/environments/machine.js";
import { ExitCode, UsageError } from "../../core/errors.js";
import type { ServerSpec } from "../../core/manifest/schema.js";
import { bridgeWhy, manifestShareList, withMissingPrograms } from "../../core/status/shared-status.js";
import { type ShareDetail, shareDetail, sharedViews } from "../../core/status/shared-view.js";
import { untrusted } from "../../core/text/control-chars.js";
import { type BridgeSeen, restartLine, shareReportLines } from "../../ui/reports/share-report.js";
import type { bridgeCommand } from "../bridge-flags.js";
import type { ContextOf } from "../shared/command.js";
import { openCommandMachine } from "../shared/open-machine.js";

type Ctx = ContextOf<typeof bridgeCommand>;

/** How many lines `bridge logs` shows unless `--lines` says. */
const DEFAULT_LINES = 50;

/** What `bridge status <server> --json` gives: the bridge as seen, then the server in full. */
type StatusDocument = { bridge: BridgeSeen & { environment: string } } & ShareDetail;

export async function runOne(
  ctx: Ctx,
  action: BridgeAction | "logs",
  server: string | undefined,
): Promise<number> {
  if (action === "start" || action === "stop")
    throw new UsageError(
      "bad-action",
      `mcp-twin bridge ${action} ${server}: ${action} is the bridge's own (every shared server runs in it), not one server's.`,
      {
        hint: `\`mcp-twin bridge restart ${server}\` stops the processes of ${server} (the next call starts it again); \`mcp-twin bridge ${action}\` ${action}s the bridge.`,
      },
    );
  const given = ctx.options.lines;
  const lines = given === undefined ? DEFAULT_LINES : Number(given);
  if (!Number.isInteger(lines) || lines < 0 || given?.trim() === "")
    throw new UsageError("bad-option", `--lines ${given}: expected a number of lines, 0 or more.`);
  if (ctx.options.follow && ctx.output.json)
    throw new UsageError("bad-option", "--follow does not go with --json: --json gives one document.");
  const machine = await openCommandMachine(ctx);
  const there = await bridgeElsewhere(machine, ctx.options.manifest);
  if (there) {
    // Run on Windows for a bridge in WSL: the same command there, its document shown here.
    if (ctx.options.follow)
      throw new UsageError(
        "follow-elsewhere",
        `--follow reads the log where the bridge runs (${there.env}): run \`mcp-twin bridge logs${server ? ` ${server}` : ""} --follow\` there.`,
      );
    const args = [
      "bridge",
      action,
      ...(server ? [server] : []),
      ...(action === "logs" ? ["--lines", String(lines)] : []),
    ];
    return show(ctx, action, server, await there.json(args));
  }
  if (action === "logs") return logs(ctx, machine, server, lines);
  const name = server ?? "";
  if (action === "status") return show(ctx, action, name, await status(ctx, machine, name));
  // `bridge restart <server>`: its processes stopped in the bridge running here.
  const outcome = await restartShare(bridgeFiles(bridgeHome(ctx.host)), name);
  // The bridge knew it: a shared server. Otherwise the manifest says what the name is.
  if (outcome.state !== "restarted")
    sharedNamed("mcp-twin bridge restart", name, await manifestServers(machine, ctx.options.manifest), []);
  return show(ctx, action, name, { name, ...outcome });
}

/** The user-level manifest's servers (or `--manifest`'s); undefined when it cannot be read. */
async function manifestServers(
  machine: Machine,
  manifest: string | undefined,
): Promise<Record<string, ServerSpec> | undefined> {
  try {
    const opened = await openManifest(machine, { manifest, which: "user", required: false });
    return opened.loaded.manifest.servers;
  } catch {
    return undefined;
  }
}

/** `bridge status <server>`: the bridge asked (nothing started), the one server in full. */
async function status(ctx: Ctx, machine: Machine, name: string): Promise<StatusDocument> {
  const report = await controlBridge(machine, "status", {
    manifest: ctx.options.manifest,
    log: (line) => ctx.output.debug(line),
  });
  const up = report.state === "running" || report.state === "elsewhere";
  const reported = up && Array.isArray(report.shares) ? (report.shares as unknown[]) : undefined;
  const servers = await manifestServers(machine, ctx.options.manifest);
  const names = (reported ?? []).map((r) => (r as { name?: unknown } | null)?.name);
  const shared = names.filter((n): n is string => typeof n === "string");
  const { mode } = sharedNamed("mcp-twin bridge status", name, servers, shared);
  const raw = reported?.find((r) => (r as { name?: unknown } | null)?.name === name);
  const listed = manifestShareList(Object.entries(servers ?? {})).filter((s) => s.name === name);
  const items =
    listed.length > 0 ? listed : [{ name, mode: mode ?? String((raw as { mode?: unknown })?.mode) }];
  const [view] = await withMissingPrograms(
    machine,
    items,
    sharedViews(items, up ? (reported ?? null) : undefined),
  );
  if (!view) throw new Error(`no view of ${name}`);
  const bridge = {
    state: report.state,
    ...(report.url ? { url: report.url } : {}),
    ...(report.pid !== undefined ? { pid: report.pid } : {}),
  };
  const why = bridgeWhy({
    ...bridge,
    ...(report.fix ? { fix: report.fix } : {}),
    ...(report.state === "taken" ? { port: report.settings.port, what: report.what } : {}),
  });
  return {
    bridge: { ...bridge, ...(why ? { why } : {}), environment: report.environment },
    ...shareDetail(view, raw, shareLogFile(bridgeFiles(report.stateDir), name)),
  };
}

/** A status or restart document, as JSON or in lines; its exit code. */
function show(ctx: Ctx, action: BridgeAction | "logs", name: string | undefined, doc: unknown): number {
  const out = ctx.output;
  if (out.json) out.result(doc);
  if (action === "logs") {
    const d = doc as { file?: unknown; lines?: unknown };
    if (!out.json) for (const line of Array.isArray(d.lines) ? d.lines : []) out.print(String(line));
    return ExitCode.ok;
  }
  if (action === "restart") {
    const r = doc as { name: string } & ShareRestartOutcome;
    const said = restartLine(r.name ?? name ?? "", r, out.theme);
    if (!out.json) out.print(said.line);
    return said.ok ? ExitCode.ok : ExitCode.failed;
  }
  const d = doc as StatusDocument;
  if (!out.json)
    for (const line of shareReportLines(d, d.bridge, out.theme, (f) => out.shown(f))) out.print(line);
  return d.bridge.state === "taken" || d.bridge.state === "unresponsive" ? ExitCode.failed : ExitCode.ok;
}

/**
 * `bridge logs [<server>]`: the last lines of that server's own log (or of the bridge's,
 * serve.log), then, with `--follow`, each line as it is written until Ctrl-C.
 */
async function logs(ctx: Ctx, machine: Machine, name: string | undefined, lines: number): Promise<number> {
  const out = ctx.output;
  const files = bridgeFiles(bridgeHome(ctx.host));
  const file = name === undefined ? files.log : shareLogFile(files, name);
  const tail = await logTail(file, lines);
  // A server's log that is not there: the name is checked (exit 2 when it is no shared server).
  if (!tail.exists && name !== undefined)
    sharedNamed("mcp-twin bridge logs", name, await manifestServers(machine, ctx.options.manifest), []);
  const doc = { ...(name !== undefined ? { name } : {}), file, lines: tail.lines };
  if (!tail.exists && !out.json)
    out.info(
      name === undefined
        ? `No bridge log yet (${out.shown(file)}): the bridge writes it when it is started in the background.`
        : `No log of ${untrusted(name)} yet (${out.shown(file)}): none of its processes has started since the bridge began keeping one.`,
    );
  const code = show(ctx, "logs", name, doc);
  if (!ctx.options.follow) return code;
  await followLog(file, (line) => out.print(line), ctx.signal);
  return ctx.signal.aborted ? ExitCode.interrupted : ExitCode.ok;
}
