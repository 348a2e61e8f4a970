/**
 * The live probe (pure, on its results): the server starts as its client starts it, answers the
 * handshake in its protocol era + tools/list, prints only JSON-RPC on stdout, and starts well within
 * the client's timeout; a project's own entries wait for the user's trust.
 */

import { portHeldBy } from "../../bridge-link/index.js";
import { clientById } from "../../clients/index.js";
import { defineCheck } from "../check-def.js";
import type { ProbeItem } from "../facts.js";
import { SYNC_FIX, seconds, uvInstallOnce } from "../finding-words.js";
import type { BridgeFacts } from "../gather/bridge-phase.js";
import type { Show } from "../path-style.js";
import type { ProbeResult, ProtocolSeen, RemotePlan } from "../probe/live-probe.js";
import { type Finding, finding } from "../types.js";

// Not the client's name: the same entry in several clients is one finding (group.ts).
const limit = (p: ProbeItem) => seconds(p.work.timeoutMs);

/** What makes a start slow, and what (if anything) mcp-twin can do about it. */
function slowStartFix(p: ProbeItem): string {
  const w = p.work;
  if (w.downloader === "uvx")
    return `${uvInstallOnce(w.downloaderArgs ?? [])}: it then starts without fetching.`;
  if (w.downloader && w.managedPackage && !w.synced)
    return `${SYNC_FIX} It installs the package and runs node + its script.`;
  if (w.downloader && !w.managed)
    return `Install the package and run it with node + its script instead of ${w.downloader}.`;
  if (w.downloader)
    return 'Give the server a "package" in the manifest instead of this command, then `mcp-twin sync`: it installs the package once.';
  const more = moreTime(p);
  return `See what the server waits for at start (start it by hand)${more ? `; ${more}` : ""}.`;
}

/** How this entry's own client is given more time to start it, in its setting (undefined: none known). */
function moreTime(p: ProbeItem): string | undefined {
  const w = p.work;
  const client = clientById(w.where.client ?? "");
  const s = client?.startupSetting;
  if (!client || !s) return undefined;
  // Twice what it allows now, in the setting's unit.
  const want = Math.ceil((w.timeoutMs * 2) / (s.unit === "s" ? 1000 : 1));
  const unit = s.unit === "s" ? "seconds" : "ms";
  if ("env" in s) return `${client.name} waits longer with ${s.env}=${want} (${unit}) where it starts`;
  return w.managed
    ? `${client.name} waits longer with "${s.key}" (${unit}) on its entry: \`"clientFields": { "${client.id}": { "${s.key}": ${want} } }\` on the manifest's "${w.server}", then \`mcp-twin sync\``
    : `${client.name} waits longer with "${s.key}": ${want} (${unit}) on its entry`;
}

/** Where the server's arguments and variables are changed: the manifest (then sync), or its entry. */
function whereToChange(p: ProbeItem): string {
  const w = p.work;
  return w.managed
    ? `the manifest's "${w.server}" (then \`mcp-twin sync\`)`
    : `its entry in ${w.clientName}'s config`;
}

/** A shared server's failure is fixed where it runs (the bridge), or by taking it out of the bridge. */
const inBridgeFix = (server: string) =>
  `${server} runs in the bridge: fix what the message says there, or run it in each client instead (\`mcp-twin share ${server} off\`, then \`mcp-twin sync\`).`;

/** The shared server an `mcp-twin connect …/share/<name>` relay reaches, if the args are one. */
function sharedRelayed(args: readonly string[]): string | undefined {
  const at = args.indexOf("connect");
  const name = at >= 0 ? /^https?:\/\/[^/]+\/share\/([^/?#]+)$/.exec(args[at + 1] ?? "")?.[1] : undefined;
  return name === undefined ? undefined : decodeURIComponent(name);
}

/** A folder the server was given that is not there, as its stderr names it (one of its arguments). */
function missingFolder(p: ProbeItem): string | undefined {
  const args = p.work.plan?.args ?? [];
  for (const line of p.result?.stderr ?? []) {
    const named =
      /Cannot access directory (.+?)(?:, skipping)?\s*$/.exec(line)?.[1] ??
      /ENOENT: no such file or directory, \w+ '([^']+)'/.exec(line)?.[1];
    if (named && args.includes(named)) return named;
  }
  return undefined;
}

