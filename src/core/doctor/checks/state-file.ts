/**
 * mcp-twin's own records in the home: the state file (what it wrote where) and the gateway's port
 * (`bridge.json`). One that does not load stops every sync (pure).
 */

import { defineCheck } from "../check-def.js";
import { count, docFix } from "../finding-words.js";
import { finding } from "../types.js";

const STATE_FIX =
  "fix it at that position, or move it aside (`mv state.json state.json.broken`) and run `mcp-twin sync` — entries that still match the manifest are recognised again; take back any reported as foreign with `mcp-twin sync --force`.";

const PORT_FIX =
  "fix the port at that position, or delete the file: the next sync chooses the port again (7760, or the first free one above it) and points the clients' entries there.";

export const stateChecks = [
  defineCheck({
    id: "state.file",
    scope: "machine",
    doc: "the state file (what mcp-twin wrote where) does not parse, or a record is malformed (file:line:column). Until it is fixed sync, status, restore and uninstall stop with exit 2 and change nothing: an empty state would make mcp-twin's own entries look foreign.",
    fix: STATE_FIX,
    run: ({ stateFile: f }, show) => {
      if (!f) return [];
      // The fix's `mv` is typed in this shell: its paths stay as this process opens them.
      if (f.error)
        return [finding("fail", {}, show.text(f.error.message), { fix: f.error.fix ?? docFix(STATE_FIX) })];
      if (!f.exists) return [finding("pass", {}, "no state file yet (nothing synced yet).")];
      return [
        finding("pass", {}, `${show.path(f.file)} is well-formed (${count(f.targets, "target")} recorded).`),
      ];
    },
  }),
  defineCheck({
    id: "bridge.record",
    scope: "machine",
    doc: "the home's record of its gateway port (`bridge.json`) does not hold one (file:line:column). Until it is fixed sync, `bridge start` and `serve` stop with exit 2 and change nothing: choosing the port again would move the gateway off the port the clients' entries name. No finding when it loads (or there is none yet).",
    fix: PORT_FIX,
    run: ({ portRecord: r }, show) =>
      r ? [finding("fail", {}, show.text(r.error.message), { fix: r.error.fix ?? docFix(PORT_FIX) })] : [],
  }),
] as const;
