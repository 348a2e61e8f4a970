/** The memory store's shape (checked by hand: zod stays out of an idle bridge). */

export interface MemoryEntry {
  value: unknown;
  version: number;
  updatedAt: string;
  updatedBy?: string;
}

export interface MemoryData {
  version: 1;
  namespaces: Record<string, Record<string, MemoryEntry>>;
}

export const emptyMemory = (): MemoryData => ({ version: 1, namespaces: {} });

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function parseMemory(raw: unknown): MemoryData {
  if (!isObject(raw) || raw.version !== 1 || !isObject(raw.namespaces))
    throw new Error("not a memory store (version 1)");
  for (const [ns, entries] of Object.entries(raw.namespaces)) {
    if (!isObject(entries)) throw new Error(`namespaces.${ns} is not an object`);
    for (const [key, e] of Object.entries(entries))
      if (!isObject(e) || !("value" in e) || typeof e.version !== "number" || typeof e.updatedAt !== "string")
        throw new Error(`namespaces.${ns}.${key} is not a memory entry`);
  }
  return raw as unknown as MemoryData;
}
