/**
 * The sync report as people and scripts read it: the stable `--json` shape of the spec, and the
 * text report. Shared by every command that syncs (sync, init, add --sync).
 */

import { GATEWAY_DOWN } from "../../core/bridge-control/gateway-down.js";
import { portHeldBy } from "../../core/bridge-link/index.js";
import { clientById } from "../../core/clients/index.js";
import { ownEntryClash } from "../../core/clients/own-entries.js";
import { shellQuote } from "../../core/environments/path-translation.js";
import { TOOLS_ENTRY } from "../../core/manifest/tool-search.js";
import { WONT_START } from "../../core/sync/report.js";
import type { ReadableFile, SyncReport } from "../../core/sync/run-sync.js";
import { readableSecretWarning } from "../../core/sync/target-safety.js";
import { andList, orList } from "../../core/text/prose-lists.js";
import { VERSION } from "../../version.js";
import { unifiedDiff } from "../diff.js";
import type { Output } from "../output.js";
import { gatewayLines } from "./gateway-lines.js";
import { keyLines } from "./key-lines.js";
import { loginJson, loginsNote, loginText } from "./login-lines.js";
import { manifestLine } from "./manifest-line.js";
import { shareModeSays } from "./server-launch.js";

/** The stable `sync --json` shape of the spec. */
export function syncJson(report: SyncReport) {
  return {
    manifest: { path: report.manifest, scope: report.manifestScope },
    environments: report.environments.map((e) => ({
      id: e.id,
      node: e.node,
      npmPrefix: e.npmPrefix,
      usable: e.usable,
      ...(e.reason ? { reason: e.reason } : {}),
      ...(e.fix ? { fix: e.fix } : {}),
    })),
    ...(report.noClient.length > 0 ? { noClient: report.noClient } : {}),
    ...(report.unused.length > 0 ? { unused: report.unused } : {}),
    installs: report.installs.map((i) => ({
      env: i.env,
      package: i.package,
      version: i.version,
      action: i.action,
      ...(i.error ? { error: i.error } : {}),
    })),
    targets: report.targets.map((t) => ({
      env: t.env,
      client: t.client,
      scope: t.scope,
      path: t.path,
      action: t.action,
      added: t.added,
      updated: t.updated,
      removed: t.removed,
      drift: t.drift,
      ...(t.foreign.length > 0 ? { foreign: t.foreign } : {}),
      ...(t.overwritten ? { overwritten: t.overwritten } : {}),
      ...(t.takenOver ? { takenOver: t.takenOver } : {}),
      ...(t.clientOwn ? { clientOwn: t.clientOwn } : {}),
      ...(t.note ? { note: t.note } : {}),
      ...(t.problems.length > 0
        ? { problems: t.problems.map(({ server, code, message }) => ({ server, code, message })) }
        : {}),
      ...(t.across ? { across: t.across } : {}),
      ...(t.relays ? { relays: t.relays } : {}),
      ...(t.shared ? { shared: t.shared } : {}),
      ...(t.warnings && t.warnings.length > 0 ? { warnings: t.warnings } : {}),
    })),
    errors: report.errors,
    ...(report.warnings.length > 0 ? { warnings: report.warnings } : {}),
    ...(report.references.length > 0 ? { references: report.references } : {}),
    ...(report.toolRules.length > 0 ? { toolRules: report.toolRules } : {}),
    ...(report.keep.length > 0
      ? { keep: report.keep.map(({ kept, message, fix }) => ({ kept, message, fix })) }
      : {}),
    restart: report.restart,
    ...(report.bridge ? { bridge: report.bridge } : {}),
    ...(report.gateway ? { gateway: report.gateway } : {}),
    ...(report.pins ? { pins: report.pins } : {}),
    ...(report.logins.length > 0 ? { logins: loginJson(report.logins) } : {}),
  };
}

/** What the report says above the targets (or instead of what a command said before it). */
interface ShownBefore {
  /** The manifest was named already (init). */
  manifestShown?: boolean;
  /** Each environment's fix was said already (init's table of what it found): not again. */
  fixesShown?: boolean;
  /** Missing programs' lines said already (add, before its question): not again. */
  programsShown?: readonly string[];
}

