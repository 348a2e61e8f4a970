/**
 * `mcp-twin status`'s report: the servers × targets matrix and what each state asks of the user,
 * the shared servers (and those behind tools on demand) as the bridge runs them, the tool rules
 * each client keeps, the servers of plugins.
 */
import { ruleNote } from "../../core/budget/rule-problems.js";
import { clientById } from "../../core/clients/index.js";
import { missingProgramLines } from "../../core/entries/programs/missing-programs.js";
import { bridgeWhy, portOpenAt, type SharedStatus, sharedLineFor } from "../../core/status/shared-status.js";
import { type SharedView, sharedFix } from "../../core/status/shared-view.js";
import type { PluginLine, StatusRow, SyncBlocker } from "../../core/status/status-matrix.js";
import { untrusted } from "../../core/text/control-chars.js";
import { andList } from "../../core/text/prose-lists.js";
import type { Output } from "../output.js";

/**
 * Each shared server (mode, running or not, sessions attached, memory, idle time); then the servers
 * the bridge runs only behind tools on demand, which the manifest does not share.
 */
export function renderShared(s: SharedStatus, behindTools: ReadonlySet<string>, out: Output): void {
  const width = Math.max(...s.shared.map((v) => v.name.length));
  // The bridge away is one cause: said once, below, not on every server's line.
  const away = s.shared.filter((v) => v.state === "bridge-down" && !sharedFix(v));
  const lines = (views: readonly SharedView[]) => {
    for (const given of views) {
      // Behind tools on demand only it has no share mode: its mode word would say it is shared per session.
      const v = behindTools.has(given.name) ? { ...given, mode: "one process per client session" } : given;
      out.print(
        `  ${untrusted(v.name).padEnd(width)}  ${away.includes(given) ? `${v.mode}, not running` : sharedLineFor(v, s)}`,
      );
      const fix = sharedFix(given);
      if (fix) out.print(`  ${" ".repeat(width)}  ${fix}`);
    }
  };
  const shared = s.shared.filter((v) => !behindTools.has(v.name));
  const behind = s.shared.filter((v) => behindTools.has(v.name));
  if (shared.length > 0) {
    out.print(out.theme.c.bold("Shared servers (run once in the bridge)"));
    lines(shared);
  }
  if (behind.length > 0) {
    out.print(out.theme.c.bold("Behind tools on demand (run in the bridge, not shared)"));
    lines(behind);
  }
  // Its port left open is the same cause: one line, its fix the one that closes both.
  const open = portOpenAt(s.bridge);
  if (away.length > 0) {
    const why = open.length > 0 ? undefined : bridgeWhy(s.bridge);
    out.print(
      `  ${out.theme.warn} The bridge is not running${why ? ` (${why})` : ""}: ${away.length === 1 ? "this server runs" : "these servers run"} in it.${open.map((l) => ` ${l}`).join("")}`,
    );
  } else for (const line of open) out.print(`  ${out.theme.warn} ${line}`);
}

