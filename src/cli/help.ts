/**
 * What `--help` shows after a command's options: two or three examples, and where to read more.
 * Loaded only when help is asked for (cli.ts), so no other run pays for this text.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

interface CommandHelp {
  /** Shown before the examples (e.g. the bridge's tools). */
  about?: string[];
  examples: Array<[command: string, what: string]>;
  /** Sections of the docs (by file and title) and docs files. */
  readMore: string[];
}

/** A section of a docs page, by the start of its title (a test checks a heading starts so). */
const doc = (page: string, section: string) => `docs/${page}.md, "${section}"`;

/**
 * What `serve --help` and `bridge --help` say the bridge offers (a test lists the tools of a real
 * bridge and compares).
 */
const BRIDGE_TOOLS = [
  "Tools the bridge offers every client, on both sides of the Windows/WSL line:",
  "  memory_set memory_get memory_list memory_delete",
  "      shared memory: JSON values under keys (optional namespace)",
  "  notes_write notes_read notes_list notes_delete",
  "      Markdown notes in one workspace folder (no path escapes it)",
  "  handoff_post handoff_list handoff_get handoff_claim handoff_complete",
  "      a hand-off queue: one session posts, another claims and completes",
  "  bridge_status",
  "      uptime, connected clients, token age, shared servers",
  "  and the tools of plugins in <state>/plugins/*.mjs (unless `serve --no-plugins`)",
];

