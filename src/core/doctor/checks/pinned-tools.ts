/**
 * Pinned tools (pure): each server's list now against the tools the person approved — a change
 * or a flagged description said with its word diff and the words that raised each flag; held back
 * by the gateway for the servers it runs, only seen for the entries it is not in.
 */
import { changeBlock, waitingLine } from "../../pins/def-diff.js";
import { FLAG_WORDS } from "../../pins/injection-scan.js";
import type { PinState } from "../../sync/pin-review.js";
import { defineCheck } from "../check-def.js";
import { count, docFix } from "../finding-words.js";
import { type Finding, finding } from "../types.js";

const PINS_FIX =
  "fix it at that position, or move it aside (rename it to pins.json.broken) and run `mcp-twin sync`: every server's tools are pinned again as they are listed then.";

/** What to do about a change that waits: approve it (after reading it), or stop running the server. */
const waitingFix = (s: PinState) =>
  s.held
    ? `Read the change above: \`mcp-twin tools --approve ${s.server}\` shows it again and approves it; until then no client gets those tools.`
    : `Read the change above: \`mcp-twin tools --approve ${s.server}\` takes it, or \`mcp-twin remove ${s.server}\` stops running the server.`;

function stateFindings(s: PinState): Finding[] {
  const where = { server: s.server };
  if (!s.pinned)
    return s.listed
      ? [
          finding(
            "skip",
            where,
            `${s.server}: not pinned yet; \`mcp-twin sync\` pins ${count(s.changes.length, "tool")} as listed now.`,
          ),
        ]
      : [];
  const out: Finding[] = [];
  const waiting = s.changes.filter((c) => c.kind !== "removed");
  if (waiting.length > 0)
    out.push(
      finding("warn", where, `${waitingLine(s.server, s.held, waiting)}.`, {
        fix: waitingFix(s),
        detail: changeBlock(waiting, ""),
      }),
    );
  else
    out.push(
      finding(
        "pass",
        where,
        `${s.server}: ${count(s.pinned.tools, "tool")} as approved${s.pinned.version ? ` (${s.pinned.version})` : ""}${s.listed ? "" : "; not listed since, so not compared"}.`,
      ),
    );
  // A tool approved as it is, words aimed at the model and all: said each time, never held back.
  const changed = new Set(waiting.map((c) => c.tool));
  const approvedFlags = s.flags.filter((f) => !changed.has(f.tool));
  if (approvedFlags.length > 0)
    out.push(
      finding(
        "warn",
        where,
        `${s.server}: ${count(approvedFlags.length, "tool")} you approved as ${approvedFlags.length === 1 ? "it is" : "they are"} ${approvedFlags.length === 1 ? "holds" : "hold"} words aimed at the model.`,
        {
          fix: `Read them; if they are not what ${s.server} should say, \`mcp-twin remove ${s.server}\`.`,
          detail: approvedFlags.flatMap(({ tool, flags }) =>
            flags.map((f) => `${tool} ${f.at}: ${FLAG_WORDS[f.rule]}: "${f.words}"`),
          ),
        },
      ),
    );
  return out;
}

export const pinChecks = [
  defineCheck({
    id: "pins.file",
    scope: "machine",
    doc: "the home's pins (`pins.json`: each server's tools as you approved them) do not parse, or a pin is malformed (file:line:column). Until it is fixed sync pins nothing and says so (exit 1), `tools` stops with exit 2, and the gateway keeps what it ran (started then: no shared server), as it cannot tell an approved tool from a changed one.",
    fix: PINS_FIX,
    run: ({ pins }, show) =>
      pins?.error
        ? [finding("fail", {}, show.text(pins.error.message), { fix: pins.error.fix ?? docFix(PINS_FIX) })]
        : [],
  }),
  defineCheck({
    id: "tools.pinned",
    scope: "machine",
    doc: "each server's tools as it lists them now (the live probe's list, or the gateway's for a shared server) against the tools you approved: a changed description or schema, a new tool, or words aimed at the model (hidden characters, `<IMPORTANT>` blocks, orders to read keys or keep things from you) warn with the change as a word diff and the words that raised each flag. A shared server's such tool is held back from every client until approved; a server whose clients start it themselves cannot be held, so doctor and sync say it.",
    fix: "Read the change: `mcp-twin tools --approve <server>` shows it again and approves it; or `mcp-twin remove <server>`.",
    run: ({ pins }) => (pins?.states ?? []).flatMap(stateFindings),
  }),
] as const;
