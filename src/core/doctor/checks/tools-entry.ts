/**
 * Tools on demand's entries (pure, on the live probe's results): each client's `tools` entry, the
 * real handshake made through it, answers at the gateway's `/tools` with search_tools and call_tool.
 */
import { TOOLS_PATH } from "../../bridge-link/index.js";
import { TOOLS_ENTRY } from "../../manifest/tool-search.js";
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
  return finding(
    "pass",
    where,
    `its tools entry answers at /tools: search_tools, call_tool${kept.length > 0 ? ` and ${kept.length} kept (${kept.join(", ")})` : ""}.`,
  );
}

export const toolsEndpointChecks = [
  defineCheck({
    id: "tools.endpoint",
    scope: "probe",
    doc: "a client's `tools` entry (tools on demand, the manifest's `toolSearch`) gets the real handshake through it — its url entry with its client token, or its relay, started as the client starts it — and must list `search_tools` and `call_tool`; pass names the kept tools listed beside them. Fail when it does not answer (the cause said: the bridge refusing its client token, no answer) or answers without them (the entry reaches something else). Skip when doctor did not contact it (its line says why: `--no-probe`, the bridge not running for a relay, which would start it) or nothing answers at the bridge's address (shared.gateway's one finding says so, with the fix).",
    fix: "a refused client token, or an entry that reaches something else: `mcp-twin sync` (it writes the entry with the client's own token from the bridge's token now, or takes it out when `toolSearch` no longer names the client); no answer: `mcp-twin bridge restart`, and `mcp-twin bridge logs` for what it was doing.",
    run: (p) => (reachesTools(p.work) ? [endpointFinding(p)] : []),
  }),
];
