/**
 * Which names a flag or argument accepts, in one place (pure): `--client`, `--env`, server names,
 * restore targets, secret names and `--timeout`; an unknown one is exit 2 with the closest known.
 */
import { distance } from "fastest-levenshtein";
import { CLIENTS } from "./clients/index.js";
import { envMatches } from "./environments/env-selector.js";
import { UnknownNameError, UsageError, UsageErrors } from "./errors.js";
import { andList, orList } from "./text/prose-lists.js";

/** An environment selector: also the manifest schema's rule (`environments`, `overrides`). */
export const ENV_SELECTOR = /^(windows|wsl|wsl:[^\s:/\\]+|macos|linux)$/;
const ENV_FORMS = ["windows", "wsl", "wsl:<distro>", "macos", "linux"];
const ENV_KINDS = ["windows", "wsl", "macos", "linux"];

/** The client ids this version knows: the client table's, nothing else. */
export function knownClientIds(): string[] {
  return CLIENTS.map((c) => c.id);
}

/**
 * The known names closest to `name`, best first (at most three): the same name in another case,
 * else names it begins (`claude` → claude-desktop, claude-code), else names within an edit
 * distance of 40% of its length (the rule commander uses for unknown options).
 */
export function didYouMean(name: string, known: readonly string[]): string[] {
  const lower = name.toLowerCase();
  const unique = [...new Set(known)];
  const same = unique.filter((k) => k.toLowerCase() === lower);
  if (same.length > 0) return same.slice(0, 3);
  if (lower.length >= 2) {
    const prefixed = unique.filter((k) => k.toLowerCase().startsWith(lower));
    if (prefixed.length > 0) return prefixed.slice(0, 3);
  }
  const limit = Math.max(1, Math.floor(name.length * 0.4));
  return unique
    .map((k) => ({ k, d: distance(lower, k.toLowerCase()) }))
    .filter(({ d }) => d <= limit)
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map(({ k }) => k);
}

export interface UnknownName {
  /** Error code for `--json` (stable): bad-client, bad-env, unknown-server, … */
  code: string;
  /** How the user gave it: `--client`, `--server`, `remove`, `restore`, `secret rm`. */
  given: string;
  name: string;
  /** What it is not, completing "<given> <name>: …", e.g. "not a client mcp-twin knows". */
  isNot: string;
  /** What the known names are, e.g. "Known clients", "Servers in /x/mcp-twin.jsonc". */
  knownAs: string;
  known: readonly string[];
  /** Said instead of an empty list of known names. */
  noneKnown?: string;
  /** Candidates for did-you-mean when they differ from what is listed (default: `known`). */
  candidates?: readonly string[];
  /** Said after the known names. */
  also?: string;
}

/** The one wording of an unknown name, for every command. */
export function unknownName(u: UnknownName): UnknownNameError {
  const suggestions = didYouMean(u.name, u.candidates ?? u.known);
  const ask = suggestions.length > 0 ? ` Did you mean ${orList(suggestions)}?` : "";
  return new UnknownNameError(u.code, `${u.given} ${u.name}: ${u.isNot}.${ask}`, {
    known: u.known,
    suggestions,
    hint:
      u.known.length > 0
        ? `${u.knownAs}: ${u.known.join(", ")}.${u.also ? ` ${u.also}` : ""}`
        : (u.noneKnown ?? `${u.knownAs}: none.`),
  });
}

/** Throw when `name` is not among `known` (compared exactly). */
export function assertKnown(u: UnknownName): void {
  if (!u.known.includes(u.name)) throw unknownName(u);
}

/** A command's action (`bridge stat`, `secret lst`): exit 2 naming its actions, the closest first. */
export function assertAction(
  command: string,
  action: string,
  actions: readonly string[],
  also?: string,
): void {
  assertKnown({
    code: "bad-action",
    given: command,
    name: action,
    isNot: "not an action",
    knownAs: "Actions",
    known: actions,
    ...(also ? { also } : {}),
  });
}

/**
 * Throw one UsageErrors (exit 2) naming every one of `names` that is not known — by default not
 * among `u.known`; `isKnown` when more is accepted than is listed (an MCP Registry name).
 */
export function assertAllKnown(
  names: Iterable<string>,
  u: Omit<UnknownName, "name">,
  isKnown: (name: string) => boolean = (name) => u.known.includes(name),
): void {
  const problems = [...names].filter((name) => !isKnown(name)).map((name) => unknownName({ ...u, name }));
  if (problems.length > 0) throw new UsageErrors(problems);
}

/** `--client` and `--env` as written (before any environment is looked at): all problems at once. */
export function selectorProblems(selectors: {
  clients?: readonly string[];
  envs?: readonly string[];
}): UsageError[] {
  const problems: UsageError[] = [];
  const clients = knownClientIds();
  for (const c of selectors.clients ?? [])
    if (!clients.includes(c))
      problems.push(
        unknownName({
          code: "bad-client",
          given: "--client",
          name: c,
          isNot: "not a client mcp-twin knows",
          knownAs: "Known clients",
          known: clients,
        }),
      );
  for (const e of selectors.envs ?? [])
    if (!ENV_SELECTOR.test(e))
      problems.push(
        unknownName({
          code: "bad-env",
          given: "--env",
          name: e,
          isNot: "not an environment mcp-twin knows",
          knownAs: "Environments (wsl is every distro)",
          known: ENV_FORMS,
          candidates: ENV_KINDS,
        }),
      );
  return problems;
}

