/** The state file: what mcp-twin wrote where. One that does not load stops every sync (pure). */
import { type Check, check } from "../types.js";

export interface StateFacts {
  file: string;
  exists: boolean;
  targets: number;
  /** Why it does not load (file:line:column and what), and how to recover. */
  error?: { message: string; fix?: string | undefined };
}

export function checkStateFile(f: StateFacts): Check[] {
  if (f.error)
    return [check("state.file", "fail", {}, f.error.message, f.error.fix ? { fix: f.error.fix } : {})];
  if (!f.exists) return [check("state.file", "pass", {}, "no state file yet (nothing synced yet).")];
  return [
    check(
      "state.file",
      "pass",
      {},
      `${f.file} is well-formed (${f.targets} target${f.targets === 1 ? "" : "s"} recorded).`,
    ),
  ];
}
