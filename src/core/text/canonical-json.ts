/**
 * A parsed value as canonical JSON text (object keys sorted), so sync, status and doctor compare
 * what entries mean rather than their bytes, and state hashes them the same way every time.
 */
/** Stable JSON of a parsed value (keys sorted) so drift compares meaning, not bytes. */
export function canonicalJson(value: unknown): string {
  return canonical(value) ?? "undefined";
}

/**
 * Sorted keys in the order a JS object built from them keeps (and the first version of
 * canonicalJson wrote): integer-like keys ascending first, then the rest by UTF-16 code units.
 */
function canonicalKeyOrder(keys: string[]): string[] {
  const indexes: string[] = [];
  const names: string[] = [];
  for (const key of keys)
    (/^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4294967295 ? indexes : names).push(key);
  indexes.sort((a, b) => Number(a) - Number(b));
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return indexes.length > 0 ? [...indexes, ...names] : names;
}

/**
 * JSON.stringify with object keys sorted (by UTF-16 code units), written out directly: a replacer
 * that rebuilds every object costs several times more, and sync hashes every entry of every target.
 * Undefined, functions and symbols are left out of objects and are null in arrays, as in JSON.
 */
function canonical(value: unknown): string | undefined {
  if (value === undefined || typeof value === "function" || typeof value === "symbol") return undefined;
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === "function") return canonical(withToJson.toJSON());
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item) ?? "null").join(",")}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of canonicalKeyOrder(Object.keys(record))) {
    const text = canonical(record[key]);
    if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(",")}}`;
}
