/**
 * `mcp-twin secret set|list|rm`: the home's keys, in the OS keychain or the secrets file. Values
 * come from a masked prompt or stdin — never from the command line — and are never printed.
 */

import type { Machine } from "../core/environments/machine.js";
import { UsageError } from "../core/errors.js";
import { loadManifest, locateManifest } from "../core/manifest/load.js";
import {
  assertSecretName,
  loadSecretsFile,
  privacyNote,
  type SecretsWhere,
  secretsPrivacy,
  updateSecrets,
} from "../core/manifest/secrets-file.js";
import { secretUsers } from "../core/manifest/spec.js";
import { own } from "../core/plain-records.js";
import { notAKey } from "../core/secrets/placeholders.js";
import { assertAction, assertKnown, didYouMean } from "../core/selectors.js";
import { withLock } from "../core/system/files.js";
import { andList } from "../core/text/prose-lists.js";
import { inquirerPrompts, readStdin } from "../ui/prompts.js";
import type { secretCommand } from "./secret-flags.js";
import type { ContextOf } from "./shared/command.js";
import { openCommandMachine } from "./shared/open-machine.js";

/** What this command gets: its options typed by secret-flags.ts. */
type Ctx = ContextOf<typeof secretCommand>;

/** What every action works on: the machine and the secrets file, its values masked. */
interface SecretsAt {
  machine: Machine;
  file: string;
  secrets: Record<string, string>;
  where: SecretsWhere;
}

export async function run(ctx: Ctx): Promise<number> {
  const [action, name] = ctx.args;
  assertAction(
    "secret",
    action ?? "",
    ["set", "list", "rm"],
    "mcp-twin secret set NAME | secret list | secret rm NAME",
  );
  const machine = await openCommandMachine(ctx);
  const file = machine.paths.secrets;
  const { secrets, where } = await loadSecretsFile(file);
  ctx.output.addSecrets(Object.values(secrets));
  if (where.moved)
    ctx.output.info(`Moved ${andList(where.moved)} from ${machine.shown(file)} into ${where.label}.`);
  const at: SecretsAt = { machine, file, secrets, where };
  if (action === "list") return list(ctx, at);
  if (!name) throw new UsageError("missing-argument", `secret ${action} needs a NAME.`);
  assertSecretName(name);
  return action === "rm" ? remove(ctx, at, name) : set(ctx, at, name);
}

/** `secret list`: every name stored or referenced, where its value comes from, who uses it. */
async function list(ctx: Ctx, { machine, file, secrets, where }: SecretsAt): Promise<number> {
  const used = await usedBy(ctx, machine);
  const names = [...new Set([...Object.keys(secrets), ...used.keys()])].sort();
  const rows = names.map((n) => ({
    name: n,
    stored: Object.hasOwn(secrets, n),
    fromEnvironment: !Object.hasOwn(secrets, n) && own(ctx.host.env, n) !== undefined,
    usedBy: used.get(n) ?? [],
  }));
  const kept = keptIn(machine, file, where);
  if (ctx.output.json) ctx.output.result({ file, store: where.kind, keptIn: kept, secrets: rows });
  else if (rows.length === 0) ctx.output.print("No secrets stored, and the manifest references none.");
  else {
    for (const r of rows) {
      const state = r.stored
        ? ctx.output.theme.ok
        : r.fromEnvironment
          ? ctx.output.theme.info
          : ctx.output.theme.fail;
      const from = r.stored ? `stored in ${kept}` : r.fromEnvironment ? "from the environment" : "not set";
      ctx.output.print(
        `${state} ${r.name.padEnd(28)} ${from}${r.usedBy.length > 0 ? `, used by ${r.usedBy.join(", ")}` : ", not used by the manifest"}`,
      );
    }
    // Exit 1 says something is missing: say too how to fill it in.
    const unset = rows.filter((r) => !r.stored && !r.fromEnvironment).map((r) => r.name);
    if (unset.length > 0)
      ctx.output.info(
        unset.length === 1
          ? `Set it with \`mcp-twin secret set ${unset[0]}\` (or export ${unset[0]}): until then, \`mcp-twin sync\` stops (exit 2) before writing any client config.`
          : `Set each with \`mcp-twin secret set NAME\` (or export it): until then, \`mcp-twin sync\` stops (exit 2) before writing any client config.`,
      );
  }
  if (!ctx.output.json && where.why) ctx.output.info(`Keys are kept in ${kept}: ${where.why}.`);
  return rows.some((r) => !r.stored && !r.fromEnvironment) ? 1 : 0;
}

/** `secret rm NAME`: out of the secrets file; a server that still uses it is named. */
async function remove(ctx: Ctx, { machine, file, secrets }: SecretsAt, name: string): Promise<number> {
  assertKnown({
    code: "unknown-secret",
    given: "secret rm",
    name,
    isNot: `no secret of that name is stored in ${machine.shown(file)}`,
    knownAs: "Stored secrets",
    known: Object.keys(secrets).sort(),
  });
  if (!ctx.options.dryRun) {
    await withLock(machine.home.dir, async () => {
      await updateSecrets(file, (now) => {
        delete now[name];
        return now;
      });
    });
  }
  // Still referenced (and not exported either): the next sync stops on it. Say so now, not then.
  const users = own(ctx.host.env, name) === undefined ? ((await usedBy(ctx, machine)).get(name) ?? []) : [];
  if (ctx.output.json)
    ctx.output.result({ removed: name, dryRun: Boolean(ctx.options.dryRun), usedBy: users });
  else
    ctx.output.print(
      `${ctx.options.dryRun ? ctx.output.theme.bullet : ctx.output.theme.ok} ${ctx.options.dryRun ? "Would remove" : "Removed"} ${name}.`,
    );
  if (users.length > 0) {
    const list = andList(users);
    ctx.output.warn(
      `${list} still ${users.length === 1 ? "uses" : "use"} ${name}: until it is set again (\`mcp-twin secret set ${name}\`) or ${users.length === 1 ? "that server is" : "those servers are"} removed (\`mcp-twin remove ${users[0]}\`), \`mcp-twin sync\` stops (exit 2) before writing any client config.`,
    );
  }
  return 0;
}

