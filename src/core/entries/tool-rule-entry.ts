/**
 * The manifest's tool rules in one target's entry (pure): said in the client's own field where it
 * has one (names expanded from the server's list where the rules have patterns), else kept by the
 * gateway for a shared server's entry (url or relay), else said not kept, with why — never claimed.
 */
import { toolFieldForms } from "../clients/tool-field.js";
import type { Target } from "../clients/types.js";
import type { ServerSpec } from "../manifest/schema.js";
import { nameFilter, rulesFor } from "../manifest/tool-rules.js";
import type { BuiltEntry } from "./target-entry.js";

/** `built` with the tool rules of `server` for the target's client, given the server's list if known. */
export function withToolRules(
  built: BuiltEntry,
  name: string,
  server: ServerSpec,
  target: Target,
  toolNames: readonly string[] | undefined,
): BuiltEntry {
  const out = inOwnField(built, name, server, target, toolNames);
  // A shared server's entry names its client to the gateway (a url entry's client token, or the
  // relay's `--as`): the gateway keeps what the client's own field cannot say (tool-policy.ts).
  if (out.ok && out.bridged && out.toolRules && out.toolRules.state !== "kept")
    return { ...out, toolRules: { state: "gateway" } };
  return out;
}

function inOwnField(
  built: BuiltEntry,
  name: string,
  server: ServerSpec,
  target: Target,
  toolNames: readonly string[] | undefined,
): BuiltEntry {
  if (!built.ok) return built;
  const rules = rulesFor(server, name, target.client.id);
  if (rules.length === 0) return built;
  const filter = target.client.toolBudget?.filter;
  if (!filter) return { ...built, toolRules: { state: "no-field" } };
  const names = nameFilter(rules, toolNames);
  if (!names) return built;
  if ("needsList" in names) return { ...built, toolRules: { state: "needs-list" } };
  // Nothing left out and no allow list: the entry says nothing (every tool, as without a rule).
  if (names.deny?.length === 0) return { ...built, toolRules: { state: "kept", keys: [], names: {} } };
  let said = names.allow ? { allow: names.allow } : { deny: names.deny ?? [] };
  let fields = filter.fields(said);
  // A client that takes one form only (Copilot CLI: allow; Kiro: deny) is told the other
  // expansion of the server's list: re-expanded by the next sync when the list changes.
  if (!fields && said.allow && names.dropped) {
    said = { deny: names.dropped };
    fields = filter.fields(said);
  } else if (!fields && said.deny && names.kept) {
    said = { allow: names.kept };
    fields = filter.fields(said);
  }
  // Nothing left to load, and a field that cannot say none (Goose reads an empty list as every
  // tool): not written, and said so.
  if (!fields) {
    const none = (names.allow ?? names.kept)?.length === 0 && toolFieldForms(filter).allow;
    return { ...built, toolRules: { state: none ? "leaves-none" : "cannot-say" } };
  }
  return {
    ...built,
    value: { ...built.value, ...fields },
    toolRules: { state: "kept", keys: Object.keys(fields), names: said },
  };
}