/**
 * Before the question that leads to a sync: each client config others can read that is about to
 * receive a key, with the chmod (the report after the write says it holds it now).
 */
export function warnReadable(out: Output, files: readonly ReadableFile[]): void {
  for (const r of files) out.warn(readableSecretWarning(r, "planned"));
}

export async function renderSync(
  report: SyncReport,
  out: Output,
  dryRun: boolean,
  options: ShownBefore = {},
): Promise<void> {
  if (!options.manifestShown) out.print(manifestLine(report, out.shown));
  renderEnvironments(report, out, options);
  renderInstalls(report, out, dryRun);
  renderTargets(report, out, dryRun, options);
  renderLogins(report, out);
  const programs = report.missingPrograms.filter((line) => !options.programsShown?.includes(line));
  if (programs.length > 0) {
    out.print("");
    for (const line of programs) out.print(`${out.theme.fail} ${line}`);
  }
  if (dryRun) {
    for (const change of report.changes) {
      out.print("");
      out.print(await unifiedDiff(out.shown(change.path), change.before, change.after, out));
    }
  }
  await renderNotices(report, out);
  renderRestart(report, out);
}

/** Servers that need a login: the state of mcp-twin's login to each, and what to run. */
function renderLogins(report: SyncReport, out: Output): void {
  if (report.logins.length === 0) return;
  out.print(out.theme.c.bold("Logins"));
  const now = Date.now();
  for (const l of report.logins) out.print(`  ${loginText(l, out.theme, now)}`);
  const note = loginsNote(report.logins);
  if (note) out.print(out.theme.c.dim(`  ${note}`));
}

/** Each environment: its node and npm prefix (every file named as the user's system shows it), or why not usable. */
function renderEnvironments(report: SyncReport, out: Output, options: ShownBefore): void {
  const { c, ok, warn, skip } = out.theme;
  const shown = out.shown;
  out.print(c.bold("Environments"));
  for (const e of report.environments) {
    if (e.usable) {
      out.print(
        `  ${ok} ${e.id.padEnd(14)} node ${e.nodeVersion ?? "?"} ${c.dim(`(${shown(e.node ?? "?")})`)}  npm prefix ${c.dim(shown(e.npmPrefix ?? ""))}`,
      );
      if (report.noClient.includes(e.id) && !options.fixesShown) out.print(`      ${noClientLine(e.id)}`);
    } else {
      out.print(`  ${warn} ${e.id.padEnd(14)} ${c.yellow("not usable")}: ${e.reason ?? "unknown"}`);
      if (e.fix && !options.fixesShown) out.print(`      → ${e.fix}`);
    }
  }
  if (report.npx)
    out.print(
      `  ${skip} nothing installed: project entries run their packages through npx (\`npx -y <package>@<version>\`)`,
    );
}

/**
 * What was installed or removed is said once, as it finishes (the live lines on stderr:
 * "✔ Installed … in wsl:Ubuntu", "✔ Removed …"): here only what those do not say — a dry run's
 * plan, and a failure with npm's own words.
 */
function renderInstalls(report: SyncReport, out: Output, dryRun: boolean): void {
  const { c, ok, fail, bullet } = out.theme;
  const installs = report.installs.filter((i) => i.action === "planned" || i.action === "failed");
  if (installs.length === 0) return;
  out.print(
    c.bold(
      !dryRun
        ? "Packages"
        : installs.every((i) => i.removal)
          ? "Packages to uninstall"
          : installs.some((i) => i.removal)
            ? "Packages to install and uninstall"
            : "Packages to install",
    ),
  );
  for (const i of installs) {
    // ✔ only for what was done: a planned install (dry run) gets a bullet.
    const mark = i.action === "failed" ? fail : i.action === "planned" ? bullet : ok;
    out.print(
      `  ${mark} ${i.package}${i.version ? `@${i.version}` : ""} ${c.dim(`in ${i.env}`)} ${i.action === "planned" ? (i.removal ? "(would uninstall)" : "(would install)") : i.action}`,
    );
    if (i.error) out.print(c.dim(indent(i.error, 6)));
  }
}

