/**
 * What a target's file was in a backup (absent, without the servers key, with it) and its text:
 * undo removes the servers key mcp-twin added and lays empty objects out as that text had them.
 */
import { formatOf, parseTarget } from "../formats/index.js";
import { listBackups, readBackup } from "../ledger/backups.js";
import type { KeyValues } from "../ledger/sealed-keys.js";
import type { seamOf } from "./undo-runner.js";

export type Shape = "absent" | "no-servers" | "has-servers";

type Seam = ReturnType<typeof seamOf>;

/** The shape of `text` (null: no file); a text that does not parse counts as "has-servers". */
export function shapeOf(seam: Seam, text: string | null): Shape {
  if (text === null) return "absent";
  try {
    let value: unknown = parseTarget(seam, text, seam.file).top();
    for (const k of seam.serversPath)
      value = value && typeof value === "object" ? (value as Record<string, unknown>)[k] : undefined;
    return value !== undefined ? "has-servers" : "no-servers";
  } catch {
    return "has-servers";
  }
}

/**
 * The file before mcp-twin first changed it — or unknown (no original kept), which counts as
 * "has-servers" so nothing more than entries goes.
 */
export async function originalOf(
  backupsDir: string,
  key: string,
  seam: Seam,
  keys: KeyValues,
): Promise<{ shape: Shape; text: string | null }> {
  const original = (await listBackups(backupsDir, key)).find((b) => b.original);
  if (!original) return { shape: "has-servers", text: null };
  if (original.absent) return { shape: "absent", text: null };
  const text = (await readBackup(original, keys)) ?? "";
  return { shape: shapeOf(seam, text), text };
}

/**
 * `after` (mcp-twin's entries just taken out) as close to `model` (the file as a backup holds it) as
 * undo may bring it: the servers key mcp-twin added goes when empty, empty objects are laid out as
 * `model` has them when nothing else differs (YAML: the servers key's line, `[]` or nothing).
 */
export function backToModel(seam: Seam, after: string, model: string | null, shape: Shape): string {
  const format = formatOf(seam.client);
  let out = after;
  if (shape !== "has-servers" && format.removeEmptyServers)
    out = format.removeEmptyServers(out, seam.serversPath, seam.file);
  if (model !== null && format.emptyLayoutLike) out = format.emptyLayoutLike(out, model, seam.serversPath);
  return out;
}
