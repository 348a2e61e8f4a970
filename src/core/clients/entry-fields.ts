/** The fields of a client config entry that carry a launch, read the way clients read them (pure). */

import { dict } from "../plain-records.js";

/**
 * `env` / `headers`: an object of strings, or absent ({}). Anything else — `null` included, which
 * clients' own schemas (an optional record of strings) refuse — is undefined: not a valid map.
 */
export function stringMap(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const out = dict<string>();
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") return undefined;
    out[k] = v;
  }
  return out;
}