/**
 * --verbose (on stderr, a dry run too): where the environment facts came from, what each target's
 * entries are, and the bytes each file a dry run would write.
 */
export function syncVerboseLines(report: SyncReport, dryRun: boolean): string[] {
  const lines = [
    `environment facts: ${report.gathered === 0 ? "all from the cache" : `${report.gathered} gathered afresh`}`,
  ];
  for (const t of report.targets) {
    const kinds = [
      ...(t.shared ?? []).map((n) => `${n} url entry to the bridge`),
      ...(t.relays ?? []).map((r) => `${r.server} relay in ${r.runsIn} (${r.why})`),
      ...(t.across ?? []).map((a) => `${a.server} runs in ${a.runsIn}`),
    ];
    const changes = [
      ...t.added.map((n) => `+${n}`),
      ...t.updated.map((n) => `~${n}`),
      ...t.removed.map((n) => `-${n}`),
    ];
    lines.push(
      `target ${t.env} ${t.client} ${t.path}: ${t.action}${changes.length > 0 ? ` ${changes.join(" ")}` : ""}${kinds.length > 0 ? `; ${kinds.join(", ")}` : ""}`,
    );
  }
  if (dryRun)
    for (const c of report.changes)
      lines.push(
        `would write ${c.path}: ${c.before === null ? `a new file of ${c.after.length} bytes` : `${c.before.length} → ${c.after.length} bytes`}`,
      );
  return lines;
}

/** Each target's line (what was done to it), then its drift, foreign entries, problems and warnings. */
function renderTargets(report: SyncReport, out: Output, dryRun: boolean, options: ShownBefore): void {
  const { c, ok, warn, fail, skip, bullet } = out.theme;
  out.print(c.bold(dryRun ? "Targets (dry run: nothing written)" : "Targets"));
  if (report.targets.length === 0)
    out.print(`  ${skip} no client found; name one with --client to create its config`);
  /** Files others can read where this run wrote (or would write) a shared server's relay. */
  const readable: string[] = [];
  const readableSaid: string[] = [];
  /** A client's move (its notice: a successor, a removed type), said once, where this run writes it. */
  const noticed = new Set<string>();
  for (const t of report.targets) {
    const changes = [
      ...t.added.map((n) => `+${n}`),
      ...t.updated.map((n) => `~${n}`),
      ...t.removed.map((n) => `-${n}`),
    ].join(" ");
    // Written, but a server will not start there (not installed, its program missing, split at
    // spaces by its client): no ✔ for that; the server's own line says which.
    const broken = t.problems.some((p) => WONT_START.has(p.code));
    const mark =
      t.action === "failed" ? fail : broken ? warn : t.action === "unchanged" ? skip : dryRun ? bullet : ok;
    const action =
      dryRun && t.action !== "unchanged" && t.action !== "failed" ? `would be ${t.action}` : t.action;
    out.print(
      `  ${mark} ${t.env} ${c.bold(t.client)} ${c.dim(t.path)}  ${action}${changes ? ` ${changes}` : ""}`,
    );
    if (t.note) out.print(c.dim(`      ${t.note}`));
    const notice = clientById(t.client)?.notice;
    if (notice && (t.action === "created" || t.action === "updated") && !noticed.has(t.client)) {
      noticed.add(t.client);
      out.print(
        c.dim(`      ${notice}${movedLine(clientById(t.client)?.movedTo, t.env, report, out.shown)}`),
      );
    }
    const window = windowLine(t, out.shown) ?? harnessLine(t, out.shown);
    if (window) out.print(`      ${window}`);
    const crossing = acrossLine(t, report, out.shown);
    if (crossing) out.print(`      ${crossing}`);
    const relayed = relayLine(t);
    if (relayed) out.print(`      ${relayed}`);
    if (readableNews(t).length > 0) (saidReadable(t) ? readableSaid : readable).push(t.path);
    // Said where this run writes them: an unchanged file's entries were said when written.
    if (t.action === "created" || t.action === "updated")
      for (const line of sharedLines(t.shared ?? [], report)) out.print(`      ${line}`);
    renderTargetNotes(t, out, options, dryRun);
  }
  if (readable.length > 0) out.print(`  ${out.theme.warn} ${readableParagraph(readable)}`);
  if (readableSaid.length > 0) out.print(`  ${out.theme.warn} ${relayUntilPrivate(readableSaid, dryRun)}`);
  for (const line of keyLines(report, dryRun)) out.print(`  ${line.warn ? warn : ok} ${line.text}`);
}

