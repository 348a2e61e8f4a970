/**
 * The memory store's shape (checked by hand: zod stays out of an idle bridge), in null-prototype
 * records, since namespaces and keys are any names a client chooses.
 */
import { dict, isPlain, own } from "../../core/plain-records.js";

export interface MemoryEntry {
  value: unknown;
  version: number;
  updatedAt: string;
  updatedBy?: string;
}

/**
 * Namespaces and keys are any names a client chooses — `__proto__`, `constructor`, `toString`
 * included — so both levels are null-prototype records: a name is only ever an own property,
 * never a path into Object.prototype. Reads use own-property checks too. Stored values are kept
 * as parsed from JSON (their own `__proto__` keys included) and never merged into other objects.
 */
export interface MemoryData {
  version: 1;
  namespaces: Record<string, Record<string, MemoryEntry>>;
}

export const emptyMemory = (): MemoryData => ({ version: 1, namespaces: dict() });

/** Check the file's shape and rebuild it into null-prototype records. */
export function parseMemory(raw: unknown): MemoryData {
  if (!isPlain(raw) || own(raw, "version") !== 1 || !isPlain(own(raw, "namespaces")))
    throw new Error("not a memory store (version 1)");
  const namespaces = dict<Record<string, MemoryEntry>>();
  for (const [ns, entries] of Object.entries(raw.namespaces as Record<string, unknown>)) {
    if (!isPlain(entries)) throw new Error(`namespaces[${JSON.stringify(ns)}] is not an object`);
    const keys = dict<MemoryEntry>();
    for (const [key, e] of Object.entries(entries)) {
      const bad = `namespaces[${JSON.stringify(ns)}][${JSON.stringify(key)}] is not a memory entry`;
      if (!isPlain(e) || !Object.hasOwn(e, "value")) throw new Error(bad);
      const [version, updatedAt, updatedBy] = [own(e, "version"), own(e, "updatedAt"), own(e, "updatedBy")];
      if (typeof version !== "number" || typeof updatedAt !== "string") throw new Error(bad);
      keys[key] = {
        value: e.value,
        version,
        updatedAt,
        ...(typeof updatedBy === "string" ? { updatedBy } : {}),
      };
    }
    namespaces[ns] = keys;
  }
  return { version: 1, namespaces };
}
