/**
 * Shared servers (run once in the bridge): how each runs now, entries pointing at a bridge that is
 * down (one finding for all: one cause), a client token in a file others can read, an entry with no
 * credential (the bridge refuses it), an entry written for another share mode. Pure.
 */
import { portHeldBy } from "../../bridge-link/index.js";
import { clientById } from "../../clients/index.js";
import { openPort, type SharedStatus, sharedLineFor } from "../../status/shared-status.js";
import { type SharedView, sharedFix } from "../../status/shared-view.js";
import { andList } from "../../text/prose-lists.js";
import { defineCheck } from "../check-def.js";
import type { SharedEntryFact } from "../facts.js";
import { type Finding, finding } from "../types.js";

/** A shared server whose last start failed: what its error names, else where its output is. */
function failedFix(v: SharedView): string {
  if (v.lastError && /project folder .* does not exist here/.test(v.lastError))
    return "Start that client in a folder that exists (its entry sends the folder it runs in); `mcp-twin bridge restart` clears this report.";
  // Its package is not there: it printed nothing, and the next call fails the same way.
  const where = v.lastError && /\bis not installed in (\S+?)\.?$/.exec(v.lastError)?.[1];
  if (where)
    return `\`mcp-twin sync\` installs it in ${where} (if npm fails there, the npm lines under ${where} say why), or run it in each client instead: \`mcp-twin share ${v.name} off\`, then \`mcp-twin sync\`.`;
  return `Its error above says why; what the server printed is in its own log: \`mcp-twin bridge logs ${v.name}\`. The bridge starts it again on the next call.`;
}

const up = (s: SharedStatus | undefined) => s?.bridge.state === "running" || s?.bridge.state === "elsewhere";

/** Where the bridge is not, in words: not running, not answering, or its port held by another program. */
function bridgeAbsent(s: SharedStatus): string {
  const state = s.bridge.state;
  if (state === "taken") return `is not there: ${portHeldBy(s.bridge.port ?? "", s.bridge.what)}`;
  if (state === "unresponsive") return "is not answering";
  if (state === "unknown") return `cannot be asked (${s.bridge.error ?? "no answer"})`;
  return "is not running";
}

/** "big (Cursor and VS Code) and tools on demand (opencode)": what the url entries reach, and from where. */
function entriesWords(entries: readonly SharedEntryFact[]): string {
  const by = new Map<string, Set<string>>();
  for (const e of entries) {
    const what = e.tools ? "tools on demand" : e.name;
    const client = clientById(e.where.client ?? "")?.name ?? e.where.client ?? "?";
    by.set(
      what,
      (by.get(what) ?? new Set()).add(e.where.scope === "project" ? `${client} (project)` : client),
    );
  }
  return andList([...by].map(([what, clients]) => `${what} (${andList([...clients])})`));
}

/**
 * The bridge away while url entries point at it: one cause, one finding — every entry it leaves
 * without its server named in it, and, when nothing holds its port, what that exposes them to.
 */
function bridgeAwayFinding(s: SharedStatus, urls: readonly SharedEntryFact[]): Finding {
  const open = openPort(s.bridge);
  const state = s.bridge.state;
  const fix =
    state === "taken"
      ? (s.bridge.fix ?? "Run `mcp-twin bridge status`: it names the program.")
      : state === "unresponsive"
        ? "Run `mcp-twin bridge restart`."
        : open
          ? `${open.fix}.`
          : "Run `mcp-twin bridge start`.";
  const n = urls.length;
  const exposed = open
    ? `. Nothing holds its port meanwhile: another account can listen on it and receive what the entries send (each client's token, useless to it; the calls' arguments) and answer as the bridge`
    : "";
  return {
    ...finding(
      "fail",
      {},
      `the bridge ${bridgeAbsent(s)}${s.bridge.url ? ` (${s.bridge.url})` : ""}: ${n === 1 ? "the url entry" : `${n} url entries`} of ${entriesWords(urls)} cannot reach ${n === 1 ? "its server" : "their servers"}${exposed}.`,
      { fix },
    ),
    about: [...new Set(urls.map((e) => e.name))],
  };
}