const HELP: Record<string, CommandHelp> = {
  "": {
    about: [
      "Flags such as --json, --yes, --dry-run, --manifest, --env, --client and",
      "--project go with the commands that take them (before or after the command",
      "name): `mcp-twin <command> --help` lists each command's.",
    ],
    examples: [
      ["mcp-twin init", "set up: find your clients, import their servers, pick more, sync"],
      ["mcp-twin sync --dry-run", "what sync would change (diffs, keys masked); nothing written"],
      ["mcp-twin doctor", "check everything, start each server, explain what fails"],
      [
        'eval "$(mcp-twin completion bash)"',
        "Tab-complete commands, flags and names (in ~/.bashrc; zsh, fish, powershell: mcp-twin completion --help)",
      ],
    ],
    readMore: ["README.md"],
  },
  init: {
    examples: [
      ["mcp-twin init", "the wizard (asks; writes nothing before its one question)"],
      [
        "mcp-twin init --yes --server tavily --secret TAVILY_API_KEY",
        "unattended: a catalogue server, its key read from $TAVILY_API_KEY",
      ],
      ["mcp-twin init --yes --import --no-sync", "adopt what the clients have already; sync later"],
    ],
    readMore: [doc("getting-started", "Set up: `mcp-twin init`")],
  },
  sync: {
    examples: [
      ["mcp-twin sync", "install the packages and write every client config"],
      ["mcp-twin sync --dry-run --client cursor", "what would change in Cursor's config; nothing written"],
      ["mcp-twin sync --update", "move unpinned packages to their newest versions"],
    ],
    readMore: [
      doc("getting-started", "How sync works"),
      doc("commands", "Hand edits: keep, overwrite or adopt"),
    ],
  },
  status: {
    examples: [
      ["mcp-twin status", "every server × every client config: synced, missing, drifted, foreign, stale"],
      ["mcp-twin status --env wsl --json", "the WSL side only, as JSON rows"],
    ],
    readMore: [doc("commands", "`mcp-twin status`"), doc("commands", "Hand edits: keep, overwrite or adopt")],
  },
  tools: {
    examples: [
      [
        "mcp-twin tools",
        "each client's servers and tools, the heaviest first, their size in tokens, its limit",
      ],
      ["mcp-twin tools --client vscode --json", "one client, as JSON"],
    ],
    readMore: [doc("manifest", "Tools per client"), doc("commands", "`mcp-twin tools`")],
  },
  add: {
    examples: [
      ["mcp-twin add --list", "the catalogue"],
      ["mcp-twin add tavily --sync", "add a catalogue server (its key asked, masked) and sync"],
      [
        "mcp-twin add io.github.owner/server",
        "add a server of the MCP Registry (`mcp-twin search` finds one)",
      ],
      ["mcp-twin add https://mcp.example.com/mcp", "add a remote server by its URL (named example)"],
    ],
    readMore: [
      doc("catalogue-and-registry", "The catalogue"),
      doc("catalogue-and-registry", "Search and add from the MCP Registry"),
      doc("remote-servers", "Remote servers in every client"),
    ],
  },
  search: {
    examples: [
      ["mcp-twin search web search", "servers matching every word, the catalogue's first"],
      ["mcp-twin search github --limit 5 --json", "the first five, as JSON"],
    ],
    readMore: [doc("catalogue-and-registry", "Search and add from the MCP Registry")],
  },
  remove: {
    examples: [
      ["mcp-twin remove tavily --dry-run", "the manifest diff; nothing written"],
      ["mcp-twin remove tavily --sync", "out of the manifest, then out of every client"],
    ],
    readMore: ["docs/manifest.md", doc("commands", "`mcp-twin remove`")],
  },
  share: {
    examples: [
      ["mcp-twin share tavily machine --sync", "one process for every session, then every client's entry"],
      ["mcp-twin share playwright session", "one browser per client session"],
      ["mcp-twin share tavily off --dry-run", "the manifest diff; nothing written"],
    ],
    readMore: [
      doc("bridge", "Shared servers: run once for every session"),
      doc("commands", "`mcp-twin share`"),
    ],
  },
  import: {
    examples: [
      ["mcp-twin import --dry-run", "what would be imported, keys masked; nothing written"],
      ["mcp-twin import", "write the manifest, store the keys, adopt the entries"],
      [
        "mcp-twin import --yes --prefer-client cursor",
        "a key with different values in different clients: Cursor's for all",
      ],
    ],
    readMore: ["docs/import.md"],
  },
  adopt: {
    examples: [
      ["mcp-twin status", "which entries were edited by hand (drifted)"],
      ["mcp-twin adopt tavily --dry-run", "the manifest change, keys masked; nothing written"],
      ["mcp-twin adopt tavily --from windows:cursor", "take Cursor's edit in; then `mcp-twin sync`"],
    ],
    readMore: [doc("commands", "Hand edits: keep, overwrite or adopt")],
  },
  secret: {
    examples: [
      ["mcp-twin secret set TAVILY_API_KEY", "store a key from a masked prompt"],
      ['printf %s "$KEY" | mcp-twin secret set TAVILY_API_KEY', "or from stdin (scripts)"],
      ["mcp-twin secret list", "names, where each is used, never values"],
    ],
    readMore: [doc("commands", "`mcp-twin secret`"), doc("safety", "Your secrets")],
  },
  restore: {
    examples: [
      ["mcp-twin restore --list", "every target's backups"],
      ["mcp-twin restore windows:cursor --dry-run", "what putting back Cursor's entries would change"],
      [
        "mcp-twin restore ~/.claude.json --original",
        "mcp-twin's entries as before it first changed the file",
      ],
    ],
    readMore: [doc("commands", "`mcp-twin restore`"), doc("safety", "Your files")],
  },
  doctor: {
    examples: [
      ["mcp-twin doctor", "every check, every server started (MCP handshake)"],
      ["mcp-twin doctor --server tavily --client cursor", "one server, as Cursor starts it"],
      ["mcp-twin doctor --no-probe --json", "static checks only, as JSON"],
    ],
    readMore: ["docs/doctor.md (every check id and its fix)", doc("windows-and-wsl", "Troubleshooting")],
  },
  serve: {
    about: BRIDGE_TOOLS,
    examples: [
      ["mcp-twin serve", "stdio (what client entries run): relays to the HTTP bridge, starting it"],
      ["mcp-twin serve --http --port 7760", "run the bridge itself, the owner of the shared state"],
      ["mcp-twin serve --share tavily", "also expose the manifest's tavily to the other side"],
    ],
    readMore: ["docs/bridge.md"],
  },
  bridge: {
    about: BRIDGE_TOOLS,
    examples: [
      ["mcp-twin bridge", "where it runs, its port, pid, uptime and clients"],
      ["mcp-twin bridge restart", "stop it and start it again with the manifest's settings"],
      ["mcp-twin bridge status --json", "its status as one JSON document"],
      ["mcp-twin bridge status tavily", "one shared server: each process, its last error and where, its log"],
      ["mcp-twin bridge restart tavily", "stop its processes; the next call starts it again"],
      ["mcp-twin bridge logs tavily --follow", "what its processes write on stderr, as they write it"],
    ],
    readMore: [
      doc("bridge", "One lifecycle"),
      doc("bridge", "One shared server on its own"),
      doc("commands", "`mcp-twin bridge`"),
    ],
  },
  connect: {
    examples: [
      ["mcp-twin connect http://127.0.0.1:7760/mcp", "a stdio client reaches the bridge (started if needed)"],
      [
        "mcp-twin connect https://example.com/mcp --header 'Authorization: Bearer ${TOKEN}'",
        "any Streamable HTTP server; connect reads $TOKEN (single quotes: not in argv)",
      ],
    ],
    readMore: [doc("bridge", "`mcp-twin connect`: the relay"), "docs/remote-servers.md"],
  },
  login: {
    examples: [
      ["mcp-twin login docs", "log in in your browser (from WSL: Windows' own); every client uses it"],
      ["mcp-twin login docs --no-browser", "print the address; paste back the one the browser ends on"],
      ["BROWSER=firefox mcp-twin login docs", "open it in this browser instead"],
    ],
    readMore: ["docs/remote-servers.md"],
  },
  completion: {
    about: [
      "The script completes commands, flags, and the names of servers (from the",
      "manifest), clients and environments. Each Tab runs `mcp-twin __complete`,",
      "which reads only files: no network, no Windows process.",
    ],
    examples: [
      ['eval "$(mcp-twin completion bash)"', "bash: this shell; add the line to ~/.bashrc for every new one"],
      ['eval "$(mcp-twin completion zsh)"', "zsh: add the line to ~/.zshrc, after compinit"],
      ["mcp-twin completion fish > ~/.config/fish/completions/mcp-twin.fish", "fish: every new shell"],
      [
        "mcp-twin completion powershell | Out-String | Invoke-Expression",
        "PowerShell: this session; add the line to $PROFILE for every new one",
      ],
    ],
    readMore: [doc("commands", "`mcp-twin completion`")],
  },
  logout: {
    examples: [
      ["mcp-twin logout docs", "revoke the login at its provider (where offered), then forget it"],
      ["mcp-twin logout docs --dry-run", "say whether there is one; remove nothing"],
    ],
    readMore: ["docs/remote-servers.md"],
  },
  uninstall: {
    examples: [
      ["mcp-twin uninstall --dry-run", "what would be removed or given back (diffs, keys masked)"],
      ["mcp-twin uninstall --yes --packages", "remove every entry and the packages mcp-twin installed"],
      ["mcp-twin restore", "undo it"],
    ],
    readMore: [doc("commands", "`mcp-twin uninstall`"), doc("safety", "Your files")],
  },
};

