/**
 * One target's config cannot be read: the run stops before writing anything (exit 2: sync plans every
 * target first), with one advice for repairing it, the same in sync, status, adopt and doctor. Pure.
 */

import { shellQuote } from "../environments/path-translation.js";
import { UsageError } from "../errors.js";
import type { Target } from "./types.js";

function skipHint(bad: Pick<Target, "env" | "client">, all: readonly Pick<Target, "env" | "client">[]) {
  const envs = [...new Set(all.map((t) => t.env.id))].filter((id) => id !== bad.env.id);
  const clients = [...new Set(all.map((t) => t.client.id))].filter((id) => id !== bad.client.id);
  const ways = [
    ...(envs.length > 0
      ? [`${envs.map((e) => `--env ${e}`).join(" ")} (skips everything in ${bad.env.id})`]
      : []),
    ...(clients.length > 0
      ? [
          `${clients.map((c) => `--client ${c}`).join(" ")} (skips ${bad.client.id} everywhere; a named client's config is created where it is missing)`,
        ]
      : []),
  ];
  return ways.length > 0
    ? `To sync the other targets meanwhile, leave this one out: ${ways.join(", or ")}.`
    : undefined;
}

/**
 * The same error, its hint followed by how to leave the target out of the run.
 *
 * The error says how to repair the file (`unparsableFix`) and names the `--env` / `--client` that
 * leave that target out, so the other targets can be synced meanwhile.
 */
export function withSkipHint(
  error: UsageError,
  bad: Pick<Target, "env" | "client">,
  all: readonly Pick<Target, "env" | "client">[],
): UsageError {
  const skip = skipHint(bad, all);
  if (!skip) return error;
  return new UsageError(error.code, error.message, {
    location: error.location,
    hint: error.hint ? `${error.hint} ${skip}` : skip,
    cause: error,
  });
}

/**
 * What unparsableFix needs to know of the backups mcp-twin holds of a file (backups.ts
 * listBackups): how many are a file, and whether its original is "no file" (mcp-twin created it).
 */
export function backupCounts(kept: ReadonlyArray<{ absent?: boolean; original?: boolean }>): {
  backups: number;
  created?: true;
} {
  return {
    backups: kept.filter((b) => !b.absent).length,
    ...(kept.some((b) => b.original && b.absent) ? { created: true as const } : {}),
  };
}

/**
 * What is wrong at the error's position, from a config-parse message ("<file>:6:5: comma expected;
 * the file is not valid JSON." → "comma expected"): what the hand fix is told to fix.
 */
export function parseProblem(message: string): string | undefined {
  return /:\d+:\d+: (.+?)(?:; the file is not valid \w+)?\.$/.exec(message)?.[1];
}

/**
 * What to do about a client config that does not parse: first the hand fix at file:line:column
 * (what is wrong there), which keeps every change made since mcp-twin's last write; then, when
 * mcp-twin holds a backup, `restore`, which puts the whole file back and so loses those changes
 * (`restorePath`: the path restore takes, the one state records). Never "move it away": many of
 * these files hold the app's own state or settings beside the servers (`~/.claude.json` is
 * Claude Code's whole state).
 */
export function unparsableFix(o: {
  /** The file as restore takes it (the target's recorded path). */
  restorePath: string;
  /** The file as this machine shows it. */
  shown: string;
  /** Backups mcp-twin holds of it (that are a file, not "there was none"). */
  backups: number;
  /** mcp-twin created the file: its original is "no file". */
  created?: boolean;
  /** Entries mcp-twin wrote into it. */
  owned: number;
  line?: number | undefined;
  column?: number | undefined;
  /** What is wrong there (parseProblem): "comma expected". */
  problem?: string | undefined;
}): string {
  const what = o.problem ? ` (${o.problem})` : "";
  const byHand =
    o.line !== undefined
      ? `Fix it by hand at ${o.shown}:${o.line}:${o.column ?? 1}${what}`
      : `Fix ${o.shown} by hand${what}`;
  const quoted = shellQuote(o.restorePath);
  if (o.backups > 0)
    return `${byHand}. Or run \`mcp-twin restore ${quoted}\` to put the whole file back as mcp-twin last wrote it (from its newest backup when it kept no copy of that), which also undoes what was changed by hand since: it shows what it replaces, and \`mcp-twin restore --list ${quoted}\` shows every backup.`;
  const why = o.created
    ? " (it created this file: there was nothing before)"
    : o.owned > 0
      ? ""
      : " (it never changed this file)";
  return `${byHand}; mcp-twin has no backup of it${why}.`;
}