export function renderMatrix(
  rows: StatusRow[],
  blockers: readonly SyncBlocker[],
  out: Output,
  counts: { servers: number; disabled: number; targets: number; unreadable: number },
): void {
  const { c, fail } = out.theme;
  // Every config there is could not be read: they are named below, nothing else is to say.
  if (rows.length === 0 && counts.targets === 0 && counts.unreadable > 0) return;
  if (rows.length === 0) {
    // Say which of the two is missing: the manifest's servers, or a client config to hold them.
    out.print(
      counts.servers === 0
        ? counts.disabled > 0
          ? `Every server of the manifest is disabled (${counts.disabled}): sync leaves them out.`
          : "The manifest has no servers yet: `mcp-twin add <name>` adds one (`mcp-twin add --list` shows the catalogue)."
        : `No client config here to hold ${counts.servers === 1 ? "its server" : `its ${counts.servers} servers`} (no client was found, or --client/--env left none): \`mcp-twin sync --client <id>\` creates the config of the client you name.`,
    );
    return;
  }
  const colour: Record<StatusRow["state"], (s: string) => string> = {
    synced: c.green,
    missing: c.red,
    drifted: c.yellow,
    foreign: c.magenta,
    stale: c.cyan,
  };
  const targets = [
    ...new Set(rows.map((r) => `${r.env} ${r.client}${r.scope === "project" ? " (project)" : ""}`)),
  ];
  const servers = [...new Set(rows.map((r) => r.server))].sort();
  const width = Math.max(6, ...servers.map((s) => s.length));
  const label = (r: StatusRow) => `${r.env} ${r.client}${r.scope === "project" ? " (project)" : ""}`;
  // `missing` is the spec's state of an entry that will not start; one that is in the file
  // but whose program or package is gone says so (the note below says what to do).
  const cellText = (row: StatusRow | undefined) =>
    row ? (row.notInstalled ? "not installed" : row.state) : "–";
  // A column is as wide as its widest cell too ("not installed" under "linux cursor"), so the
  // columns after it stay under their headers.
  const widths = targets.map((t) =>
    Math.max(t.length, ...rows.filter((r) => label(r) === t).map((r) => cellText(r).length)),
  );
  out.print(
    c.bold(
      `${"server".padEnd(width)}  ${targets.map((t, i) => t.padEnd(widths[i] ?? 0)).join("  ")}`.trimEnd(),
    ),
  );
  for (const server of servers) {
    const cells = targets.map((t, i) => {
      const row = rows.find((r) => r.server === server && label(r) === t);
      return (row ? colour[row.state] : c.dim)(cellText(row).padEnd(widths[i] ?? 0));
    });
    out.print(`${server.padEnd(width)}  ${cells.join("  ")}`);
  }
  // Entries not in their file: one line per file naming them, and one for what sync does.
  const absent = rows.filter((r) => r.absent);
  const byFile = new Map<string, StatusRow[]>();
  for (const r of absent) byFile.set(r.path, [...(byFile.get(r.path) ?? []), r]);
  for (const [file, list] of byFile) {
    const [first] = list;
    if (!first) continue;
    const { env, client, scope } = first;
    const names = list.map((r) => r.server).sort();
    out.print(
      c.dim(
        `${env} ${client}${scope === "project" ? " (project)" : ""}: ${andList(names)} ${names.length === 1 ? "is" : "are"} not in ${out.shown(file)}${first.absent?.fileExists ? "" : ", which does not exist"}.`,
      ),
    );
  }
  if (absent.length > 0) {
    const installs = packagesByEnv(absent.flatMap((r) => (r.absent?.install ? [r.absent.install] : [])));
    const what = `\`mcp-twin sync\` writes ${absent.length === 1 ? "it" : "them"}${installs ? `, after installing ${installs}` : ""}`;
    // sync stops before writing anything while a key is missing: say that, not that it writes them.
    if (blockers.length === 0) out.print(c.dim(`${what}.`));
    else {
      out.print(`${what}, once this is fixed (until then sync stops and writes nothing):`);
      for (const b of blockers) out.print(`  ${fail} ${b.message}${b.hint ? ` ${b.hint}` : ""}`);
    }
  }
  const notes = rows.filter((r) => r.detail && !r.absent && !r.missing);
  for (const r of notes)
    out.print(c.dim(`${r.server} in ${r.env} ${r.client}: ${untrusted(r.detail ?? "")}`));
  // A program missing in one environment stops every server and client that runs it there: one
  // line for them all, with its install step once (as sync says it), not one per entry.
  const missing = rows.flatMap((r) => {
    const client = clientById(r.client);
    return r.missing && client ? [{ missing: r.missing, server: r.server, client }] : [];
  });
  for (const line of missingProgramLines(missing)) out.print(c.dim(untrusted(line)));
  // Switched off in the client: it starts none of it, whatever the state says of the entry.
  for (const r of rows.filter((x) => x.off))
    out.print(
      c.dim(
        `${r.server} in ${r.env} ${r.client}: switched off in ${clientById(r.client)?.name ?? r.client} (it loads none of its tools; sync keeps the switch).`,
      ),
    );
  const differs = (r: StatusRow) => (r.state === "drifted" || r.state === "foreign") && !r.detail;
  // The client's own fields on an entry: kept by sync, and the way into the manifest — but not from
  // the bridge's entry while the rest of it differs too (adopt would have to take that as well).
  for (const r of rows.filter((x) => x.kept)) {
    const them = r.kept?.length === 1 ? "it" : "them";
    const adopt =
      r.bridged && differs(r)
        ? ""
        : ` \`mcp-twin adopt ${r.server} --from ${r.env}:${r.client}\` puts ${them} in the manifest's clientFields for every ${r.client} entry.`;
    out.print(
      c.dim(
        `${r.server} in ${r.env} ${r.client}: keeps ${untrusted(andList(r.kept ?? []))} (the client's own; sync keeps ${them}).${adopt}`,
      ),
    );
  }
  // An entry that is not what sync wrote: the ways out, the command for each.
  for (const r of rows.filter(differs)) out.print(differsLine(r));
}

