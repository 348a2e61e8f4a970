/**
 * adopt: an entry edited by hand since sync wrote it (drift), or one mcp-twin never wrote under a
 * manifest server's name (foreign), taken into the manifest, so the next sync gives every other client
 * the same change.
 */

import type { Target } from "../clients/types.js";
import { besidesDefaults } from "../clients/written-defaults.js";
import { type Context, loadContext, openManifest, readTargetTexts } from "../context/context.js";
import { type DesiredInput, entriesNow, wireBridge } from "../entries/desired.js";
import type { BuiltEntry } from "../entries/target-entry.js";
import type { Machine } from "../environments/machine.js";
import { UsageError, UsageErrors } from "../errors.js";
import { entryKeys, readTargetEntries, readTargetFields } from "../formats/index.js";
import { saveHandWritten } from "../ledger/backups.js";
import { entryHash, isOurs, loadState, saveState } from "../ledger/state.js";
import { withServerFields, writeManifest } from "../manifest/edit.js";
import type { ServerSpec } from "../manifest/schema.js";
import { keysOnce, loadSecrets, updateSecrets } from "../manifest/secrets-file.js";
import { resolveString } from "../manifest/spec.js";
import { parseManifestText } from "../manifest/validate.js";
import { dict, own } from "../plain-records.js";
import { notAKey } from "../secrets/placeholders.js";
import { assertKnown, checkSelectors, unknownName } from "../selectors.js";
import { readTextOrNull, withLock } from "../system/files.js";
import type { Progress } from "../system/progress.js";
import { bridgedRefusal } from "./adopt-bridged.js";
import { type AdoptMerge, adoptMerge, type ReadEntry } from "./adopt-merge.js";
import { adoptToolRule, toolFieldsDiffer } from "./adopt-tool-rule.js";
import type { Source } from "./fold.js";
import { allocateSecrets } from "./inline-keys.js";
import { occurrence } from "./read-config.js";

export interface AdoptOptions {
  server: string;
  /** Which entry, when several differ: `env:client`, a client id, or the file's path. */
  from?: string | undefined;
  manifest?: string | undefined;
  project?: string | undefined;
  envs: string[];
  clients: string[];
}

/** An entry of the server that is not what sync wrote. */
export interface AdoptSource {
  env: string;
  client: string;
  scope: string;
  path: string;
  state: "drifted" | "foreign";
}

export interface AdoptPlan {
  manifestFile: string;
  server: string;
  source: AdoptSource;
  /** Every entry of the server that could be adopted (the one chosen among them). */
  sources: AdoptSource[];
  /** Manifest text before and after. */
  before: string;
  after: string;
  merge: Pick<AdoptMerge, "changes" | "replaced">;
  /** Secrets stored (new names) and replaced (a new value for a name the manifest used already). */
  stored: string[];
  replaced: string[];
  /** Values to store: never print them (mask them in anything shown). */
  secretValues: Record<string, string>;
  notes: string[];
  /** Other targets whose entry the next sync changes. */
  thenSync: Array<{ env: string; client: string; scope: string }>;
  /** The adopted entry itself is not in sync's form (e.g. npx): the next sync rewrites it. */
  rewritten: boolean;
  /** For applying: the target, its entry's hash, and the entry as written (foreign: kept for uninstall). */
  target: { key: string; env: string; client: string; scope: string; path: string };
  hash: string;
  handWritten?: unknown;
}

/** Several entries of the server differ: choose one (a terminal's question), else it is an error. */
export type AdoptPick = (sources: AdoptSource[]) => Promise<number | undefined>;

/** An entry of the server that is not what sync wrote, with what sync would write there now. */
interface FoundEntry {
  source: AdoptSource;
  target: Target;
  value: unknown;
  built?: BuiltEntry;
  /** The client's own fields of the entry (its keptKeys) the manifest's clientFields lack or differ from. */
  fields: Record<string, unknown>;
  /** More than those fields differs: the launch (the keys sync owns) is not what sync wrote. */
  launchEdited: boolean;
}

type Desired = Awaited<ReturnType<typeof builtEntries>>;

/**
 * The third way with a hand edit, beside keeping it (sync leaves it alone) and overwriting it
 * (`sync --force`). The entry is read the way import reads entries, the changed values go where the
 * manifest defines them (adopt-merge.ts), keys go to the secrets file (never the manifest), and the
 * entry is recorded as mcp-twin's again.
 */
