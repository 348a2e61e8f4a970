/**
 * Questions shared by `add` and `init`: a template's inputs and the secrets servers need. Answers
 * come from flags first, then the process environment (secrets), then a prompt when interactive;
 * with --yes a missing required answer is an exit-2 error naming it.
 */
import type { Places } from "../core/catalogue/folder-places.js";
import { checkInput, checkSecret, type SecretAsk, type ServerTemplate } from "../core/catalogue/index.js";
import type { SecretFormat } from "../core/secrets/placeholders.js";

/**
 * A secret to ask for: a catalogue one, an MCP Registry server's, or one an imported config held a
 * placeholder for (the last two may name no page to get one).
 */
export type AskedSecret = SecretAsk;

const whereToGet = (spec: AskedSecret) => (spec.url ? ` Get one at ${spec.url}.` : "");

import { UsageError, UsageErrors } from "../core/errors.js";
import { dict, own } from "../core/plain-records.js";
import { assertAllKnown } from "../core/selectors.js";
import { orList } from "../core/text/prose-lists.js";
import type { Prompts } from "./prompts.js";

export interface AskContext {
  prompts: Prompts | undefined;
  homedir: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Where the server runs: a folder is looked for here (a Windows path typed inside WSL too). */
  places?: Places;
  /** The catalogue's formats per secret name (catalogueSecretFormats): the rule `secret set` keeps. */
  formats?: ReadonlyMap<string, readonly SecretFormat[]>;
}

export async function askInputs(
  template: ServerTemplate,
  given: Record<string, string>,
  ctx: AskContext,
): Promise<Record<string, string>> {
  const answers = dict<string>();
  const missing: UsageError[] = [];
  for (const [key, spec] of Object.entries(template.inputs ?? {})) {
    let value = own(given, key);
    if (value !== undefined) {
      const problem = checkInput(spec, value, ctx.homedir, ctx.places);
      if (problem) throw new UsageError("bad-input", `${template.name}: --arg ${key}: ${problem}.`);
    } else if (ctx.prompts) {
      value = await ctx.prompts.input({
        message: `${template.title}: ${spec.description}${spec.type === "folder" ? " (a folder)" : ""}`,
        ...(spec.default ? { default: spec.default } : {}),
        validate: (v) => checkInput(spec, v, ctx.homedir, ctx.places) ?? true,
      });
    } else if (spec.default !== undefined || spec.optional) {
      value = spec.default ?? "";
      const problem = value ? checkInput(spec, value, ctx.homedir, ctx.places) : undefined;
      if (problem)
        missing.push(
          new UsageError(
            "bad-input",
            `${template.name}: the default for ${key} does not work here: ${problem}.`,
            { hint: `Pass --arg ${key}=<value>.` },
          ),
        );
    } else {
      missing.push(
        new UsageError("missing-answer", `${template.name} needs ${key} (${spec.description}).`, {
          hint: `Pass --arg ${key}=<value>.`,
        }),
      );
    }
    if (value !== undefined) answers[key] = value;
  }
  if (missing.length > 0) throw new UsageErrors(missing);
  return answers;
}

export interface SecretAnswers {
  /** New values to store. */
  values: Record<string, string>;
  /** Optional secrets the user left out. */
  skipped: string[];
}

/**
 * `given`: NAME → value from `--secret NAME=VALUE`, or NAME → undefined for `--secret NAME` (take
 * it from the environment). Secrets already stored are not asked again.
 */