/** `secret set NAME`: the value from stdin or a hidden prompt, checked as the wizard checks it, stored. */
async function set(ctx: Ctx, at: SecretsAt, name: string): Promise<number> {
  const { machine, file } = at;
  const value = await readValue(ctx, name);
  ctx.output.addSecrets([value]);
  // The wizard's check, here too: a placeholder or a value failing the catalogue's format for
  // this name is refused unless --force (and even then sync never writes a placeholder).
  const { catalogueSecretFormats } = await import("../core/catalogue/secret-formats.js");
  const formats = catalogueSecretFormats(machine.home.dir).get(name) ?? [];
  const problem = notAKey(name, value, formats);
  const force = Boolean(ctx.options.force);
  if (problem && !force) {
    throw new UsageError("not-a-key", `secret set ${name}: the value is ${problem.reason}; not stored.`, {
      hint:
        problem.kind === "format"
          ? `Check what you pasted. If it is right (a key of a new format), store it with \`mcp-twin secret set ${name} --force\`: sync then accepts this value.`
          : `Paste the real key (a placeholder would be written into every client). \`--force\` stores it anyway, but sync refuses to write it.`,
    });
  }
  const stored = ctx.options.dryRun ? "would be stored" : "stored";
  if (problem)
    ctx.output.warn(
      problem.kind === "format"
        ? `${name} is ${problem.reason}; ${stored} as you asked (--force), and sync will write this value.`
        : `${name} is ${problem.reason}; ${stored} as you asked (--force), but sync will refuse to write it into a client config.`,
    );
  // A placeholder is stored, but sync refuses it: no "run sync to use it" after the warning. A
  // name no server references (a typo of TAVILY_API_KEY) is not used by a sync either: say so.
  const uses = await usedBy(ctx, machine);
  const guess = uses.has(name) ? [] : didYouMean(name, [...uses.keys()]);
  const next =
    problem && problem.kind !== "format"
      ? ` Store the real key (\`mcp-twin secret set ${name}\`) before \`mcp-twin sync\`.`
      : uses.has(name)
        ? " Run `mcp-twin sync` to use it."
        : ` No server in the manifest uses it yet${guess.length > 0 ? ` (did you mean ${guess.join(" or ")}?)` : ""}: sync writes it where a server's spec says \`\${secret:${name}}\`.`;
  let where = at.where;
  if (!ctx.options.dryRun) {
    where = await withLock(machine.home.dir, async () =>
      updateSecrets(
        file,
        (now) => ({ ...now, [name]: value }),
        problem?.kind === "format" ? { accept: [name] } : {},
      ),
    );
  }
  if (ctx.output.json)
    ctx.output.result({
      set: name,
      file,
      store: where.kind,
      dryRun: Boolean(ctx.options.dryRun),
      usedBy: uses.get(name) ?? [],
    });
  else {
    ctx.output.print(
      `${ctx.options.dryRun ? ctx.output.theme.bullet : ctx.output.theme.ok} ${ctx.options.dryRun ? "Would store" : "Stored"} ${name} in ${keptIn(machine, file, where)}.${next}`,
    );
    if (where.why) ctx.output.info(`No OS keychain is used: ${where.why}.`);
  }
  return 0;
}

/** The value to store: stdin when it is not a terminal, else a hidden prompt (not with --yes). */
async function readValue(ctx: Ctx, name: string): Promise<string> {
  const interactive = Boolean(ctx.terminal.stdin.isTTY) && !ctx.options.yes;
  let value: string;
  if (!ctx.terminal.stdin.isTTY) value = await readStdin(ctx.terminal.stdin, ctx.signal);
  else if (interactive)
    value = await inquirerPrompts(ctx.signal).password({
      message: `Value of ${name}`,
      validate: (v) => (v ? true : "a value is needed"),
    });
  else
    throw new UsageError("no-value", `secret set ${name}: with --yes the value must come on stdin.`, {
      hint: `printf %s "$VALUE" | mcp-twin secret set ${name}`,
    });
  if (!value) throw new UsageError("no-value", `secret set ${name}: the value is empty.`);
  return value;
}

/** Where the keys are, as said: the keychain's name, or the file with what keeps it private. */
function keptIn(machine: Machine, file: string, where: SecretsWhere): string {
  return where.kind === "keychain"
    ? (where.label ?? "the OS keychain")
    : `${machine.shown(file)} (${privacyNote(secretsPrivacy(machine))})`;
}

/** Secret name → servers of the manifest that reference it. */
async function usedBy(ctx: Ctx, machine: Machine): Promise<Map<string, string[]>> {
  try {
    const file = locateManifest({
      manifest: ctx.options.manifest,
      cwd: ctx.host.cwd,
      homeManifest: machine.paths.manifest,
    });
    const { manifest } = await loadManifest(file, { cacheDir: machine.paths.cache });
    return secretUsers(manifest.servers);
  } catch {
    // an unreadable manifest: list the stored names only
    return new Map();
  }
}