export async function planAdopt(
  machine: Machine,
  options: AdoptOptions,
  progress: Progress,
  pick?: AdoptPick,
): Promise<AdoptPlan> {
  checkSelectors({ clients: options.clients, envs: options.envs });
  const opened = await openManifest(machine, options);
  const { loaded } = opened;
  const spec = own(loaded.manifest.servers, options.server);
  if (spec === undefined)
    throw unknownName({
      code: "unknown-server",
      given: "adopt",
      name: options.server,
      isNot: "not a server of the manifest (`mcp-twin import` brings in servers it does not have yet)",
      knownAs: `Servers of ${loaded.file}`,
      known: Object.keys(loaded.manifest.servers),
    });
  const prepared = await loadContext(machine, { ...options, opened }, progress);
  // A file that does not parse stops adopt (exit 2), as it stops sync.
  const { texts, unreadable, unparsable } = await readTargetTexts(prepared);
  if (unreadable.length + unparsable.length > 0) throw new UsageErrors([...unreadable, ...unparsable]);
  // What status and sync write: a shared server's entries are the bridge's (with its port checked).
  const bridge = await wireBridge(machine, prepared.manifest, prepared.allEnvs, {
    createToken: false,
    checkPort: true,
    state: prepared.state,
  });
  const wired = { ...prepared, bridge };
  const desired = await builtEntries(wired);
  const found = differingEntries(prepared, texts, desired, options.server);
  const pickedOne = await chooseEntry(found, options, pick);
  const target = pickedOne.target;

  const written = pickedOne.built?.ok ? pickedOne.built.value : undefined;
  // A tool restriction set by hand (the client's own per-tool field) goes into the tool rules.
  const tools = adoptToolRule(target.client, options.server, spec, asRecord(pickedOne.value), written);
  const merge = pickedOne.built?.bridged
    ? bridgedMerge(options.server, pickedOne, tools !== undefined)
    : launchMerge(prepared, options.server, spec, pickedOne);
  if (tools) {
    merge.edits.push(...tools.edits);
    merge.changes.push(...tools.changes);
  }
  const fieldNotes = adoptFields(merge, target.client.id, pickedOne.fields);
  const keys = adoptedKeys(
    merge,
    await loadSecrets(machine.paths.secrets),
    loaded.manifest.servers,
    options.server,
  );

  // The manifest, edited at the changed fields only (comments and layout elsewhere stay).
  const text = (await readTextOrNull(loaded.file)) ?? "";
  const after = withServerFields(text, loaded.file, options.server, keys.edits);
  const newSpec = own(parseManifestText(after, loaded.file).servers, options.server);
  // Only its fields were edited: the server is still there.
  if (!newSpec) throw new Error(`${options.server} is gone from the manifest after its edit`);
  const { thenSync, rewritten, here } = await whatSyncDoesNext(
    wired,
    desired,
    options.server,
    newSpec,
    keys.secretValues,
    pickedOne,
  );
  const notes = [...keys.notes, ...fieldNotes];
  // The rules for every client (servers.<name>.tools) may keep what the entry lets in: said.
  if (
    tools &&
    here?.ok &&
    !here.bridged &&
    toolFieldsDiffer(target.client, asRecord(pickedOne.value), here.value)
  )
    notes.push(
      `the next sync still writes ${target.client.name}'s tool field as the manifest's rules say, not as the entry has it: servers.${options.server}.tools applies to every client, and a client's rule only narrows it (\`mcp-twin tools --client ${target.client.id}\` shows what it loads)`,
    );
  if (merge.changes.length === 0 && Object.keys(keys.secretValues).length === 0)
    notes.push(
      "the entry means what the manifest says already (only its form differs): nothing in the manifest changes",
    );

  return {
    manifestFile: loaded.file,
    server: options.server,
    source: pickedOne.source,
    sources: found.map((f) => f.source),
    before: text,
    after,
    merge: { changes: merge.changes, replaced: merge.replaced },
    stored: keys.stored,
    replaced: keys.replaced,
    secretValues: keys.secretValues,
    notes,
    thenSync,
    rewritten,
    target: {
      key: target.key,
      env: target.env.id,
      client: target.client.id,
      scope: target.scope,
      path: target.path,
    },
    hash: entryHash(pickedOne.value),
    ...(pickedOne.source.state === "foreign" ? { handWritten: pickedOne.value } : {}),
  };
}

