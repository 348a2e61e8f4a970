/**
 * Keys that clash, on a terminal: one question per key that has different values in different places.
 * Values are never shown, nor any part of one.
 */
import { UsageError, UsageErrors } from "../core/errors.js";
import { type ClashChoices, type SecretClash, TYPED } from "../core/import/clashes.js";
import { dict, own } from "../core/plain-records.js";
import { notAKey, type SecretFormat } from "../core/secrets/placeholders.js";
import { parseSecretFlags } from "./ask.js";
import type { Choice, Prompts } from "./prompts.js";

const TYPE_ONE = "\u0000type";

/**
 * `--secret NAME=VALUE` / `--secret NAME` (from the environment) → values; a placeholder is refused,
 * and so is a value out of the catalogue's format for its name (`formats`): `secret set`'s one rule.
 */
export function secretFlagValues(
  flags: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  formats: ReadonlyMap<string, readonly SecretFormat[]> = new Map(),
): Record<string, string> {
  const values = dict<string>();
  const problems: UsageError[] = [];
  for (const [name, given] of parseSecretFlags(flags)) {
    const value = given ?? own(env, name);
    if (value === undefined) {
      problems.push(
        new UsageError("missing-secret", `--secret ${name}: ${name} is not set in the environment.`, {
          hint: `Export ${name}, or pass --secret ${name}=<value>.`,
        }),
      );
      continue;
    }
    const not = notAKey(name, value, formats.get(name));
    if (not) {
      problems.push(
        new UsageError(
          "bad-secret",
          `--secret ${name}: the value is ${not.reason}.`,
          not.kind === "format"
            ? {
                hint: `Check what you pasted. If it is right (a key of a new format), \`mcp-twin secret set ${name} --force\` stores it, and sync accepts it.`,
              }
            : {},
        ),
      );
      continue;
    }
    values[name] = value;
  }
  if (problems.length > 0) throw new UsageErrors(problems);
  return values;
}

/**
 * Ask about every clash still unsettled (of `servers`, when given); returns the answers.
 *
 * Which value every client gets, each place keeping its own, or a new value typed in (hidden);
 * each value shown by a label, a long key's fingerprint (8 hex digits of its SHA-256) and where it
 * was found. `--secret NAME[=VALUE]` answers come first (read here, checked like `init`'s).
 */
export async function askClashes(
  clashes: readonly SecretClash[],
  prompts: Prompts,
  servers?: ReadonlySet<string>,
): Promise<Required<Pick<ClashChoices, "chosen" | "secrets">>> {
  const chosen = dict<string>();
  const secrets = dict<string>();
  for (const clash of clashes) {
    if (!clash.needsChoice || clash.resolution) continue;
    if (servers && !clash.servers.some((s) => servers.has(s))) continue;
    const choices: Choice<string>[] = clash.values.map((v) => ({
      name: `key ${v.label}${v.fingerprint ? ` (fingerprint ${v.fingerprint})` : ""}  ${
        v.found.length > 0
          ? [...new Set(v.found.map((p) => `${p.env} ${p.client}`))].join(", ")
          : "(in the secrets file)"
      }${v.stored && v.found.length > 0 ? " (also in the secrets file)" : ""}`,
      value: v.label,
      short: `key ${v.label}`,
      description: v.found.map((p) => `${p.client} "${p.server}" ${p.field}: ${p.path}`).join("\n"),
    }));
    choices.push({
      name: `keep each one: every place keeps its own value; only the clients that had ${clash.servers.join(", ")} get it`,
      value: "keep-both",
      short: "keep each one",
    });
    choices.push({ name: "type another value (hidden)", value: TYPE_ONE, short: "a new value" });
    const answer = await prompts.select({
      message: `${clash.name} has different values in different places (${clash.servers.join(", ")}). Which should every client use?`,
      choices,
    });
    if (answer === TYPE_ONE) {
      chosen[clash.name] = TYPED;
      secrets[clash.name] = await prompts.password({
        message: `${clash.name} (hidden)`,
        validate: (v) => {
          const not = notAKey(clash.name, v);
          return not && not.kind !== "format" ? `That is ${not.reason}.` : true;
        },
      });
    } else chosen[clash.name] = answer;
  }
  return { chosen, secrets };
}
