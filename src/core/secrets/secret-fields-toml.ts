/**
 * Secrets recognised by where they sit in a TOML text (Codex's config.toml) — the counterpart of
 * secret-fields-json.ts, so a key rotated out of a Codex entry never shows on a diff's `-` line.
 */
import { type AST, parseTOML } from "toml-eslint-parser";
import { REFERENCE_ONLY, SECRET_KEYS, type SecretField } from "./secret-fields-json.js";

/** Tables whose every value is a secret. */
const SECRET_TABLES = /^(?:env|headers|http_headers|environment)$/i;
/** Keys that hold the NAME of a variable, not a value (`bearer_token_env_var`, `env_vars`). */
const NAME_KEYS = /(?:_env_var|^env_vars$|^env_http_headers$)/i;

/**
 * Every string under an `env` or `http_headers` table (inline or not), and every string whose key
 * names a credential. Read with toml-eslint-parser (ranges per value); a file that does not parse
 * yields nothing here and is masked by known values and credential shapes only.
 */
export function tomlSecretFields(text: string): SecretField[] {
  let ast: AST.TOMLProgram;
  try {
    ast = parseTOML(text);
  } catch {
    return [];
  }
  const out: SecretField[] = [];
  const visit = (node: AST.TOMLContentNode, path: readonly string[]) => {
    if (node.type === "TOMLValue") {
      if (typeof node.value !== "string" || node.value === "" || REFERENCE_ONLY.test(node.value)) return;
      const names = path.filter((p) => !/^\d+$/.test(p));
      if (names.some((p) => NAME_KEYS.test(p))) return;
      const last = names[names.length - 1] ?? "";
      if (names.slice(0, -1).some((p) => SECRET_TABLES.test(p)) || SECRET_KEYS.test(last))
        out.push({ offset: node.range[0], length: node.range[1] - node.range[0], value: node.value });
    } else if (node.type === "TOMLArray") {
      for (const [i, e] of node.elements.entries()) visit(e, [...path, String(i)]);
    } else if (node.type === "TOMLInlineTable") for (const kv of node.body) keyValue(kv, path);
  };
  const keyValue = (kv: AST.TOMLKeyValue, base: readonly string[]) =>
    visit(kv.value, [...base, ...kv.key.keys.map((k) => (k.type === "TOMLBare" ? k.name : k.value))]);
  for (const top of ast.body[0]?.body ?? []) {
    if (top.type === "TOMLKeyValue") keyValue(top, []);
    else for (const kv of top.body) keyValue(kv, top.resolvedKey.map(String));
  }
  return out.sort((a, b) => a.offset - b.offset);
}