/** Where mcp-twin writes the client a notice says its users moved to, in this environment, or that it is not found there. */
function movedLine(
  to: string | undefined,
  env: string,
  report: SyncReport,
  shown: (p: string) => string,
): string {
  const next = to ? clientById(to) : undefined;
  if (!next) return "";
  const there = report.targets.filter((x) => x.client === to && x.env === env && x.action !== "failed");
  return there.length > 0
    ? ` mcp-twin writes ${next.name} here too: ${andList(there.map((x) => shown(x.path)))}.`
    : ` ${next.name} is not found in ${env}: mcp-twin writes it once it is installed (then \`mcp-twin sync\`).`;
}

/** The target's own line already said its file is readable by others (it holds keys), with the chmod. */
const saidReadable = (t: SyncReport["targets"][number]) =>
  (t.warnings ?? []).some((w) => w.includes("is readable by other users"));

/** The relay's why for files whose mode a target's line said already: the mode and chmod not again. */
function relayUntilPrivate(paths: readonly string[], dryRun: boolean): string {
  const one = paths.length === 1;
  return `${andList(paths)}: ${one ? "its" : "their"} shared servers ${dryRun ? "would go" : "go"} through mcp-twin's relay until the chmod above (no bridge token goes into a file others can read); \`mcp-twin sync\` after it gives them url entries to the bridge.`;
}

/**
 * The shared servers of a target whose entry is a relay because its file is readable by others,
 * when that is news: the entry was written (or, in a dry run, would be) by this run. An entry
 * left as it was is not said again on every sync; `doctor` and `status` still show it.
 */
function readableNews(t: SyncReport["targets"][number]): string[] {
  // A write that failed put nothing there.
  if (t.action === "failed") return [];
  const written = new Set([...t.added, ...t.updated]);
  return (t.relays ?? []).filter((r) => r.why === "readable" && written.has(r.server)).map((r) => r.server);
}

/** Why those entries are relays and how to have url entries instead: said once per run. */
function readableParagraph(paths: readonly string[]): string {
  const one = paths.length === 1;
  return `Why the relays above: no bridge token goes into a file other users can read, and ${andList(paths)} ${one ? "is" : "are"}. \`chmod 600 ${paths.map(shellQuote).join(" ")}\`, then \`mcp-twin sync\`, gives ${one ? "it" : "them"} url entries to the bridge.`;
}

/**
 * Shared servers whose entry here is a url entry to the bridge, one line per share mode: how many
 * processes that mode runs (a session server is one per session, not one for all).
 */
function sharedLines(
  shared: readonly string[],
  report: Pick<SyncReport, "shareModes" | "remoteShares">,
): string[] {
  const byMode = new Map<string, string[]>();
  const modes = report.shareModes;
  // The tools entry is no shared server: its servers run behind it, each as its own share says.
  const tools = shared.includes(TOOLS_ENTRY) && !(TOOLS_ENTRY in modes);
  const door = tools
    ? [
        `${TOOLS_ENTRY}: a url entry to the bridge's tools on demand (search_tools and call_tool; a shared server behind it runs as it is shared, any other one process per session)`,
      ]
    : [];
  for (const name of shared.filter((n) => !tools || n !== TOOLS_ENTRY)) {
    // A url server's connection is counted apart from processes.
    const mode = `${modes[name] ?? "machine"}${report.remoteShares.includes(name) ? " remote" : ""}`;
    byMode.set(mode, [...(byMode.get(mode) ?? []), name]);
  }
  return [...byMode]
    .map(([key, names]) => {
      const one = names.length === 1;
      const [mode = "machine", remote] = key.split(" ");
      return `${andList(names)}: ${one ? "a url entry" : "url entries"} to the bridge, shared per ${mode} (${shareModeSays(mode, names.length, remote !== undefined)})`;
    })
    .concat(door);
}

