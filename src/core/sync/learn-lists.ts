/**
 * The tool lists a sync needs before it writes a rule in a client's own field (tool-rule-notes.ts's
 * servers): each server started once by a handshake, as `mcp-twin tools` starts it, and its list
 * cached for every later run; what could not be listed, and why.
 */
import type { Context } from "../context/context.js";
import { readKeys } from "../context/lazy-keys.js";
import type { Machine } from "../environments/machine.js";
import type { Progress } from "../system/progress.js";

/**
 * Lists servers by a handshake and caches what they said: doctor's (core/doctor/probe/list-tools.ts),
 * which sits above sync, so the command that runs sync hands it in.
 */
export type ToolLister = (
  machine: Machine,
  ctx: Pick<Context, "manifest" | "state" | "secrets" | "loaded">,
  names: readonly string[],
  options: {
    timeoutMs: number;
    manifest?: string | undefined;
    addSecrets(values: readonly string[]): void;
    /** The sync's own context: the launches are read from it, not from the manifest again. */
    here?: Pick<Context, "manifest" | "secrets" | "loaded" | "allEnvs"> & { commandsHere?: true };
    /** Told once every server is on its way to start. */
    started?(): void;
  },
) => Promise<ReadonlyArray<{ server: string; tools?: readonly unknown[]; error?: string }>>;

/** How long a server may take to answer its handshake: `mcp-twin tools`'s default. */
const LIST_TIMEOUT_MS = 10_000;

export interface LearnedLists {
  /** Servers whose list is cached now. */
  listed: string[];
  /** Server → why it could not be listed. */
  failures: Map<string, string>;
  /** Secret values the launches resolved: masked in anything shown. */
  secretValues: string[];
}

/** Servers listed for their first pins while the rest of the sync ran, and what that found. */
export interface EarlyLists {
  servers: readonly string[];
  learned: LearnedLists;
}

export async function learnToolLists(
  list: ToolLister,
  ctx: Pick<Context, "machine" | "manifest" | "state" | "secrets" | "loaded" | "allEnvs" | "keysUnread"> & {
    commandsHere?: true;
  },
  servers: readonly string[],
  progress: Progress,
  timeoutMs = LIST_TIMEOUT_MS,
): Promise<LearnedLists> {
  // Each server starts as sync would start it: with its keys, read now if this run had not yet.
  await readKeys(ctx);
  const secretValues: string[] = [];
  const step = progress.step(`Listing the tools of ${servers.join(", ")}`);
  try {
    const found = await list(ctx.machine, ctx, servers, {
      timeoutMs,
      // The manifest this sync reads (a project's too), by its path: the launch is read from it.
      manifest: ctx.loaded.file,
      here: ctx,
      addSecrets: (values) => secretValues.push(...values),
    });
    return {
      listed: found.filter((l) => l.tools).map((l) => l.server),
      failures: new Map(found.flatMap((l) => (l.tools ? [] : [[l.server, l.error ?? "no answer"] as const]))),
      secretValues,
    };
  } finally {
    step.stop();
  }
}