/** The entry read the way import reads entries, its changed values merged into the server's. */
function launchMerge(prepared: Context, server: string, spec: ServerSpec, picked: FoundEntry): AdoptMerge {
  const { target } = picked;
  const read = (value: unknown) => readAs(prepared, target, server, value);
  const now = read(picked.value);
  if ("reason" in now)
    throw new UsageError(
      "cannot-adopt",
      `${server} in ${sourceName(picked.source)} (${target.path}) cannot be taken into the manifest: ${now.reason}.`,
      {
        // sync never writes over the client's own entry: only another name gets the server there.
        hint:
          target.client.ownEntry?.(picked.value) !== undefined
            ? `Rename the server in the manifest to have it in ${target.client.name}.`
            : "Edit the manifest by hand, or run `mcp-twin sync --force` to put mcp-twin's entry back.",
      },
    );
  const built = picked.built?.ok ? read(picked.built.value) : undefined;
  return adoptMerge({
    spec,
    runsIn: picked.built?.ok ? picked.built.runsIn : now.runsIn,
    now,
    before: built && !("reason" in built) ? built : undefined,
    resolve: (t) => resolveString(t, { secrets: prepared.secrets, env: prepared.machine.host.env }).text,
  });
}

/**
 * A shared server's entry is the bridge's, derived by sync: never read as a launch (its url is the
 * gateway's, not the server's). Only the client's own fields on it are taken (adoptFields); any
 * other difference is refused, naming the file and why (adopt-bridged.ts).
 */
function bridgedMerge(server: string, picked: FoundEntry, toolRule: boolean): AdoptMerge {
  const { built } = picked;
  // Its tool field set by hand: the tool rules are the manifest's place for it (the gateway keeps them).
  const onlyTools =
    toolRule &&
    built?.ok === true &&
    !toolFieldsDiffer(picked.target.client, asRecord(picked.value), built.value, { others: true });
  if (picked.launchEdited && built && !onlyTools)
    throw bridgedRefusal({
      server,
      where: sourceName(picked.source),
      path: picked.target.path,
      state: picked.source.state,
      value: picked.value,
      built,
    });
  return { edits: [], rotations: {}, newSecrets: [], changes: [], replaced: false };
}

/** Every target's entry of the server that is not what sync wrote: edited by hand, or not mcp-twin's. */
function differingEntries(
  prepared: Context,
  texts: ReadonlyMap<string, string | null>,
  desired: Desired,
  server: string,
): FoundEntry[] {
  const found: FoundEntry[] = [];
  for (const target of prepared.targets) {
    const text = texts.get(target.key) ?? "";
    const current = readTargetEntries(target, text);
    if (!Object.hasOwn(current, server)) continue;
    const value = current[server];
    const record = own(prepared.state.targets[target.key]?.entries ?? {}, server);
    const built = desired.get(target.key)?.get(server);
    const fields = newFields(target, server, own(readTargetFields(target, text), server), built);
    const launch = record
      ? isOurs(record, value)
        ? undefined
        : "drifted"
      : built?.ok && entryHash(built.value) === entryHash(value)
        ? undefined
        : "foreign";
    // Only the client's own fields are new (Claude Code's alwaysLoad): the entry is the user's edit.
    const state = launch ?? (Object.keys(fields).length > 0 ? (record ? "drifted" : "foreign") : undefined);
    if (!state) continue;
    const source = {
      env: target.env.id,
      client: target.client.id,
      scope: target.scope,
      path: target.path,
      state,
    } as const;
    found.push({
      source,
      target,
      value,
      fields,
      launchEdited: launch !== undefined,
      ...(built ? { built } : {}),
    });
  }
  return found;
}

/**
 * The entry's fields of the client's own (its keptKeys) that the manifest's clientFields lack or
 * differ from, less those sync writes on a new entry itself (Goose's `enabled: true`).
 */
function newFields(
  target: Target,
  server: string,
  fields: Readonly<Record<string, unknown>> | undefined,
  built: BuiltEntry | undefined,
): Record<string, unknown> {
  const declared = built?.ok ? (built.fields ?? {}) : {};
  const own = entryKeys(target.client).kept ?? [];
  return Object.fromEntries(
    Object.entries(besidesDefaults(target.client, server, fields ?? {})).filter(
      ([k, v]) => own.includes(k) && (!Object.hasOwn(declared, k) || entryHash(declared[k]) !== entryHash(v)),
    ),
  );
}

/** A field whose name, or a name inside it, says it holds a secret (Cursor's `auth.CLIENT_SECRET`). */
const SECRET_NAME = /secret|token|password|passwd|credential|private|api[-_]?key/i;

function holdsSecret(name: string, value: unknown): boolean {
  if (SECRET_NAME.test(name)) return true;
  if (Array.isArray(value)) return value.some((v) => holdsSecret("", v));
  if (value && typeof value === "object") return Object.entries(value).some(([k, v]) => holdsSecret(k, v));
  return false;
}