/** The package folder (README.md, docs/): beside dist/ when built, beside src/ in a clone. */
export function packageDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
}

/** The text after `mcp-twin <command> --help`'s options ("" for the program itself). */
export function helpAfter(command: string, dir: string = packageDir()): string {
  const help = HELP[command];
  if (!help) return "";
  const lines = [
    "",
    ...(help.about ? [...help.about, ""] : []),
    "Examples:",
    ...help.examples.flatMap(([c, what]) => [`  # ${what}`, `  $ ${c}`]),
    "",
    "Read more:",
    ...help.readMore.map((r) => `  ${r}`),
    `  (the package folder: ${dir})`,
  ];
  return lines.join("\n");
}

/** Commands that have help text (tests check every command has some). */
export function commandsWithHelp(): string[] {
  return Object.keys(HELP).filter((c) => c !== "");
}

/** Every "Read more" pointer, for a test that each docs section and file exists. */
export function readMorePointers(): string[] {
  return [...new Set(Object.values(HELP).flatMap((h) => h.readMore))];
}

/** The bridge's tool names as `serve --help` lists them. */
export function bridgeToolNames(): string[] {
  return BRIDGE_TOOLS.slice(1, -1)
    .filter((line) => !line.startsWith("      "))
    .flatMap((line) => line.trim().split(" "));
}