/** Under a target's line: entries left alone (edited by hand, not mcp-twin's), problems, warnings. */
function renderTargetNotes(
  t: SyncReport["targets"][number],
  out: Output,
  options: ShownBefore,
  dryRun: boolean,
): void {
  const { warn, fail } = out.theme;
  /** Is this missing program's line one said before the report (by add)? */
  const shownAbove = (m: { program: string; env: string }) =>
    (options.programsShown ?? []).some((line) =>
      line.startsWith(`\`${m.program}\` is not found in ${m.env}`),
    );
  // A write that failed overwrote nothing: its hand edits are as they were.
  const wrote = dryRun || t.action === "created" || t.action === "updated";
  const overwritten = wrote ? (t.overwritten ?? []) : [];
  // A shared server's entry is the bridge's: the manifest has no place for an edit there, so no adopt.
  const bridged = new Set(t.bridged ?? []);
  for (const n of [...t.drift, ...(wrote ? [] : (t.overwritten ?? []))])
    out.print(
      bridged.has(n)
        ? `      ${warn} ${n}: edited by hand since the last sync; kept (${n} is shared, so this entry is the bridge's and the manifest has no place for the edit: --force puts the bridge's entry back)`
        : `      ${warn} ${n}: edited by hand since the last sync; kept (\`mcp-twin adopt ${n} --from ${t.env}:${t.client}\` takes the edit into the manifest, --force overwrites it)`,
    );
  // What --force did (or, in a dry run, would do) to an entry someone else wrote: said as done.
  const done = (past: string) => (dryRun ? `would be ${past}` : past);
  for (const n of overwritten)
    out.print(
      `      ${warn} ${n}: edited by hand since the last sync; ${done("overwritten")} with the manifest's entry (--force)${dryRun ? "" : "; `mcp-twin restore` puts the edit back"}`,
    );
  for (const n of wrote ? (t.takenOver ?? []) : [])
    out.print(
      `      ${warn} ${n}: an entry mcp-twin did not write had this name; ${done("taken over")} (--force)${dryRun ? "" : "; `mcp-twin uninstall` gives it back as you wrote it"}`,
    );
  for (const n of [...t.foreign, ...(wrote ? [] : (t.takenOver ?? []))])
    out.print(
      bridged.has(n)
        ? `      ${warn} ${n}: an entry mcp-twin did not write has this name; left alone (${n} is shared, so its entry here is the bridge's and the manifest has no place for this one: --force takes it over)`
        : `      ${warn} ${n}: an entry mcp-twin did not write has this name; left alone (\`mcp-twin adopt ${n} --from ${t.env}:${t.client}\` takes it into the manifest, --force takes it over)`,
    );
  for (const o of t.clientOwn ?? [])
    out.print(`      ${warn} ${o.server}: ${ownEntryClash(o.what, clientById(t.client)?.name ?? t.client)}`);
  for (const p of t.problems)
    out.print(
      `      ${WONT_START.has(p.code) ? fail : warn} ${p.server}: ${
        // The install step is said once per environment, below the targets (or above, by add).
        p.missing
          ? `\`${p.missing.program}\` is not found in ${p.missing.env}, so it cannot start there yet (how to install it: ${shownAbove(p.missing) ? "above" : "below"})`
          : p.message
      }`,
    );
  // After the write, what the file holds now (a plan said it "will hold" before its question).
  for (const w of t.warnings ?? []) out.print(`      ${warn} ${w}`);
}

/** Below the targets: variables to set, warnings, errors not said on a target's line, the bridge. */
async function renderNotices(report: SyncReport, out: Output): Promise<void> {
  const { ok, warn, fail } = out.theme;
  if (report.references.length > 0) {
    out.print("");
    out.print(
      `${warn} Project files reference variables instead of secrets: set ${report.references.join(", ")} in your shell or the client.`,
    );
  }
  for (const w of report.warnings) out.print(`${warn} ${w.message}`);
  // Once per server, not on each target's line: which clients, and what brings the rule in.
  for (const r of report.toolRules) out.print(`${warn} ${r.message}`);
  for (const k of report.keep) out.print(`${warn} ${k.message}. ${k.fix}`);
  // Said on the target's line already.
  for (const e of report.errors)
    if (!["install-failed", "bridge-port-taken", GATEWAY_DOWN, ...WONT_START].includes(e.code))
      out.print(`${fail} ${e.message}`);
  const unused = unusedLine(report.unused);
  if (unused) {
    out.print("");
    out.print(`${out.theme.info} ${unused}`);
  }
  // With shared servers the gateway's lines say what runs (the bridge is the gateway).
  if (report.bridge && !report.gateway?.gateway) {
    out.print("");
    out.print(bridgeLine(report.bridge, { ok, warn, fail }));
  }
  if (report.gateway) {
    out.print("");
    for (const line of gatewayLines(report.gateway, { ok, warn, fail })) out.print(line);
  }
  if (report.pins) {
    // Loaded only then: its word diffs bring the diff library, which a sync with nothing to say needs not.
    const { pinLines } = await import("./pin-lines.js");
    out.print("");
    for (const line of pinLines(report.pins, { ok, warn })) out.print(line);
  }
}

/** Which apps and sessions must restart to load the change, and whether the apps run now. */
function renderRestart(report: SyncReport, out: Output): void {
  const { c, warn } = out.theme;
  const { apps, running, sessions } = report.restart;
  if (apps.length === 0 && sessions.length === 0) return;
  out.print("");
  out.print(restartLine(apps, sessions));
  // Whether the apps run now (command-line sessions are not looked for): when that could not be
  // seen, what a restart means for an app that is open.
  if (apps.length > 0 && running === null)
    out.print(
      c.dim(
        `If ${orList(apps)} is open, quit it fully (tray icon too) and start it again: mcp-twin could not see which apps are running.`,
      ),
    );
  else if (running && running.length > 0)
    out.print(
      `${warn} ${running.join(" and ")} ${running.length > 1 ? "are" : "is"} running now: quit fully (tray icon too) and start again.`,
    );
}

/**
 * Packages mcp-twin installed for this manifest that neither it nor any other manifest they were
 * installed for names now (core/sync/unused-packages.ts): they stay installed (sync takes entries
 * out, not packages), and `sync --prune` uninstalls them.
 */
function unusedLine(unused: SyncReport["unused"]): string | undefined {
  if (unused.length === 0) return undefined;
  const where = new Map<string, string[]>();
  for (const u of unused) {
    const spec = `${u.package}@${u.version}`;
    where.set(spec, [...(where.get(spec) ?? []), u.env]);
  }
  const specs = [...where].map(([spec, envs]) => `${spec} (${andList(envs)})`);
  const one = specs.length === 1;
  return `${andList(specs)} ${one ? "stays" : "stay"} installed: no server of the manifest uses ${one ? "it" : "them"} now. \`mcp-twin sync --prune\` uninstalls ${one ? "it" : "them"}.`;
}

