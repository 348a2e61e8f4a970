/**
 * Which format a client's file is in, and the reads and edits everything above the seam uses.
 * The TOML and YAML engines are loaded on first need (`loadFormats`): a sync with no such target
 * never pays for their parsers.
 */
import { jsonFormat } from "./json/index.js";
import type { ConfigFormat, ConfigFormatId, EntryEdit, ParsedDocument } from "./types.js";

/** What the formats need of a client (clients/types.ts's ClientModule has it): its format and the keys it owns. */
interface FormatClient {
  id: string;
  format?: ConfigFormatId;
  ownedKeys?: readonly string[];
  keptKeys?: readonly string[];
  /** Its entry's tool-rule fields: mcp-twin's, whatever its keptKeys say. */
  toolBudget?: { filter?: { keys: readonly string[] } };
  /** Its servers are a list of items named by this key (Continue), not a map of names. */
  listKey?: string;
  /** Fields a new entry gets, the client's own after that (Goose's `enabled`, `timeout`). */
  entryDefaults?(name: string): Record<string, unknown>;
}

/**
 * The keys of a client's entries mcp-twin owns (`owned`: only those; undefined: all but `kept`)
 * and the client's own it keeps (`kept`): its ownedKeys and keptKeys, with its tool-rule fields
 * (toolBudget.filter) mcp-twin's.
 */
export function entryKeys(client: Pick<FormatClient, "ownedKeys" | "keptKeys" | "toolBudget">): {
  owned: readonly string[] | undefined;
  kept: readonly string[] | undefined;
} {
  const rules = client.toolBudget?.filter?.keys ?? [];
  return {
    owned: client.ownedKeys ? [...new Set([...client.ownedKeys, ...rules])] : undefined,
    kept: client.keptKeys?.filter((k) => !rules.includes(k)),
  };
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
  for (const c of clients) {
    if (c.format === "toml" && !loaded.toml) loaded.toml = (await import("./toml/index.js")).tomlFormat;
    if (c.format === "yaml" && !loaded.yaml) loaded.yaml = (await import("./yaml/index.js")).yamlFormat;
  }
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
  const { listKey } = target.client;
  return formatOf(target.client).parse(text, file, listKey ? { listKey } : undefined);
}

/**
 * The entries of a target's file as mcp-twin compares them: whole entries, or for a client that
 * writes into entries itself (Codex's tool approvals), only the keys mcp-twin owns.
 */
export function readTargetEntries(target: FormatTarget, text: string): Record<string, unknown> {
  const entries = parseTarget(target, text, target.file).entries(target.serversPath);
  const { owned, kept } = entryKeys(target.client);
  return ownedView(entries, owned, kept);
}

/**
 * The fields of each entry mcp-twin does not compare (the client's own: Claude Code's `alwaysLoad`,
 * Codex's `tools`), as written; entries without any are absent.
 */
export function readTargetFields(
  target: FormatTarget,
  text: string,
): Record<string, Record<string, unknown>> {
  const entries = parseTarget(target, text, target.file).entries(target.serversPath);
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, entry] of Object.entries(entries)) {
    const fields = clientFieldsOf(entry, target.client);
    if (Object.keys(fields).length > 0) out[name] = fields;
  }
  return out;
}

/** The keys of one entry that are the client's own, not mcp-twin's (in the entry's order). */
export function clientFieldsOf(
  entry: unknown,
  client: Pick<FormatClient, "ownedKeys" | "keptKeys" | "toolBudget">,
): Record<string, unknown> {
  if (!entry || typeof entry !== "object" || Array.isArray(entry)) return {};
  const { owned, kept } = entryKeys(client);
  const theirs = (key: string) => (owned ? !owned.includes(key) : (kept ?? []).includes(key));
  return Object.fromEntries(Object.entries(entry as Record<string, unknown>).filter(([k]) => theirs(k)));
}