/**
 * The ways out for an entry that is not what sync wrote. A shared server's entry is the bridge's,
 * derived: the manifest has no place for an edit of it, so `adopt` is not one of them there.
 */
function differsLine(r: StatusRow): string {
  const where = `${r.server} in ${r.env} ${r.client}`;
  const adopt = `mcp-twin adopt ${r.server} --from ${r.env}:${r.client}`;
  if (r.bridged)
    return r.state === "drifted"
      ? `${where}: edited by hand. ${r.server} is shared, so this entry is the bridge's and the manifest has no place for the edit: put mcp-twin's entry back (\`mcp-twin sync --force\`), or leave it (sync leaves it alone).`
      : `${where}: not written by mcp-twin. ${r.server} is shared, so its entry here is the bridge's and the manifest has no place for this one: replace it with the bridge's (\`mcp-twin sync --force\`), or leave it.`;
  return r.state === "drifted"
    ? `${where}: edited by hand. Take the edit into the manifest (\`${adopt}\`), put mcp-twin's entry back (\`mcp-twin sync --force\`), or leave it (sync leaves it alone).`
    : `${where}: not written by mcp-twin. Take it into the manifest (\`${adopt}\`), replace it with the manifest's (\`mcp-twin sync --force\`), or leave it.`;
}

/**
 * Which tool rules each client keeps and how (its own field), and each it does not keep, once per
 * server and client, with why: never claimed.
 */
export function renderToolRules(rows: readonly StatusRow[], out: Output): void {
  const byServer = new Map<
    string,
    Map<string, { name: string; rules: NonNullable<StatusRow["toolRules"]> }>
  >();
  for (const r of rows) {
    if (!r.toolRules) continue;
    const clients = byServer.get(r.server) ?? new Map();
    const module = clientById(r.client);
    if (!clients.has(r.client)) clients.set(r.client, { name: module?.name ?? r.client, rules: r.toolRules });
    byServer.set(r.server, clients);
  }
  if (byServer.size === 0) return;
  out.print(out.theme.c.bold("Tool rules"));
  for (const [server, clients] of byServer) {
    const kept = [...clients.values()].flatMap((c) =>
      c.rules.state === "kept"
        ? [
            `${c.name} in ${c.rules.keys.length > 0 ? c.rules.keys.join(", ") : "its entry (nothing left out)"}`,
          ]
        : c.rules.state === "gateway"
          ? [`${c.name} through the gateway (its entry names it to the bridge)`]
          : [],
    );
    if (kept.length > 0) out.print(`  ${untrusted(server)}: kept by ${andList(kept)}`);
    for (const [id, c] of clients)
      if (c.rules.state !== "kept" && c.rules.state !== "gateway")
        out.print(`  ${out.theme.warn} ${ruleNote(server, c.rules.state, { id, name: c.name })}`);
  }
}

/** The servers the clients' plugins and extensions provide (read only), and any an entry shadows. */
export function renderPlugins(plugins: readonly PluginLine[], out: Output): void {
  if (plugins.length === 0) return;
  const { c } = out.theme;
  out.print(c.bold("From plugins and extensions (not mcp-twin's; left as they are)"));
  for (const p of plugins) {
    out.print(
      `  ${untrusted(p.server)}  ${p.env} ${p.client}, from ${untrusted(p.plugin)}${p.project ? ` installed for ${out.shown(p.project)}` : ""} (${out.shown(p.file)})`,
    );
    if (p.shadow) out.print(`    ${untrusted(p.shadow.server)}: ${untrusted(p.shadow.text)}`);
  }
}

/** "a and b in wsl:Ubuntu and windows; c in windows": environments needing the same packages share a part. */
function packagesByEnv(installs: ReadonlyArray<{ package: string; env: string }>): string {
  const byEnv = new Map<string, Set<string>>();
  for (const i of installs) byEnv.set(i.env, (byEnv.get(i.env) ?? new Set()).add(i.package));
  const bySet = new Map<string, string[]>();
  for (const [env, pkgs] of byEnv) {
    const key = andList([...pkgs].sort());
    bySet.set(key, [...(bySet.get(key) ?? []), env]);
  }
  return [...bySet].map(([pkgs, envs]) => `${pkgs} in ${andList(envs)}`).join("; ");
}
