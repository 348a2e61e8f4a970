/**
 * What `mcp-twin uninstall` shows: each target (undo-report.ts), the packages, the bridge, and one
 * short account of what stays and how to remove it (never a secret); or, with `--json`, the document.
 */

import type { BridgeRetirement } from "../../core/bridge-control/retire.js";
import type { InstallRow } from "../../core/packages/installs.js";
import { andList, orList } from "../../core/text/prose-lists.js";
import { restartOf } from "../../core/undo/undo-runner.js";
import type { UninstallReport } from "../../core/undo/uninstall-all.js";
import type { Remains } from "../../core/undo/what-stays.js";
import type { Output } from "../output.js";
import { renderUndo, undoJson } from "./undo-report.js";

/** The `uninstall --json` document: the targets (no file text), restarts, packages, the bridge, what stays. */
export function uninstallJson(report: UninstallReport, remains: Remains, dryRun: boolean) {
  const { targets } = undoJson(report.targets);
  return {
    targets,
    ...(dryRun ? {} : { restart: restartOf(report.targets) }),
    installs: report.packages,
    ...(report.bridge ? { bridge: report.bridge } : {}),
    ...(report.autostart ? { autostart: report.autostart } : {}),
    ...(report.logins.length > 0 ? { logins: report.logins } : {}),
    remains,
  };
}

/** Each target, then the packages, then the bridge, then the logins forgotten. */
export async function renderUninstall(
  report: UninstallReport,
  out: Output,
  options: { planned: boolean; diffs: "all" | "none"; tense?: "will" | "would" },
): Promise<void> {
  const modal = options.tense ?? "would";
  await renderUndo(report.targets, out, options);
  renderPackages(report.packages, out, modal);
  // Who may still have the bridge's entry loaded: every client whose config held it.
  // Only a relay to the bridge starts it; a url entry to it starts nothing.
  const holders = restartOf(report.targets.filter((r) => report.bridgeEntries.starters.includes(r.path)));
  const autostart = report.autostart;
  if (autostart) {
    const what = `The bridge's start at logon (${autostart.file})`;
    if (autostart.action === "planned") out.print(`  ${out.theme.bullet} ${what} ${modal} be removed.`);
    else if (autostart.action === "removed")
      out.print(`${out.theme.ok} Removed the bridge's start at logon (${autostart.file}).`);
    else out.print(`${out.theme.warn} ${what} could not be removed: ${autostart.error ?? "unknown error"}.`);
  }
  const bridge = bridgeLine(
    report.bridge,
    out,
    { ...holders, urlEntries: report.bridgeEntries.urlEntries },
    modal,
  );
  if (bridge) out.print(bridge);
  const logins = report.logins;
  if (logins.length > 0)
    out.print(
      options.planned
        ? `  ${out.theme.bullet} The login${logins.length === 1 ? "" : "s"} to ${andList(logins)} ${modal} be forgotten (${logins.length === 1 ? "its tokens" : "their tokens"} leave the home).`
        : `${out.theme.ok} Forgot the login${logins.length === 1 ? "" : "s"} to ${andList(logins)}: ${logins.length === 1 ? "its tokens are" : "their tokens are"} gone from the home.`,
    );
}

/**
 * What `restore` gives back after this uninstall, and what it does not: the entries, never the
 * logins forgotten (log in again) or the packages uninstalled (sync installs them again).
 */
export function restoreLine(report: UninstallReport): string {
  const logins = report.logins;
  const packages = report.packages.some((p) => p.action === "removed");
  const not = [
    ...(logins.length > 0
      ? [
          `the login${logins.length === 1 ? "" : "s"} (${logins.map((l) => `\`mcp-twin login ${l}\``).join(", ")} logs in again)`,
        ]
      : []),
    ...(packages ? ["the packages (`mcp-twin sync` installs them again)"] : []),
  ];
  return `\`mcp-twin restore\` puts these entries back${not.length > 0 ? `, not ${andList(not)}` : ""}.`;
}

function renderPackages(rows: readonly InstallRow[], out: Output, modal: "will" | "would"): void {
  const { ok, fail, bullet } = out.theme;
  for (const p of rows) {
    const mark = p.action === "failed" ? fail : p.action === "planned" ? bullet : ok;
    const what =
      p.action === "planned" ? `${modal} be uninstalled` : p.action === "removed" ? "uninstalled" : p.action;
    out.print(`  ${mark} ${p.package} in ${p.env}: ${what}${p.error ? ` (${p.error})` : ""}`);
  }
}

/**
 * The bridge's line (none when no bridge runs). `holders`: the clients whose configs held its entry
 * (apps, and command-line clients whose open sessions still have it loaded).
 */