/**
 * The client's own fields into the manifest's `clientFields.<client>` (edits and changes added to
 * the merge); a field that holds a secret stays in the entry only (the manifest holds no secret
 * value, and clientFields are written as given). Returns notes for what was left.
 */
function adoptFields(merge: AdoptMerge, client: string, fields: Readonly<Record<string, unknown>>): string[] {
  const notes: string[] = [];
  for (const [field, value] of Object.entries(fields)) {
    if (holdsSecret(field, value)) {
      notes.push(
        `${field}: it holds a secret, so it stays in the entry only (sync keeps it there); it is not put into the manifest`,
      );
      continue;
    }
    merge.edits.push({ path: ["clientFields", client, field], value });
    merge.changes.push(`clientFields.${client}.${field} set (${client}'s own field, from the entry)`);
  }
  return notes;
}

/** The entry to adopt: the one --from names, the only one, or the one a terminal's question picks. */
async function chooseEntry(
  found: FoundEntry[],
  options: AdoptOptions,
  pick?: AdoptPick,
): Promise<FoundEntry> {
  let chosen = found.filter((f) => matchSource(options.from, f.source));
  if (found.length === 0)
    throw new UsageError(
      "nothing-to-adopt",
      `${options.server}: no client holds an entry edited by hand (or one mcp-twin did not write) under this name${options.envs.length + options.clients.length > 0 ? " among the targets chosen" : ""}.`,
      { hint: "`mcp-twin status` shows each entry's state." },
    );
  if (chosen.length === 0)
    assertKnown({
      code: "unknown-target",
      given: "--from",
      // Nothing chosen while something differs: --from named none of them.
      name: options.from ?? "",
      isNot: `not an entry of ${options.server} that differs from the manifest`,
      knownAs: "Entries that differ",
      known: found.map((f) => sourceName(f.source)),
    });
  if (chosen.length > 1) {
    const index = pick ? await pick(chosen.map((f) => f.source)) : undefined;
    if (index === undefined)
      throw new UsageError(
        "adopt-which",
        `${options.server} differs from the manifest in ${chosen.length} places: ${chosen.map((f) => sourceName(f.source)).join(", ")}.`,
        {
          hint: `Name the one to take into the manifest: ${chosen.map((f) => `--from ${sourceName(f.source)}`).join(", ")}.`,
        },
      );
    const one = chosen[index];
    chosen = one ? [one] : [];
  }
  const [first] = chosen;
  if (!first) throw new Error(`${options.server}: no entry was chosen`);
  return first;
}

/** An entry of the target read the way import reads entries, or why it cannot be. */
function readAs(
  prepared: Context,
  target: Target,
  server: string,
  value: unknown,
): (ReadEntry & { runsIn: string }) | { reason: string } {
  const source: Source = { env: target.env.id, client: target.client.id, scope: "user", path: target.path };
  const occ = occurrence(target, source, server, value, prepared.allEnvs);
  if ("reason" in occ) return occ;
  return {
    form: occ.occurrence.form,
    uses: occ.uses,
    via: occ.occurrence.via,
    runsIn: occ.occurrence.runsIn,
  };
}

/**
 * Keys: a new value for a name the manifest uses already replaces it; new keys get import's
 * names, never taking a name that holds another value. The edits refer to the names given.
 */
function adoptedKeys(
  merge: AdoptMerge,
  stored: Readonly<Record<string, string>>,
  servers: Readonly<Record<string, ServerSpec>>,
  server: string,
) {
  const notes: string[] = [];
  const rotations = dict<string>();
  for (const [name, value] of Object.entries(merge.rotations)) {
    const not = notAKey(name, value);
    if (not && not.kind !== "format") {
      notes.push(
        `${name}: the edited entry holds ${not.reason}; the stored value is kept (\`mcp-twin secret set ${name}\` sets a new one)`,
      );
      continue;
    }
    if (own(stored, name) !== value) rotations[name] = value;
  }
  const allocation = allocateSecrets(merge.newSecrets, { ...stored, ...rotations });
  const renames = new Map(merge.newSecrets.map((s) => [s.name, allocation.rename(s.name, s.value)]));
  const edits = merge.edits.map((e) => ("value" in e ? { ...e, value: renameRefs(e.value, renames) } : e));
  const secretValues = dict<string>({ ...rotations, ...allocation.store });
  for (const name of Object.keys(rotations)) {
    const users = Object.entries(servers)
      .filter(([n, s]) => n !== server && JSON.stringify(s).includes(`\${secret:${name}}`))
      .map(([n]) => n);
    if (users.length > 0)
      notes.push(
        `${name} is used by ${users.join(", ")} too: the next sync gives them the new value as well`,
      );
  }
  return {
    notes,
    edits,
    secretValues,
    stored: Object.keys(allocation.store).sort(),
    replaced: Object.keys(rotations).sort(),
  };
}