/** After a failed start: a sync that changes something, the cause's own fix, or where to look. */
function failFix(p: ProbeItem, r: ProbeResult, show: Show): string {
  const w = p.work;
  if (r.timedOut)
    return p.probeTimeoutMs < w.timeoutMs
      ? `Start it by hand (the command above) to see where it stops; if it is only slow, run doctor with --timeout ${Math.ceil(w.timeoutMs / 1000)} (its client allows ${limit(p)}).`
      : "Start it by hand (the command above) to see where it stops.";
  // The client withheld variables named like secrets (Gemini CLI): the cause when its error names
  // one; otherwise the failure's own fix, with what was withheld said after it, not blamed.
  const withheld = w.withheld ?? [];
  const named = withheld.filter((n) => r.stderr.some((l) => l.includes(n)));
  if (named.length > 0) return withheldFix(w, named);
  const fix = ownFix(p, r, show);
  return withheld.length > 0 ? `${fix} ${alsoWithheld(w, withheld)}` : fix;
}

/** A failed start's fix from the failure itself. */
function ownFix(p: ProbeItem, r: ProbeResult, show: Show): string {
  const w = p.work;
  // sync rewrites an entry that is not what it would write; one that is would come back the same.
  if (w.managed && !w.synced)
    return `${SYNC_FIX} If it still fails, start it by hand (the command above) to see its error.`;
  // mcp-twin's relay to a shared server: what failed is the server in the bridge, not this entry.
  const relayed = sharedRelayed(w.plan?.args ?? []);
  if (relayed !== undefined && (r.refused || r.stderr.length > 0)) return inBridgeFix(relayed);
  const folder = missingFolder(p);
  if (folder) return `Create ${show.path(folder)}, or change ${w.server}'s args in ${whereToChange(p)}.`;
  if (r.stderr.length > 0 || r.refused)
    return `Fix what its error above says; its arguments and variables are in ${whereToChange(p)}, and the command above starts it again as ${w.clientName} does.`;
  return `Start it by hand (the command above) to see what it prints; its arguments and variables are in ${whereToChange(p)}.`;
}

/** "A, B and 3 more": at most eight names. */
const someNames = (names: readonly string[]): string =>
  names.length > 8 ? `${names.slice(0, 8).join(", ")} and ${names.length - 8} more` : names.join(", ");

/** How the server gets a variable its client withholds: the manifest's env, or the entry's own. */
function passIt(w: ProbeItem["work"], name: string): string {
  return w.managed
    ? `add it to the manifest's "${w.server}" env (\`"${name}": "\${env:${name}}"\`), then \`mcp-twin sync\`: ${w.clientName}'s entry then carries its value`
    : `set it in the entry's "env" in ${w.clientName}'s config`;
}

/**
 * What the client withheld, said beside a failure its error does not lay to them: doctor starts
 * the server only as the client does (it never hands a server values its client keeps from it),
 * so whether one of them is what it lacks is the user's to tell.
 */
function alsoWithheld(w: ProbeItem["work"], names: readonly string[]): string {
  return `${w.clientName} also withheld ${someNames(names)} from it (named like secrets); if the server needs one, ${passIt(w, names[0] ?? "NAME")}.`;
}

/** The withheld variables its error names, as the cause, and how the server gets the one it needs. */
function withheldFix(w: ProbeItem["work"], named: readonly string[]): string {
  // doctor remembers the names the error gave (withheld-needs.ts): sync writes their values then.
  const remembered =
    w.managed && w.where.scope === "user"
      ? ` Or run \`mcp-twin sync\` again: doctor noted ${named.length === 1 ? "the name" : "the names"}, and sync puts ${named.length === 1 ? "its value" : "their values"} in the entry where its file is private.`
      : "";
  return `${w.clientName} does not pass variables named like secrets to a server it starts: it withheld ${someNames(named)}, which its error names. If the server needs one, ${passIt(w, named[0] ?? "NAME")}.${remembered}`;
}

/**
 * A remote (a url entry, or the one a relay entry reaches): contacted with the SDK's client, not
 * started; a failure named by its cause, with the fix for that cause.
 */
/**
 * url entries naming a port the running bridge left, and what holds it; and those pointing at the
 * bridge while it is away (shared.gateway's facts: its one finding is theirs).
 */
interface BridgeUrls {
  moved: ReadonlyMap<string, { port: number; heldBy?: string }>;
  away: ReadonlySet<string>;
}

