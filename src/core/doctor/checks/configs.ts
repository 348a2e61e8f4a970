/**
 * Client config files (pure): they parse, they are the file the app really reads, they hold no
 * duplicate names, and they were not wiped by the app; Claude Code names defined in more than one
 * scope; apps that must be restarted to see a change.
 */
import { canonicalJson } from "../../merge.js";
import type { ConfigFacts, EntryScope } from "../read-configs.js";
import { type Check, check, SYNC_FIX, type Where } from "../types.js";

/** `backups`: how many backups with content mcp-twin keeps of this file (restore can use them). */
export function checkConfig(f: ConfigFacts, ownedEntries: number, backups = 0): Check[] {
  const t = f.target;
  const where: Where = { env: t.env.id, client: t.client.id, scope: t.scope };
  const out: Check[] = [];
  if (f.readError)
    return [
      check("config.parse", "fail", where, `${t.path} cannot be read: ${f.readError}.`, {
        fix: "Check the file's permissions.",
      }),
    ];
  if (f.parseError)
    return [
      check(
        "config.parse",
        "fail",
        where,
        `${f.parseError.message.replace(/ the file is not valid (JSON|TOML)\.$/, "")} ${t.client.name} cannot read its servers.`,
        {
          fix:
            backups > 0
              ? `Run \`mcp-twin restore ${shellQuote(t.path)}\` to put the whole file back from mcp-twin's newest backup of it (it shows what it replaces; \`mcp-twin restore --list ${shellQuote(t.path)}\` shows every backup), or fix it by hand${at(f)}.`
              : `Fix ${t.path} by hand${at(f)}; mcp-twin has no backup of it (it never changed this file).`,
        },
      ),
    ];
  if (f.text === null) out.push(check("config.parse", "skip", where, `${t.path} does not exist yet.`));
  else out.push(check("config.parse", "pass", where, `${t.path} parses.`));
  if (f.strictJsonError)
    out.push(
      check(
        "config.strict-json",
        "fail",
        where,
        `${t.client.name} reads ${t.path} as strict JSON, which rejects it (${f.strictJsonError}): comments or trailing commas.`,
        {
          fix: "Remove the comments and trailing commas.",
        },
      ),
    );
  for (const e of f.shapeErrors)
    out.push(
      check("config.shape", "fail", where, `${t.path}: ${e}.`, {
        fix:
          t.client.format === "toml"
            ? `Make it a table of [${t.serversPath.join(".")}.<name>] tables; mcp-twin will not guess.`
            : `Make it an object ({ "name": { … } }); mcp-twin will not guess.`,
      }),
    );
  if (t.client.id === "claude-desktop" && t.env.kind === "windows") {
    if (f.ignored && f.ignored.servers.length > 0) {
      // Servers the file the app reads has already (under the same name): only the old file is left.
      const read = new Set(f.sets.filter((s) => s.scope === "user").flatMap((s) => Object.keys(s.entries)));
      const missing = f.ignored.servers.filter((n) => !read.has(n));
      out.push(
        check(
          "config.location",
          "warn",
          where,
          `Claude Desktop is the Store (MSIX) build and reads ${t.path}; ${f.ignored.path} holds ${f.ignored.servers.join(", ")}, which it ignores${missing.length < f.ignored.servers.length ? ` (${missing.length === 0 ? "all" : f.ignored.servers.filter((n) => read.has(n)).join(", ")} in the file it reads too)` : ""}.`,
          {
            fix:
              missing.length === 0
                ? `Delete ${f.ignored.path} (the app's "Edit Config" may open it); every server in it is in the file the app reads.`
                : `Run \`mcp-twin import\` (it reads that file too) to bring ${missing.join(", ")} into the manifest, then \`mcp-twin sync\` to write ${missing.length === 1 ? "it" : "them"} into the file the app reads; then delete the classic file (the app's "Edit Config" may open it).`,
          },
        ),
      );
    } else
      out.push(
        check(
          "config.location",
          "pass",
          where,
          `Claude Desktop reads ${t.path}${t.note ? ` (${t.note})` : ""}.`,
        ),
      );
  }
  for (const set of f.sets)
    for (const name of set.duplicates)
      out.push(
        check(
          "config.duplicate-key",
          "warn",
          { ...where, server: name },
          `"${name}" appears twice in ${set.serversPath.join(".")}; which one ${t.client.name} uses depends on its parser.`,
          {
            fix: "Delete one of them.",
          },
        ),
      );
  const holds = f.sets.some((s) => s.scope === t.scope && Object.keys(s.entries).length > 0);
  if (ownedEntries > 0 && !holds)
    out.push(
      check(
        "config.wiped",
        "fail",
        where,
        `${t.path} ${f.text === null ? "is gone" : f.text.trim() === "" ? "is empty" : "has no servers"}, but mcp-twin wrote ${ownedEntries} server(s) there: the file was reset (an app rewrote it, or a crash truncated it).`,
        {
          fix: `${SYNC_FIX}${t.client.id === "claude-code" ? " Claude Code also keeps backups in ~/.claude/backups." : ""}`,
        },
      ),
    );
  return out;
}