/**
 * The target's text with these entry edits applied: only owned keys of an entry replaced, and
 * the client's own fields of an entry (keptKeys) kept where the edit does not set them.
 */
export function editTargetEntries(target: FormatTarget, text: string, edits: readonly EntryEdit[]): string {
  const { owned, kept } = entryKeys(target.client);
  const withDefaults = target.client.entryDefaults ? defaulted(target, text, edits) : edits;
  return formatOf(target.client).applyEntryEdits(
    text,
    target.serversPath,
    kept && !owned ? keepingFields(target, text, withDefaults, kept) : withDefaults,
    target.file,
    owned,
    target.client.listKey ? { listKey: target.client.listKey } : undefined,
  );
}

/** Each edit that sets an entry, with the client's defaults for a new entry where neither has them. */
function defaulted(target: FormatTarget, text: string, edits: readonly EntryEdit[]): EntryEdit[] {
  const entries = parseTarget(target, text, target.file).entries(target.serversPath);
  return edits.map((edit) => {
    if ("remove" in edit || edit.text !== undefined) return edit;
    const value = edit.value;
    if (!value || typeof value !== "object" || Array.isArray(value)) return edit;
    const before = Object.hasOwn(entries, edit.name) ? entries[edit.name] : undefined;
    const had = before && typeof before === "object" ? (before as Record<string, unknown>) : {};
    const defaults = target.client.entryDefaults?.(edit.name) ?? {};
    const missing = Object.entries(defaults).filter(
      ([k]) => !Object.hasOwn(value, k) && !Object.hasOwn(had, k),
    );
    return missing.length === 0 ? edit : { ...edit, value: { ...Object.fromEntries(missing), ...value } };
  });
}

/** Each edit that replaces an entry, with the client's own fields of the entry it replaces added. */
function keepingFields(
  target: FormatTarget,
  text: string,
  edits: readonly EntryEdit[],
  kept: readonly string[],
): EntryEdit[] {
  const entries = parseTarget(target, text, target.file).entries(target.serversPath);
  return edits.map((edit) => {
    if ("remove" in edit || edit.text !== undefined) return edit;
    const value = edit.value;
    if (!value || typeof value !== "object" || Array.isArray(value)) return edit;
    const fields = clientFieldsOf(Object.hasOwn(entries, edit.name) ? entries[edit.name] : undefined, {
      keptKeys: kept,
    });
    const missing = Object.entries(fields).filter(([k]) => !Object.hasOwn(value, k));
    return missing.length === 0 ? edit : { ...edit, value: { ...value, ...Object.fromEntries(missing) } };
  });
}

/**
 * An entry's value exactly as written in `text` (a backup), to give it back byte for byte;
 * undefined when absent, or when the client's format cannot (TOML: its values are rewritten).
 */
export function targetEntryText(target: FormatTarget, text: string, name: string): string | undefined {
  return formatOf(target.client).entryText?.(
    text,
    target.serversPath,
    name,
    target.file,
    target.client.listKey,
  );
}

/**
 * Each entry reduced to the keys mcp-twin owns: `owned` only, or all but the client's own fields
 * (`kept`); all of it when both are undefined.
 */
export function ownedView(
  entries: Record<string, unknown>,
  owned: readonly string[] | undefined,
  kept?: readonly string[],
): Record<string, unknown> {
  if (!owned && !kept) return entries;
  const out: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(entries)) {
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
      out[name] = entry;
      continue;
    }
    out[name] = Object.fromEntries(
      Object.entries(entry as Record<string, unknown>).filter(([key]) =>
        owned ? owned.includes(key) : !kept?.includes(key),
      ),
    );
  }
  return out;
}

/** The JSON(C) engine's own calls: the manifest's edits and depth limit (manifest/). */
export {
  applyEntryEdits,
  MAX_DEPTH,
  parseConfig,
  readEntries,
  tooDeepAt,
} from "./json/merge.js";
export type { ConfigFormat, ConfigFormatId, EntryEdit, ParsedDocument } from "./types.js";