function remoteHandshake(p: ProbeItem, plan: RemotePlan, { moved, away }: BridgeUrls): Finding {
  const w = p.work;
  const r = p.result;
  const sse = plan.transport === "sse";
  if (!r)
    return finding(
      "skip",
      w.where,
      "not contacted by doctor: a project file's remote would receive your headers; doctor contacts the ones in your own files.",
    );
  const shared = p.sharedBy ? `; one contact for ${p.sharedBy}` : "";
  // No login to send: login.state says so, with the fix (one cause, one finding).
  if (r.cause === "no-login")
    return finding(
      "skip",
      w.where,
      `not contacted by doctor: ${lowerFirst(r.error ?? "no login")} (see login.state).`,
    );
  // "auth": "client": the client logs in itself; doctor cannot, so it cannot go further.
  if (r.cause === "login" && w.clientLogin && !w.relay)
    return finding(
      "skip",
      w.where,
      `${plan.url} answers and asks for a login, which ${w.clientName} does itself ("auth": "client"); doctor cannot log in as it${shared}.`,
    );
  // The bridge is away: one cause, one finding, shared.gateway's (with the fix).
  if (!r.ok && away.has(plan.url))
    return finding("skip", w.where, `not reached: the bridge is not there (see shared.gateway)${shared}.`);
  // The bridge moved since the entry was written: what answers there is not it (or nothing).
  const old = moved.get(plan.url);
  // One cause, one finding: shared.gateway's, with the fix.
  if (!r.ok && old)
    return finding(
      "skip",
      w.where,
      `not reached: the entry names port ${old.port}, which the bridge left (${old.heldBy ? portHeldBy(old.port, old.heldBy) : "nothing answers there"}; see shared.gateway)${shared}.`,
    );
  // A shared server's url entry reaches the bridge, not the server: its failures are the bridge's.
  if (!r.ok && w.managed && isShareUrl(plan.url, w.server)) {
    const refused = r.cause === "login" || (r.cause === "http" && (r.status === 401 || r.status === 403));
    // A 401 there is the bridge (this home's, or what holds its port) refusing the entry's token:
    // no login of the user's would change that.
    const said = refused
      ? `what answers at the bridge's address refused this entry's token (HTTP ${r.status ?? 401})`
      : (r.error ?? "failed");
    return finding("fail", w.where, `${said}${shared}.`, {
      fix: refused
        ? "Run `mcp-twin sync`: it writes the entry's token again — or, when another program holds the bridge's port, the server's direct entry and the port to move the bridge to (shared.gateway names what holds it)."
        : r.cause === "refused"
          ? "Nothing answers at the bridge's address: shared.gateway names the fix."
          : inBridgeFix(w.server),
    });
  }
  if (!r.ok) {
    const url = w.managed ? `${w.server}'s url in the manifest` : "the entry's url";
    const fix = (() => {
      switch (r.cause) {
        case "dns":
          return `Check ${url}: the host name does not resolve (a typo, or a network that needs a VPN).`;
        case "refused":
          return `Check ${url}, and that the server is running.`;
        case "tls":
          return `Check ${url} (https to the right host?) and the server's certificate.`;
        case "login":
          return `Run \`mcp-twin login ${plan.login?.server ?? w.server}\`${w.relay || !w.managed ? "" : ", then `mcp-twin sync`: every client then reaches it with that login"}.`;
        case "http":
          return r.status === 401 || r.status === 403
            ? `Check the key ${w.managed ? `in ${w.server}'s headers` : "in the entry's headers"} with the server's owner.`
            : `Check ${url}.`;
        case "timeout":
          return "Check that the server answers (from a browser, or curl); run doctor with a longer --timeout if it is only slow.";
        default:
          return w.managed && !w.synced
            ? `${SYNC_FIX} If it still fails, check the URL and headers with the server's owner.`
            : sse
              ? "Check the URL and headers; if the server now speaks Streamable HTTP, write it as an http entry."
              : "Check the URL and headers with the server's owner.";
      }
    })();
    return finding("fail", w.where, `${r.error ?? "failed"}${shared}.`, { fix });
  }
  return finding(
    "pass",
    w.where,
    `${sse ? "SSE handshake" : "handshake"} with ${plan.url}${w.relay ? " (through mcp-twin's relay" + (plan.login ? ` with the login to ${plan.login.server})` : ")") : ""} in ${seconds(r.startupMs ?? 0)}: ${r.tools} tool${r.tools === 1 ? "" : "s"} (${r.serverName ?? "unnamed server"})${era(r)}${shared}.`,
  );
}