/**
 * An environment that gets no package, and why (said once: in init's plan, else here). "Nothing to
 * install", not "nothing installed": `sync --env` (or `serve --share`'s advice) may have installed
 * packages there already, and they stay.
 */
export function noClientLine(envId: string): string {
  return `${envId} has no client: nothing to install there (a later sync installs when one appears)`;
}

/**
 * What loads the change: a restart of the apps that read their config only at start, a new session
 * of the command-line clients (each session reads it when it starts).
 */
export function restartLine(
  apps: readonly string[],
  sessions: readonly string[],
  /** Servers were removed: an app still open keeps them until it starts again (said when apps restart). */
  removed = false,
): string {
  const session =
    sessions.length === 1 ? `a new ${sessions[0]} session` : `new ${andList(sessions)} sessions`;
  if (apps.length === 0) return `Start ${session} to load the changes.`;
  const restart = `Restart ${andList(apps)}`;
  const until = removed ? " (until then, an app still open keeps the removed servers)" : "";
  return sessions.length === 0
    ? `${restart} to load the changes${until}.`
    : `${restart}, and start ${session}, to load the changes${until}.`;
}

/**
 * A file a remote window reads over the other side's (VS Code connected to WSL): which servers
 * such a window starts here, and which it takes from the other side's file (never both).
 */
