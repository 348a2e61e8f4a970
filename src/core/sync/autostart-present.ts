/**
 * The start at logon a sync that writes nothing reports: the one state records, when its file is
 * still there — no process asked (gateway-sync.ts and gateway-current.ts say it alike).
 */
import { existsSync } from "node:fs";
import type { Context } from "../context/context.js";
import type { AutostartRecord } from "../ledger/state.js";

export function installedAutostart(
  ctx: Pick<Context, "state" | "allEnvs">,
): (Pick<AutostartRecord, "kind" | "file" | "name"> & { state: "present" }) | undefined {
  const record = ctx.state.autostart;
  if (!record) return undefined;
  const env = ctx.allEnvs.find((e) =>
    record.kind === "windows-task" ? e.kind === "windows" : e.id === record.env,
  );
  const file = env?.access(record.file);
  if (!file || !existsSync(file)) return undefined;
  return { state: "present", kind: record.kind, file: record.file, name: record.name };
}