/**
 * The bridge's relay is not started (it would start a bridge that outlives doctor): what doctor
 * found at the bridge's address instead, so the entry's line says what was and was not checked.
 */
function bridgeRelay(p: ProbeItem, bridge: BridgeFacts | undefined): Finding {
  const reach = bridge?.reach;
  const why = !reach
    ? "it relays to the bridge, which has no token here yet (see bridge.token)"
    : reach.state === "ours"
      ? "it relays to the bridge, which answers (see bridge.reachable)"
      : reach.state === "free"
        ? "it relays to the bridge, which is not running now (the entry starts it on first use; see bridge.reachable)"
        : `it relays to the bridge, but ${portHeldBy(bridge?.port ?? "", reach.what, reach.holder)} (see bridge.reachable)`;
  return finding("skip", p.work.where, `not started by doctor: ${why}.`);
}

function handshake(p: ProbeItem, show: Show, urls: BridgeUrls, bridge?: BridgeFacts): Finding {
  if (p.work.bridgeRelay) return bridgeRelay(p, bridge);
  if (p.work.remote) return remoteHandshake(p, p.work.remote, urls);
  const w = p.work;
  const r = p.result;
  // A program known not to be there is that check's finding: the probe only points at it.
  if (w.missing)
    return finding(
      "skip",
      w.where,
      `not started by doctor: \`${show.path(w.missing.path)}\` is not found in ${w.missing.env} (see ${w.missing.check}).`,
    );
  if (!r)
    return finding(
      "skip",
      w.where,
      `not started by doctor: ${show.text(w.noSpawn ?? "it cannot be started from here")}.`,
    );
  if (!r.ok) {
    // The server's own lines are quoted as it printed them.
    const detail = [...r.noise.map((l) => `stdout: ${l}`), ...r.stderr.map((l) => `stderr: ${l}`)];
    return finding("fail", w.where, `${show.text(r.error ?? "failed", w.plan?.file)}.`, {
      fix: failFix(p, r, show),
      detail,
      command: w.command,
    });
  }
  // One start for several client configs of the same launch: said, not shown as if measured twice.
  return finding(
    "pass",
    w.where,
    `started in ${seconds(r.startupMs ?? 0)} with ${r.tools} tool${r.tools === 1 ? "" : "s"} (${r.serverName ?? "unnamed server"})${era(r)}${p.sharedBy ? `; one start for ${p.sharedBy}, the same launch` : ""}.`,
  );
}

/** ", protocol 2026-07-28": the era a handshake settled on (probe.protocol says how). */
const era = (r: ProbeResult): string => (r.protocol ? `, protocol ${r.protocol.version}` : "");

/** The part of a start-up spent waiting for a `server/discover` answer that did not come. */
const waited = (r: ProbeResult): string => {
  const gaveUp = r.protocol?.discover.gaveUpMs;
  return gaveUp !== undefined && !r.protocol?.restarted
    ? ` (${seconds(gaveUp)} of it waiting for an answer to server/discover)`
    : "";
};

/** Claude Code's own wait for `server/discover` on stdio before it sends `initialize` (2.1.330). */
const CLAUDE_WAIT = "about 2.4 s";

