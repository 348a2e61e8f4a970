/**
 * Client config files (pure): they parse, they are the file the app really reads, they hold no
 * duplicate names, and they were not wiped by the app; Claude Code names defined in more than one
 * scope; apps that must be restarted to see a change.
 */

import type { EntryScope, EntrySet } from "../../clients/entry-sets.js";
import { parseProblem, unparsableFix } from "../../clients/unreadable-target.js";
import { canonicalJson } from "../../text/canonical-json.js";
import { defineCheck } from "../check-def.js";
import type { RunningApp } from "../facts.js";
import { count, SYNC_FIX } from "../finding-words.js";
import type { ConfigFacts } from "../gather/read-configs.js";
import { type Finding, finding, type Where } from "../types.js";
import { checkConfigPrivate } from "./private.js";

const whereOf = (f: ConfigFacts): Where => ({
  env: f.target.env.id,
  client: f.target.client.id,
  scope: f.target.scope,
});
/** A file that cannot be read or parsed is config.parse's finding alone. */
const unreadable = (f: ConfigFacts) => f.readError !== undefined || f.parseError !== undefined;

export const configChecks = [
  defineCheck({
    id: "config.parse",
    scope: "config-file",
    doc: "a client config does not parse (file:line:column): its client cannot read the file at all; a finding, exit 1.",
    fix: "fix it by hand at that line and column, which keeps what you changed since; or `mcp-twin restore <file>` when mcp-twin holds a backup of it, which puts the whole file back as mcp-twin last wrote it (never move it away: it may hold the app's own state).",
    run: ({ config: f, backups, created, owned }, show) => {
      const t = f.target;
      const where = whereOf(f);
      const shown = show.path(t.path);
      if (f.readError)
        return [
          finding("fail", where, `${shown} cannot be read: ${show.text(f.readError, t.file, t.path)}.`, {
            fix: "Check the file's permissions.",
          }),
        ];
      if (f.parseError)
        return [
          finding(
            "fail",
            where,
            `${show.text(f.parseError.message.replace(/ the file is not valid (JSON|TOML)\.$/, ""), t.path)} ${t.client.name} cannot read the file at all.`,
            {
              // restore takes the path it recorded (t.path: `C:\…` for a Windows file), not another form.
              fix: unparsableFix({
                restorePath: t.path,
                shown,
                backups,
                ...(created ? { created } : {}),
                owned,
                line: f.parseError.line,
                column: f.parseError.column,
                problem: parseProblem(f.parseError.message),
              }),
            },
          ),
        ];
      if (f.text === null) return [finding("skip", where, `${shown} does not exist yet.`)];
      return [finding("pass", where, `${shown} parses.`)];
    },
  }),
  defineCheck({
    id: "config.strict-json",
    scope: "config-file",
    doc: "what a client's reader stricter than JSONC refuses in its file: comments or trailing commas where it reads strict JSON (Claude Desktop, `~/.claude.json`, Cline, Crush, Roo Code, Warp), a trailing comma where it reads comments only (Factory Droid, Qwen Code), a byte-order mark it cannot read (Auggie, Cline, Crush, Factory Droid, Roo Code, Warp).",
    fix: "remove them.",
    run: ({ config: f }, show) => {
      if (unreadable(f) || !f.strictJsonError) return [];
      const { name } = f.target.client;
      const shown = show.path(f.target.path);
      const detail = f.strictJsonError;
      const [message, fix] =
        f.strictJsonCause === "a byte-order mark"
          ? [
              `${name} reads none of ${shown}: it starts with a byte-order mark.`,
              "Save the file as UTF-8 without a BOM (mcp-twin keeps the bytes you wrote).",
            ]
          : f.strictJsonCause === "trailing commas"
            ? [
                `${name} rejects a trailing comma in ${shown} (${detail}), and then reads none of it.`,
                "Remove the trailing commas (comments may stay).",
              ]
            : [
                `${name} reads ${shown} as strict JSON, which rejects it (${detail}): comments or trailing commas.`,
                "Remove the comments and trailing commas.",
              ];
      return [finding("fail", whereOf(f), message, { fix })];
    },
  }),
  defineCheck({
    id: "config.shape",
    scope: "config-file",
    doc: "the servers key (`mcpServers`, VS Code `servers`) is not an object.",
    fix: "make it an object.",
    run: ({ config: f }, show) => {
      const t = f.target;
      if (unreadable(f)) return [];
      return f.shapeErrors.map((e) =>
        finding("fail", whereOf(f), `${show.path(t.path)}: ${e}.`, {
          fix:
            t.client.format === "toml"
              ? `Make it a table of [${t.serversPath.join(".")}.<name>] tables; mcp-twin will not guess.`
              : `Make it an object ({ "name": { … } }); mcp-twin will not guess.`,
        }),
      );
    },
  }),
  defineCheck({
    id: "config.location",
    scope: "config-file",
    doc: "Claude Desktop (Windows): which file the app really reads; the Store (MSIX) build ignores `%APPDATA%\\Claude\\claude_desktop_config.json`, so servers left there are a finding.",
    fix: "`mcp-twin import` (it reads the classic file too) and `mcp-twin sync`, which writes them into the file the app reads, then delete the classic file; once every server in it is in the packaged file too, the fix is only that last step.",
    run: ({ config: f }, show) => {
      const t = f.target;
      // A client with a file its app may ignore (Claude Desktop's classic file, on Windows).
      if (unreadable(f) || !t.client.reading.ignoredFile || t.env.kind !== "windows") return [];
      if (f.ignored && f.ignored.servers.length > 0) {
        // Servers the file the app reads has already (under the same name): only the old file is left.
        const read = new Set(f.sets.filter((s) => s.scope === "user").flatMap((s) => Object.keys(s.entries)));
        const { servers } = f.ignored;
        const missing = servers.filter((n) => !read.has(n));
        const also = servers.filter((n) => read.has(n));
        // "holds the server memory (in the file it reads too)": a server's name is not mistaken for a word.
        const held = `${servers.length === 1 ? "the server" : "the servers"} ${servers.join(", ")}`;
        const inRead =
          also.length === 0
            ? ""
            : missing.length === 0
              ? ` (${servers.length === 1 ? "it is" : "all are"} in the file it reads too)`
              : ` (${also.join(", ")} ${also.length === 1 ? "is" : "are"} in the file it reads too)`;
        return [
          {
            about: servers,
            ...finding(
              "warn",
              whereOf(f),
              `${t.client.name} is the Store (MSIX) build and reads ${show.path(t.path)}; it ignores ${show.path(f.ignored.path)}, which holds ${held}${inRead}.`,
              {
                fix:
                  missing.length === 0
                    ? `Delete ${f.ignored.path} (the app's "Edit Config" may open it); every server in it is in the file the app reads.`
                    : `Run \`mcp-twin import\` (it reads that file too) to bring ${missing.join(", ")} into the manifest, then \`mcp-twin sync\` to write ${missing.length === 1 ? "it" : "them"} into the file the app reads; then delete the classic file (the app's "Edit Config" may open it).`,
              },
            ),
          },
        ];
      }
      return [
        finding(
          "pass",
          whereOf(f),
          `${t.client.name} reads ${show.path(t.path)}${t.note ? ` (${t.note})` : ""}.`,
        ),
      ];
    },
  }),
  defineCheck({
    id: "config.duplicate-key",
    scope: "config-file",
    doc: "one server name twice in the same object (which one wins depends on the app's parser).",
    fix: "delete one.",
    run: ({ config: f }) =>
      unreadable(f)
        ? []
        : f.sets.flatMap((set) =>
            set.duplicates.map((name) =>
              finding(
                "warn",
                { ...whereOf(f), server: name },
                `"${name}" appears twice in ${set.serversPath.join(".")}; which one ${f.target.client.name} uses depends on its parser.`,
                { fix: "Delete one of them." },
              ),
            ),
          ),
  }),
  defineCheck({
    id: "config.wiped",
    scope: "config-file",
    doc: "entries sync wrote are gone because the file was reset (emptied, truncated, rewritten by its app).",
    fix: "`mcp-twin sync` (Claude Code also keeps `~/.claude/backups`).",
    run: ({ config: f, owned }, show) => {
      const t = f.target;
      if (!isWiped(f, owned)) return [];
      return [
        finding(
          "fail",
          whereOf(f),
          `${show.path(t.path)} ${f.text === null ? "is gone" : f.text.trim() === "" ? "is empty" : "has no servers"}, but mcp-twin wrote ${count(owned, "server")} there: the file was reset (an app rewrote it, or a crash truncated it).`,
          {
            fix: `${SYNC_FIX}${t.client.ownBackups ? ` ${t.client.name} also keeps backups in ${t.client.ownBackups}.` : ""}`,
          },
        ),
      ];
    },
  }),
  defineCheck({
    id: "config.private",
    scope: "config-file",
    doc: "a client config that holds keys — an entry's env value or header under a credential's name (the bridge's bearer token too), not a `${VAR}` reference — is readable by other users (group or other read bits, e.g. a `~/.claude.json` at 0644), however the keys got there; sync warns only when it writes one. Linux, macOS and WSL files; Windows files (also on `/mnt/c`) are protected by the profile's ACL, not mode bits, and are not checked. The servers are named, never the values.",
    fix: "the exact `chmod 600 <file>` shown (for a symlink, the file it points to).",
    run: ({ config }, show) => checkConfigPrivate(config, show),
  }),
  defineCheck({
    id: "client.restart",
    scope: "config-file",
    doc: "an app that reads its config only at start (Claude Desktop, Cursor, Windsurf) has been running since before the file changed (Windows: process start time via PowerShell; Linux: /proc).",
    fix: "quit it fully (tray too) and start it again.",
    run: ({ config: f, running }, show) =>
      checkRestart(whereOf(f), f.target.client.name, show.path(f.target.path), f.mtimeMs, running),
  }),
  defineCheck({
    id: "entry.duplicate",
    scope: "machine",
    doc: "Claude Code: the same name in local (`projects[<dir>]` in ~/.claude.json), project (`.mcp.json`) and user scope; local wins, then project, then user (warn when identical, fail when they differ).",
    fix: "keep one (`claude mcp remove <name> -s <scope>`).",
    run: ({ configs }) => {
      // Per environment, a client with a local scope (Claude Code: user and local scope in
      // ~/.claude.json, project scope in .mcp.json).
      const groups = new Map<string, { where: Where; sets: EntrySet[] }>();
      for (const { config: c } of configs) {
        const { env, client } = c.target;
        if (!client.reading.localScope) continue;
        const key = `${env.id} ${client.id}`;
        const group = groups.get(key) ?? { where: { env: env.id, client: client.id }, sets: [] };
        group.sets.push(...c.sets);
        groups.set(key, group);
      }
      return [...groups.values()].flatMap((g) => checkScopes(g.where, g.sets));
    },
  }),
] as const;

