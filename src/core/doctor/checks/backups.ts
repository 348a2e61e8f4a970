/**
 * The bookkeeping kept beside each target's backups (pure): `target.json` (which entries mcp-twin
 * owned in each backup) and `hand-written.json` (entries as the user wrote them before mcp-twin
 * adopted them). One that does not load stops every run that would write that target.
 */
import { type Check, check } from "../types.js";

export interface BackupsFacts {
  /** Target folders under backups/. */
  folders: number;
  /** Each file that does not load: file:line:column and what, and how to recover. */
  problems: Array<{ message: string; fix?: string | undefined }>;
  /** The folder could not be looked at. */
  error?: string;
}

export function checkBackupsFiles(f: BackupsFacts): Check[] {
  if (f.error) return [check("backups.file", "warn", {}, `backups could not be looked at: ${f.error}.`)];
  if (f.problems.length > 0)
    return f.problems.map((p) => check("backups.file", "fail", {}, p.message, p.fix ? { fix: p.fix } : {}));
  if (f.folders === 0)
    return [check("backups.file", "pass", {}, "no backups yet (mcp-twin changed no file yet).")];
  return [
    check(
      "backups.file",
      "pass",
      {},
      `the records beside the backups of ${f.folders} file${f.folders === 1 ? "" : "s"} are well-formed.`,
    ),
  ];
}
