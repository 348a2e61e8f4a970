/**
 * The program: commander, built from each command's declaration (`src/commands/<name>-flags.ts`),
 * with the shared flags each command honours, its module loaded lazily, its flags merged and checked.
 */
import { Command, Option } from "commander";
import { addCommand } from "../commands/add-flags.js";
import { adoptCommand } from "../commands/adopt-flags.js";
import { bridgeCommand } from "../commands/bridge-flags.js";
import { completionCommand } from "../commands/completion-flags.js";
import { connectCommand } from "../commands/connect-flags.js";
import { doctorCommand } from "../commands/doctor-flags.js";
import { importCommand } from "../commands/import-flags.js";
import { initCommand } from "../commands/init-flags.js";
import { loginCommand } from "../commands/login-flags.js";
import { logoutCommand } from "../commands/logout-flags.js";
import { removeCommand } from "../commands/remove-flags.js";
import { restoreCommand } from "../commands/restore-flags.js";
import { searchCommand } from "../commands/search-flags.js";
import { secretCommand } from "../commands/secret-flags.js";
import { serveCommand } from "../commands/serve-flags.js";
import { shareCommand } from "../commands/share-flags.js";
import {
  type AnyOptions,
  type CommandLine,
  type CommandRun,
  type Flag,
  SHARED,
  type Shared,
} from "../commands/shared/command.js";
import { statusCommand } from "../commands/status-flags.js";
import { syncCommand } from "../commands/sync-flags.js";
import { toolsCommand } from "../commands/tools-flags.js";
import { uninstallCommand } from "../commands/uninstall-flags.js";
import { UsageError } from "../core/errors.js";
import type { Host } from "../core/system/host.js";
import { VERSION } from "../version.js";

/** Every command, in the order `mcp-twin --help` lists them. */
const COMMANDS: readonly CommandLine[] = [
  initCommand,
  syncCommand,
  statusCommand,
  toolsCommand,
  addCommand,
  searchCommand,
  removeCommand,
  shareCommand,
  importCommand,
  adoptCommand,
  secretCommand,
  restoreCommand,
  doctorCommand,
  serveCommand,
  bridgeCommand,
  connectCommand,
  loginCommand,
  logoutCommand,
  uninstallCommand,
  completionCommand,
];

/**
 * Which shared flags each command honours (a string: its own wording for that command); a shared
 * flag given to a command not listed for it is exit 2. A command that starts reading one must get
 * it in its declaration: its own e2e tests then fail with "does not take it" until it does.
 */
export const HONOURS: Record<string, Partial<Record<Shared, true | string>>> = Object.fromEntries(
  COMMANDS.map((c) => [c.name, c.shared]),
);

const collect = (value: string, previous: string[] = []) => [...previous, value];

const COMMON = "Common options:";

function sharedOption(key: Shared, description?: string): Option {
  const shared = SHARED[key];
  const option = new Option(shared.flags, description ?? shared.description);
  return shared.list ? option.argParser(collect) : option;
}

/**
 * A declared flag as commander's options: a repeatable one collects its values (commands get []
 * when it is absent: see mergedOptions — no `default([])`, which help would print as noise).
 */
function flagOptions(flag: Flag<unknown>): Option[] {
  const option = new Option(flag.flags, flag.description);
  if (flag.kind === "list") option.argParser(collect);
  if (flag.choices) option.choices(flag.choices);
  return flag.negation ? [option, new Option(flag.negation.flags, flag.negation.description)] : [option];
}

/** `--verbose` and `--no-color`: every command. */
function everywhere(cmd: Command, group?: string): Command {
  for (const option of [
    new Option("--verbose", "more detail on stderr"),
    new Option("--no-color", "no colours (NO_COLOR is honoured too)"),
  ])
    cmd.addOption(group ? option.helpGroup(group) : option);
  return cmd;
}

/** The flag a shared option's key is typed as. */
function flagOf(key: Shared): string {
  return SHARED[key].flags.replace(/^-\w, /, "").replace(/ <.*$/, "");
}

export type Loader = () => Promise<{ run: CommandRun }>;

/**
 * A command's module, loaded when it runs. The path is opaque to the bundler on purpose: cli.js
 * is built alone (one file), commands in a build of their own (dist/commands/), and `sync` alone
 * again (dist/sync/), so its start-up loads a few files (docs/dev/performance.md). From the
 * sources (tests), the command module itself.
 */
function load(name: string): Loader {
  return () => {
    const built = import.meta.url.endsWith("/dist/cli.js");
    const file = !built
      ? `../commands/${name}.js`
      : name === "sync"
        ? "./sync/sync.js"
        : `./commands/${name}.js`;
    return import(/* @vite-ignore */ new URL(file, import.meta.url).href) as Promise<{ run: CommandRun }>;
  };
}

/**
 * The command name in argv (after global flags), so only that command gets its options defined
 * (defining every flag on every command slows every run's start-up: docs/dev/performance.md).
 */
export function invokedCommand(argv: readonly string[]): string | undefined {
  const takesValue = new Set(["--manifest", "--env", "--client", "--project"]);
  const words: string[] = [];
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === undefined || a === "--") break;
    if (a.startsWith("-")) {
      if (takesValue.has(a)) i++;
      continue;
    }
    words.push(a);
    if (words[0] !== "help" || words.length === 2) break;
  }
  return words[0] === "help" ? words[1] : words[0];
}