function bridgeLine(
  b: BridgeRetirement | undefined,
  out: Pick<Output, "theme">,
  holders: { apps: readonly string[]; sessions: readonly string[]; urlEntries: boolean },
  modal: "will" | "would",
): string | undefined {
  if (!b) return undefined;
  const { ok, skip, warn, bullet } = out.theme;
  const which =
    b.pid !== undefined
      ? `the bridge (pid ${b.pid}) in ${b.env}`
      : `what would have started the bridge again (pid ${(b.loops ?? []).join(", ")}) in ${b.env}`;
  switch (b.action) {
    case "planned":
      return `  ${bullet} ${cap(which)} ${modal} be stopped: no client config ${modal} hold its entry`;
    case "stopped":
      return `${ok} Stopped ${which}${b.forced ? " (killed: it did not end on SIGTERM)" : ""}: no client config holds its entry now.${afterStop(holders)}`;
    case "kept": {
      const entries = b.entries ?? [];
      const unreadable = b.unreadable ?? [];
      const why = [
        ...(entries.length > 0
          ? [`${andList(entries)} still ${entries.length === 1 ? "has" : "have"} its entry`]
          : []),
        ...(unreadable.length > 0
          ? [
              `${andList(unreadable.map((u) => `${u}'s config`))} cannot be read (see above), so whether ${unreadable.length === 1 ? "it holds" : "they hold"} its entry cannot be told`,
            ]
          : []),
      ];
      return `${skip} ${cap(which)} keeps running: ${why.join("; ")}.`;
    }
    case "failed":
      return `${warn} ${cap(which)} still runs (${b.error ?? "it could not be stopped from here"}): ${b.fix ?? "run `mcp-twin bridge stop` there"}.`;
  }
}

/**
 * What open apps and sessions do with the entries they loaded before: a relay starts the bridge
 * again on its next call; a url entry starts nothing, its calls fail until a restart.
 */
function afterStop(holders: {
  apps: readonly string[];
  sessions: readonly string[];
  urlEntries: boolean;
}): string {
  const relays =
    holders.apps.length + holders.sessions.length > 0
      ? ` ${cap(stillOpen(holders))} with a relay to it loaded starts it again on its next call, until it is restarted.`
      : "";
  const urls = holders.urlEntries
    ? " An app or a session still open with a url entry to it gets no answer from it, until it is restarted."
    : "";
  return relays + urls;
}

/** "Claude Desktop, Cursor or a Claude Code session still open": every client that can hold it. */
function stillOpen(holders: { apps: readonly string[]; sessions: readonly string[] }): string {
  const names = [...holders.apps, ...holders.sessions.map((s) => `a ${s} session`)];
  return names.length > 0 ? `${orList(names)} still open` : "an app or a session still open";
}

/** What stays (`planned`: would stay, a dry run), and how to remove it. */
export function renderRemains(r: Remains, out: Output, planned: boolean): void {
  const { shown } = out;
  const { c, bullet } = out.theme;
  const lines: string[] = [];
  if (r.home) {
    const { backups, backupsWithKeys } = r.home;
    const keys =
      backupsWithKeys === 0
        ? ""
        : backupsWithKeys === backups
          ? ", which hold keys in plain text"
          : ` (${backupsWithKeys} of them ${backupsWithKeys === 1 ? "holds" : "hold"} keys in plain text)`;
    const holds = [
      ...(r.home.manifest ? ["the manifest"] : []),
      ...(r.home.secrets
        ? [r.home.keysIn === "secrets.json" ? "secrets.json (your keys)" : "secrets.json"]
        : []),
      "mcp-twin's records",
      ...(backups > 0 ? [`${backups} backup${backups === 1 ? "" : "s"} of your configs${keys}`] : []),
    ];
    lines.push(
      `${shown(r.home.path)} holds ${andList(holds)}. Delete the folder to remove them${backups > 0 ? "; `mcp-twin restore` needs the backups" : ""}.`,
    );
    const { keysIn } = r.home;
    if (keysIn && keysIn !== "secrets.json")
      lines.push(`Your keys, in ${keysIn}: \`mcp-twin secret rm NAME\` removes each.`);
  }
  if (r.packages.length > 0)
    lines.push(
      `Packages mcp-twin installed: ${packageList(r.packages)}. \`mcp-twin uninstall --packages\` removes them.`,
    );
  for (const b of r.bridgeState)
    lines.push(
      `The bridge's folder ${b.path} in ${b.env}: its token, memory, notes and hand-off queue. Delete it to remove them.`,
    );
  if (lines.length === 0) return;
  out.print(c.bold(planned ? "What would stay" : "What stays"));
  for (const line of lines) out.print(`  ${bullet} ${line}`);
}

/** "a@1, b@2 in wsl:Ubuntu and windows" — environments with the same packages share a line. */
function packageList(rows: Remains["packages"]): string {
  const byEnv = new Map<string, string[]>();
  for (const p of rows) byEnv.set(p.env, [...(byEnv.get(p.env) ?? []), `${p.package}@${p.version}`]);
  const bySet = new Map<string, string[]>();
  for (const [env, names] of byEnv) {
    const key = names.sort().join(", ");
    bySet.set(key, [...(bySet.get(key) ?? []), env]);
  }
  return [...bySet].map(([names, envs]) => `${names} in ${andList(envs)}`).join("; ");
}

function cap(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}
