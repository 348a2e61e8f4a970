/**
 * The per-format seam of the merge engine: everything above it (plan, apply, status, doctor, import,
 * restore) asks the same questions of a JSON(C) or a TOML config.
 */
import type { EntryEdit } from "./json/merge.js";

export type { EntryEdit };

export type ConfigFormatId = "json" | "toml" | "yaml";

/** How a client keeps its servers, beyond a map of names (the format's own reading of it). */
interface FormatOptions {
  /**
   * Servers are a list of items each naming itself with this key (Continue's `mcpServers:
   * - name: x`): an entry is one item, its name that key's value, its value the item without it.
   */
  listKey?: string;
}

/** One parsed config file. */
export interface ParsedDocument {
  /** The entries under `serversPath` as plain values ({} when absent); a UsageError "config-shape" (file:line:column) when that key holds something other than a table of servers. */
  entries(serversPath: readonly string[]): Record<string, unknown>;
  /** Names defined more than once under `serversPath` (a TOML file with those does not parse at all). */
  duplicates(serversPath: readonly string[]): string[];
  /** The top-level keys and their values (app settings next to the servers). */
  top(): Record<string, unknown>;
}

/**
 * Does it parse, which entries does it hold, and what is the text with these entries set or
 * removed (every other byte kept).
 */
export interface ConfigFormat {
  readonly id: ConfigFormatId;
  /** What the format is called in messages ("JSON", "TOML"). */
  readonly name: string;
  /** Parse a file's text; a UsageError "config-parse" naming file:line:column when it does not parse. */
  parse(text: string, file: string, options?: FormatOptions): ParsedDocument;
  /**
   * The text with each edit applied to `serversPath.<name>`; every other byte stays. With `owned`,
   * setting an existing entry replaces only those keys of it and keeps the others (the app's own).
   */
  applyEntryEdits(
    text: string,
    serversPath: readonly string[],
    edits: readonly EntryEdit[],
    file: string,
    owned?: readonly string[],
    options?: FormatOptions,
  ): string;
  /**
   * The exact text of `serversPath.<name>`'s value as it is written in `text` (undefined when the
   * format cannot splice text back as it was: then values are written in mcp-twin's layout).
   */
  entryText?(
    text: string,
    serversPath: readonly string[],
    name: string,
    file: string,
    listKey?: string,
  ): string | undefined;
  /**
   * The servers key itself removed when it holds no server (uninstall and restore, when the key was
   * mcp-twin's doing). Undefined: the format drops it with its last entry by itself (TOML).
   */
  removeEmptyServers?(
    text: string,
    serversPath: readonly string[],
    file: string,
    options?: FormatOptions,
  ): string;
  /**
   * `text` with each empty object's inside laid out as in `model` when they differ only in
   * whitespace (JSON), or the servers key's line as `model` has it when only that empty value's
   * line differs (YAML): undo giving a file back byte for byte. Undefined: the format needs none.
   */
  emptyLayoutLike?(text: string, model: string, serversPath: readonly string[]): string;
}
