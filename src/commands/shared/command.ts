/**
 * What a command is to the command line: its arguments and flags, declared once beside it
 * (`<command>-flags.ts`) with the type each flag has, and what it gets when it runs.
 */
import type { CacheFiles } from "../../core/system/caches.js";
import type { Host } from "../../core/system/host.js";
import type { Output, Terminal } from "../../ui/output.js";

/** Flags several commands share. Each command lists, and honours, only those its `shared` gives. */
export type Shared = "json" | "yes" | "dryRun" | "manifest" | "env" | "client" | "project";

export const SHARED: Record<Shared, { flags: string; description: string; list?: true }> = {
  json: { flags: "--json", description: "one JSON document on stdout, logs on stderr" },
  yes: { flags: "-y, --yes", description: "never prompt; a missing required answer is an error" },
  dryRun: { flags: "--dry-run", description: "show what would change (diffs, keys masked); write nothing" },
  manifest: {
    flags: "--manifest <path>",
    description: "the user-level manifest (default: the home's; a ./mcp-twin.jsonc here is the project's)",
  },
  env: {
    flags: "--env <id>",
    description: "only this environment: windows, wsl, wsl:<distro>, macos, linux (repeatable)",
    list: true,
  },
  client: {
    flags: "--client <id>",
    description: "only this client, e.g. claude-desktop, claude-code, cursor (repeatable)",
    list: true,
  },
  project: {
    flags: "--project <dir>",
    description: "the project files in <dir> (.mcp.json, .cursor/mcp.json, …) instead of user files",
  },
};

/** The shared flags of a command that edits the manifest, then offers to sync (add, remove, share). */
export const EDIT_THEN_SYNC = {
  json: true,
  yes: true,
  dryRun: "show the manifest diff; write nothing",
  manifest: true,
  env: "with --sync: only this environment (repeatable)",
  client: "with --sync: only this client (repeatable)",
} as const;

/** What each shared flag holds (a repeatable one is [] when not given). */
interface SharedValues {
  json?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  manifest?: string;
  env: string[];
  client: string[];
  project?: string;
}

/** `--verbose` and `--no-color`: every command takes them. */
interface EverywhereValues {
  verbose?: boolean;
  color?: boolean;
}

/**
 * One flag as commander reads it: `switch` (`--force`: true when given), `value` (`--name <name>`),
 * `list` (`--arg <a>`, repeatable: every value, in order), `negated` (`--no-probe` alone: true
 * unless given), with `negation` the `--no-…` spelling beside a switch (`--sync`, `--no-sync`).
 * `T` is the type the command reads; the key it is declared under is commander's name for it.
 */
export interface Flag<T> {
  kind: "switch" | "value" | "list" | "negated";
  flags: string;
  description: string;
  negation?: { flags: string; description: string };
  choices?: readonly string[];
  /** The type the command reads (never set: it only carries T). */
  readonly value?: T;
}

/** `--force`: true when given. */
export const flag = (flags: string, description: string): Flag<boolean | undefined> => ({
  kind: "switch",
  flags,
  description,
});

/** `--sync` and `--no-sync`: true, false, or not given. */
export const flagOrNot = (
  flags: string,
  description: string,
  negation: string,
  negationDescription: string,
): Flag<boolean | undefined> => ({
  kind: "switch",
  flags,
  description,
  negation: { flags: negation, description: negationDescription },
});

/** `--no-probe` alone: true unless given. */
export const noFlag = (flags: string, description: string): Flag<boolean> => ({
  kind: "negated",
  flags,
  description,
});

/** `--name <name>`: the value as given. */
export const value = (flags: string, description: string): Flag<string | undefined> => ({
  kind: "value",
  flags,
  description,
});

/** `--use <way>` taking one of `choices` (anything else is a usage error). */
export const oneOf = <const C extends string>(
  flags: string,
  description: string,
  choices: readonly C[],
): Flag<C | undefined> => ({ kind: "value", flags, description, choices });

/** `--arg <name=value>`, repeatable: every value given, in order ([] when none). */
export const list = (flags: string, description: string): Flag<string[]> => ({
  kind: "list",
  flags,
  description,
});

/** `--registry <url>`, for search, add and init. */
export const registryFlag = (): Flag<string | undefined> =>
  value(
    "--registry <url>",
    "the MCP Registry to ask (default: MCP_TWIN_REGISTRY, the home manifest's registry, else registry.modelcontextprotocol.io)",
  );

/** `--secret NAME=VALUE` or `--secret NAME` (from the environment), for init, add and import. */
export const secretFlag = (what = "a secret's value"): Flag<string[]> =>
  list("--secret <NAME[=VALUE]>", `${what}, or NAME alone to read $NAME (repeatable)`);

/** A positional argument: `<server>` (required), `[target]` (optional), `<words...>`. */
interface Argument {
  name: string;
  description: string;
}

/** One command of `mcp-twin`: what `--help` says of it, and what it reads. */
export interface CommandLine {
  name: string;
  description: string;
  args?: readonly Argument[];
  flags: Readonly<Record<string, Flag<unknown>>>;
  /** The shared flags it honours: true, or its own wording of the flag's help line. */
  shared: Readonly<Partial<Record<Shared, true | string>>>;
}

/** A command's declaration, its keys kept (so OptionsOf can read each flag's type). */
export const commandLine = <const C extends CommandLine>(line: C): C => line;

/** What a command reads in `ctx.options`: its own flags, the shared ones it honours, and the two every command takes. */
export type OptionsOf<C extends CommandLine> = {
  -readonly [K in keyof C["flags"]]: C["flags"][K] extends Flag<infer T> ? T : never;
} & Pick<SharedValues, keyof C["shared"] & Shared> &
  EverywhereValues;

/** What every command's options have. */
export type AnyOptions = EverywhereValues;

/** The options of a command that honours these shared flags (for what several commands share). */
export type SharedOptions<K extends Shared> = AnyOptions & Pick<SharedValues, K>;

export interface CommandContext<O extends AnyOptions = AnyOptions> {
  host: Host;
  output: Output;
  /** The command's flags (its own and the shared ones it honours), typed by its declaration. */
  options: O;
  args: string[];
  signal: AbortSignal;
  /** Where the run reads and writes (commands ask it, not `process.stdin`, whether it is a terminal). */
  terminal: Terminal;
  /**
   * What to do after a Ctrl-C from here on, when the run had written something (default: run
   * the command again): `add`, its server written, is finished by `mcp-twin sync`, not by itself.
   */
  afterInterrupt?: string;
  /** Caches the command's machine holds, written once it returns a code other than 2 (or 130). */
  heldCaches?: CacheFiles[];
}

/** What a command's `run` gets, its options typed by its declaration. */
export type ContextOf<C extends CommandLine> = CommandContext<OptionsOf<C>>;

/** A command module's `run`: its exit code. */
export type CommandRun<O extends AnyOptions = AnyOptions> = (ctx: CommandContext<O>) => Promise<number>;