export function buildProgram(
  dispatch: (load: Loader, cmd: Command, args: string[]) => Promise<void>,
  invoked?: string,
  helpAfter?: (command: string) => string,
): Command {
  const program = new Command("mcp-twin")
    .description("Set up MCP servers once; get them working in every AI client, on Windows and WSL alike.")
    .version(VERSION, "-V, --version", "print the version")
    .enablePositionalOptions(false);
  // Shared flags may come before the command name too; they are checked against the command's
  // own list at dispatch, and listed in each command's help (not here).
  for (const key of Object.keys(SHARED) as Shared[]) program.addOption(sharedOption(key).hideHelp());
  everywhere(program);
  program.helpOption("-h, --help", "show this help");
  program.helpCommand("help [command]", "show a command's help (as `mcp-twin <command> --help` does)");
  if (helpAfter) program.addHelpText("after", helpAfter(""));
  for (const line of COMMANDS) {
    const cmd = program.command(line.name).description(line.description);
    if (helpAfter) cmd.addHelpText("after", helpAfter(line.name));
    cmd.action(async (...received: unknown[]) => {
      const self = received[received.length - 1] as Command;
      await dispatch(load(line.name), self, self.args);
    });
    for (const arg of line.args ?? []) cmd.argument(arg.name, arg.description);
    // Only the command run gets its flags (all of them when none is named: help lists them).
    if (invoked === undefined || invoked === line.name) addFlags(cmd, line);
  }
  return program;
}

/** A command's own flags, then the shared ones it honours (help lists them in that order). */
function addFlags(cmd: Command, line: CommandLine): void {
  for (const flag of Object.values(line.flags)) for (const option of flagOptions(flag)) cmd.addOption(option);
  // A command with no flags of its own lists the shared ones as its options.
  const group = cmd.options.length > 0 ? COMMON : "Options:";
  for (const [key, wording] of Object.entries(line.shared) as Array<[Shared, true | string]>)
    cmd.addOption(sharedOption(key, wording === true ? undefined : wording).helpGroup(group));
  everywhere(cmd, group);
  cmd.addHelpOption(new Option("-h, --help", "show this help").helpGroup(group));
}

/** What a run's options hold, whichever the command: the shared flags and the command's own. */
export type MergedOptions = AnyOptions & { json?: boolean; env: string[]; client: string[] } & Record<
    string,
    unknown
  >;

/**
 * Global flags may come before or after the command name. Commander keeps them apart (and fills
 * defaults on both), so merge: explicit values win, lists are joined. What the result holds is
 * what the command's declaration says (OptionsOf), since the program was built from it.
 */
export function mergedOptions(cmd: Command): MergedOptions {
  const merged: Record<string, unknown> = {};
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
  for (const c of chain) {
    for (const [key, value] of Object.entries(c.opts())) {
      const source = c.getOptionValueSource(key);
      if (Array.isArray(value)) merged[key] = [...((merged[key] as unknown[]) ?? []), ...value];
      else if (source !== "default" || merged[key] === undefined) merged[key] = value;
    }
    // A repeatable flag not given: an empty list.
    for (const option of c.options) if (option.parseArg === collect) merged[option.attributeName()] ??= [];
  }
  merged.env ??= [];
  merged.client ??= [];
  return merged as MergedOptions;
}

/** The flags that name a file or folder of this machine. */
const PATH_OPTIONS = ["manifest", "project", "tokenFile"] as const;

/**
 * Inside WSL, a path given as Windows writes it (`--project C:\Users\me\proj`, pasted from
 * Explorer) is the same folder through `/mnt/c`: taken so. Costs nothing unless one is given.
 */
export async function localPathOptions(host: Host, options: Record<string, unknown>): Promise<void> {
  const given = PATH_OPTIONS.filter((k) => typeof options[k] === "string");
  if (given.length === 0) return;
  const { looksWindowsTyped, windowsToWsl } = await import("../core/environments/path-translation.js");
  const typed = given.filter((k) => looksWindowsTyped(options[k] as string));
  if (typed.length === 0) return;
  const local = await (await import("../core/environments/local.js")).detectLocal(host);
  if (local.kind !== "wsl") return;
  for (const k of typed)
    options[k] = windowsToWsl(options[k] as string, local.mountRoot, local.distro) ?? options[k];
}

/** A shared flag given before the command name to a command that does not take it: exit 2. */
export function checkShared(cmd: Command): void {
  const root = cmd.parent;
  if (!root) return;
  const honoured = HONOURS[cmd.name()] ?? {};
  const stray = (Object.keys(SHARED) as Shared[]).filter(
    (key) => root.getOptionValueSource(key) === "cli" && !Object.hasOwn(honoured, key),
  );
  if (stray.length > 0)
    throw new UsageError(
      "unknown-option",
      `${stray.map(flagOf).join(", ")}: \`mcp-twin ${cmd.name()}\` does not take ${stray.length === 1 ? "it" : "them"}.`,
      { hint: `Run \`mcp-twin ${cmd.name()} --help\` for its flags.` },
    );
}
