/**
 * What each client reads of a server's entry once sync has run (pure): sync's entry with the
 * client's own fields the file holds; the file's own where sync leaves it alone; and its off switch.
 */

import { toolFieldForms } from "../clients/tool-field.js";
import type { ClientModule, Target } from "../clients/types.js";
import type { DesiredEntries } from "../entries/desired.js";
import { classifyTarget, type EntryState, entriesMeant } from "../entries/ownership.js";
import type { BuiltEntry, ToolRuleOutcome } from "../entries/target-entry.js";
import { readTargetEntries, readTargetFields } from "../formats/index.js";
import { entryHash, type State } from "../ledger/state.js";
import { own } from "../plain-records.js";

export interface EntryInFile {
  /** Who owns it, as status says (ownership.ts): sync leaves a `foreign` or `drifted` one as it is. */
  state: EntryState;
  /** The entry as the client reads it after the next sync. */
  entry: Record<string, unknown>;
  /** Switched off in the client by its own field (`"disabled": true`, `"enabled": false`): it loads none of its tools. */
  off: boolean;
}

/** By target key, then server name: each wanted entry as the client will read it. */
export type EntriesInFiles = ReadonlyMap<string, ReadonlyMap<string, EntryInFile>>;

/** An entry sync leaves as it is: the person's own, or one edited by hand since sync wrote it. */
export const leftAlone = (state: EntryState): state is "foreign" | "drifted" =>
  state === "foreign" || state === "drifted";

/** Each target's wanted entries as its client will read them, from the files' texts (null: no file). */
export function entriesInFiles(
  targets: readonly Target[],
  texts: ReadonlyMap<string, string | null>,
  state: State,
  desired: DesiredEntries,
): EntriesInFiles {
  const out = new Map<string, Map<string, EntryInFile>>();
  for (const target of targets) {
    const built = desired.get(target.key);
    if (!built) continue;
    const text = texts.get(target.key) ?? "";
    const current = readTargetEntries(target, text);
    const fields = readTargetFields(target, text);
    const owned = state.targets[target.key]?.entries ?? {};
    // An entry of the person's named `tools`: the client keeps its servers' own entries.
    const wanted = entriesMeant(current, owned, built).desired;
    const here = new Map<string, EntryInFile>();
    for (const c of classifyTarget(current, owned, wanted, fields)) {
      const built = wanted.get(c.name);
      if (!c.wanted || !built?.ok) continue;
      const raw = { ...asRecord(own(current, c.name)), ...asRecord(own(fields, c.name)) };
      // Sync keeps the client's own fields where the file has them; the manifest's clientFields win.
      const entry = leftAlone(c.state)
        ? raw
        : { ...built.value, ...asRecord(own(fields, c.name)), ...(built.fields ?? {}) };
      here.set(c.name, { state: c.state, entry, off: switchedOff(target.client, entry) });
    }
    out.set(target.key, here);
  }
  return out;
}

function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * The client's own off switch says the entry is off: `"disabled": true` or `"enabled": false`, as
 * written or in its common view (Codex's, Goose's, opencode's `enabled = false` read as disabled),
 * for a client whose module names that field as its own (keptKeys) — another client ignores it.
 */
function switchedOff(client: ClientModule, entry: Record<string, unknown>): boolean {
  const kept = client.keptKeys ?? [];
  if (!kept.includes("disabled") && !kept.includes("enabled")) return false;
  const common = asRecord(client.reading.commonEntry ? client.reading.commonEntry(entry) : entry);
  return (
    (kept.includes("disabled") && entry.disabled === true) ||
    (kept.includes("enabled") && entry.enabled === false) ||
    common.disabled === true
  );
}

/**
 * The tools an entry loads by its own fields (the client's allow and deny lists: `enabled_tools`,
 * `excludeTools`, Copilot CLI's `tools` with `"*"` for all), of the server's `names`. An empty
 * allow list limits nothing (Crush's filterTools, Gemini CLI's isEnabled).
 */
export function loadsOf(
  client: ClientModule,
  entry: Record<string, unknown>,
  names: readonly string[],
): string[] {
  const filter = client.toolBudget?.filter;
  if (!filter) return [...names];
  const list = (key: string | undefined) => {
    const v = key === undefined ? undefined : entry[key];
    return Array.isArray(v) && v.length > 0 ? v.filter((x): x is string => typeof x === "string") : undefined;
  };
  // The keys as the client's own writer names them (Goose's names no empty list at all).
  const forms = toolFieldForms(filter);
  const allow = list(forms.allow);
  const deny = list(forms.deny);
  return names.filter(
    (n) => (!allow || allow.includes("*") || allow.includes(n)) && !(deny ?? []).includes(n),
  );
}

/** How a client keeps a server's tool rules: sync's outcome, or why an entry sync leaves alone does not. */
export type RuleView = ToolRuleOutcome | { state: "not-ours" | "edited" };

/**
 * The rules' outcome for the entry the client will read: as sync writes it, unless sync leaves the
 * entry alone and its rule fields are not the ones sync would write (then not kept, never claimed).
 */
export function ruleView(
  client: ClientModule,
  built: BuiltEntry | undefined,
  inFile: EntryInFile | undefined,
): RuleView | undefined {
  if (!built?.ok || !built.toolRules) return undefined;
  const rules = built.toolRules;
  if (!inFile || !leftAlone(inFile.state)) return rules;
  if (rules.state !== "kept" && rules.state !== "gateway") return rules;
  const keys = client.toolBudget?.filter?.keys ?? [];
  const same = keys.every((k) => entryHash(inFile.entry[k] ?? null) === entryHash(built.value[k] ?? null));
  if (rules.state === "kept" && same) return rules;
  return { state: inFile.state === "foreign" ? "not-ours" : "edited" };
}
