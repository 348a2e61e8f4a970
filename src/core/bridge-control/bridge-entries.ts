/**
 * Which client configs hold the bridge's own entry: as state records them, and as their files are
 * now (file reads only). What uninstall and `bridge status` judge the bridge's use by.
 */
import { CLIENTS } from "../clients/index.js";
import type { ClientModule } from "../clients/types.js";
import type { Machine } from "../environments/machine.js";
import { loadFormats, readTargetEntries } from "../formats/index.js";
import type { State, TargetRecord } from "../ledger/state.js";
import { BRIDGE_ENTRY } from "../manifest/bridge-entry-name.js";
import { own } from "../plain-records.js";
import { readTextOrNull } from "../system/files.js";

/** A config as reports name it: "env client", and its folder for a project config. */
export const targetName = (r: Pick<TargetRecord, "env" | "client" | "scope" | "path">) =>
  `${r.env} ${r.client}${r.scope === "project" ? ` (${r.path})` : ""}`;

/** State records the bridge's entry in this config. */
const holdsBridgeEntry = (r: TargetRecord) => own(r.entries, BRIDGE_ENTRY) !== undefined;

/** The configs (per state) that hold the bridge's entry. */
export function bridgeEntryHolders(state: State): string[] {
  return Object.values(state.targets).filter(holdsBridgeEntry).map(targetName);
}

/**
 * The configs that hold the bridge's entry as the files are now: of those state says hold it, the
 * ones whose file still has it (a file this side cannot open counts as state says), and apart the
 * ones whose file does not parse (`unreadable`, their paths as the user's system shows them).
 * File reads only, no process.
 */
export async function bridgeEntriesInFiles(
  machine: Machine,
  state: State,
): Promise<{ holders: string[]; unreadable: string[] }> {
  const holders: string[] = [];
  const unreadable: string[] = [];
  const recorded = Object.values(state.targets).filter(holdsBridgeEntry);
  await loadFormatsOf(recorded);
  for (const r of recorded) {
    const entries = await entriesNow(machine, r);
    if (entries === "unreadable") unreadable.push(machine.shown(openable(machine, r) ?? r.path));
    else if (entries === undefined || (entries && own(entries, BRIDGE_ENTRY) !== undefined))
      holders.push(targetName(r));
  }
  return { holders, unreadable };
}

const loadFormatsOf = async (records: ReadonlyArray<{ client: string }>) => {
  if (records.length > 0) await loadFormats(CLIENTS.filter((c) => records.some((r) => r.client === c.id)));
};

/**
 * A recorded config's entries as its file holds them now (its client's format loaded): null when
 * the file is not there, "unreadable" when it cannot be read or does not parse, undefined when this
 * side cannot open it.
 */
async function entriesNow(
  machine: Machine,
  r: TargetRecord,
): Promise<Record<string, unknown> | null | "unreadable" | undefined> {
  const file = openable(machine, r);
  const client = CLIENTS.find((c) => c.id === r.client);
  if (!file || !client) return undefined;
  // A file that cannot be read: "unreadable", as one that does not parse.
  const text = await readTextOrNull(file).catch(() => undefined);
  return text === null ? null : (text !== undefined && parsed(client, r.path, text)) || "unreadable";
}

/** A config's entries, from its text (undefined: it does not parse). */
function parsed(client: ClientModule, file: string, text: string): Record<string, unknown> | undefined {
  try {
    return readTargetEntries({ client, serversPath: client.serversPath, file }, text);
  } catch {
    return undefined;
  }
}

/** A recorded config as this process opens it (undefined: not from this side without a process). */
function openable(machine: Machine, r: TargetRecord): string | undefined {
  if (r.scope === "project" || r.env === machine.local.id) return r.path;
  return r.env === "windows" ? machine.windows?.access(r.path) : undefined;
}

/** A shared server's url entry at the bridge: its port. */
const SHARE_URL_PORT = /^http:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):(\d+)\/share\//;

/**
 * The url entries mcp-twin wrote to shared servers (per state) that name another port than `port`,
 * where the bridge runs: each such port, with the configs that name it (as reports name a config).
 * A relay entry is not counted: it follows the bridge. File reads only.
 */
export async function urlEntriesElsewhere(
  machine: Machine,
  state: State,
  port: number,
): Promise<Array<{ port: number; configs: string[] }>> {
  const byPort = new Map<number, string[]>();
  const records = Object.values(state.targets).filter((r) => Object.keys(r.entries).length > 0);
  await loadFormatsOf(records);
  for (const r of records) {
    const entries = await entriesNow(machine, r);
    // A config that cannot be read names no port: it is passed over like one without entries.
    if (!entries || entries === "unreadable") continue;
    const ports = new Set<number>();
    for (const name of Object.keys(r.entries)) {
      const entry = own(entries, name);
      if (!entry || typeof entry !== "object") continue;
      for (const v of Object.values(entry as Record<string, unknown>)) {
        const at = typeof v === "string" ? SHARE_URL_PORT.exec(v)?.[1] : undefined;
        if (at && Number(at) !== port) ports.add(Number(at));
      }
    }
    for (const p of ports) byPort.set(p, [...(byPort.get(p) ?? []), targetName(r)]);
  }
  return [...byPort].map(([p, configs]) => ({ port: p, configs }));
}

/** A url at the bridge (its own `/mcp`, a shared server's `/share/<name>`, toolSearch's `/tools`), on loopback. */
export const BRIDGE_URL = /^http:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):\d+\/(?:mcp|tools|share\/)/;

/**
 * Of the entries an uninstall removed, what reached the bridge: the clients whose removed entries
 * included a relay to it (`mcp-twin connect <bridge url>`: such an entry, still loaded by an open
 * session, starts the bridge again on its next call), and whether any was a url entry to it (one
 * starts nothing: it fails once the bridge is gone). Read from each file's text before the write.
 */
export async function removedBridgeEntries(
  results: ReadonlyArray<{
    client: string;
    removed: readonly string[];
    before?: string | null;
    path: string;
  }>,
): Promise<{ starters: string[]; urlEntries: boolean }> {
  /** The files (paths) whose removed entries included a relay to the bridge. */
  const starters = new Set<string>();
  let urlEntries = false;
  await loadFormatsOf(results.filter((r) => r.removed.length > 0));
  for (const r of results) {
    const client = CLIENTS.find((c) => c.id === r.client);
    const entries = client && r.before && r.removed.length > 0 ? parsed(client, r.path, r.before) : undefined;
    if (!entries) continue;
    for (const name of r.removed) {
      const entry = own(entries, name) as { args?: unknown } | undefined;
      if (!entry || typeof entry !== "object") continue;
      const args = Array.isArray(entry.args) ? entry.args.map(String) : [];
      const at = args.indexOf("connect");
      if (at >= 0 && BRIDGE_URL.test(args[at + 1] ?? "")) starters.add(r.path);
      else if (Object.values(entry).some((v) => typeof v === "string" && BRIDGE_URL.test(v)))
        urlEntries = true;
    }
  }
  return { starters: [...starters], urlEntries };
}