function at(f: ConfigFacts): string {
  return f.parseError?.line ? ` at line ${f.parseError.line}, column ${f.parseError.column}` : "";
}

/** A path as a shell argument (bash and PowerShell alike): quoted when it needs it. */
function shellQuote(p: string): string {
  return /^[A-Za-z0-9_./@%+=:,~-]+$/.test(p) ? p : `'${p.replace(/'/g, "'\\''")}'`;
}

/** Claude Code: the same name in local, project and user scope (local wins, then project, then user). */
export function checkScopes(
  base: Where,
  sets: ReadonlyArray<{ scope: EntryScope; entries: Record<string, unknown> }>,
): Check[] {
  const byName = new Map<string, Array<{ scope: EntryScope; value: unknown }>>();
  for (const s of sets)
    for (const [name, value] of Object.entries(s.entries))
      byName.set(name, [...(byName.get(name) ?? []), { scope: s.scope, value }]);
  const order: EntryScope[] = ["local", "project", "user"];
  const out: Check[] = [];
  for (const [name, list] of byName) {
    const scopes = [...new Set(list.map((l) => l.scope))];
    if (scopes.length < 2) continue;
    const winner = order.find((o) => scopes.includes(o))!;
    const same = new Set(list.map((l) => canonicalJson(l.value))).size === 1;
    out.push(
      check(
        "entry.duplicate",
        same ? "warn" : "fail",
        { ...base, server: name },
        `"${name}" is defined in ${scopes.join(", ")} scope${same ? " (identical)" : " with different settings"}; Claude Code uses the ${winner} one.`,
        {
          fix: `Keep one: \`claude mcp remove ${name} -s ${scopes.filter((s) => s !== winner)[0]}\` (or edit the file).`,
        },
      ),
    );
  }
  return out;
}

export interface RunningApp {
  name: string;
  /** When the app's process started. */
  startedAt: Date;
}

/** An app that reads its config only at start, running since before the file last changed. */
export function checkRestart(
  where: Where,
  appName: string,
  configPath: string,
  configMtimeMs: number | undefined,
  running: RunningApp | undefined,
): Check[] {
  if (!running || configMtimeMs === undefined) return [];
  const changed = new Date(configMtimeMs);
  if (running.startedAt.getTime() >= configMtimeMs)
    return [
      check("client.restart", "pass", where, `${appName} was started after ${configPath} last changed.`),
    ];
  return [
    check(
      "client.restart",
      "warn",
      where,
      `${appName} has been running since ${running.startedAt.toISOString()}, before ${configPath} changed (${changed.toISOString()}): it still runs the old servers.`,
      {
        fix: `Quit ${appName} fully (tray icon too) and start it again.`,
      },
    ),
  ];
}
