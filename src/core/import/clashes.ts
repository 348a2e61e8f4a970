/**
 * Secrets that clash (pure): one secret name, different values in different places — Cursor's
 * BRAVE_API_KEY is not Claude Code's, or the secrets file already holds another value. Import never
 * picks one silently.
 */
import { createHash } from "node:crypto";
import { envMatches } from "../environments/env-selector.js";
import { own } from "../plain-records.js";

/** Where a value was found. */
interface ClashPlace {
  env: string;
  client: string;
  path: string;
  /** The entry's name in that file. */
  server: string;
  /** Where in the entry: `env.BRAVE_API_KEY`, `headers.Authorization`, `args[3]`. */
  field: string;
}

export interface ClashValue {
  /** "A", "B", …: how the value is named to people. */
  label: string;
  /** A long key's fingerprint: the first 8 hex digits of its SHA-256; absent for a short one. */
  fingerprint?: string;
  /** The value the secrets file already holds under this name. */
  stored?: boolean;
  found: ClashPlace[];
  /** The secret name it ends up stored under (set once planned). */
  storedAs?: string;
}

export type ClashResolution =
  | { kind: "value"; label: string; by: "prefer-client" | "chosen" }
  | { kind: "given"; by: "secret-flag" | "typed" }
  /** `separate`: no server holds two of the values (different servers, or the secrets file's). */
  | { kind: "keep-both"; by: "keep-both-flag" | "chosen" | "separate" };

export interface SecretClash {
  /** The secret's name as import names it (before any _2). */
  name: string;
  values: ClashValue[];
  /** Manifest servers (import candidates) that use it. */
  servers: string[];
  /** One server holds different values in different places: import needs a choice. */
  needsChoice: boolean;
  /** How it is settled; undefined: not yet (import asks on a terminal, else it is an error). */
  resolution?: ClashResolution;
  /**
   * `--prefer-client` values given that did not settle it, with how many of its values the client
   * holds (0: it has none; 2 or more: it cannot decide): its error says so, not only the choices.
   */
  undecided?: Array<{ preferred: string; holds: number }>;
}

export interface ClashChoices {
  /** --secret NAME=VALUE, or a value typed at the prompt: that value for NAME everywhere. */
  secrets?: Readonly<Record<string, string>>;
  /** --prefer-client: the value these clients hold (`cursor` or `windows:cursor`); the first that decides wins. */
  preferClients?: readonly string[];
  /** --keep-both: every value of a clash kept under its own name. */
  keepBoth?: boolean;
  /** Answers on a terminal: NAME → a value's label, "keep-both", or TYPED (the value is in `secrets`). */
  chosen?: Readonly<Record<string, string>>;
}

export interface SecretUseAt {
  /** The proposed secret name. */
  name: string;
  value: string;
  /** The server (normalised entry name) it belongs to: values differing within one need a choice. */
  group: string;
  place: ClashPlace;
}

/** The answer for a value typed at the prompt (it is in `secrets`). */
export const TYPED = "typed";

/** Keys this long or longer get a fingerprint (a shorter one could be found from it by trying). */
const FINGERPRINT_MIN_LENGTH = 20;

/** The first 8 hex digits of the value's SHA-256, for a long key; undefined for a short one. */
export function valueFingerprint(value: string): string | undefined {
  if (value.length < FINGERPRINT_MIN_LENGTH) return undefined;
  return createHash("sha256").update(value, "utf8").digest("hex").slice(0, 8);
}

/**
 * Every name with two or more values among the places found and the secrets file.
 *
 * Each value gets a label (key A, key B) and, for a key of 20 characters or more, a fingerprint: the
 * first 8 hex digits of its SHA-256 — never any part of the value (the spec: no output holds a
 * secret, and a key's last characters are part of it). A user can check which key is which with
 * `printf %s "$KEY" | sha256sum | cut -c1-8`. A short value gets no fingerprint: 32 bits of its
 * hash could be searched for by trying values.
 */
export function findClashes(
  uses: readonly SecretUseAt[],
  stored: Readonly<Record<string, string>>,
): { clashes: SecretClash[]; values: Map<string, string[]> } {
  const byName = new Map<string, SecretUseAt[]>();
  for (const u of uses) byName.set(u.name, [...(byName.get(u.name) ?? []), u]);
  const clashes: SecretClash[] = [];
  const values = new Map<string, string[]>();
  for (const [name, list] of byName) {
    const distinct = [...new Set(list.map((u) => u.value))];
    const storedValue = own(stored, name);
    const all =
      storedValue !== undefined && !distinct.includes(storedValue) ? [...distinct, storedValue] : distinct;
    if (all.length < 2) continue;
    const perGroup = new Map<string, Set<string>>();
    for (const u of list) perGroup.set(u.group, (perGroup.get(u.group) ?? new Set()).add(u.value));
    clashes.push({
      name,
      values: all.map((v, i) => {
        const fingerprint = valueFingerprint(v);
        return {
          label: String.fromCharCode(65 + i),
          ...(fingerprint ? { fingerprint } : {}),
          ...(v === storedValue ? { stored: true } : {}),
          found: list.filter((u) => u.value === v).map((u) => u.place),
        };
      }),
      servers: [],
      needsChoice: [...perGroup.values()].some((s) => s.size > 1),
    });
    values.set(name, all);
  }
  return { clashes, values };
}

/**
 * How a clash is settled by the choices given (undefined: it is not), and the value it then uses.
 *
 * When one server holds different values in different places a choice is needed: a value for
 * every client (`--prefer-client`, `--secret NAME=VALUE`, or the answer on a terminal), or each
 * place keeps its own (`--keep-both`; the server then goes only to the clients that had it, so no
 * client gets a key it never had). Different servers that happen to use the same name keep their
 * own values without a question (the second is stored as NAME_2), and the report says so.
 */
