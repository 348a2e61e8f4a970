/**
 * Entries that hold a key (a `"share": "off"` server's), known unchanged without reading the key: each
 * write records a hash of the entry built with every key's name in place of its value, under the keys' stamp.
 */
import type { Target } from "../clients/types.js";
import type { Context } from "../context/context.js";
import type { DesiredEntries } from "../entries/desired.js";
import type { BuiltEntry } from "../entries/target-entry.js";
import { readTargetEntries } from "../formats/index.js";
import { entryHash, type State } from "../ledger/state.js";
import { dict, own } from "../plain-records.js";

/** Each stored key (read or not) as its own `${secret:NAME}`: what entries are before their keys are put in. */
export function keyNames(ctx: Pick<Context, "secrets" | "keysUnread">): Record<string, string> {
  const out = dict<string>();
  for (const name of [...Object.keys(ctx.secrets), ...(ctx.keysUnread?.names ?? [])])
    out[name] = `\${secret:${name}}`;
  return out;
}

/** Builds the entries with these secrets (the run's own when none are given). */
export type BuildEntries = (secrets?: Readonly<Record<string, string>>) => Promise<DesiredEntries>;

/**
 * Keys in the keychain (a stamp) and entries that hold one (`built`, with the keys): each marked with
 * its key-less hash, for the write to record (`named`: the entries with key names, when built already).
 */
export async function markHeldKeys(
  ctx: Pick<Context, "secrets" | "keysUnread" | "stamp">,
  built: DesiredEntries,
  build: BuildEntries,
  named?: DesiredEntries,
): Promise<void> {
  const values = new Set(Object.values(ctx.secrets));
  const holdsKey = [...built.values()].some((m) =>
    [...m.values()].some((b) => b.ok && b.secretValues.some((v) => values.has(v))),
  );
  if (ctx.stamp && holdsKey) markKeyless(built, named ?? (await build(keyNames(ctx))), ctx.stamp);
}

const sameBuild = (a: BuiltEntry | undefined, b: BuiltEntry | undefined): boolean =>
  a?.ok === b?.ok &&
  (!a?.ok || !b?.ok || entryHash([a.value, a.fields ?? null]) === entryHash([b.value, b.fields ?? null]));

/** The hash of an entry built with its keys' names, under `stamp`: no key is in it. */
const keylessHash = (entry: Extract<BuiltEntry, { ok: true }>, stamp: string) =>
  entryHash({ entry: entry.value, fields: entry.fields ?? null, stamp });

/**
 * The entries with keys (`built`), each that holds one (`named` builds it otherwise) marked, in place,
 * with its key-less hash (EntryRecord.keyless). In place: a harness's entries are known by their map (desired.ts).
 */
function markKeyless(built: DesiredEntries, named: DesiredEntries, stamp: string): void {
  for (const [key, entries] of built)
    for (const [server, entry] of entries) {
      const bare = named.get(key)?.get(server);
      if (entry.ok && bare?.ok && !sameBuild(entry, bare))
        entries.set(server, { ...entry, keyless: keylessHash(bare, stamp) });
    }
}

/**
 * No key read (`unread`): each entry that needs one, taken (in place) as its file holds it when its
 * key-less hash is the one recorded at the write that left it there (same inputs, same stamp) and
 * the file still holds exactly what was written. False, nothing changed, when any is not so: the
 * keys are to be read.
 */
export function takeRecorded(
  unread: DesiredEntries,
  named: DesiredEntries,
  stamp: string,
  targets: readonly Target[],
  texts: ReadonlyMap<string, string | null>,
  state: State,
): boolean {
  const taken: Array<[Map<string, BuiltEntry>, string, BuiltEntry]> = [];
  for (const target of targets) {
    const entries = unread.get(target.key);
    const bare = named.get(target.key);
    if (!entries || !bare) return false;
    const servers = new Set([...entries.keys(), ...bare.keys()]);
    const differ = [...servers].filter((s) => !sameBuild(entries.get(s), bare.get(s)));
    if (differ.length === 0) continue;
    const current = readTargetEntries(target, texts.get(target.key) ?? "");
    const owned = state.targets[target.key]?.entries ?? {};
    for (const server of differ) {
      const entry = bare.get(server);
      const record = own(owned, server);
      const value = own(current, server);
      // The client's own fields are compared one by one with the manifest's: one holding a key is read.
      if (!entry?.ok || JSON.stringify(entry.fields ?? {}).includes("${secret:")) return false;
      const keyless = keylessHash(entry, stamp);
      if (record?.keyless !== keyless || record.pending || value === undefined) return false;
      if (entryHash(value) !== record.hash) return false;
      taken.push([
        entries,
        server,
        { ...entry, value: value as Record<string, unknown>, secretValues: [], keyless },
      ]);
    }
  }
  for (const [entries, server, entry] of taken) entries.set(server, entry);
  return true;
}
