/**
 * What every client module provides (`ClientModule`): where its config files live, how an entry
 * looks in them, and the facts about the client that sync and doctor need (desktop app or not,
 * start-up timeout, reference syntax for project files).
 */
import type { Environment, EnvKind } from "../environments/types.js";
import type { ConfigFormatId } from "../formats/index.js";
import type { ClientId } from "./ids.js";
import type { PluginServer } from "./plugin-servers.js";
import type { VariableSyntax } from "./variables.js";

type Scope = "user" | "project";

/** How one server is started: a program, its arguments, its environment. */
export interface Launch {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export interface Remote {
  url: string;
  headers: Record<string, string>;
}

/** Where a client keeps its config in one environment. */
export interface ConfigLocation {
  /** Native path in that environment. */
  path: string;
  /** The client is installed (its folder, file or program exists) there. */
  present: boolean;
  /** Which of several candidate files was chosen and why (e.g. the MSIX one). */
  note?: string;
  /** One line said once where this file is listed (sync, status, doctor): a predecessor's file found here. */
  notice?: string;
}

/** An extension of VS Code-family editors, as a client module declares it (ClientModule.extension). */
export interface EditorExtension {
  /** Marketplace ids (`publisher.name`), any case: an editor names the folder by the id lowercased. */
  ids: readonly string[];
  /** The extension's user file under its globalStorage folder (undefined: it keeps none there). */
  file?: readonly string[];
  /** What each id is called, for the location's note (default: the id). */
  names?: Readonly<Record<string, string>>;
}

/** Where a fact about a client comes from: its docs, its source, or a run of it (cited in docs/clients.md). */
interface ClientSource {
  /** What it tells, in a few words ("entry shape", "user file on Windows"). */
  fact: string;
  /** The page, source file or issue (a URL). */
  url: string;
}

/** How docs/clients.md's generated table shows a client (scripts/generate-docs.mjs). */
export interface ClientDocs {
  /** The environments, in words (default: from `kinds`). */
  where?: string;
  /** The user file, in words (defineClient derives it from its `files`). */
  file?: string;
  /** The project file, in words (default: `projectConfig` joined with /). */
  project?: string;
  /** The entry shapes, in words ("`type: local`, `command` as an array"). */
  shapes?: string;
  /** The references a project file's entry takes, in words (default: `referenceStyle("VAR")`). */
  variables?: string;
}

/**
 * One AI client. Adding a client is one file implementing this (most simply through
 * `defineClient`, clients/define-client.ts), plus a line in index.ts.
 */
export interface ClientModule {
  id: ClientId;
  name: string;
  /** Where each fact of this module comes from (docs/clients.md cites them). */
  sources?: readonly ClientSource[];
  /** How docs/clients.md's table shows it. */
  docs?: ClientDocs;
  /** How a person checks what sync wrote with the client itself (`opencode mcp list`), for the docs. */
  judge?: string;
  /** One line said wherever the client is found (init): a rename, a successor. */
  notice?: string;
  /** The client the notice says its users moved to: sync's line says where mcp-twin writes it here, or that it is not found. */
  movedTo?: ClientId;
  /** Where the notice concerns only some files (doctor's warning): whether this file's text is one. */
  noticeWhen?: (text: string) => boolean;
  /**
   * Fields a new entry gets besides its launch, which are the client's own after that (keptKeys
   * should name them): Goose's `name`, `enabled`, `timeout`. Sync writes them only where the entry
   * lacks them, so a person's `enabled: false` stays.
   */
  entryDefaults?(name: string): Record<string, unknown>;
  /**
   * An entry of its servers that is the client's own, not a server it starts from the entry
   * (Goose's built-in and platform extensions, run inside Goose): what it is, in a few words;
   * undefined for a server's entry. Doctor checks none of these, import takes none, and sync,
   * which never wrote them, leaves them as they are.
   */
  ownEntry?(entry: unknown): string | undefined;
  /** Environment kinds the client really runs in. */
  kinds: readonly EnvKind[];
  /**
   * Where `--client <id>` creates the config file even when the client is not found
   * (default: every kind in `kinds`). Cursor's WSL file only matters once its remote mode exists.
   */
  createWhenNamed?: readonly EnvKind[];
  /** The key (path) holding servers, e.g. ["mcpServers"] or ["servers"]. */
  serversPath: readonly string[];
  /**
   * Its servers are a list of items each naming itself with this key (Continue's `- name: x`), not
   * a map of names: an entry is one item, its value the item without that key.
   */
  listKey?: string;
  /** The format of its config files (default JSON). */
  format?: ConfigFormatId;
  /**
   * For a client that writes into the entries itself: the keys of an entry mcp-twin owns. Only
   * those are compared (drift, status) and replaced; the app's own keys in the same entry stay.
   * Undefined: mcp-twin owns whole entries.
   */
  ownedKeys?: readonly string[];
  /**
   * The fields of an entry the client reads for itself, not how to start the server (Claude Code's
   * `alwaysLoad`): sync never writes them unless the manifest's `clientFields` says so, keeps them
   * where the user put them, and leaves them out of what it compares (drift, status).
   */
  keptKeys?: readonly string[];
  /** The user-level config file in an environment (undefined: not in this kind of environment). */
  userConfig(env: Environment): Promise<ConfigLocation | undefined>;
  /**
   * An extension of VS Code-family editors (its files: clients/editor-storage.ts): `ids`, its marketplace ids
   * (an editor names its globalStorage folder by the id lowercased); `file`, its user file under
   * `<editor's User folder>/globalStorage/<id>/` — then it has one user file per editor of the
   * environment that runs it (the desktop editors, and the servers of their remote windows, as
   * `~/.vscode-server/data/User` in WSL), and `userConfig` is not asked. Without `file`, its user
   * file is `userConfig`'s, and an editor where the extension is installed makes it present there.
   */
  extension?: EditorExtension;
  /**
   * Where its user file in an environment of these kinds is the one a window of the editor on the
   * other side reads when connected to that environment, laid over the other side's user file by
   * server name (VS Code connected to WSL: `~/.vscode-server/data/User/mcp.json` replaces the
   * Windows `mcp.json`'s entry of the same name, and starts it in WSL). Such a file holds only the
   * entries that run in its own environment; the window takes the others from the other side's.
   */
  remoteOverlay?: readonly EnvKind[];
  /**
   * The name of the file beside its user file that its older versions read servers from, and whose
   * servers it moves into the user file when it starts (Devin's `config.json`): sync never writes
   * it; import and doctor read it as the person's; mcp-twin's own entries there stay its own
   * (clients/moved-file.ts).
   */
  movedFrom?: string;
  /** The project-level config file, relative to the project folder (undefined: none). */
  projectConfig?: readonly string[];
  /** How a project-scope file references a variable (`${VAR}`, `${env:VAR}`). */
  referenceStyle(name: string): string;
  stdioEntry(launch: Launch): Record<string, unknown>;
  /**
   * Why a project-scope entry cannot carry its references (undefined: it can). Codex expands no
   * `${VAR}` in values: a reference must be a whole value it can pass on by name.
   */
  projectEntryProblem?(entry: Record<string, unknown>): string | undefined;
  /** Undefined when the client cannot use a remote server from its file (a stdio relay is written instead). */
  remoteEntry?(remote: Remote): Record<string, unknown>;
  /**
   * How a url entry's header value names the folder the client works in, which the client expands
   * when it connects (a project-shared server's `Mcp-Twin-Project`). Undefined: it has no such
   * variable, so a project-shared server reaches it through the relay (which names its own folder).
   */
  workingFolder?: string;
  /**
   * The entry for a remote that speaks the older HTTP+SSE transport. Undefined when the client
   * cannot use one from its file (Claude Desktop, Codex): a stdio relay speaking SSE is written.
   */
  sseEntry?(remote: Remote): Record<string, unknown>;
  /**
   * The variables of its own environment a server it starts inherits, besides the entry's `env`
   * (undefined: all of them, or a desktop app's small set), and the entry key that names more.
   */
  serverEnv?: { posix: readonly string[]; windows: readonly string[]; forwardKey?: string };
  /**
   * The variables of its own environment it passes to a stdio server it starts, when it withholds
   * some by name or value (Gemini CLI: names like secrets); it expands the entry's values against
   * this too; `settings` is its file's top level (its own allow and block lists). Undefined: as
   * `serverEnv` says.
   */
  serverEnvFilter?(
    env: Readonly<Record<string, string | undefined>>,
    settings?: Readonly<Record<string, unknown>>,
  ): Record<string, string>;
  /** Reads its config only at start: the app must be restarted to see a change. */
  restartToApply: boolean;
  /**
   * A command-line client: each session reads the config when it starts, so a running session
   * keeps the old servers and a new one sees the change (nothing to restart but the session).
   */
  newSessionToApply?: true;
  /**
   * A desktop (GUI) app: started from the desktop, it does not inherit your shell's PATH (nvm,
   * version managers), and starts servers with a small environment in your home folder.
   */
  gui: boolean;
  /**
   * How long it waits for a server to answer `initialize`, in ms, given the entry as written in its
   * file and the environment the client starts from.
   */
  startupTimeoutMs(entry: unknown, env: Readonly<Record<string, string | undefined>>): number;
  /**
   * How it is given more time to start a server (doctor's fix for a slow start): a variable of the
   * environment it starts from, or a field of its entry — one of its keptKeys, so the manifest's
   * clientFields writes it — in this unit. Undefined: none known (nothing is proposed).
   */
  startupSetting?: { env: string; unit: "ms" } | { key: string; unit: "ms" | "s" };
  /** Process names that tell the app is running. */
  processNames: { windows: readonly string[]; posix: readonly string[] };
  /**
   * On Windows it splits a command or argument at its spaces when it starts a server (`splits`:
   * the entry does not start; `may-split`: seen in some versions). sync writes 8.3 names there.
   */
  windowsSpaces?: "splits" | "may-split";
  /**
   * Variables a Windows entry must carry because this target's app starts servers without them
   * (undefined: none). Values the entry sets itself win.
   */
  windowsEntryEnv?(target: Target): Record<string, string> | undefined;
  /** How it reads an entry of its file: doctor, status and import read entries as it does. */
  reading: EntryReading;
  /**
   * On Windows, a batch file (`npx.cmd`) given as the command: "no-shell" — it starts servers
   * without a shell, so the entry fails; `since` — it wraps one itself from that version on (and in
   * its Store build). Undefined: not known (it may not wrap it).
   */
  windowsBatch?: "no-shell" | { since: string };
  /** The Windows app's build, which some facts depend on: its Store (MSIX) build, its version. */
  windowsBuild?(target: Target): Promise<{ store: boolean; version?: string }>;
  /**
   * It runs a bare `node`/`npx` on a Node.js of its own (which does not see `npm -g` packages)
   * unless this top-level key of its file is false; `setting` is what its settings call it.
   */
  builtInNode?: { key: string; setting: string };
  /** The servers its plugins or extensions provide in an environment (read only; undefined: none known). */
  pluginServers?(env: Environment): Promise<PluginServer[]>;
  /**
   * It drops a plugin's server when a configured one runs the same command or url, saying nothing
   * (Claude Code: anthropics/claude-code#31682); otherwise it shows both.
   */
  dropsPluginDuplicates?: true;
  /**
   * Of a plugin's server and a configured one of the same name, it runs only the plugin's (GitHub
   * Copilot CLI) or only the entry (Codex); undefined: it lays the entry over the plugin's (Gemini).
   */
  pluginNameClash?: "plugin-wins" | "entry-wins";
  /**
   * It writes its own file anew, readable by other users (mode 644), whatever mode it had: no token
   * goes into it on POSIX (Qwen Code adds its `$version` so on its first run).
   */
  rewritesReadable?: true;
  /** Where it keeps backups of its own file, for a file that was reset. */
  ownBackups?: string;
  /**
   * Its own command that lists the servers it reads from its user file (doctor runs it where the
   * program is on PATH): the program, its arguments, and the names its output lists (undefined:
   * output it cannot read).
   */
  ownList?: { program: string; args: readonly string[]; names(stdout: string): string[] | undefined };
  /**
   * What it does with a server's tools: its own entry field for the manifest's tool rules, the most
   * tools it takes, which it defers (each with the source that says so). Undefined: none known —
   * a rule is then said not kept for it, never claimed.
   */
  toolBudget?: ToolBudget;
  /**
   * From version `since` of the app on, its agent harness `name` also reads client `reads`'s user
   * file of the same environment, and is given this client's own user file's servers too (VS Code
   * 1.140's Copilot harness: Copilot CLI's mcp-config.json): a server both files would hold is
   * written to `reads`'s only (clients/harness.ts). `version`: the app installed there (undefined:
   * not known, and nothing changes).
   */
  harness?: {
    since: string;
    name: string;
    reads: ClientId;
    version(env: Environment): Promise<string | undefined>;
  };
}

/** A client's own ways with a server's tools (`mcp-twin tools`, doctor's tools.budget, sync). */
interface ToolBudget {
  /**
   * Its entry's fields that say which tools it loads: given the names it loads (`allow`) or leaves
   * out (`deny`), those fields, or undefined when it cannot say that form (then the names it loads
   * are tried, expanded from the server's list). `keys` are mcp-twin's on its entries, compared and
   * rewritten by sync (never the client's own: not in `keptKeys`).
   */
  filter?: {
    keys: readonly string[];
    fields(names: ToolNames): Record<string, unknown> | undefined;
    source: string;
  };
  /**
   * Where it has no per-tool field mcp-twin writes, why in words, when a field looks like one (Claude
   * Code's `tools` is a permission list; Amp's `includeTools` narrows a skill's servers only).
   */
  noField?: string;
  /**
   * The most tools it sends the model in one request (past it the request fails), and the source.
   * Every tool it loads counts, deferred or not: a client whose search serves only some models
   * (Copilot CLI) still sends them all with the others.
   */
  limit?: { tools: number; source: string };
  /**
   * It searches its MCP tools itself: it sends the model a few and finds the rest on demand, so their
   * definitions are deferred. The one fact every reader takes: the manifest's `toolSearch` refuses it
   * (its JSON Schema leaves it out), doctor never proposes it, and `mcp-twin tools`, doctor's budget,
   * init's plan and docs/manifest.md count its tools as deferred where `when` says so. `how` names
   * its own way; `when`, the entries whose tools it defers (default: every one).
   */
  searches?: {
    how: string;
    source: string;
    when?: {
      /** It defers this entry's tools, written so in its file, with `total` tools in all. */
      entry(entry: Readonly<Record<string, unknown>>, total: number): boolean;
      /** The same in words ("from 100 tools"). */
      words: string;
    };
  };
}

/** The tool names an entry's filter field says: those the client loads, or those it leaves out. */
type ToolNames =
  | { allow: readonly string[]; deny?: undefined }
  | { deny: readonly string[]; allow?: undefined };

/** How a client reads an entry of its file back (clients/entry-view.ts applies it). */
interface EntryReading {
  /** How it expands references in an entry's values. */
  variables: VariableSyntax;
  /**
   * How strictly it reads "type": "strict" — a url needs "http" or "sse" (else the entry is read
   * as stdio, without a command), a command "stdio" or nothing; "required" — so, and every entry
   * says it. Undefined: it reads "type" loosely.
   */
  type?: "strict" | "required";
  /** Its own keys in the other clients' vocabulary (`headers`), with the variables it passes on by name. */
  commonKeys?(entry: Record<string, unknown>, view: EntryView): Record<string, unknown>;
  /** Its entry in the other clients' vocabulary, references for what it passes on, its own keys left out (import). */
  commonEntry?(raw: unknown): unknown;
  /** The one key it takes a remote server's url from (others are not read). */
  urlKey?: string;
  /** A key whose url it always reads as Streamable HTTP. */
  streamableUrlKey?: string;
  /** A `url` without "type" is SSE in its docs and older versions, Streamable HTTP first from this one. */
  untypedUrlMaybeSse?: { httpFirstSince: string };
  /** Its reader is stricter than JSONC (it rewrites its file, or reads it with JSON.parse): see the dialect. */
  strictJson?(scope: Scope): boolean;
  /**
   * With `strictJson`: what its reader takes of JSONC — comments (Factory's, Qwen Code's, Auggie's
   * do), trailing commas (Auggie's; Qwen Code's after its comments are stripped do not), and a
   * byte-order mark (Go's and Rust's JSON, and Auggie's, do not). Undefined: JSON.parse's — comments
   * and trailing commas break it, a BOM is skipped.
   */
  strictJsonDialect?: { comments: boolean; trailingCommas?: boolean; bom: boolean };
  /**
   * Servers of one project kept in its user file (a local scope): where they sit in the file's
   * top-level value for that project folder (undefined: none there).
   */
  localScope?(top: Record<string, unknown>, project: string, windows: boolean): string[] | undefined;
  /**
   * A file of its the app ignores (doctor says which it reads; import reads both; sync writes neither);
   * `why`: import's word for it (default: the classic Claude Desktop file's).
   */
  ignoredFile?(target: Target): { path: string; file: string; why?: string } | undefined;
}

/** One config file mcp-twin may edit: (environment, client, scope). */
export interface Target {
  key: string;
  env: Environment;
  client: ClientModule;
  scope: Scope;
  /** Native path in the target's environment. */
  path: string;
  /** Path this process opens. */
  file: string;
  serversPath: readonly string[];
  present: boolean;
  note?: string;
  /** ConfigLocation.notice: said once by sync, status and doctor. */
  notice?: string;
  /** The app's installed version there, where a fact depends on it (ClientModule.harness). */
  version?: string;
  /**
   * The user file its harness also reads (ClientModule.harness), found though `--client` left that
   * client out of the run: what a whole sync writes there still decides what is written here.
   */
  harnessFile?: Target;
}

/** What one client entry says, read the way its own client reads it (clients/entry-view.ts). */
export interface EntryView {
  kind: "stdio" | "remote" | "invalid";
  command?: string;
  args: string[];
  env: Record<string, string>;
  url?: string;
  /** The key that held the url (`url`, `serverUrl`, `httpUrl`). */
  urlKey?: string;
  type?: string;
  headers: Record<string, string>;
  /** Variables the client passes on from its own environment (Codex's `env_vars`). */
  forward: string[];
  /** Headers whose value the client reads from a variable of its own environment (Codex). */
  headerVars: Record<string, { variable: string; prefix: string }>;
  /** Why the entry is invalid for its client. */
  problems: string[];
}