/** What the next sync does with the new definition: this entry (rewritten or not), and the other clients'. */
async function whatSyncDoesNext(
  prepared: Context & DesiredInput,
  desired: Desired,
  server: string,
  newSpec: ServerSpec,
  secretValues: Readonly<Record<string, string>>,
  pickedOne: FoundEntry,
): Promise<{ thenSync: AdoptPlan["thenSync"]; rewritten: boolean; here: BuiltEntry | undefined }> {
  const next = await builtEntries({
    ...prepared,
    servers: prepared.servers.map(([n, s]) => [n, n === server ? newSpec : s] as [string, ServerSpec]),
    secrets: dict({ ...prepared.secrets, ...secretValues }),
  });
  const thenSync: AdoptPlan["thenSync"] = [];
  let rewritten = false;
  for (const t of prepared.targets) {
    const was = desired.get(t.key)?.get(server);
    const will = next.get(t.key)?.get(server);
    if (t.key === pickedOne.target.key) {
      rewritten = !will?.ok || entryHash(will.value) !== entryHash(pickedOne.value);
      continue;
    }
    // The launch and the manifest's clientFields: either changing is a change to that entry.
    const same =
      was?.ok && will?.ok
        ? entryHash([was.value, was.fields ?? {}]) === entryHash([will.value, will.fields ?? {}])
        : was?.ok === will?.ok;
    if (!same) thenSync.push({ env: t.env.id, client: t.client.id, scope: t.scope });
  }
  return { thenSync, rewritten, here: next.get(pickedOne.target.key)?.get(server) };
}

/** Write the plan: secrets first, then the manifest, then the entry recorded as mcp-twin's. */
export async function applyAdopt(machine: Machine, plan: AdoptPlan): Promise<void> {
  await withLock(machine.home.dir, async () => {
    if (Object.keys(plan.secretValues).length > 0)
      await updateSecrets(machine.paths.secrets, (now) => ({ ...now, ...plan.secretValues }));
    if (plan.after !== plan.before)
      await writeManifest(machine, plan.manifestFile, (current) => {
        if (current === plan.before) return plan.after;
        throw new UsageError(
          "manifest-changed",
          `${plan.manifestFile} changed while mcp-twin was reading it: nothing was written to it.`,
          { hint: "Run the command again." },
        );
      });
    const state = await loadState(machine.paths.state);
    const t = plan.target;
    const record = state.targets[t.key] ?? {
      env: t.env,
      client: t.client,
      scope: t.scope,
      path: t.path,
      entries: {},
    };
    state.targets[t.key] = record;
    const previous = own(record.entries, plan.server);
    if (plan.handWritten !== undefined)
      await saveHandWritten(
        machine.paths.backups,
        t,
        { [plan.server]: plan.handWritten },
        keysOnce(machine.paths.secrets),
      );
    record.entries[plan.server] = {
      hash: plan.hash,
      ...(plan.handWritten !== undefined
        ? { handWritten: plan.hash }
        : previous?.handWritten
          ? { handWritten: previous.handWritten }
          : {}),
    };
    await saveState(machine.paths.state, state);
  });
}

export function sourceName(s: Pick<AdoptSource, "env" | "client" | "scope">): string {
  return `${s.env}:${s.client}${s.scope === "project" ? " (project)" : ""}`;
}

function matchSource(from: string | undefined, s: AdoptSource): boolean {
  if (!from) return true;
  if (from === s.client || from === `${s.env}:${s.client}` || from === s.path) return true;
  return s.path.replace(/\\/g, "/").endsWith(from.replace(/\\/g, "/"));
}

function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function renameRefs(value: unknown, renames: ReadonlyMap<string, string>): unknown {
  if (typeof value === "string")
    return value.replace(/\$\{secret:([A-Za-z_][A-Za-z0-9_]*)\}/g, (w, n: string) =>
      renames.has(n) ? `\${secret:${renames.get(n)}}` : w,
    );
  if (Array.isArray(value)) return value.map((v) => renameRefs(v, renames));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renameRefs(v, renames)]));
  return value;
}

/** Every target's entries as sync would write them now (status builds the same: desired.ts). */
function builtEntries(ctx: Context & DesiredInput) {
  return entriesNow(ctx.machine, ctx, ctx.state);
}