export async function askSecrets(
  specs: readonly AskedSecret[],
  given: Map<string, string | undefined>,
  stored: Readonly<Record<string, string>>,
  ctx: AskContext,
): Promise<SecretAnswers> {
  const out: SecretAnswers = { values: dict(), skipped: [] };
  const missing: UsageError[] = [];
  for (const spec of specs) {
    let value: string | undefined;
    if (given.has(spec.name)) {
      value = given.get(spec.name) ?? own(ctx.env, spec.name);
      if (value === undefined) {
        missing.push(
          new UsageError(
            "missing-secret",
            `--secret ${spec.name}: ${spec.name} is not set in the environment.`,
            { hint: `Export ${spec.name}, or pass --secret ${spec.name}=<value>.` },
          ),
        );
        continue;
      }
      const problem = checkSecret(spec, value, ctx.formats?.get(spec.name));
      if (problem) {
        missing.push(
          new UsageError("bad-secret", `--secret ${spec.name}: ${problem}.`, {
            hint: whereToGet(spec).trim() || `Check the value of ${spec.name}.`,
          }),
        );
        continue;
      }
      out.values[spec.name] = value;
      continue;
    }
    if (own(stored, spec.name) !== undefined) continue;
    if (ctx.prompts) {
      // Already exported in this shell (and well-formed): offer it instead of asking to paste it.
      const fromEnv = own(ctx.env, spec.name);
      if (
        fromEnv &&
        checkSecret(spec, fromEnv, ctx.formats?.get(spec.name)) === undefined &&
        (await ctx.prompts.confirm({
          message: `${spec.description}: use $${spec.name} from the environment?`,
          default: true,
        }))
      ) {
        out.values[spec.name] = fromEnv;
        continue;
      }
      value = await ctx.prompts.password({
        message: `${spec.description}${spec.optional ? " (optional, Enter to skip)" : ""}${spec.url ? ` — get one at ${spec.url}` : ""}`,
        validate: (v) => checkSecret(spec, v, ctx.formats?.get(spec.name)) ?? true,
      });
      if (value) out.values[spec.name] = value;
      else out.skipped.push(spec.name);
      continue;
    }
    if (spec.optional) {
      out.skipped.push(spec.name);
      continue;
    }
    missing.push(
      new UsageError("missing-secret", `Secret ${spec.name} is needed (${spec.description}).`, {
        hint: `Pass --secret ${spec.name}=<value> (or --secret ${spec.name} to take it from the environment), or run \`mcp-twin secret set ${spec.name}\` first.${whereToGet(spec)}`,
      }),
    );
  }
  if (missing.length > 0) throw new UsageErrors(missing);
  return out;
}

/** `--secret NAME=VALUE` / `--secret NAME` flags → a map (values may be undefined: from the environment). */
export function parseSecretFlags(flags: readonly string[]): Map<string, string | undefined> {
  const map = new Map<string, string | undefined>();
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    const name = eq === -1 ? flag : flag.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new UsageError(
        "secret-name",
        `--secret ${eq === -1 ? flag : `${name}=…`}: not a valid secret name.`,
      );
    map.set(name, eq === -1 ? undefined : flag.slice(eq + 1));
  }
  return map;
}

/**
 * Every `--arg` answers an input of a server being added: `name` (add; init: an input of any chosen
 * server) or `server.name` (init). One that answers none is a typo, and a typo must not fall back
 * silently to the default (`filesystem`'s folder would then be the whole home): exit 2, each one
 * named, with the inputs there are.
 */
export function checkArgNames(
  given: Readonly<Record<string, string>>,
  templates: readonly ServerTemplate[],
  options: { qualified: boolean },
): void {
  const known = templates.flatMap((t) =>
    Object.keys(t.inputs ?? {}).map((k) => (options.qualified ? `${t.name}.${k}` : k)),
  );
  const bare = templates.flatMap((t) => Object.keys(t.inputs ?? {}));
  const names = templates.map((t) => t.name);
  const which = orList(names);
  assertAllKnown(
    Object.keys(given),
    {
      code: "unknown-input",
      given: "--arg",
      isNot:
        names.length === 0 ? "no server is being added, so nothing takes it" : `not an input of ${which}`,
      knownAs: "The inputs",
      known,
      // In init, `folder` answers it as well as `filesystem.folder`: either may be what was meant.
      candidates: [...new Set([...bare, ...known])],
      noneKnown:
        names.length === 0
          ? "Name the server it is for with --server."
          : names.length === 1
            ? `${which} takes no --arg.`
            : `None of ${which} takes an --arg.`,
    },
    (key) => known.includes(key) || (options.qualified && bare.includes(key)),
  );
}

/** `--arg K=V` flags → a record. */
export function parseArgFlags(flags: readonly string[]): Record<string, string> {
  const out = dict<string>();
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq <= 0) throw new UsageError("bad-arg", `--arg ${flag}: expected NAME=VALUE.`);
    out[flag.slice(0, eq)] = flag.slice(eq + 1);
  }
  return out;
}
