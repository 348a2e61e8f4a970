/**
 * The client's own fields of an entry less those that hold what mcp-twin writes on a new entry
 * (its `entryDefaults`: Goose's `name`, `enabled`, `timeout`, Zed's `source`): a person's fields.
 */
import type { ClientModule } from "./types.js";

/** `fields` (an entry's own fields, by key) without those equal to the client's default for the entry `name`. */
export function besidesDefaults(
  client: Pick<ClientModule, "entryDefaults">,
  name: string,
  fields: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const defaults = client.entryDefaults?.(name) ?? {};
  return Object.fromEntries(
    Object.entries(fields).filter(
      ([k, v]) => !Object.hasOwn(defaults, k) || JSON.stringify(defaults[k]) !== JSON.stringify(v),
    ),
  );
}
