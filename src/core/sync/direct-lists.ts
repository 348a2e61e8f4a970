/**
 * A first sync's direct command servers listed for their first pins right after the manifest is
 * read: their start (seconds of CPU across them) overlaps the sync's own environments, plan, lock,
 * installs and writes instead of following the first plan.
 */
import type { OpenedManifest } from "../context/context.js";
import { readToolLists } from "../entries/tool-lists.js";
import type { Machine } from "../environments/machine.js";
import { emptyState } from "../ledger/state.js";
import type { ServerSpec } from "../manifest/schema.js";
import { specFields } from "../manifest/spec.js";
import { serversBehindTools } from "../manifest/tool-search.js";
import { loadPins } from "../pins/pin-file.js";
import { own } from "../plain-records.js";
import { silentProgress } from "../system/progress.js";
import { trace } from "../system/trace.js";
import type { EarlyLists, ToolLister } from "./learn-lists.js";

/** How long sync waits for a server it lists for its first pins: one that hangs must not hold it. */
export const FIRST_LIST_TIMEOUT_MS = 5_000;

/** The servers taken here (whether or not they were due), and what listing them found. */
export interface DirectLists {
  names: ReadonlySet<string>;
  lists: Promise<EarlyLists | undefined>;
  /** Resolves once the servers are on their way to start (or none was due, or the lister never said). */
  asked: Promise<void>;
}

/**
 * The user-level manifest's servers whose launch needs nothing but the manifest: a `command` run
 * here as written, no package to install, no key to read, not run by the gateway (shared, or
 * behind a client's `/tools`: those are listed there). Everything else waits for the plan.
 */
function directServers(opened: OpenedManifest, localEnv: string): Array<[string, ServerSpec]> {
  const manifest = opened.loaded.manifest;
  if (opened.located.scope !== "user") return [];
  // Limited to other environments, a command runs elsewhere than here.
  if (manifest.environments && !manifest.environments.includes(localEnv)) return [];
  const servers = Object.entries(manifest.servers).filter(([, s]) => !s.disabled);
  const behind = new Set(
    (manifest.toolSearch?.clients ?? []).flatMap((c) => serversBehindTools(servers, c, () => true)),
  );
  return servers.filter(
    ([name, s]) =>
      s.command !== undefined &&
      s.package === undefined &&
      s.url === undefined &&
      !s.share &&
      !behind.has(name) &&
      !specFields(s).some((f) => f.references.some((r) => r.kind === "secret")),
  );
}

/**
 * Those of directServers never pinned and never listed, listed now (each bounded in time). Never
 * rejects: a server whose list did not happen here is listed, or its failure said, by pinTools.
 */
export function startDirectLists(
  machine: Machine,
  opened: OpenedManifest,
  list: ToolLister,
): DirectLists | undefined {
  const servers = directServers(opened, machine.local.id);
  if (servers.length === 0) return undefined;
  let told = () => {};
  const asked = new Promise<void>((resolve) => {
    told = resolve;
  });
  const run = async (): Promise<EarlyLists | undefined> => {
    const book = await loadPins(machine.paths.pins);
    const known = await readToolLists(machine, { servers, version: () => undefined });
    const due = servers.map(([name]) => name).filter((name) => !own(book, name) && !known.has(name));
    if (due.length === 0) return undefined;
    trace("first pins: direct lists");
    const { learnToolLists } = await import("./learn-lists.js");
    // A command as written needs no environment looked at: it runs here, as every entry starts it.
    const here = { manifest: opened.loaded.manifest, loaded: opened.loaded, secrets: {}, allEnvs: [] };
    const ctx = { ...here, machine, state: emptyState(), commandsHere: true as const };
    // The sync goes on once the servers are on their way: their starts come before its own work.
    const starting: ToolLister = (on, c, names, options) => list(on, c, names, { ...options, started: told });
    const learned = await learnToolLists(starting, ctx, due, silentProgress, FIRST_LIST_TIMEOUT_MS);
    return { servers: due, learned };
  };
  const lists = run()
    // A pins file that does not load is said by pinTools, with its line and column.
    .catch(() => undefined)
    .finally(told);
  return { names: new Set(servers.map(([name]) => name)), lists, asked };
}

/** Two sets of early lists as one (either may be absent). */
export async function joinEarly(
  a: Promise<EarlyLists | undefined> | undefined,
  b: Promise<EarlyLists | undefined> | undefined,
): Promise<EarlyLists | undefined> {
  const [x, y] = await Promise.all([a, b]);
  if (!x || !y) return x ?? y;
  return {
    servers: [...x.servers, ...y.servers],
    learned: {
      listed: [...x.learned.listed, ...y.learned.listed],
      failures: new Map([...x.learned.failures, ...y.learned.failures]),
      secretValues: [...x.learned.secretValues, ...y.learned.secretValues],
    },
  };
}