export function settle(
  clash: SecretClash,
  values: readonly string[],
  choices: ClashChoices,
): { resolution?: ClashResolution; value?: string; undecided?: SecretClash["undecided"] } {
  const given = own(choices.secrets ?? {}, clash.name);
  const answer = own(choices.chosen ?? {}, clash.name);
  if (given !== undefined)
    return { resolution: { kind: "given", by: answer === TYPED ? "typed" : "secret-flag" }, value: given };
  if (answer === "keep-both") return { resolution: { kind: "keep-both", by: "chosen" } };
  const answered = clash.values.findIndex((v) => v.label === answer);
  const chosen = clash.values[answered];
  if (chosen)
    return {
      resolution: { kind: "value", label: chosen.label, by: "chosen" },
      value: values[answered] ?? "",
    };
  if (!clash.needsChoice) return { resolution: { kind: "keep-both", by: "separate" } };
  const undecided: NonNullable<SecretClash["undecided"]> = [];
  for (const preferred of choices.preferClients ?? []) {
    const held = clash.values
      .map((v, i) => ({ v, i }))
      .filter(({ v }) => v.found.some((p) => matchesClient(preferred, p)));
    const [one] = held;
    if (one && held.length === 1)
      return {
        resolution: { kind: "value", label: one.v.label, by: "prefer-client" },
        value: values[one.i] ?? "",
      };
    undecided.push({ preferred, holds: held.length });
  }
  if (choices.keepBoth) return { resolution: { kind: "keep-both", by: "keep-both-flag" } };
  return undecided.length > 0 ? { undecided } : {};
}

/** `cursor` or `windows:cursor` (`wsl:cursor`, `wsl:Ubuntu:claude-code`) against a place. */
function matchesClient(preferred: string, place: { env: string; client: string }): boolean {
  const colon = preferred.lastIndexOf(":");
  if (colon === -1) return place.client === preferred;
  return place.client === preferred.slice(colon + 1) && envMatches(preferred.slice(0, colon), place.env);
}

/** "key A (fingerprint 1a2b3c4d, already in the secrets file)" — never any part of the value. */
function valueName(v: ClashValue): string {
  const notes = [
    ...(v.fingerprint ? [`fingerprint ${v.fingerprint}`] : []),
    ...(v.stored ? ["already in the secrets file"] : []),
  ];
  return `key ${v.label}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`;
}

/** One line per place a value was found. */
export function placeLines(v: ClashValue): string[] {
  if (v.found.length === 0) return [`${valueName(v)}: the secrets file`];
  return v.found.map((p) => `${valueName(v)}: ${p.env} ${p.client} "${p.server}" ${p.field} (${p.path})`);
}

/** What settled it, in a few words. */
export function resolutionText(clash: SecretClash): string {
  const r = clash.resolution;
  if (!r) return "not settled";
  if (r.kind === "given")
    return `the value ${r.by === "typed" ? "typed in" : "of --secret"} for every client, stored as ${clash.name}`;
  // A value's resolution names one of the clash's values.
  const v = r.kind === "value" ? clash.values.find((x) => x.label === r.label) : undefined;
  if (r.kind === "value" && v) {
    return `${valueName(v)} for every client${r.by === "prefer-client" ? " (--prefer-client)" : ""}, stored as ${v.storedAs ?? clash.name}`;
  }
  const kept = clash.values
    .filter((v) => v.storedAs)
    .map((v) => `${v.label} as ${v.storedAs}`)
    .join(", ");
  const flag = r.by === "keep-both-flag" ? " (--keep-both)" : "";
  // A value no imported entry uses (two clients of one environment: one launch fits the manifest)
  // is neither stored nor adopted: saying each place keeps its own would be untrue.
  const dropped = clash.values.filter((v) => !v.storedAs).map((v) => v.label);
  if (dropped.length > 0) {
    const [one] = dropped;
    const lost =
      dropped.length === 1
        ? `key ${one} is not stored: its entry is not adopted and is left as it is`
        : `keys ${dropped.join(", ")} are not stored: their entries are not adopted and are left as they are`;
    return `each environment keeps one value (${kept || "none"}); ${lost}${flag}`;
  }
  return r.by === "separate"
    ? `no server holds two of them: each keeps its own (${kept})`
    : `each place keeps its own (${kept})${flag}`;
}

/** The flags that would settle an unsettled clash, for its error's hint. */
export function settleHint(clash: SecretClash): string {
  const holders = (selector: string) =>
    clash.values.filter((v) => v.found.some((p) => matchesClient(selector, p))).length;
  const flags: string[] = [];
  for (const v of clash.values)
    for (const p of v.found) {
      // The client alone when it holds only this value, else env:client.
      const selector = holders(p.client) === 1 ? p.client : `${p.env}:${p.client}`;
      const flag = `--prefer-client ${selector} (key ${v.label})`;
      if (holders(selector) === 1 && !flags.includes(flag)) flags.push(flag);
    }
  // A --prefer-client that was given but decided nothing: said first, or the same error as
  // without it reads as if the flag had been ignored.
  const given = (clash.undecided ?? []).map(({ preferred, holds }) =>
    holds === 0
      ? `--prefer-client ${preferred}: no ${preferred} config holds ${clash.name}. `
      : `--prefer-client ${preferred}: it holds ${holds} of the values, so it cannot decide. `,
  );
  return `${given.join("")}Choose with ${[...flags, "--keep-both", `--secret ${clash.name}=<value> (or --secret ${clash.name} to read $${clash.name})`].join(", ")}; on a terminal, mcp-twin asks.`;
}