function windowLine(t: SyncReport["targets"][number], shown: (file: string) => string): string | undefined {
  if (!t.window) return undefined;
  const { here, other } = t.window;
  const verb = (n: string[]) => (n.length === 1 ? "starts" : "start");
  const parts = [
    ...(here.length > 0 ? [`${andList(here)} ${verb(here)} in ${t.env} from this file`] : []),
    ...(other.servers.length > 0
      ? [`${andList(other.servers)} as ${other.env}'s ${shown(other.path)} says`]
      : []),
  ];
  return parts.length > 0 ? `a window connected to ${t.env}: ${parts.join("; ")}` : undefined;
}

/**
 * An app whose harness reads another client's file too (VS Code ≥ 1.140): which file serves which
 * harness, in one line. The deprecated Local harness reads this file only.
 */
function harnessLine(t: SyncReport["targets"][number], shown: (file: string) => string): string | undefined {
  if (!t.harness) return undefined;
  const { name, version, path, servers } = t.harness;
  const there = servers.length > 0 ? `${andList(servers)} from ${shown(path)}` : shown(path);
  return `${clientById(t.client)?.name ?? t.client} ${version}: its ${name} harness reads ${there} and this file's servers; its Local harness, this file's only`;
}

/**
 * Entries of this target that run on the other side, and why: a WSL client with no usable Linux
 * npm runs Windows' node.exe through interop (a fallback worth knowing: it stops when interop is off).
 */
function acrossLine(
  t: SyncReport["targets"][number],
  report: Pick<SyncReport, "environments">,
  shown: (file: string) => string,
) {
  if (!t.across || t.across.length === 0) return undefined;
  const own = report.environments.find((e) => e.id === t.env);
  // Why is said once, on the environment's line (with its fix): pointed at, not repeated.
  const why = own && !own.usable ? `, as ${t.env} is not usable (see Environments)` : "";
  const byHow = new Map<string, string[]>();
  for (const a of t.across) {
    const how =
      a.runsIn === "windows" && t.env.startsWith("wsl:")
        ? `in windows through WSL interop${a.command ? ` (${shown(a.command)})` : ""}`
        : a.runsIn.startsWith("wsl:") && t.env === "windows"
          ? `in ${a.runsIn} through wsl.exe`
          : `in ${a.runsIn}`;
    byHow.set(how, [...(byHow.get(how) ?? []), a.server]);
  }
  return `${[...byHow].map(([how, servers]) => `${servers.join(", ")} ${servers.length > 1 ? "run" : "runs"} ${how}`).join("; ")}${why}`;
}

/** What the tools entry is, where a line names it. */
const TOOLS_SAYS = "tools on demand: search_tools and call_tool for the servers behind it";

/**
 * url servers a client takes only through mcp-twin's relay (it has no url entries): how they reach
 * it, and what the client then depends on — mcp-twin where the relay runs, and WSL when the relay
 * runs across the line.
 */
