/**
 * What to offer for the word being completed (pure): commands, their flags, and the values a flag
 * or argument takes — client, environment and server names, catalogue entries, restore targets.
 */
import { CLIENT_IDS } from "../../core/clients/ids.js";
import { SHELLS } from "./scripts.js";

/** A flag as the command line declares it. */
interface OptionInfo {
  long?: string;
  short?: string;
  /** It takes a value (`--client <id>`). */
  value: boolean;
  choices?: string[];
  description: string;
}

/** A positional argument. */
interface ArgInfo {
  name: string;
  variadic: boolean;
  choices?: string[];
}

interface CommandInfo {
  name: string;
  description: string;
  args: ArgInfo[];
  options: OptionInfo[];
}

/** The command line's table, written by the build from the program itself (scripts/completion-table.mjs). */
export interface Table {
  commands: CommandInfo[];
  /** Flags the program takes before a command name (the shared ones, --version, --help). */
  global: OptionInfo[];
}

/** Names from this machine's home, read only when a word needs them. */
export interface Names {
  servers: string[];
  /** The servers one can log in to: those with a Streamable HTTP url (see core/oauth/login-server.ts). */
  remote: string[];
  /** The servers the manifest shares (`bridge status|restart|logs <server>`). */
  shared: string[];
  catalogue: string[];
  /** Environment ids beyond the fixed forms: those the manifest and the records name (wsl:Ubuntu). */
  envs: string[];
  /** Restore targets (env:client) the records know. */
  targets: string[];
  /** Secret names (never values). */
  secrets: string[];
}

export interface Candidate {
  value: string;
  description?: string;
}

/** Candidates, or "let the shell complete a path". */
export type Completion = { files: true } | { candidates: Candidate[] };

type Kind = keyof Names | "clients" | "envForms" | "files" | "commands" | readonly string[];

const ENV_FORMS = ["windows", "wsl", "macos", "linux"];

/** The values a flag takes, by its long name (`command:flag` for one command's own meaning). */
const FLAG_VALUES: Record<string, Kind> = {
  "--client": "clients",
  "--prefer-client": "clients",
  "--env": "envForms",
  "--manifest": "files",
  "--project": "files",
  "--from": "files",
  "--token-file": "files",
  "--share": "servers",
  "doctor:--server": "servers",
  "init:--server": "catalogue",
};

/**
 * `share`'s modes: the manifest's SHARE_MODES and "off", written here because the schema brings zod
 * into the callback's start-up (completion.test.ts holds the two lists equal).
 */
const SHARE_CHOICES = ["machine", "project", "session", "off"] as const;

/** The values a positional argument takes, by `command:index`. */
const ARG_VALUES: Record<string, Kind> = {
  "add:0": "catalogue",
  "remove:0": "servers",
  "adopt:0": "servers",
  "login:0": "remote",
  "logout:0": "remote",
  "share:0": "servers",
  "share:1": SHARE_CHOICES,
  "completion:0": Object.keys(SHELLS),
  "restore:0": "targets",
  "secret:0": ["set", "list", "rm"],
  "secret:1": "secrets",
  "bridge:0": ["status", "start", "stop", "restart", "logs"],
  "bridge:1": "shared",
  "help:0": "commands",
};

/** The keys above, for the test that holds them to the table. */
export const MAPPED = { flags: Object.keys(FLAG_VALUES), args: Object.keys(ARG_VALUES) };

/**
 * `words`: what follows `mcp-twin` on the command line, the last one being the word completed
 * (empty after a space). `names`: called only when a value needs them.
 */
export function complete(table: Table, words: readonly string[], names: () => Names): Completion {
  const current = words.at(-1) ?? "";
  const before = words.slice(0, -1);
  const { command, positional, pending } = where(table, before);
  const options = command ? [...command.options, ...table.global] : table.global;
  // `--client=cu`: the flag's value, kept after its `=`.
  const eq = /^(--[^=]+)=(.*)$/.exec(current);
  if (eq) {
    const option = options.find((o) => o.long === eq[1]);
    if (!option?.value) return { candidates: [] };
    return withPrefix(valuesOf(table, command, option, names), eq[2] ?? "", `${eq[1]}=`);
  }
  if (pending) return withPrefix(valuesOf(table, command, pending, names), current);
  if (current.startsWith("-")) return withPrefix({ candidates: flagsOf(options) }, current);
  if (!command)
    return withPrefix(
      {
        candidates: [
          ...table.commands.map((c) => ({ value: c.name, description: c.description })),
          { value: "help", description: "show a command's help" },
        ],
      },
      current,
    );
  const args = command.args;
  const arg = args[Math.min(positional, args.length - 1)];
  if (!arg || (positional >= args.length && !arg.variadic)) return { candidates: [] };
  const kind: Kind | undefined =
    arg.choices ?? ARG_VALUES[`${command.name}:${Math.min(positional, args.length - 1)}`];
  return withPrefix(kind ? valuesFor(table, kind, names) : { candidates: [] }, current);
}

/** The command named so far, how many arguments it has, and a flag waiting for its value. */
function where(
  table: Table,
  words: readonly string[],
): { command?: CommandInfo; positional: number; pending?: OptionInfo } {
  let command: CommandInfo | undefined;
  let positional = 0;
  let pending: OptionInfo | undefined;
  for (const word of words) {
    if (pending) {
      pending = undefined;
      continue;
    }
    const options = command ? [...command.options, ...table.global] : table.global;
    if (word.startsWith("-") && word !== "-") {
      const option = options.find((o) => o.long === word || o.short === word);
      if (option?.value && !word.includes("=")) pending = option;
      continue;
    }
    if (!command) {
      command =
        word === "help"
          ? { name: "help", description: "", args: [{ name: "command", variadic: false }], options: [] }
          : table.commands.find((c) => c.name === word);
      if (!command) return { positional: 0 };
    } else positional++;
  }
  return { ...(command ? { command } : {}), positional, ...(pending ? { pending } : {}) };
}

function flagsOf(options: readonly OptionInfo[]): Candidate[] {
  const out: Candidate[] = [];
  for (const o of options) {
    if (o.long) out.push({ value: o.long, description: o.description });
    else if (o.short) out.push({ value: o.short, description: o.description });
  }
  return [...new Map(out.map((c) => [c.value, c])).values()];
}

function valuesOf(
  table: Table,
  command: CommandInfo | undefined,
  option: OptionInfo,
  names: () => Names,
): Completion {
  const kind =
    option.choices ??
    (command && option.long ? FLAG_VALUES[`${command.name}:${option.long}`] : undefined) ??
    (option.long ? FLAG_VALUES[option.long] : undefined);
  return kind ? valuesFor(table, kind, names) : { candidates: [] };
}

function valuesFor(table: Table, kind: Kind, names: () => Names): Completion {
  if (kind === "files") return { files: true };
  const list = (values: readonly string[]) => ({ candidates: values.map((value) => ({ value })) });
  if (Array.isArray(kind)) return list(kind);
  if (kind === "commands") return list(table.commands.map((c) => c.name));
  if (kind === "clients") return list(CLIENT_IDS);
  if (kind === "envForms") return list([...new Set([...ENV_FORMS, ...names().envs])]);
  return list(names()[kind as keyof Names]);
}

/** Only the candidates that start with what is typed; `keep`: text before the value (`--client=`). */
function withPrefix(completion: Completion, typed: string, keep = ""): Completion {
  if ("files" in completion) return completion;
  return {
    candidates: completion.candidates
      .filter((c) => c.value.startsWith(typed))
      .map((c) => ({ ...c, value: `${keep}${c.value}` })),
  };
}
