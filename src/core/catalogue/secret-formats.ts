/**
 * The format checks the catalogue declares for secrets (`TAVILY_API_KEY` must match `^tvly-…`), read
 * from the shipped templates and the home's own: secret name → its checks.
 */
import { readFileSync } from "node:fs";
import { parse } from "jsonc-parser";
import type { SecretFormat } from "../secrets/placeholders.js";
import { templateFiles } from "./template-files.js";

/**
 * Only the `secrets` of each file are read — no zod, nothing of sync's own modules — so a sync that
 * writes can apply them at a few files' cost (a no-op sync does not load this at all).
 */
export function catalogueSecretFormats(homeDir?: string): Map<string, SecretFormat[]> {
  const out = new Map<string, SecretFormat[]>();
  for (const file of templateFiles(homeDir)) {
    let template: { secrets?: unknown };
    try {
      template = (parse(readFileSync(file, "utf8")) ?? {}) as { secrets?: unknown };
    } catch {
      continue; // a broken template is reported by the catalogue; it checks nothing here
    }
    if (!Array.isArray(template.secrets)) continue;
    for (const s of template.secrets as Array<Record<string, unknown>>) {
      if (typeof s?.name !== "string" || typeof s.pattern !== "string") continue;
      const format = {
        pattern: s.pattern,
        ...(typeof s.example === "string" ? { example: s.example } : {}),
      };
      out.set(s.name, [...(out.get(s.name) ?? []), format]);
    }
  }
  return out;
}