function relayLine(t: SyncReport["targets"][number]): string | undefined {
  const client = clientById(t.client)?.name ?? t.client;
  const across = (runsIn: string) =>
    runsIn.startsWith("wsl:") && t.env === "windows"
      ? ", started by wsl.exe"
      : runsIn === "windows" && t.env.startsWith("wsl:")
        ? ", started through WSL interop"
        : "";
  // A login relay is said only where it crosses the line (WSL is then needed): the login lines
  // say that every client reaches the server through the relay.
  // A readable file's relay is said when it is written (readableNews), its why once per run.
  const news = readableNews(t);
  const said = (t.relays ?? []).filter(
    (r) => (r.why !== "login" || across(r.runsIn)) && (r.why !== "readable" || news.includes(r.server)),
  );
  if (said.length === 0) return undefined;
  const groups = new Map<string, { runsIn: string; why: string; servers: string[] }>();
  for (const r of said) {
    // The tools entry apart: it is no shared server, whatever the others beside it are.
    const key = `${r.runsIn}|${r.why}|${r.server === TOOLS_ENTRY}`;
    const g = groups.get(key) ?? { runsIn: r.runsIn, why: r.why, servers: [] };
    g.servers.push(r.server);
    groups.set(key, g);
  }
  return [...groups.values()]
    .map(({ runsIn, why, servers }) => {
      const one = servers.length === 1;
      // The tools entry is no shared server: said as what it is.
      const shared = servers[0] === TOOLS_ENTRY ? `(${TOOLS_SAYS})` : `${one ? "is" : "are"} shared`;
      const reasons: Record<string, string> = {
        "stdio-only": `${one ? "is a remote server" : "are remote servers"}, and ${client} takes only stdio servers`,
        "no-sse": `${one ? "speaks" : "speak"} SSE, which ${client} takes no url entry for`,
        login: `${one ? "needs" : "need"} the login mcp-twin holds`,
        "shared-stdio-only": `${shared}, and ${client} takes only stdio servers (one relay for the app)`,
        "no-folder":
          servers[0] === TOOLS_ENTRY
            ? `reaches a server shared per project, and ${client} has no variable that names its folder`
            : `${shared} per project, and ${client} has no variable that names its folder`,
        "no-token": `${shared}, and the bridge has no token yet (it makes one on its first start)`,
        // Why (the file is readable by others) is said once, below all targets.
        readable: shared,
      };
      const reason = reasons[why] ?? why;
      const needs = across(runsIn) ? `WSL and mcp-twin in ${runsIn}` : `mcp-twin in ${runsIn}`;
      return `${andList(servers)} ${reason}: ${one ? "it goes" : "they go"} through mcp-twin's relay (\`mcp-twin connect\`) in ${runsIn}${across(runsIn)}, so ${client} needs ${needs} for ${one ? "it" : "them"}`;
    })
    .join("; ");
}

function indent(text: string, n: number): string {
  return text
    .split("\n")
    .map((l) => " ".repeat(n) + l)
    .join("\n");
}

/** One true line about the bridge after a sync. */
function bridgeLine(
  b: NonNullable<SyncReport["bridge"]>,
  mark: { ok: string; warn: string; fail: string },
): string {
  const pid = b.pid ? ` (pid ${b.pid})` : "";
  switch (b.state) {
    case "running":
      return `${mark.ok} Bridge running at ${b.url}${pid}.`;
    case "restarted":
      return b.previousVersion
        ? `${mark.ok} Bridge restarted at ${b.url}${pid}: it ran mcp-twin ${b.previousVersion}, now ${b.version ?? VERSION}.`
        : `${mark.ok} Bridge restarted at ${b.url}${pid}: it ran at ${b.previousUrl ?? "other settings"}.`;
    case "stopped":
      return `${mark.ok} Bridge not running; every client's entry starts it on first use (or: \`mcp-twin bridge start\`).`;
    case "taken":
      return `${mark.fail} ${portHeldBy(new URL(b.url).port, b.what, undefined, true)}: the bridge cannot start there. Fix: ${b.fix}.`;
    case "unknown":
      return `${mark.warn} Could not check the bridge at ${b.url}${b.error ? ` (${b.error})` : ""}.`;
  }
}