/** Claude Code: the same name in local, project and user scope (local wins, then project, then user). */
export function checkScopes(
  base: Where,
  sets: ReadonlyArray<{ scope: EntryScope; entries: Record<string, unknown> }>,
): Finding[] {
  const byName = new Map<string, Array<{ scope: EntryScope; value: unknown }>>();
  for (const s of sets)
    for (const [name, value] of Object.entries(s.entries))
      byName.set(name, [...(byName.get(name) ?? []), { scope: s.scope, value }]);
  const order: EntryScope[] = ["local", "project", "user"];
  const out: Finding[] = [];
  for (const [name, list] of byName) {
    const scopes = [...new Set(list.map((l) => l.scope))];
    if (scopes.length < 2) continue;
    // Two scopes or more, each one of the three: one of them wins.
    const winner = order.find((o) => scopes.includes(o)) ?? "user";
    const same = new Set(list.map((l) => canonicalJson(l.value))).size === 1;
    out.push(
      finding(
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

/** An app that reads its config only at start, running since before the file last changed. */
export function checkRestart(
  where: Where,
  appName: string,
  configPath: string,
  configMtimeMs: number | undefined,
  running: RunningApp | undefined,
): Finding[] {
  if (!running || configMtimeMs === undefined) return [];
  const changed = new Date(configMtimeMs);
  if (running.startedAt.getTime() >= configMtimeMs)
    return [finding("pass", where, `${appName} was started after ${configPath} last changed.`)];
  return [
    finding(
      "warn",
      where,
      `${appName} has been running since ${running.startedAt.toISOString()}, before ${configPath} changed (${changed.toISOString()}): it still runs the old servers.`,
      {
        fix: `Quit ${appName} fully (tray icon too) and start it again.`,
      },
    ),
  ];
}

/**
 * A file that was reset: mcp-twin recorded entries in it (`recorded` of them), and the file, read
 * and parsed, holds none in its scope (emptied, truncated, rewritten by its app).
 */
export function isWiped(c: ConfigFacts, recorded: number): boolean {
  if (c.readError !== undefined || c.parseError !== undefined) return false;
  const holds = c.sets.some((s) => s.scope === c.target.scope && Object.keys(s.entries).length > 0);
  return recorded > 0 && !holds;
}

/** What to remove, for what a strict JSON reader refused. */
