/**
 * Each client's context budget (pure, on the budgets gathered from the servers' known lists): over
 * its tool limit or past Claude Code's own 25,000-token threshold; tool rules a client does not
 * keep; what tools on demand's search leaves out.
 */
import { TOKEN_WARNING } from "../../budget/budget.js";
import { budgetFix, fixLine, overruns } from "../../budget/fix.js";
import { leftAlone } from "../../budget/in-file.js";
import { onDemandLine, onDemandOffer } from "../../budget/on-demand.js";
import { ruleNote } from "../../budget/rule-problems.js";
import { untrusted } from "../../text/control-chars.js";
import { andList, countOf } from "../../text/prose-lists.js";
import { defineCheck } from "../check-def.js";
import { type Finding, finding } from "../types.js";

const n = (x: number) => x.toLocaleString("en-US");

export const toolsBudgetChecks = [
  defineCheck({
    id: "tools.budget",
    scope: "machine",
    doc: "each client's tools once sync has run (an entry sync leaves alone as the file has it, none of one switched off in the client), from the servers' known lists (the gateway's list cache, doctor's own handshakes): warn when a client loads more tools than its limit (128 per request in Copilot CLI, 100 in Windsurf), or more than 25,000 tokens of tool definitions it does not defer (Claude Code's own /doctor threshold; a client that searches its tools itself defers them, as docs/manifest.md's table says), and when a client does not keep a server's tool rule (no per-tool field of its own, or an entry there that is not mcp-twin's or was edited by hand). `mcp-twin tools` shows the figures.",
    fix: "the one line the finding gives: a `clientTools` rule for that client that keeps out enough tools (whole groups such as `browser_*` where the names share a prefix), computed from the lists, which the client keeps in its own field or, for a client with none, the bridge keeps for a shared server's entries; else the servers to leave out of it (`clients`); for a client that cannot search its tools itself, also tools on demand (the manifest's `toolSearch`); then `mcp-twin sync`.",
    run: ({ budgets }) => {
      if (!budgets) return [];
      const out: Finding[] = [];
      const said = new Set<string>();
      for (const b of budgets.budgets) {
        const where = { env: b.target.env.id, client: b.target.client.id, scope: b.target.scope };
        for (const s of b.servers) {
          const state = s.rules?.state;
          const key = `${s.server}\u0000${b.target.client.id}`;
          if (!state || state === "kept" || state === "gateway" || said.has(key)) continue;
          said.add(key);
          out.push(
            finding("warn", { ...where, server: s.server }, ruleNote(s.server, state, b.target.client)),
          );
        }
        const over = overruns(b);
        if (over.length === 0) continue;
        const fix = budgetFix(b);
        // Tools on demand, for a client that cannot search its own (toolSearch).
        const offer = onDemandOffer(
          b.target.client,
          b.servers.filter((s) => !leftAlone(s.state)).map((s) => s.server),
          budgets.servers,
          b.onDemand !== undefined,
        );
        const onDemand = offer ? onDemandLine(b.target.client.id, offer) : undefined;
        const what = over.map((o) =>
          o.kind === "limit"
            ? `${n(b.tools)} tools, over its limit of ${b.limit} (past it, its requests fail)`
            : `≈${n(b.eager)} tokens of tool definitions it does not defer (more than ${n(TOKEN_WARNING)})`,
        );
        out.push(
          finding("warn", where, `${b.target.client.name} loads ${what.join(", and ")}.`, {
            ...(fix
              ? {
                  fix: `In the manifest, ${fixLine(fix, b.target.client.id, budgets.servers)}; then \`mcp-twin sync\` (it then loads ${countOf(fix.after.tools, "tool")}, ≈${n(fix.after.eager)} tokens not deferred)${onDemand ? `; ${onDemand}` : ""}.`,
                }
              : onDemand
                ? { fix: `In the manifest, ${onDemand.replace(/^or /, "")}; then \`mcp-twin sync\`.` }
                : {}),
          }),
        );
      }
      if (out.length === 0 && budgets.budgets.length > 0)
        out.push(
          finding(
            "pass",
            {},
            `Every client loads fewer tools than its limit and less than ${n(TOKEN_WARNING)} tokens of tool definitions it does not defer (\`mcp-twin tools\` shows each).`,
          ),
        );
      return out;
    },
  }),
  defineCheck({
    id: "tools.keep",
    scope: "machine",
    doc: "each entry of the manifest's `toolSearch.keep` that lists nothing in any client of `toolSearch` (warn, once): a pattern (keep takes exact names; tool rules take patterns), a tool its server does not list (from its known list), a tool the tool rules keep out of those clients, a server not behind their `tools` entry (not for them, disabled, a url server).",
    fix: "the finding's: the tools the pattern means, the name corrected, or the entry taken out of keep (or the rule, or the server's `clients`, changed); then `mcp-twin sync`.",
    run: ({ budgets }) =>
      (budgets?.keep ?? []).map((k) => finding("warn", {}, `${k.message}.`, { fix: k.fix })),
  }),
  defineCheck({
    id: "tools.left-out",
    scope: "machine",
    doc: "each tool of a server behind tools on demand that the bridge's search leaves out, from the server's known list (warn, once): a definition past 256 KiB or 64 levels deep leaves out that tool, a list past 4 MiB together the whole server. `mcp-twin tools` and the bridge's `serve.log` say it too.",
    fix: "search_tools does not find what is left out (call_tool still takes its exact name): a client that needs it found gets an entry per server once it is out of `toolSearch.clients` (then `mcp-twin sync`); else ask the server's author for smaller definitions.",
    run: ({ budgets }) => {
      // One finding a server and reason, naming the clients it leaves the tool out for.
      const left = new Map<string, { server: string; why: string; clients: string[] }>();
      for (const b of budgets?.budgets ?? [])
        for (const { server, why } of b.onDemand?.leftOut ?? []) {
          const one = left.get(`${server}\u0000${why}`) ?? { server, why, clients: [] };
          if (!one.clients.includes(b.target.client.name)) one.clients.push(b.target.client.name);
          left.set(`${server}\u0000${why}`, one);
        }
      return [...left.values()].map(({ server, why, clients }) =>
        finding(
          "warn",
          { server },
          `${server}: left out of search for ${andList(clients)}: ${untrusted(why)}.`,
          {
            fix: `search_tools does not find what is left out (call_tool still takes its exact name): a client that needs it found gets an entry per server, ${server}'s too, once it is out of \`toolSearch.clients\` (then \`mcp-twin sync\`); else ask ${server}'s author for smaller definitions.`,
          },
        ),
      );
    },
  }),
];
