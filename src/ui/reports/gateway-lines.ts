/** What sync says about the shared servers' gateway: running now, lists cached, started at logon. */
import type { GatewayReport } from "../../core/sync/gateway-sync.js";
import { andList } from "../../core/text/prose-lists.js";

type Marks = { ok: string; warn: string; fail: string };

const KINDS: Record<string, string> = {
  "windows-task": "a Windows logon task",
  systemd: "a systemd user unit",
  launchd: "a launchd agent",
  "xdg-autostart": "an XDG autostart entry",
};

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** One true line each: the gateway, the lists cached now, the start at logon. */
export function gatewayLines(g: GatewayReport, mark: Marks): string[] {
  const lines: string[] = [];
  for (const u of g.unhosted ?? [])
    lines.push(
      `${mark.warn} ${u.name} is shared, but the bridge cannot run it (${u.why}): its clients start it themselves for now (direct entries). To share it: ${u.fix}, then \`mcp-twin sync\`.`,
    );
  const n = g.shares.length;
  const servers = `${n} shared server${n === 1 ? "" : "s"}`;
  const what = `Gateway for ${g.toolSearch ? (n > 0 ? `${servers} and tools on demand` : "tools on demand") : servers}`;
  const run = g.gateway;
  if (run) {
    const pid = run.pid ? ` (pid ${run.pid})` : "";
    if (run.state === "started") lines.push(`${mark.ok} ${what} started at ${run.url}${pid}.`);
    else if (run.state === "restarted")
      lines.push(
        run.previousVersion
          ? `${mark.ok} ${what} restarted at ${run.url}${pid}: it ran mcp-twin ${run.previousVersion}, now ${run.version}.`
          : `${mark.ok} ${what} restarted at ${run.url}${pid} with the manifest's settings.`,
      );
    else if (run.state === "reloaded")
      lines.push(`${mark.ok} ${what} running at ${run.url}${pid}; it read the manifest again.`);
    else if (run.state === "current")
      lines.push(`${mark.ok} ${what} running at ${run.url}${pid}, with this manifest and these keys.`);
    else if (run.state === "unread")
      lines.push(
        `${mark.fail} ${what} running at ${run.url}${pid}, but it could not read the manifest (${run.error?.replace(/\.$/, "")}): it runs the shared servers it ran before. Fix the manifest, then run \`mcp-twin sync\`.`,
      );
    else if (run.taken)
      lines.push(
        `${mark.fail} Port ${run.taken.port} is held by ${run.taken.what}, so no entry sends this home's credential there: ${andList(g.shares)} got ${n === 1 ? "its" : "their"} direct ${n === 1 ? "entry" : "entries"} for now (each client starts its own process). To share ${n === 1 ? "it" : "them"} again: ${run.taken.fix}.`,
      );
    else
      lines.push(
        `${mark.fail} ${what} is not running at ${run.url}${run.error ? ` (${run.error.replace(/\.$/, "")})` : ""}: ${n === 1 ? "its url entries fail" : "their url entries fail"} until it runs. Fix: ${run.fix ? run.fix.replace(/\.$/, "") : "`mcp-twin bridge start`"}.`,
      );
  }
  if (g.warmed.length > 0)
    lines.push(
      `${mark.ok} Lists of ${andList(g.warmed)} cached: a new session lists them without starting them.`,
    );
  for (const f of g.warmFailed)
    lines.push(
      f.name === "*"
        ? `${mark.warn} The lists of servers never started could not be cached (${f.error}); their first list starts them.`
        : f.cannotRun
          ? `${mark.fail} ${f.name} cannot run in the bridge, so its entries fail: ${f.error.replace(/\.$/, "")}. Fix that, or run it in each client instead: \`mcp-twin share ${f.name} off\`, then \`mcp-twin sync\`.`
          : // a program not found is said as the lines above say it, never as an errno
            `${mark.warn} The lists of ${f.name} are not cached: ${f.error.replace(/^the shared server "[^"]*" /, "it ").replace(/: spawn (\S+) ENOENT$/, " (`$1` is not found)")}.`,
    );
  const a = g.autostart;
  if (!a) return lines;
  const kind = "kind" in a && a.kind ? (KINDS[a.kind] ?? a.kind) : "";
  const noDesktop = "noDesktop" in a ? a.noDesktop : undefined;
  // Nothing holds the port from a login until the bridge starts: what the url entries are open to.
  const open = `; so from each login until the bridge starts, nothing holds its port (${g.gateway?.url ? new URL(g.gateway.url).host : "the one the url entries name"}): another account can listen on it and receive what the url entries send`;
  if (noDesktop && (a.state === "installed" || a.state === "present")) {
    // Only a desktop runs the entry: a login without one needs the line.
    lines.push(
      `${mark.warn} ${cap(kind)} (${a.file}) is ${a.state === "installed" ? "installed now" : "installed"}: ${noDesktop.why}${open}. Fix: ${noDesktop.fix}.`,
    );
    if (noDesktop.line) lines.push(`    ${noDesktop.line}`);
    return lines;
  }
  switch (a.state) {
    case "installed":
      lines.push(`${mark.ok} It starts when you log in: ${kind} (${a.file}) is installed.`);
      break;
    case "present":
      lines.push(`${mark.ok} It starts when you log in (${kind}, ${a.file}).`);
      break;
    case "none":
    case "offered":
      lines.push(`${mark.warn} It does not start when you log in: ${a.why}${open}. Fix: ${a.fix}.`);
      // The line the fix names, alone on its own line: copied as it is.
      if (a.line) lines.push(`    ${a.line}`);
      break;
    case "failed":
      // The gateway runs now (or its own line says why not): only the next logon is at stake.
      lines.push(
        `${mark.warn} It will not start when you log in: ${kind || "its start at logon"} (${a.file}) could not be installed: ${a.error}. Until it is, \`mcp-twin sync\` or \`mcp-twin bridge start\` starts it.`,
      );
      break;
    case "removed":
      lines.push(
        `${mark.ok} No server is shared any more: the bridge's start at logon (${kind}, ${a.file}) is removed.`,
      );
      break;
    case "remove-failed":
      lines.push(
        `${mark.warn} The bridge's start at logon (${kind}, ${a.file}) could not be removed: ${a.error ?? "unknown error"}.`,
      );
      break;
  }
  return lines;
}
