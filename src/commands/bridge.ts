/**
 * `mcp-twin bridge status|start|stop|restart`: where the bridge runs, its port, pid, uptime,
 * version, clients, plugins and shared servers; start or stop it. Exit 0, or 1 when something
 * else holds its port or it does not answer. `status|restart|logs <server>`: one shared server.
 */
import {
  BRIDGE_ACTIONS,
  type BridgeAction,
  type BridgeControlReport,
  controlBridge,
  stopAnyway,
  type UnreadManifestStop,
} from "../core/bridge-control/control.js";
import { startMovedLine } from "../core/bridge-control/port-choice.js";
import { DEFAULT_BRIDGE_PORT, portHeldBy } from "../core/bridge-link/index.js";
import { ExitCode, UsageError } from "../core/errors.js";
import { assertAction } from "../core/selectors.js";
import { bridgeShareViews } from "../core/status/shared-status.js";
import { type SharedView, sharedFix, sharedLine } from "../core/status/shared-view.js";
import { untrusted } from "../core/text/control-chars.js";
import { andList, countOf } from "../core/text/prose-lists.js";
import type { Output } from "../ui/output.js";
import type { bridgeCommand } from "./bridge-flags.js";
import type { ContextOf } from "./shared/command.js";
import { openCommandMachine } from "./shared/open-machine.js";

/** The bridge's lifecycle, and `logs` (of the bridge, or of one shared server). */
const ACTIONS: readonly string[] = [...BRIDGE_ACTIONS, "logs"];

export async function run(ctx: ContextOf<typeof bridgeCommand>): Promise<number> {
  const [given, server] = ctx.args;
  const action = given ?? "status";
  assertAction("bridge", action, ACTIONS);
  if (action !== "logs" && (ctx.options.follow || ctx.options.lines !== undefined))
    throw new UsageError("bad-option", "--lines and --follow go with `mcp-twin bridge logs`.");
  if (action === "logs" || server !== undefined) {
    const { runOne } = await import("./bridge/one-server.js");
    return runOne(ctx, action as BridgeAction | "logs", server);
  }
  return lifecycle(ctx, action as BridgeAction);
}

/** `bridge [status|start|stop|restart]`: the bridge itself. */
async function lifecycle(ctx: ContextOf<typeof bridgeCommand>, action: BridgeAction): Promise<number> {
  const out = ctx.output;
  const doing = { start: "Starting", stop: "Stopping", restart: "Restarting" } as const;
  const step = action === "status" ? undefined : out.progress.step(`${doing[action]} the bridge`);
  const machine = await openCommandMachine(ctx);
  const options = { manifest: ctx.options.manifest, log: (line: string) => out.debug(line) };
  const report = await (action === "stop"
    ? stopAnyway(machine, options)
    : controlBridge(machine, action, options)
  ).finally(() => step?.stop());
  if ("manifestUnread" in report) {
    if (out.json) out.result(report);
    else renderUnread(report, out);
    return ExitCode.ok;
  }
  const shares = await bridgeShareViews(machine, ctx.options.manifest, report.shares);
  if (out.json) out.result(report);
  else render(report, shares, out);
  return report.state === "taken" || report.state === "unresponsive" ? ExitCode.failed : ExitCode.ok;
}

