/**
 * The bookkeeping kept beside each target's backups (pure): `target.json` (which entries mcp-twin
 * owned in each backup) and `hand-written.json` (entries as the user wrote them before mcp-twin
 * adopted them). One that does not load stops every run that would write that target.
 */

import { defineCheck } from "../check-def.js";
import { count, docFix } from "../finding-words.js";
import { finding } from "../types.js";

const BACKUPS_FIX =
  "fix it at that position, or move it aside (`mv …/target.json …/target.json.broken`): the backups stay, only which entries mcp-twin owned in older ones is forgotten; for `hand-written.json` (keep a copy: it may hold keys) uninstall then leaves those entries as mcp-twin wrote them.";

export const backupsChecks = [
  defineCheck({
    id: "backups.file",
    scope: "machine",
    doc: "a record kept beside a file's backups in the home does not parse or is malformed (file:line:column, never a value): `backups/<file>/target.json` (which entries mcp-twin owned in each backup, for `restore --from`) or `backups/<file>/hand-written.json` (your own form of entries mcp-twin adopted, which `uninstall` gives back). Until it is fixed, every run that would write that file (sync, import, restore, uninstall) stops with exit 2 and changes nothing — read as empty, the next save would lose it for good.",
    fix: BACKUPS_FIX,
    run: ({ backups: f }, show) => {
      if (!f) return [];
      if (f.error) return [finding("warn", {}, `backups could not be looked at: ${show.text(f.error)}.`)];
      // The fix's `mv` is typed in this shell: its paths stay as this process opens them.
      if (f.problems.length > 0)
        return f.problems.map((p) =>
          finding("fail", {}, show.text(p.message), { fix: p.fix ?? docFix(BACKUPS_FIX) }),
        );
      if (f.folders === 0) return [finding("pass", {}, "no backups yet (mcp-twin changed no file yet).")];
      return [
        finding("pass", {}, `the records beside the backups of ${count(f.folders, "file")} are well-formed.`),
      ];
    },
  }),
] as const;