export const sharedChecks = [
  defineCheck({
    id: "shared.status",
    scope: "machine",
    doc: "each shared server as the running bridge reports it: its mode, running or not (pid, memory, sessions attached, idle time), or its last failure; nothing is started. Fail when one not running runs a program (`command`) the bridge would not find (on its PATH, or where the program's installer puts it): it would not start on the next call. Warn when the bridge is not running or does not report a server the manifest shares, or when the bridge's environment cannot run a shared server (no npm there: its clients got their direct entries). No finding when nothing is shared.",
    fix: "the bridge not running: `mcp-twin bridge start`; its port held by another program (another home's bridge, or anything else): `mcp-twin sync`, which moves the bridge to a free port and points the entries there (a port the manifest pins: another port, named free now, in its `bridge` section, then `mcp-twin sync`); a server it does not report: `mcp-twin bridge restart` (it reads the manifest again); a program it runs not found where the bridge runs (uvx): the program's install command; a project folder that does not exist: start that client in one that does; its package not installed where the bridge runs: `mcp-twin sync` installs it (or `mcp-twin share <server> off`, then `mcp-twin sync`); the bridge's environment cannot run it: what would let it (npm installed there), then `mcp-twin sync`; another failure: its message says why, and its own log (`mcp-twin bridge logs <server>`) has what the server printed.",
    run: ({ shared }) => {
      const s = shared?.status;
      if (!s) return [];
      // The bridge away is one cause: shared.gateway's one finding when url entries point at it,
      // else one line here for every server it would run.
      const away = s.shared.filter((v) => v.state === "bridge-down" && !sharedFix(v));
      const gatewaySays = shared.entries.some((e) => !e.relay);
      const awayLine: Finding[] =
        away.length === 0 || gatewaySays
          ? []
          : [
              {
                ...finding(
                  "warn",
                  {},
                  `the bridge ${bridgeAbsent(s)}: it runs ${andList(away.map((v) => `${v.name} (${v.mode})`))}; their relay entries start it on the first call.`,
                  {
                    fix:
                      s.bridge.state === "taken"
                        ? (s.bridge.fix ??
                          "Give the bridge another port in the manifest, then run `mcp-twin sync`.")
                        : s.bridge.state === "unresponsive"
                          ? "Run `mcp-twin bridge restart`."
                          : "Run `mcp-twin bridge start`.",
                  },
                ),
                about: away.map((v) => v.name),
              },
            ];
      return [
        ...awayLine,
        ...s.shared
          .filter((v) => !away.includes(v))
          .map((v): Finding => {
            const where = { server: v.name };
            const line = `${v.name}: ${sharedLineFor(v, s)}`;
            const fix = sharedFix(v);
            // Its clients run it themselves: it works, only not once for all of them.
            if (fix && v.state === "unhosted") return finding("warn", where, `${line}.`, { fix });
            if (fix) return finding("fail", where, `${line}.`, { fix });
            if (v.state === "running" || v.state === "stopped") return finding("pass", where, `${line}.`);
            if (v.state === "failed") return finding("fail", where, `${line}.`, { fix: failedFix(v) });
            return finding("warn", where, `${line}.`, { fix: "Run `mcp-twin bridge restart`." });
          }),
      ];
    },
  }),
  defineCheck({
    id: "shared.gateway",
    scope: "machine",
    doc: "url entries to the bridge (a shared server's, a tools entry's) while it is not running, not answering or its port is held by another program: one finding for all of them (one cause), naming each server and its clients, and — when nothing holds the port (no bridge, no keeper, no systemd socket unit) — that until it starts another account can listen there and receive what they send (each client's token, useless to it; the calls' arguments) and answer as the bridge; the handshakes through those entries are then skipped, pointing here. A url entry that names a port the running bridge left (a start moved it off a port another program holds): what holds the old port is named. A relay entry is not judged: it starts the bridge itself. No finding when the manifest shares nothing and has no toolSearch (the bridge is not asked).",
    fix: '`mcp-twin bridge start` (it holds the port until a stop; for every login, the start at logon `mcp-twin sync` installs); not answering: `mcp-twin bridge restart`; an entry naming a port the bridge left: `mcp-twin sync`; a port held by another program: stop it, or `mcp-twin sync`, which moves the bridge to a free port and points the entries there (a port the manifest pins: another one, `"bridge": { "port": <n> }`, then `mcp-twin sync`).',
    run: ({ shared }) => {
      const s = shared?.status;
      // Nothing shared: the bridge was not asked (shared.mode says such an entry is stale).
      if (!shared || !s) return [];
      const urls = shared.entries.filter((e) => !e.relay);
      if (urls.length > 0 && !up(s)) return [bridgeAwayFinding(s, urls)];
      return urls.map((e) => {
        const where = { ...e.where, server: e.name };
        if (up(s) && e.oldPort)
          return finding(
            "fail",
            where,
            `its url entry in ${e.path} points at port ${e.oldPort.port}, but the bridge runs at ${s.bridge.url ?? "another port"} now: ${e.oldPort.heldBy ? portHeldBy(e.oldPort.port, e.oldPort.heldBy) : `nothing answers on port ${e.oldPort.port}`}, so the client cannot reach ${e.name}.`,
            { fix: "Run `mcp-twin sync`: it points the entries at the bridge's port." },
          );
        return finding("pass", where, `its url entry reaches the bridge at ${e.url}.`);
      });
    },
  }),
  defineCheck({
    id: "shared.token-private",
    scope: "machine",
    doc: "a url entry's client token (it opens that shared server at the bridge) in a file group or others may read.",
    fix: "`chmod 600 <file>` (the url entry stays), or `mcp-twin sync` (it writes mcp-twin's relay, which holds no token, in its place).",
    run: ({ shared }) =>
      (shared?.entries ?? [])
        .filter((e) => e.token && e.readable)
        .map((e) =>
          finding(
            "fail",
            { ...e.where, server: e.name },
            `${e.path} holds the client token of ${e.name}'s entry and other users can read it.`,
            {
              fix: `Run \`chmod 600 ${e.path}\`, or \`mcp-twin sync\` (it puts mcp-twin's relay, which holds no token, in its place).`,
            },
          ),
        ),
  }),
  defineCheck({
    id: "shared.tokenless",
    scope: "machine",
    doc: "a url entry to a shared server that sends no credential: the bridge takes no request without one, from any account — a sandboxed program of your own account is your account too — so it refuses this entry's every request (401).",
    fix: "`mcp-twin sync` writes the entry with that client's own token (or mcp-twin's relay where the file is readable by others).",
    run: ({ shared }) =>
      (shared?.entries ?? [])
        .filter((e) => !e.relay && !e.token)
        .map((e) =>
          finding(
            "fail",
            { ...e.where, server: e.name },
            `its url entry in ${e.path} sends no credential, and the bridge takes no request without one: it refuses this entry's requests.`,
            { fix: "Run `mcp-twin sync`." },
          ),
        ),
  }),
  defineCheck({
    id: "shared.mode",
    scope: "machine",
    doc: "an entry written for a share mode the manifest no longer has: it reaches the bridge for a server the manifest no longer shares, or names a project folder for one no longer shared per project (or none for one that now is); or a url entry whose client token is another server's, which the bridge refuses on this server's path.",
    fix: "`mcp-twin sync` rewrites the entry for the manifest's mode.",
    run: ({ shared }) =>
      (shared?.entries ?? []).flatMap((e) => {
        // A tools entry serves no share mode (sync and tools.endpoint judge it).
        if (e.tools) return [];
        const where = { ...e.where, server: e.name };
        const m = e.manifestMode;
        const why = !m
          ? "the manifest no longer shares it"
          : !e.relay && e.foreignToken
            ? "it carries another server's client token (the bridge takes a token on its own server's path only), so the bridge refuses it"
            : !e.relay && e.project !== (m === "project")
              ? `it was written for ${e.project ? "per-project" : "machine or session"} sharing, and the manifest now shares it per ${m}`
              : undefined;
        return why
          ? [
              finding("warn", where, `its entry in ${e.path} reaches the bridge, but ${why}.`, {
                fix: "Run `mcp-twin sync`.",
              }),
            ]
          : [];
      }),
  }),
] as const;
