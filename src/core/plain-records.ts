/**
 * Plain records read from what users wrote (manifest servers and references, secrets, environment
 * variables, state, client configs, templates, stores): whether a value is one, what it holds itself
 * under a name (never a member of Object.prototype), and maps with no prototype.
 */

/** A JSON object (not null, not an array): what a document read back, or a member of it, must be. */
export const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The value `record` itself holds under `name`; never an inherited member.
 *
 * A plain object answers `obj["toString"]` with a member of Object.prototype, so `${env:toString}`
 * would write `function toString() { … }` into a client config. Every such lookup is an
 * own-property check, and maps built from such names have no prototype at all.
 */
export function own<T>(record: Readonly<Record<string, T>> | null | undefined, name: string): T | undefined {
  return record != null && Object.hasOwn(record, name) ? record[name] : undefined;
}

/** A map for user-given names, with no prototype (`__proto__` is just another key there). */
export function dict<T>(
  entries?: Iterable<readonly [string, T]> | Readonly<Record<string, T>>,
): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  if (!entries) return out;
  const list = Symbol.iterator in entries ? entries : Object.entries(entries);
  for (const [k, v] of list as Iterable<readonly [string, T]>) out[k] = v;
  return out;
}
