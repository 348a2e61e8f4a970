/**
 * Tools on demand's entries (pure, on the live probe's results): each client's `tools` entry, the
 * real handshake made through it, answers at the gateway's `/tools` with search_tools and call_tool.
 */
import { TOOLS_PATH } from "../../bridge-link/index.js";
import { TOOLS_ENTRY } from "../../manifest/tool-search.js";
import { andList } from "../../text/prose-lists.js";
import { defineCheck } from "../check-def.js";
import type { ProbeItem } from "../facts.js";
import { SYNC_FIX } from "../finding-words.js";
import { type Finding, finding } from "../types.js";

const OWN = ["search_tools", "call_tool"];

/** Whether a url is the gateway's `/tools`. */
const isTools = (url: string | undefined) => {
  try {
    return url !== undefined && new URL(url).pathname === TOOLS_PATH;
  } catch {
    return false; // not a url: not the gateway's
  }
};

/** Whether the entry is tools on demand's: named `tools`, to /tools (its url, or its relay's). */
function reachesTools(w: ProbeItem["work"]): boolean {
  if (w.server !== TOOLS_ENTRY) return false;
  // A relay not started keeps the command it would have run (its plan is dropped).
  const args = w.plan?.args ?? w.command?.args ?? [];
  return isTools(w.remote?.url) || isTools(args[args.indexOf("connect") + 1]);
}

/** Why the handshake through a tools entry failed, and what fixes it. */
function failed(p: ProbeItem, error: string): Finding {
  const { where, clientName } = p.work;
  const r = p.result;
  const refused = r?.status === 401 || r?.status === 403 || /Forbidden: \/tools serves/.test(error);
  // Nothing answers at the bridge's address: shared.gateway's one finding for every such entry.
  if (!refused && (r?.cause === "refused" || r?.cause === "network"))
    return finding(
      "skip",
      where,
      "its tools entry was not reached: the bridge is not there (see shared.gateway).",
    );
  const fix = refused
    ? `${SYNC_FIX} It writes ${clientName}'s tools entry with its own client token, from the bridge's token now (or takes the entry out when the manifest's toolSearch no longer names ${clientName}).`
    : "Run `mcp-twin bridge restart`, then doctor again; if it still fails, `mcp-twin bridge logs` shows what the bridge was doing.";
  const why = refused
    ? `; the bridge refused its credential: /tools serves only the clients the manifest's toolSearch names, each with the client token sync wrote for it`
    : "";
  return finding("fail", where, `its tools entry did not answer as tools on demand: ${error}${why}.`, {
    fix,
  });
}

function endpointFinding(p: ProbeItem): Finding {
  const { where, noSpawn } = p.work;
  const r = p.result;
  if (!r)
    return finding(
      "skip",
      where,
      `its tools entry was not contacted by doctor: ${noSpawn ?? "see probe.handshake"}.`,
    );
  if (!r.ok) return failed(p, r.error ?? "no answer");
  const names = (r.toolDefs ?? []).map((t) => t.name);
  if (!OWN.every((n) => names.includes(n)))
    return finding(
      "fail",
      where,
      `its tools entry answers, but lists ${names.length === 0 ? "no tool" : names.slice(0, 5).join(", ")} — not search_tools and call_tool: it does not reach the gateway's /tools.`,
      { fix: `${SYNC_FIX} It writes the entry to the bridge's /tools.` },
    );
  const kept = names.filter((n) => !OWN.includes(n));
  const answers = `its tools entry answers at /tools: search_tools, call_tool${kept.length > 0 ? ` and ${kept.length} kept (${kept.join(", ")})` : ""}`;
  const blind = unfound(r.toolDefs ?? []);
  if (blind) return finding("warn", where, `${answers}; but ${blind.message}.`, { fix: blind.fix });
  return finding("pass", where, `${answers}.`);
}

/**
 * The servers search_tools finds nothing of, as its description tells the model (search-and-call.ts
 * writes a line per server: `- <name> (<n> tools)`, `- <name>: unavailable (<why>)`, or `(not searched here: <why>)`).
 */
function unfound(tools: ReadonlyArray<{ name: string; description?: unknown }>) {
  const text = tools.find((t) => t.name === "search_tools")?.description;
  if (typeof text !== "string") return undefined;
  const none = [...text.matchAll(/^- (.+?)(?: \(0 tools\)|: unavailable \(| \(unavailable: )/gm)].map(
    (m) => m[1] ?? "",
  );
  const away = [...text.matchAll(/^- (.+?) \(not searched here: (.*)\)$/gm)].map((m) => `${m[1]} (${m[2]})`);
  if (none.length + away.length === 0) return undefined;
  const parts = [
    ...(none.length > 0
      ? [
          `search_tools finds no tool of ${andList(none)}: the bridge knows none of ${none.length === 1 ? "its" : "their"} tools (not started since it started, or failed to start), so the model reads no tool of ${none.length === 1 ? "it" : "them"}`,
        ]
      : []),
    ...(away.length > 0 ? [`it does not search ${andList(away)}`] : []),
  ];
  return {
    message: parts.join("; and "),
    fix:
      none.length > 0
        ? `Run \`mcp-twin sync\`: it starts each server behind the tools entry once and keeps its tools; one that still has none did not start: \`mcp-twin bridge logs ${none[0]}\` says why.`
        : "Follow what it says of each (its folder, named by the entry mcp-twin sync writes).",
  };
}

export const toolsEndpointChecks = [
  defineCheck({
    id: "tools.endpoint",
    scope: "probe",
    doc: "a client's `tools` entry (tools on demand, the manifest's `toolSearch`) gets the real handshake through it — its url entry with its client token, or its relay, started as the client starts it — and must list `search_tools` and `call_tool`; pass names the kept tools listed beside them; warn when search_tools finds no tool of a server behind it (the bridge knows none of its tools: not started, or failed to) or does not search one, naming each. Fail when it does not answer (the cause said: the bridge refusing its client token, no answer) or answers without them (the entry reaches something else). Skip when doctor did not contact it (its line says why: `--no-probe`, the bridge not running for a relay, which would start it) or nothing answers at the bridge's address (shared.gateway's one finding says so, with the fix).",
    fix: "a refused client token, or an entry that reaches something else: `mcp-twin sync` (it writes the entry with the client's own token from the bridge's token now, or takes it out when `toolSearch` no longer names the client); no answer: `mcp-twin bridge restart`, and `mcp-twin bridge logs` for what it was doing.",
    run: (p) => (reachesTools(p.work) ? [endpointFinding(p)] : []),
  }),
];
