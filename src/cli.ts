/**
 * The command line: global flags, one registration per command, lazy imports, exit codes.
 * Only this file turns errors into exit codes; everything below it throws typed errors.
 */
import { Command, CommanderError, Option } from "commander";
import {
  ExitCode,
  formatLocation,
  InterruptedError,
  isTwinError,
  UnknownNameError,
  UsageError,
  UsageErrors,
} from "./core/errors.js";
import type { CacheFiles } from "./core/system/caches.js";
import { type Host, processHost } from "./core/system/host.js";
import { type Changes, changesSince, journalMark } from "./core/system/journal.js";
import { abortableRunner } from "./core/system/run.js";
import { andList } from "./core/words.js";
import { createOutput, type Output, processTerminal, type Terminal } from "./ui/output.js";
import { VERSION } from "./version.js";

/** Options every command accepts (after the command name too). */
export interface GlobalOptions {
  json?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  manifest?: string;
  env: string[];
  client: string[];
  project?: string;
  verbose?: boolean;
  color?: boolean;
}

export interface CommandContext {
  host: Host;
  output: Output;
  /** Global flags plus the command's own (read them with the command's zod schema). */
  options: GlobalOptions & Record<string, unknown>;
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

export type CommandRun = (ctx: CommandContext) => Promise<number>;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * A flag that may be given several times; its values arrive as a list (commands get [] when it is
 * absent: see mergedOptions — no `default([])`, which help would print as noise).
 */
const repeatable = (flags: string, description: string) => new Option(flags, description).argParser(collect);

/** `--registry <url>`, for search, add and init. */
const registryOption = () =>
  new Option(
    "--registry <url>",
    "the MCP Registry to ask (default: MCP_TWIN_REGISTRY, the home manifest's registry, else registry.modelcontextprotocol.io)",
  );

/** `--secret NAME=VALUE` or `--secret NAME` (from the environment), for init, add and import. */
const secretOption = (what = "a secret's value") =>
  repeatable("--secret <NAME[=VALUE]>", `${what}, or NAME alone to read $NAME (repeatable)`);

/** Flags several commands share. Each command lists, and honours, only those HONOURS gives it. */
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

/** add and remove: a manifest edit, then (--sync, or yes on a terminal) the sync it calls for. */
const EDIT_THEN_SYNC: Partial<Record<Shared, true | string>> = {
  json: true,
  yes: true,
  dryRun: "show the manifest diff; write nothing",
  manifest: true,
  env: "with --sync: only this environment (repeatable)",
  client: "with --sync: only this client (repeatable)",
  project: "with --sync: the project files in <dir> instead of user files",
};

/**
 * Which shared flags each command honours (a string: its own wording for that command); a shared
 * flag given to a command not listed for it is exit 2. A command that starts reading one must get
 * it here: its own e2e tests then fail with "does not take it" until it does.
 */
export const HONOURS: Record<string, Partial<Record<Shared, true | string>>> = {
  init: {
    json: true,
    yes: true,
    dryRun: "show the plan and the manifest diff (keys masked); write and install nothing",
    manifest: true,
    env: "set up only this environment (repeatable)",
    client: "sync only this client, creating its config where it lives (repeatable)",
  },
  sync: {
    json: true,
    yes: "trust a project manifest that runs programs without asking",
    dryRun: "show unified diffs (keys masked); install nothing, write nothing",
    manifest: true,
    env: true,
    client: "only this client; naming one also creates its config file where it lives (repeatable)",
    project: true,
  },
  status: { json: true, manifest: true, env: true, client: true, project: true },
  add: EDIT_THEN_SYNC,
  search: { json: true },
  remove: EDIT_THEN_SYNC,
  import: {
    json: true,
    yes: "never prompt: a key with different values needs --prefer-client, --keep-both or --secret",
    dryRun: "show what would be imported and the manifest diff (keys masked); write nothing",
    manifest: true,
    env: "only read this environment's configs (repeatable)",
    client: "only read this client's configs (repeatable)",
    project: "also read the project files in <dir> and Claude Code's local scope for it",
  },
  adopt: {
    json: true,
    yes: "never prompt: with several edited entries, --from names one",
    dryRun: "show the manifest diff (keys masked); write nothing",
    manifest: true,
    env: "only look at this environment's configs (repeatable)",
    client: "only look at this client's configs (repeatable)",
    project: "the project files in <dir> instead of user files",
  },
  secret: {
    json: true,
    yes: "set: never prompt (the value must come on stdin)",
    dryRun: "set, rm: say what would change; write nothing",
    manifest: "list: the manifest whose references are shown",
  },
  restore: {
    json: true,
    yes: "do not ask first",
    dryRun: "show what would be put back (diffs, keys masked); write nothing",
  },
  doctor: {
    json: true,
    yes: "trust a project's own entries (a cloned repo's .mcp.json) and start them to check them",
    manifest: true,
    env: true,
    client: true,
    project: true,
  },
  serve: {
    json: "--http, --share: where it listens, as JSON once ready; --print-token, --rotate-token: their result",
    manifest: "--share: the manifest the shared servers are read from",
  },
  // `mcp-twin bridge status|start|stop|restart`: the bridge at the manifest's settings.
  bridge: { json: true, manifest: "the manifest whose bridge settings (port, host) are used" },
  connect: {},
  login: { json: true, manifest: "the manifest that names the server" },
  logout: {
    json: true,
    dryRun: "say whether there is a login to forget and whether it would be revoked; change nothing",
  },
  completion: {},
  uninstall: {
    json: true,
    yes: "do not ask first",
    dryRun: "show what would be removed or given back (diffs, keys masked); write nothing",
    env: true,
    client: true,
  },
};

const COMMON = "Common options:";

function sharedOption(key: Shared, description?: string): Option {
  const shared = SHARED[key];
  const option = new Option(shared.flags, description ?? shared.description);
  return shared.list ? option.argParser(collect) : option;
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

type Loader = () => Promise<{ run: CommandRun }>;

/**
 * A command's module, loaded when it runs. The path is opaque to the bundler on purpose: cli.js
 * is built alone (one file), commands in a build of their own (dist/commands/), and `sync` alone
 * again (dist/sync/), so its start-up loads a few files (docs/dev/performance.md). From the
 * sources (tests), the command module itself.
 */
function load(name: string): Loader {
  return () => {
    const built = import.meta.url.endsWith("/dist/cli.js");
    const file = built && name === "sync" ? "./sync/sync.js" : `./commands/${name}.js`;
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
    const a = argv[i]!;
    if (a === "--") break;
    if (a.startsWith("-")) {
      if (takesValue.has(a)) i++;
      continue;
    }
    words.push(a);
    if (words[0] !== "help" || words.length === 2) break;
  }
  return words[0] === "help" ? words[1] : words[0];
}

/** Registers one command: its name, one-line description and lazily loaded module. */
type Register = (name: string, description: string, load: Loader) => Command;

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

  const command: Register = (name, description, load) => {
    const cmd = program.command(name).description(description);
    if (helpAfter) cmd.addHelpText("after", helpAfter(name));
    cmd.action(async (...received: unknown[]) => {
      const self = received[received.length - 1] as Command;
      await dispatch(load, self, self.args);
    });
    return cmd;
  };
  // In the order `mcp-twin --help` lists them.
  setUpCommands(command);
  manifestCommands(command);
  repairCommands(command);
  bridgeCommands(command);
  loginCommands(command);
  uninstallCommand(command);
  completionCommand(command);
  addSharedFlags(program, invoked);
  return program;
}

/** init, sync and status: setting up, and seeing where things stand. */
function setUpCommands(command: Register): void {
  command(
    "init",
    "set up: find what is here, import existing servers, pick from the catalogue, ask keys, sync",
    load("init"),
  )
    .addOption(repeatable("--server <name>", "a catalogue server to add (repeatable)"))
    .addOption(secretOption())
    .addOption(repeatable("--arg <[server.]name=value>", "an answer for a template's inputs (repeatable)"))
    .addOption(registryOption())
    .option("--import", "with --yes: import the servers already configured in any client")
    .addOption(
      repeatable(
        "--prefer-client <client>",
        "an imported key with different values in different places: use this client's (repeatable)",
      ),
    )
    .option("--keep-both", "an imported key with different values in different places: each keeps its own")
    .option("--bridge", "also enable the bridge (shared memory, notes and hand-off between sessions)")
    .option("--no-sync", "write the manifest and secrets, but do not sync");

  command(
    "sync",
    "install each server's package where a client runs it and write every client config",
    load("sync"),
  )
    .option(
      "--force",
      "also overwrite entries edited by hand (drift), take over same-named entries mcp-twin did not write, and write read-only files",
    )
    .option("--update", "move unpinned packages to their newest versions")
    .option("--prune", "uninstall packages of servers removed from the manifest");

  command("status", "servers × targets: synced, missing, drifted, foreign, stale", load("status"));
}

/** add, search, remove, import, adopt and secret: what the manifest holds. */
function manifestCommands(command: Register): void {
  command(
    "add",
    "add a server to the manifest: a catalogue entry, an MCP Registry server, an npm package or a remote URL",
    load("add"),
  )
    .argument(
      "[server]",
      "a catalogue name (see --list), an MCP Registry name (io.github.owner/server[@version]), an npm package spec or a remote server's URL (https://…)",
    )
    .option("--list", "show the catalogue")
    .option("--name <name>", "the server's name in the manifest")
    .addOption(repeatable("--arg <name=value>", "an answer for the template's inputs (repeatable)"))
    .addOption(secretOption())
    .option("--force", "replace a server of the same name")
    .addOption(registryOption())
    .addOption(
      new Option("--use <way>", "for a registry server offering several: how to run it").choices([
        "npm",
        "remote",
        "pypi",
        "oci",
      ]),
    )
    .option(
      "--sync",
      "sync right after adding (write every client config; an npm package is installed first)",
    )
    .option("--no-sync", "do not offer to sync");

  command("search", "search the MCP Registry (and the catalogue) for servers", load("search"))
    .argument("<words...>", "what to look for, e.g. github, or web search")
    .option("--limit <n>", "at most this many registry servers (default 20)")
    .option("--cursor <cursor>", "continue a search where the last page ended")
    .addOption(registryOption());

  command("remove", "take a server out of the manifest", load("remove"))
    .argument("<name>", "the server's name")
    .option("--sync", "sync right after removing (take it out of every client config)")
    .option("--no-sync", "do not offer to sync");

  command(
    "import",
    "copy the servers configured in any client into the manifest (and adopt them)",
    load("import"),
  )
    .option("--force", "replace manifest servers of the same name")
    .addOption(
      repeatable(
        "--prefer-client <client>",
        "a key with different values in different places: use the value this client holds (cursor, or windows:cursor; repeatable, first decides)",
      ),
    )
    .option("--keep-both", "a key with different values in different places: each place keeps its own")
    .addOption(secretOption("a key's value for every client (settles a clash, fills a placeholder)"));

  command(
    "adopt",
    "take an entry edited by hand (drift) into the manifest, so every client gets the edit",
    load("adopt"),
  )
    .argument("<server>", "the manifest server whose edited entry to take")
    .option(
      "--from <target>",
      "which entry, when several differ: env:client (e.g. windows:cursor), a client or the file's path",
    );

  command(
    "secret",
    "manage secrets: set NAME (value from a masked prompt or stdin), list, rm NAME",
    load("secret"),
  )
    .argument("<action>", "set, list or rm")
    .argument("[name]", "the secret's name, e.g. TAVILY_API_KEY")
    .option(
      "--force",
      "set: store a value that looks like a placeholder or fails the catalogue's format check",
    );
}

/** restore and doctor: putting back, and finding out what is wrong. */
function repairCommands(command: Register): void {
  command(
    "restore",
    "put back mcp-twin's entries of a target as they were before its last change, or from a chosen backup",
    load("restore"),
  )
    .argument(
      "[target]",
      "a config file's path, env:client or a client (default: the files the last change wrote)",
    )
    .option("--list", "show the backups of each target (the original first, then newest first)")
    .option("--from <backup>", "put back mcp-twin's entries as of this backup (a name or path --list shows)")
    .option(
      "--original",
      "put back mcp-twin's entries as of the original (before mcp-twin first changed the file)",
    )
    .option("--force", "also write a read-only file (it stays read-only)");

  command(
    "doctor",
    "check every environment, client config and server; start each server and explain what fails",
    load("doctor"),
  )
    .addOption(repeatable("--server <name>", "only this server (repeatable)"))
    .option("--no-probe", "static checks only: do not start the servers")
    .option("--timeout <seconds>", "how long each server may take to answer (default 10)");
}

/** serve, bridge and connect: the bridge, and relays to it or any remote server. */
function bridgeCommands(command: Register): void {
  command(
    "serve",
    "run the bridge MCP server: stdio by default (relays to the one HTTP bridge, starting it), --http to run that bridge",
    load("serve"),
  )
    .option("--http", "run the Streamable HTTP bridge (the process that owns the shared state)")
    .option("--port <port>", "HTTP port (default 7760; 0 picks a free one)")
    .option("--host <address>", "address to listen on (default 127.0.0.1)")
    .option("--allow-remote", "allow --host beyond loopback (other machines can then reach the bridge)")
    .addOption(
      repeatable("--allow-origin <origin>", "also accept requests from this browser Origin (repeatable)"),
    )
    .addOption(
      repeatable(
        "--share <server>",
        "also expose this manifest server at /share/<server> (repeatable; implies --http)",
      ),
    )
    .option("--no-plugins", "do not load plugins from the state folder's plugins/")
    .option("--print-token", "print the bridge token (created if missing) and exit")
    .option("--rotate-token", "replace the bridge token and exit");

  command(
    "bridge",
    "the bridge's lifecycle: status (where it runs, port, pid, uptime, clients), start, stop, restart",
    load("bridge"),
  ).argument("[action]", "status (default), start, stop or restart");

  command(
    "connect",
    "relay stdio ⇄ Streamable HTTP (or SSE), so a stdio-only client (Claude Desktop) can use the bridge or any remote MCP server",
    load("connect"),
  )
    .argument("<url>", "the server's URL, e.g. http://127.0.0.1:7760/mcp")
    .addOption(
      repeatable("--header <header>", 'send "Name: value" (repeatable; ${VAR} is read from the environment)'),
    )
    .option("--token-file <file>", "send the bearer token in this file")
    .option("--no-start", "do not start the local bridge when nothing answers")
    .option("--transport <transport>", "how the server speaks: http (Streamable HTTP, default) or sse")
    .option(
      "--auth <server>",
      "send mcp-twin's login to this manifest server (`mcp-twin login <server>`), renewing it",
    );
}

/** `login` and `logout`: mcp-twin's login to a remote server that asks for one. */
function loginCommands(command: Register): void {
  command(
    "login",
    "log in once to a remote server that asks for it (OAuth): every client, on both sides, uses this login",
    load("login"),
  )
    .argument("<server>", "the manifest server, e.g. docs")
    .option(
      "--no-browser",
      "print the address to open instead, and take the address the browser ends on, pasted back",
    );

  command(
    "logout",
    "revoke mcp-twin's login to a remote server at its provider (where offered) and forget it",
    load("logout"),
  ).argument("<server>", "the manifest server");
}

function uninstallCommand(command: Register): void {
  command(
    "uninstall",
    "remove every entry mcp-twin wrote, give back the hand-written ones it adopted and stop the bridge; then say what stays (asks first on a TTY)",
    load("uninstall"),
  )
    .option("--packages", "also uninstall the packages mcp-twin installed")
    .option(
      "--force",
      "also remove (or give back) entries edited by hand since mcp-twin wrote them, and write read-only files",
    );
}

/** completion: the script that completes commands, flags and names in the user's shell. */
function completionCommand(command: Register): void {
  command(
    "completion",
    "print the shell completion script for bash, zsh, fish or powershell (see --help to install it)",
    load("completion"),
  ).argument("<shell>", "bash, zsh, fish or powershell");
}

/**
 * The shared flags each command honours, after its own (help lists them in that order); only the
 * command run gets them (see invokedCommand).
 */
function addSharedFlags(program: Command, invoked: string | undefined): void {
  for (const cmd of program.commands) {
    if (invoked !== undefined && invoked !== cmd.name()) continue;
    // A command with no flags of its own lists the shared ones as its options.
    const group = cmd.options.length > 0 ? COMMON : "Options:";
    for (const [key, wording] of Object.entries(HONOURS[cmd.name()] ?? {}) as Array<[Shared, true | string]>)
      cmd.addOption(sharedOption(key, wording === true ? undefined : wording).helpGroup(group));
    everywhere(cmd, group);
    cmd.addHelpOption(new Option("-h, --help", "show this help").helpGroup(group));
  }
}

/**
 * Global flags may come before or after the command name. Commander keeps them apart (and fills
 * defaults on both), so merge: explicit values win, lists are joined.
 */
function mergedOptions(cmd: Command): GlobalOptions & Record<string, unknown> {
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
  return merged as unknown as GlobalOptions & Record<string, unknown>;
}

/** The flags that name a file or folder of this machine. */
const PATH_OPTIONS = ["manifest", "project", "tokenFile"] as const;

/**
 * Inside WSL, a path given as Windows writes it (`--project C:\Users\me\proj`, pasted from
 * Explorer) is the same folder through `/mnt/c`: taken so. Costs nothing unless one is given.
 */
async function localPathOptions(host: Host, options: Record<string, unknown>): Promise<void> {
  const given = PATH_OPTIONS.filter((k) => typeof options[k] === "string");
  if (given.length === 0) return;
  const { looksWindowsTyped, windowsToWsl } = await import("./core/environments/path-translation.js");
  const typed = given.filter((k) => looksWindowsTyped(options[k] as string));
  if (typed.length === 0) return;
  const local = await (await import("./core/environments/local.js")).detectLocal(host);
  if (local.kind !== "wsl") return;
  for (const k of typed)
    options[k] = windowsToWsl(options[k] as string, local.mountRoot, local.distro) ?? options[k];
}

/** A shared flag given before the command name to a command that does not take it: exit 2. */
function checkShared(cmd: Command): void {
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

/** What one run's steps share: its host and terminal, its abort, and whether a signal came. */
interface Run {
  /** The host commands get: every process they start is stopped by the abort. */
  host: Host;
  terminal: Terminal;
  abort: AbortController;
  interrupted: boolean;
  /** `serve` and `connect` handle SIGTERM themselves. */
  ownsSignals: boolean;
  /** Where the journal stood at the start: what this run changes from here on is what a Ctrl-C says holds. */
  mark: number;
  /** Stop listening for signals. */
  stop: () => void;
}

/** Run the CLI; returns the exit code. */
export async function main(
  argv: string[],
  host: Host = processHost(),
  terminal: Terminal = processTerminal(),
): Promise<number> {
  const wantsJson = argv.includes("--json");
  const early = createOutput({ json: wantsJson, color: !argv.includes("--no-color") }, host.env, terminal);
  const invoked = invokedCommand(argv);
  const run = startRun(host, terminal, invoked);
  // Examples and pointers to the docs, only when help is asked for (no other run loads them).
  const words = argv.slice(2).filter((a) => !a.startsWith("-"));
  const wantsHelp =
    argv.length <= 2 || words[0] === "help" || argv.slice(2).some((a) => a === "--help" || a === "-h");
  const helpAfter = wantsHelp ? (await import("./help.js")).helpAfter : undefined;

  let code: number = ExitCode.ok;
  const program = buildProgram(
    async (load, cmd, args) => {
      code = await runCommand(run, load, cmd, args);
    },
    invoked,
    helpAfter,
  );
  quietProgram(program, terminal, wantsJson);
  // `mcp-twin bogus --help` / `mcp-twin help bogus`: commander shows the program's help (exit 0);
  // a name no one knows is an unknown command (exit 2, with commander's did-you-mean) instead.
  const known = invoked === undefined || program.commands.some((c) => c.name() === invoked);
  const parsed =
    wantsHelp && !known
      ? [...argv.slice(0, 2), ...argv.slice(2).filter((a) => a !== "--help" && a !== "-h" && a !== "help")]
      : argv;
  try {
    await program.parseAsync(parsed);
  } catch (error) {
    return parseFailure(error, early, run, known ? invoked : undefined);
  } finally {
    run.stop();
  }
  return code;
}

/**
 * Ctrl-C and SIGTERM stop a run the same way: every process it started is stopped (the runner),
 * nothing is written after the signal, exit 130. `on`, not `once`: execa's signal-exit re-raises
 * SIGINT when it is the only listener left, which would kill us before the interrupted command
 * cleans up. The bridge (`serve`, `connect`) handles SIGTERM itself.
 */
function startRun(host: Host, terminal: Terminal, invoked: string | undefined): Run {
  const abort = new AbortController();
  const ownsSignals = invoked === "serve" || invoked === "connect";
  const signals: NodeJS.Signals[] = ownsSignals ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const run: Run = {
    host: { ...host, runner: abortableRunner(host.runner, abort.signal) },
    terminal,
    abort,
    interrupted: false,
    ownsSignals,
    mark: journalMark(),
    stop: () => {
      for (const s of signals) process.removeListener(s, onSignal);
    },
  };
  function onSignal() {
    if (run.interrupted) process.exit(ExitCode.interrupted); // a second one: stop waiting
    run.interrupted = true;
    abort.abort(new InterruptedError());
  }
  for (const s of signals) process.on(s, onSignal);
  return run;
}

/** One command: its flags checked, its module loaded and run; its exit code (errors reported). */
async function runCommand(run: Run, load: Loader, cmd: Command, args: string[]): Promise<number> {
  const options = mergedOptions(cmd);
  const output = createOutput(
    { json: options.json ?? false, color: options.color ?? true, verbose: options.verbose ?? false },
    run.host.env,
    run.terminal,
  );
  const ctx: CommandContext = {
    host: run.host,
    output,
    options,
    args,
    signal: run.abort.signal,
    terminal: run.terminal,
    heldCaches: [],
  };
  try {
    checkShared(cmd);
    await localPathOptions(run.host, options);
    // Every command alike, before any work: a --client or --env no one knows is exit 2.
    const clients = options.client ?? [];
    const envs = options.env ?? [];
    if (clients.length > 0 || envs.length > 0)
      (await import("./core/selectors.js")).checkSelectors({ clients, envs });
    const { run: runIt } = await load();
    let code = await runIt(ctx);
    // What it learnt about the machine is kept only by a run that got past its checks.
    if (code !== ExitCode.usage && !run.interrupted)
      for (const caches of ctx.heldCaches ?? []) await caches.flush();
    // A command that finished anyway after the signal (nothing it did could be stopped) still
    // reports the interruption: on stderr, its result (maybe JSON) being printed already.
    if (run.interrupted && !run.ownsSignals && code !== ExitCode.interrupted) {
      output.error("Interrupted.");
      code = ExitCode.interrupted;
    }
    return code;
  } catch (error) {
    return reportError(error, output, run.interrupted, {
      mark: run.mark,
      ...(ctx.afterInterrupt ? { next: ctx.afterInterrupt } : {}),
    });
  }
}

/** Commander's output to the terminal (help, version), its errors thrown to be reported our way. */
function quietProgram(program: Command, terminal: Terminal, wantsJson: boolean): void {
  program.exitOverride();
  const outputConfig = {
    writeOut: (s: string) => terminal.stdout.write(s),
    writeErr: (s: string) => {
      if (!wantsJson) terminal.stderr.write(s);
    },
    // Commander's own "error: …" line: the error is reported once, below, our way.
    outputError: () => {},
  };
  program.configureOutput(outputConfig);
  for (const c of program.commands) c.exitOverride().configureOutput(outputConfig);
}

/** What parsing threw: help or version shown (exit 0), a usage error (exit 2), or another failure. */
function parseFailure(error: unknown, early: Output, run: Run, knownCommand: string | undefined): number {
  if (!(error instanceof CommanderError))
    return reportError(error, early, run.interrupted, { mark: run.mark });
  if (
    error.code === "commander.helpDisplayed" ||
    error.code === "commander.version" ||
    error.code === "commander.help"
  )
    return ExitCode.ok;
  return reportError(
    new UsageError(error.code.replace("commander.", ""), error.message.replace(/^error: /, ""), {
      // A known command's own help lists its arguments and flags: point at that one.
      hint:
        knownCommand !== undefined
          ? `Run \`mcp-twin ${knownCommand} --help\` for usage.`
          : "Run `mcp-twin --help` (or `mcp-twin <command> --help`) for usage.",
    }),
    early,
    false,
  );
}

/** One error envelope for --json; file:line:column, message and hint for people. */
export function reportError(
  error: unknown,
  output: Output,
  interrupted: boolean,
  run: { mark: number; next?: string } = { mark: journalMark() },
): number {
  if (
    interrupted ||
    (error as { name?: string })?.name === "ExitPromptError" ||
    error instanceof InterruptedError
  ) {
    const message = interruptedMessage(changesSince(run.mark), output.shown, run.next);
    if (output.json) output.result({ errors: [{ code: "interrupted", message }] });
    else output.error(message);
    return ExitCode.interrupted;
  }
  if (isTwinError(error)) {
    const list = error instanceof UsageErrors ? error.errors : [error];
    if (output.json) {
      output.result({
        errors: list.map((e) => ({
          code: e.code,
          message: e.message,
          ...(e.location.file ? { file: e.location.file } : {}),
          ...(e.location.line !== undefined ? { line: e.location.line, column: e.location.column } : {}),
          ...(e instanceof UnknownNameError ? { known: e.known, didYouMean: e.suggestions } : {}),
          // what to do about it, as a terminal shows it under the message (a script can show it too)
          ...(e.hint ? { hint: e.hint } : {}),
        })),
      });
    } else {
      for (const e of list) {
        // The file it names, as the user's system shows it (inside WSL: C:\… for a Windows file).
        const file = e.location.file;
        const shown = (text: string) => (file ? text.split(file).join(output.shown(file)) : text);
        // The file once: a message that names it already (without a line) gets no prefix.
        const named =
          !file ||
          e.message.startsWith(formatLocation(e.location)) ||
          (e.location.line === undefined && e.message.includes(file));
        output.error(shown(named ? e.message : `${formatLocation(e.location)}: ${e.message}`));
        if (e.hint) output.info(shown(e.hint));
      }
    }
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (output.json) output.result({ errors: [{ code: "internal", message }] });
  else {
    output.error(`Unexpected error: ${message}`);
    if (output.verbose && error instanceof Error && error.stack) output.debug(error.stack);
  }
  return ExitCode.failed;
}

/**
 * What holds after a Ctrl-C, for this run: nothing written; or the files it wrote — each whole, as
 * every write is atomic per file — and where npm ran (a package it did not finish is installed by
 * the next run); then how to finish.
 */
export function interruptedMessage(
  changed: Changes,
  shown: (file: string) => string,
  next = "Run the command again to finish.",
): string {
  if (changed.files.length === 0 && changed.npm.length === 0)
    return changed.cache
      ? "Stopped before anything but mcp-twin's cache was written."
      : "Stopped before anything was written.";
  const said = ["Interrupted."];
  const cache = changed.cache ? " (and mcp-twin's cache)" : "";
  if (changed.files.length === 0)
    said.push(changed.cache ? "It wrote nothing but mcp-twin's cache." : "It wrote no file.");
  else {
    const names = changed.files.map(shown);
    const listed =
      names.length <= 3
        ? andList(names)
        : `${names.slice(0, 2).join(", ")} and ${names.length - 2} more files`;
    said.push(
      names.length === 1
        ? `It wrote ${listed}${cache}, whole (never half-written).`
        : `It wrote ${listed}${cache}, each whole (never half-written).`,
    );
  }
  if (changed.npm.length > 0)
    said.push(`npm ran in ${andList(changed.npm)}: a package it did not finish, the next run installs.`);
  said.push(next);
  return said.join(" ");
}