function render(
  r: BridgeControlReport & { environment: string },
  shares: ReadonlyArray<SharedView & { onDemand?: boolean }>,
  out: Output,
): void {
  const { ok, warn, fail } = out.theme;
  // Nothing stopped: the state's own line ("Not running, …") says it.
  if (!printStopped(r.stopped, out) && r.action === "stop" && r.state !== "stopped")
    out.print(`${ok} The bridge was not running.`);
  if (r.moved && r.settings.portFile)
    out.print(`${warn} ${startMovedLine(r.moved, out.shown(r.settings.portFile))}`);
  if (r.started === true) out.print(`${ok} Started the bridge.`);
  const head = {
    running: `${r.oldPorts?.length ? warn : ok} Running at ${r.url}`,
    // The manifest's only when it pins the port: the where row says where the address comes from.
    elsewhere: `${warn} Running at ${r.url}, not at ${r.settings.pinned === false ? "" : "the manifest's "}${r.settings.url}`,
    stopped: stoppedLine(r, out),
    unresponsive: `${fail} Its process (pid ${r.pid}) holds the state but does not answer at ${r.url}`,
    taken: `${fail} ${portHeldBy(r.settings.port, r.what, undefined, true)}`,
  }[r.state];
  out.print(head);
  // Running, but url entries name the port it left: their clients do not reach it until a sync.
  for (const o of r.moved ? [] : (r.oldPorts ?? []))
    out.print(
      `${warn} The url entries in ${andList(o.configs)} name port ${o.port}, where it no longer runs (${o.heldBy ? portHeldBy(o.port, o.heldBy) : "nothing answers there"}): run \`mcp-twin sync\` to point them at port ${r.url ? new URL(r.url).port : r.settings.port}.`,
    );
  const row = (k: string, v: string | number | undefined) => printRow(out, k, v);
  row("where", `${r.environment}, ${r.settings.host}:${r.settings.port} (${whereFrom(r.settings, out)})`);
  row("pid", r.pid);
  row("version", r.version);
  if (r.uptimeSeconds !== undefined) row("uptime", formatUptime(r.uptimeSeconds));
  row("sessions", sessionsLine(r.clients));
  const plugins = r.plugins as { loaded?: unknown[]; failed?: unknown[] } | undefined;
  if (plugins)
    row(
      "plugins",
      `${plugins.loaded?.length ?? 0} loaded${plugins.failed?.length ? `, ${plugins.failed.length} skipped` : ""}`,
    );
  // Each shared server: mode, running or not, sessions attached, memory, idle time.
  for (const [key, views] of [
    ["shared", shares.filter((v) => !v.onDemand)],
    ["on demand", shares.filter((v) => v.onDemand)],
  ] as const)
    views.forEach((v, i) => {
      const mode = v.onDemand ? "behind tools on demand (one process per client session)" : v.mode;
      row(i === 0 ? key : "", `${untrusted(v.name)}: ${sharedLine({ ...v, mode })}`);
      const fix = sharedFix(v);
      if (fix) row("", `${" ".repeat(untrusted(v.name).length + 2)}${fix}`);
    });
  row("state", out.shown(r.stateDir));
  row("log", out.shown(r.log));
  row("fix", r.fix);
}

/** `  key        value`, when there is a value. */
function printRow(out: Output, k: string, v: string | number | undefined): void {
  if (v !== undefined && v !== "") out.print(`  ${out.theme.c.dim(k.padEnd(10))} ${v}`);
}

/** What a stop ended, said; false when it ended nothing. */
function printStopped(stopped: BridgeControlReport["stopped"], out: Output): boolean {
  const { ok } = out.theme;
  if (stopped?.pid !== undefined)
    out.print(
      `${ok} Stopped the bridge (pid ${stopped.pid}${stopped.forced ? ", killed: it did not end on SIGTERM" : ""}).`,
    );
  // No bridge ran, but something would have started one again (it had ended, and kept failing).
  else if (stopped?.loops?.length)
    out.print(
      `${ok} The bridge was not running; stopped what would have started it again (pid ${stopped.loops.join(", ")}).`,
    );
  else return false;
  return true;
}

/** A stop done with a manifest that cannot be read: what it stopped, then why no setting is shown. */
function renderUnread(r: UnreadManifestStop, out: Output): void {
  const { skip, warn } = out.theme;
  if (!printStopped(r.stopped, out))
    out.print(`${skip} Not running: nothing of this home's bridge was left to stop.`);
  for (const problem of r.manifestUnread.problems) out.print(`${warn} ${problem}`);
  out.print(
    `  The manifest cannot be read: the bridge was stopped from its state folder all the same (a stop needs no setting). Fix the manifest before it starts again.`,
  );
  printRow(out, "where", r.environment);
  printRow(out, "state", out.shown(r.stateDir));
}

/**
 * Where the address comes from: what the manifest's `bridge` section sets, and the port when it
 * does not pin one — the free port mcp-twin chose and the home keeps, or none chosen yet.
 */
