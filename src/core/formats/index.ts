/**
 * Which format a client's file is in, and the reads and edits everything above the seam uses.
 * The TOML engine is loaded on first need (`loadFormats`): a sync with no TOML target never pays
 * for its parser.
 */
import { jsonFormat } from "./json/index.js";
import type { ConfigFormat, ConfigFormatId, EntryEdit, ParsedDocument } from "./types.js";

/** What the formats need of a client (clients/types.ts's ClientModule has it): its format and the keys it owns. */
interface FormatClient {
  id: string;
  format?: ConfigFormatId;
  ownedKeys?: readonly string[];
}

/** One client config file, as the formats read and edit it (a clients/types.ts Target). */
interface FormatTarget {
  client: FormatClient;
  serversPath: readonly string[];
  file: string;
}

const loaded: Partial<Record<ConfigFormatId, ConfigFormat>> = { json: jsonFormat };

/** Load the formats these clients' files are in (call before formatOf). */
export async function loadFormats(clients: Iterable<Pick<FormatClient, "format">>): Promise<void> {
  for (const c of clients)
    if (c.format === "toml" && !loaded.toml) loaded.toml = (await import("./toml/index.js")).tomlFormat;
}

export function formatOf(client: Pick<FormatClient, "format" | "id">): ConfigFormat {
  const format = loaded[client.format ?? "json"];
  if (!format)
    throw new Error(`the ${client.format} format of ${client.id} is not loaded (call loadFormats first)`);
  return format;
}

/** A target's file parsed by its client's format (throws config-parse as the format does). */
export function parseTarget(
  target: Pick<FormatTarget, "client">,
  text: string,
  file: string,
): ParsedDocument {
  return formatOf(target.client).parse(text, file);
}

/**
 * The entries of a target's file as mcp-twin compares them: whole entries, or for a client that
 * writes into entries itself (Codex's tool approvals), only the keys mcp-twin owns.
 */
export function readTargetEntries(target: FormatTarget, text: string): Record<string, unknown> {
  const entries = parseTarget(target, text, target.file).entries(target.serversPath);
  return ownedView(entries, target.client.ownedKeys);
}

/** The target's text with these entry edits applied (only owned keys of an entry replaced). */
export function editTargetEntries(target: FormatTarget, text: string, edits: readonly EntryEdit[]): string {
  return formatOf(target.client).applyEntryEdits(
    text,
    target.serversPath,
    edits,
    target.file,
    target.client.ownedKeys,
  );
}

/**
 * An entry's value exactly as written in `text` (a backup), to give it back byte for byte;
 * undefined when absent, or when the client's format cannot (TOML: its values are rewritten).
 */
export function targetEntryText(target: FormatTarget, text: string, name: string): string | undefined {
  return formatOf(target.client).entryText?.(text, target.serversPath, name, target.file);
}

/** Each entry reduced to the keys mcp-twin owns (all of it when `owned` is undefined). */
export function ownedView(
  entries: Record<string, unknown>,
  owned: readonly string[] | undefined,
): Record<string, unknown> {
  if (!owned) return entries;
  const out: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(entries)) {
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
      out[name] = entry;
      continue;
    }
    out[name] = Object.fromEntries(
      Object.entries(entry as Record<string, unknown>).filter(([key]) => owned.includes(key)),
    );
  }
  return out;
}

/**
 * The JSON(C) engine's own calls: the manifest's edits and depth limit (manifest/), a JSON config's
 * empty servers key (undo).
 */
export {
  applyEntryEdits,
  MAX_DEPTH,
  parseConfig,
  readEntries,
  removeEmptyServers,
  tooDeepAt,
} from "./json/merge.js";
export type { ConfigFormat, ConfigFormatId, EntryEdit, ParsedDocument } from "./types.js";