/** The protocol revision a probe settled on, and what `server/discover` told on the way. */
function protocolFinding(p: ProbeItem, seen: ProtocolSeen): Finding {
  const w = p.work;
  const v = seen.version;
  const d = seen.discover;
  const answersDiscover = v >= "2026-07-28";
  if (answersDiscover && seen.restarted)
    return finding(
      "warn",
      w.where,
      `speaks protocol ${v} only, and ${
        d.answeredMs !== undefined
          ? `answered server/discover only after ${seconds(d.answeredMs)}`
          : `did not answer server/discover within ${seconds(d.gaveUpMs ?? 0)}`
      }: a client that stops waiting sooner (Claude Code waits ${CLAUDE_WAIT}) sends initialize, which it refuses (-32022); doctor started it again in ${v}.`,
      {
        fix: w.downloader
          ? slowStartFix(p)
          : "See what it waits for at start (start it by hand, the command doctor runs). A client that stops waiting falls back to 2025-11-25, which this server refuses: its author can serve that era too.",
      },
    );
  if (answersDiscover) return finding("pass", w.where, `speaks protocol ${v} (it answered server/discover).`);
  if (d.notAsked)
    return finding("pass", w.where, `speaks protocol ${v} over SSE, a transport 2026-07-28 does not have.`);
  if (d.exited)
    return finding(
      "pass",
      w.where,
      `speaks protocol ${v}; it exits when asked server/discover before initialize, so a client that negotiates (Claude Code) starts it twice, as doctor did.`,
    );
  const status = d.error?.status;
  if (status !== undefined && status >= 500)
    return finding(
      "warn",
      w.where,
      `speaks protocol ${v}, but answered server/discover with HTTP ${status} where a 2025-11-25 server answers 4xx: a client that negotiates (the MCP SDK's) gives up there; doctor connected without asking.`,
      {
        fix: "Nothing to change in the entry: the server's owner can answer an unknown method with HTTP 4xx (or speak 2026-07-28).",
      },
    );
  if (d.error)
    return finding(
      "pass",
      w.where,
      `speaks protocol ${v}: it answered server/discover with ${status !== undefined ? `HTTP ${status}` : `an error (${d.error.code})`}, as a 2025-11-25 server does, so a client that negotiates uses ${v} too.`,
    );
  if (d.gaveUpMs !== undefined)
    return finding(
      "pass",
      w.where,
      `speaks protocol ${v}; it did not answer server/discover within ${seconds(d.gaveUpMs)}, so a client that negotiates waits that long at each start before it sends initialize (Claude Code ${CLAUDE_WAIT})${
        d.answeredMs !== undefined ? `; it answered after ${seconds(d.answeredMs)}, too late to be used` : ""
      }.`,
    );
  return finding("pass", w.where, `speaks protocol ${v}.`);
}