function whereFrom(s: BridgeControlReport["settings"], out: Output): string {
  const set = s.inManifest ?? (s.pinned ? ["port"] : []);
  const manifest =
    set.length > 0 ? [`${andList(set.map((k) => `bridge.${k}`))} in ${out.shown(s.manifest)}`] : [];
  if (s.pinned) return manifest.join("");
  const port =
    s.recorded && s.portFile
      ? `${s.port === DEFAULT_BRIDGE_PORT ? "the default port, free at the first start" : "the free port mcp-twin chose"}, kept in ${out.shown(s.portFile)}`
      : `no port chosen yet: the first start takes ${s.port} if it is free, else the next free one above it`;
  return [...manifest, port].join("; ");
}

/**
 * The bridge's open HTTP sessions, said as what they are: a session opens at a client's
 * `initialize` and stays open until the client closes it or leaves (no stream open, no request for
 * the grace: sessions.ts), so a client that exited a moment ago still counts. Hence the time of the last request.
 */
function sessionsLine(reported: unknown, now = Date.now()): string | undefined {
  const clients = reported as
    | { count?: number; sessions?: Array<{ client: string; lastSeen?: string }> }
    | undefined;
  if (clients?.count === undefined) return undefined;
  const list = clients.sessions ?? [];
  const per = new Map<string, number>();
  for (const s of list) per.set(s.client, (per.get(s.client) ?? 0) + 1);
  const who = [...per].map(([client, n]) => (n === 1 ? client : `${client} ${n}`)).join(", ");
  const last = Math.max(...list.map((s) => Date.parse(s.lastSeen ?? "")).filter((t) => Number.isFinite(t)));
  const ago = Number.isFinite(last)
    ? `, the last request ${formatUptime(Math.max(0, Math.floor((now - last) / 1000)), false)} ago`
    : "";
  if (clients.count === 0) return "0 open";
  return `${clients.count} open${who ? ` (${who})` : ""}${ago}; a session stays open until its client closes it or leaves (then ended within a minute, by default)`;
}

/**
 * Not running: what starts it — the client entries, or nothing when no config holds one. A config
 * that records its entry but does not parse is named apart: what it holds cannot be told.
 */
function stoppedLine(r: BridgeControlReport, out: Output): string {
  const { ok, skip } = out.theme;
  // A url entry to a shared server cannot start the bridge: it must run (sync and logon start it).
  if (r.sharedServers)
    return `${skip} Not running: the url entries of ${r.sharedServers === 1 ? "1 shared server need" : `${r.sharedServers} shared servers need`} it (\`mcp-twin bridge start\` or \`mcp-twin sync\` starts it)`;
  if (r.entries === undefined) return `${ok} Not running`;
  const unreadable = r.unreadable ?? [];
  const cannot =
    unreadable.length > 0 &&
    `${countOf(unreadable.length, "client config")} mcp-twin wrote it into cannot be read: ${unreadable.join(", ")}`;
  if (r.entries > 0)
    return `${ok} Not running (the entries in ${r.entries === 1 ? "1 client config start" : `${r.entries} client configs start`} it on first use${cannot ? `; ${cannot.replace(/^(\d+) client config/, "$1 more client config")}` : ""})`;
  // Nothing that can be read starts it; sync cannot write a config that does not parse either.
  if (cannot) return `${skip} Not running, and no client config that can be read has its entry; ${cannot}`;
  // Servers the manifest shares run in it whether or not its own tools are enabled: sync starts it.
  const shares = r.settings.shares ?? 0;
  if (!r.settings.enabled && shares > 0)
    return `${skip} Not running, and no client config has an entry to it (the manifest shares ${shares === 1 ? "1 server: `mcp-twin sync` writes its entries" : `${shares} servers: \`mcp-twin sync\` writes their entries`} and starts it)`;
  return r.settings.enabled
    ? `${skip} Not running, and no client config has its entry (\`mcp-twin sync\` writes them; they start it on first use)`
    : `${skip} Not running, and no client config has its entry (the manifest does not enable it: "bridge": { "enabled": true }, then \`mcp-twin sync\`)`;
}

/** 42s, 5m 3s, 2h 10m, 3d 2h 10m (`days`; else hours past 24 too: 74h 10m). */
function formatUptime(seconds: number, days = true): string {
  const d = days ? Math.floor(seconds / 86400) : 0;
  const h = Math.floor((seconds - d * 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return d ? `${d}d ${h}h ${m}m` : h ? `${h}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
}

/** The manifest's shared servers (none when it cannot be read: the bridge's report is still shown). */
