/**
 * A hand-set tool restriction (the client's own per-tool field: Roo Code's `disabledTools`, Goose's
 * `available_tools`, Codex's `enabled_tools`…) taken into the manifest's tool rules (pure).
 */
import { toolFieldForms } from "../clients/tool-field.js";
import type { ClientModule } from "../clients/types.js";
import { entryHash } from "../ledger/state.js";
import type { ServerFieldEdit } from "../manifest/edit.js";
import type { ServerSpec } from "../manifest/schema.js";
import { own } from "../plain-records.js";

type Rule = { allow?: string[]; deny?: string[] };

const names = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined;

/**
 * The rule an entry's tool fields say, as the client reads them: an allow list (an empty one, or
 * Copilot CLI's `"*"`, limits nothing), a deny list; undefined when they limit nothing.
 */
export function ruleOfEntry(
  client: Pick<ClientModule, "toolBudget">,
  entry: Record<string, unknown>,
): Rule | undefined {
  const filter = client.toolBudget?.filter;
  if (!filter) return undefined;
  const forms = toolFieldForms(filter);
  const allow = forms.allow ? names(entry[forms.allow]) : undefined;
  const deny = forms.deny ? names(entry[forms.deny]) : undefined;
  const rule: Rule = {
    ...(allow && allow.length > 0 && !allow.includes("*") ? { allow } : {}),
    ...(deny && deny.length > 0 ? { deny } : {}),
  };
  return Object.keys(rule).length > 0 ? rule : undefined;
}

/**
 * Whether two entries' tool fields differ (`others`: whether anything but them does).
 */
export function toolFieldsDiffer(
  client: Pick<ClientModule, "toolBudget">,
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  options: { others?: boolean } = {},
): boolean {
  const keys = client.toolBudget?.filter?.keys ?? [];
  const pick = (e: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(e).filter(([k]) => keys.includes(k) !== (options.others === true)));
  return entryHash(pick(a)) !== entryHash(pick(b));
}

/**
 * When the entry's tool fields differ from those sync writes (`written`: its entry there now), the
 * manifest edit that makes sync write the entry's: its rule as `clientTools.<client>` (which narrows
 * the server's `tools` for that client alone), or that rule removed when the entry limits nothing.
 * `changes` says what changed, for people; undefined when the fields are the same.
 */
export function adoptToolRule(
  client: Pick<ClientModule, "id" | "toolBudget">,
  server: string,
  spec: ServerSpec,
  entry: Record<string, unknown>,
  written: Record<string, unknown> | undefined,
): { edits: ServerFieldEdit[]; changes: string[] } | undefined {
  const filter = client.toolBudget?.filter;
  if (!filter) return undefined;
  if (!toolFieldsDiffer(client, entry, written ?? {})) return undefined;
  const rule = ruleOfEntry(client, entry);
  const fields = filter.keys.filter((k) => entry[k] !== undefined).join(" and ") || filter.keys.join(" and ");
  const path = ["clientTools", client.id];
  const had = spec.clientTools ? own(spec.clientTools, client.id) : undefined;
  if (rule) {
    const said = [
      ...(rule.allow ? [`allow ${rule.allow.join(", ")}`] : []),
      ...(rule.deny ? [`deny ${rule.deny.join(", ")}`] : []),
    ].join("; ");
    return {
      edits: [{ path, value: rule }],
      changes: [
        `servers.${server}.clientTools.${client.id} ${had ? "replaced" : "set"}: ${said} (from the entry's ${fields})`,
      ],
    };
  }
  if (!had) return undefined;
  // The last rule of clientTools goes with clientTools itself.
  const only = Object.keys(spec.clientTools ?? {}).length === 1;
  return {
    edits: [{ path: only ? ["clientTools"] : path, remove: true }],
    changes: [`servers.${server}.clientTools.${client.id} removed (the entry limits none of its tools)`],
  };
}