/**
 * Throw one UsageErrors (exit 2) listing every bad `--client` / `--env`.
 *
 * `--client`: the client table; `--env`: `windows`, `wsl` for every distro, `wsl:<distro>`, `macos`,
 * `linux`, and once the environments are known, one of this machine's. A name that is not known is
 * an UnknownNameError (exit 2) naming the known ones and the closest (did you mean), worded the same
 * way by every command. Light on purpose: `sync` loads it at start-up, so no zod here.
 */
export function checkSelectors(selectors: { clients?: readonly string[]; envs?: readonly string[] }): void {
  const problems = selectorProblems(selectors);
  if (problems.length > 0) throw new UsageErrors(problems);
}

/**
 * `--secret NAME=…` names a secret some server of this run uses: a name none uses (a typo,
 * `TAVLY_API_KEY`) would be dropped without a word while the server's own key is reported missing
 * — exit 2 instead, with the names that are used and the closest of them.
 */
export function checkSecretFlagNames(
  given: Iterable<string>,
  used: readonly string[],
  /** Completes "--secret NAME: …": "no server this init sets up uses it". */
  isNot: string,
  /**
   * Secrets of servers the run leaves as they are (init keeps what the manifest has), by server:
   * a typo of one of them is pointed at it, with how its key is stored instead.
   */
  kept: ReadonlyMap<string, readonly string[]> = new Map(),
): void {
  const names = [...given];
  const known = [...new Set(used)].sort();
  const keptNames = [...kept.keys()].filter((n) => !known.includes(n)).sort();
  // Only the kept keys a given name looks like are named (a manifest may use many).
  const close = keptNames.filter((k) =>
    names.some((g) => !known.includes(g) && didYouMean(g, keptNames).includes(k)),
  );
  const keptLine = close
    .map((n) => {
      const servers = kept.get(n) ?? [];
      return ` ${n} is used by ${andList(servers)}, kept as ${servers.length === 1 ? "it is" : "they are"}: \`mcp-twin secret set ${n}\` stores its key.`;
    })
    .join("");
  assertAllKnown(names, {
    code: "unknown-secret",
    given: "--secret",
    isNot,
    knownAs: "The secrets they use",
    known,
    // With a kept server's key named, only that: "they use no secret" beside it reads as a contradiction.
    noneKnown: keptLine
      ? keptLine.trim()
      : "They use no secret; `mcp-twin secret set NAME` stores one for later.",
    candidates: [...known, ...close],
    ...(keptLine && known.length > 0 ? { also: keptLine.trim() } : {}),
  });
}

/**
 * `--prefer-client cursor` or `windows:cursor` (import and init alike): a client mcp-twin knows,
 * in an environment form the flag takes — exit 2 otherwise, before anything is read or asked.
 */
export function checkPreferredClients(values: readonly string[]): void {
  const known = knownClientIds();
  for (const value of values) {
    const id = value.slice(value.lastIndexOf(":") + 1);
    const env = value.slice(0, Math.max(0, value.length - id.length - 1));
    if (env && !ENV_SELECTOR.test(env))
      throw new UsageError(
        "bad-option",
        `--prefer-client ${value}: "${env}" is not an environment (windows, wsl, wsl:<distro>, macos, linux).`,
      );
    assertKnown({
      code: "unknown-client",
      given: "--prefer-client",
      name: id,
      isNot: "not a client mcp-twin knows",
      knownAs: "Known clients",
      known,
    });
  }
}

/**
 * The environments `--env` selects among those found here (`wsl` matches every `wsl:*`). A
 * selector that matches none of them is an unknown name: nothing would be done for it.
 */
export function selectEnvironments<E extends { id: string }>(
  all: readonly E[],
  selectors: readonly string[],
): E[] {
  checkSelectors({ envs: selectors });
  if (selectors.length === 0) return [...all];
  const here = all.map((e) => e.id);
  const names = here.some((id) => id.startsWith("wsl:")) ? [...here, "wsl"] : here;
  assertAllKnown(
    selectors,
    {
      code: "bad-env",
      given: "--env",
      isNot: "not an environment here",
      knownAs: names.includes("wsl") ? "Environments here (wsl is every distro)" : "Environments here",
      known: names,
      noneKnown: "No environment was found here.",
    },
    (s) => all.some((e) => envMatches(s, e.id)),
  );
  return all.filter((e) => selectors.some((s) => envMatches(s, e.id)));
}

const MAX_TIMEOUT_S = 3600;

/** `--timeout <seconds>` → milliseconds: a positive number, at most an hour. */
export function parseTimeout(value: unknown, defaultSeconds = 10): number {
  const text = value === undefined ? String(defaultSeconds) : String(value).trim();
  const seconds = text === "" ? Number.NaN : Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMEOUT_S)
    throw new UsageError(
      "bad-timeout",
      `--timeout ${text}: not a number of seconds more than 0 and at most ${MAX_TIMEOUT_S}.`,
      { hint: "--timeout takes seconds, e.g. --timeout 30." },
    );
  return Math.round(seconds * 1000);
}