export const probeChecks = [
  defineCheck({
    id: "probe.trust",
    scope: "machine",
    doc: "a project's own config (`.mcp.json`, `.cursor/mcp.json`, … of the project folder — in a cloned repo, committed by whoever wrote it) holds an entry mcp-twin did not write, and starting it to check it would run the program it names: it is not started until you trust it. Entries mcp-twin wrote there (from your manifest with `--project`, or from the project's manifest under sync's trust rules), as they are now, are started without asking.",
    fix: "read the file; if you trust it, `mcp-twin doctor --yes` there (or answer yes on a terminal). The trust is kept in the home's state like a project manifest's (by a hash of those entries), so the next doctor starts them and an edit of them asks again.",
    run: ({ held }, show) =>
      held.map((h) =>
        finding(
          "warn",
          h.where,
          `not started by doctor: ${show.path(h.path)} is this project's file (committed with it, not written by mcp-twin) and is not trusted; starting "${h.server}" would run ${h.runs}.`,
          {
            fix: "Read the file. If you trust it, run `mcp-twin doctor --yes` here (or answer yes on a terminal): the trust is kept for these entries as they are, and an edit asks again.",
          },
        ),
      ),
  }),
  defineCheck({
    id: "probe.handshake",
    scope: "machine",
    doc: 'the server did not start, exited (with its code and the lines of its stderr that name the error), or gave no answer to `initialize`/`tools/list` within `--timeout`; pass shows start-up time and tool count. A remote server — a url entry, or the server a `mcp-twin connect` relay entry reaches (not started: the remote is contacted instead, with the relay\'s login when it has one) — gets the same handshake over the SDK\'s Streamable HTTP client (SSE for `"type": "sse"`, or a Cursor/Windsurf/untyped Gemini entry of a manifest server with `"transport": "sse"`), once for every entry that reaches it; a failure names its cause (a host name that does not resolve, connection refused, TLS, a login needed: `mcp-twin login <server>`, an HTTP status). A project file\'s remote is not contacted (skip). mcp-twin\'s own entry that relays to the bridge is not started either (it would start a bridge that outlives doctor): skip, saying what answers at the bridge\'s address (`bridge.reachable`). Skipped for all with `--no-probe`. A server whose entries were not started or contacted is never shown as passing: its line says what was not checked and why.',
    fix: "`mcp-twin sync` for a managed server whose entry is not what sync writes; otherwise the cause's own fix when doctor can tell it (a folder argument that does not exist), else what its error says, in the manifest (then `mcp-twin sync`) or the entry; the report shows the command doctor started, runnable from where you are (`command` in `--json`). An entry whose program is not there is not started (skip): `entry.command` (or `entry.node-path`) is that finding, with the program's install command.",
    // The whole machine, not each probe: with --no-probe there is nothing to run on but one skip.
    run: ({ probes, manifest, bridge, shared }, show) =>
      probes === undefined
        ? manifest
          ? [finding("skip", {}, "no server started or contacted by doctor (--no-probe).")]
          : []
        : probes.map((p) => {
            const entries = shared?.entries ?? [];
            const moved = new Map(entries.flatMap((e) => (e.oldPort ? [[e.url, e.oldPort] as const] : [])));
            const state = shared?.status?.bridge.state;
            const isAway = state !== undefined && state !== "running" && state !== "elsewhere";
            const away = new Set(isAway ? entries.filter((e) => !e.relay).map((e) => e.url) : []);
            const found = {
              ...handshake(p, show, { moved, away }, bridge),
              ...(p.launch ? { launch: p.launch } : {}),
            };
            return p.sharedAcross ? { ...found, oneForAll: true } : found;
          }),
  }),
  defineCheck({
    id: "probe.protocol",
    scope: "probe",
    doc: "the protocol revision a started or contacted server speaks, settled as a client that negotiates settles it: `server/discover` first (answered: protocol 2026-07-28), else `initialize` (2025-11-25 or older) — on stdio on the same process after an error or after 2 s without an answer, started again when it exits on the question; over HTTP after a 4xx (401 and 403 are a login's matter, never an answer). Both pass. Warn for a 2026-07-28-only server that answers `server/discover` only after a client that negotiates stops waiting (Claude Code waits about 2.4 s; doctor 2 s, then starts it again in 2026-07-28 alone), and for a remote that answers `server/discover` with HTTP 5xx (the MCP SDK's negotiating client gives up there; doctor connects without asking). SSE remotes speak 2025-11-25 or older only.",
    fix: "for a slow 2026-07-28-only server, what makes it slow to start (install the package once: sync does for a manifest `package`); for a remote that answers 5xx, its owner.",
    run: (p) => {
      const r = p.result;
      if (!r?.ok || !r.protocol) return [];
      return [protocolFinding(p, r.protocol)];
    },
  }),
  defineCheck({
    id: "probe.startup",
    scope: "probe",
    doc: "start-up time against the client's timeout: warn over half of it, fail over it.",
    fix: "install the package once instead of fetching it on every start (sync does for a manifest `package`; `uv tool install` for uvx); check what it waits for.",
    run: (p) => {
      const r = p.result;
      if (!r?.ok || p.work.remote) return [];
      const w = p.work;
      const ms = r.startupMs ?? 0;
      if (ms >= w.timeoutMs)
        return [
          finding(
            "fail",
            w.where,
            `start-up took ${seconds(ms)}${waited(r)}; its client allows ${limit(p)}, so it gives up first.`,
            {
              fix: slowStartFix(p),
            },
          ),
        ];
      if (ms >= w.timeoutMs / 2)
        return [
          finding(
            "warn",
            w.where,
            `start-up took ${seconds(ms)}${waited(r)}, over half of the ${limit(p)} its client allows.`,
            {
              fix: slowStartFix(p),
            },
          ),
        ];
      return [
        finding("pass", w.where, `start-up ${seconds(ms)}${waited(r)}; its client allows ${limit(p)}.`),
      ];
    },
  }),
  defineCheck({
    id: "probe.stdout",
    scope: "probe",
    doc: "the server printed lines on stdout that are not JSON-RPC (a banner): clients may drop the connection; the lines are shown.",
    fix: "make it log to stderr (quiet option, update, report it).",
    run: ({ work: w, result: r }) => {
      if (!r || w.remote) return [];
      if (r.noise.length > 0)
        return [
          finding(
            "fail",
            w.where,
            `printed ${r.noise.length} line${r.noise.length === 1 ? "" : "s"} on stdout that ${r.noise.length === 1 ? "is" : "are"} not JSON-RPC; clients may drop the connection (stdout is for protocol messages only).`,
            {
              fix: "Make the server log to stderr: look for a quiet/--stdio option, update it, or report it to its author.",
              detail: r.noise.map((l) => `stdout: ${l}`),
            },
          ),
        ];
      return r.ok ? [finding("pass", w.where, "stdout carries JSON-RPC only.")] : [];
    },
  }),
] as const;

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** The url of a shared server's entry: `/share/<name>` at a loopback address (the bridge's). */
function isShareUrl(url: string, server: string): boolean {
  try {
    const u = new URL(url);
    return (
      ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname) &&
      u.pathname === `/share/${encodeURIComponent(server)}`
    );
  } catch {
    return false;
  }
}
