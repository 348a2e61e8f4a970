/**
 * Every check id doctor can report, with what it looks at. docs/doctor.md lists the same ids with
 * the fix; a test keeps the two in step. Ids are part of the `doctor --json` contract: never rename.
 */
export const CHECK_IDS = {
  "env.platform": "where mcp-twin runs (Windows, WSL 1/2 and which distro, macOS, Linux)",
  "env.home": "the shared home (manifest, secrets, state) is found and reachable",
  "env.interop": "inside WSL: Windows programs can be started (interop on, cmd.exe found)",
  "env.reachable": "each other environment (Windows from WSL, a distro from Windows) answers",
  "node.present": "Node.js is installed in the environment",
  "node.version": "its version is supported (18 or newer; 20+ recommended)",
  "node.foreign": "inside WSL, PATH's node is Linux's, not Windows' node.exe from the appended Windows PATH",
  "npm.present": "npm answers and reports its global prefix",
  "npm.foreign": "inside WSL, PATH's npm is Linux's, not Windows' npm (the CRLF script that fails)",
  "npm.prefix-writable": "npm's global prefix is a folder you can write (installs need no sudo)",
  "manifest.found": "which manifest is used",
  "manifest.valid": "the manifest parses and matches the schema",
  "manifest.stray": "no second manifest lies where it is not read",
  "secrets.file": "the secrets file parses, every entry is a name with a string, and it is private (0600)",
  "state.file": "the state file (what mcp-twin wrote where) parses and every record is well-formed",
  "backups.file":
    "the records kept beside each file's backups (which entries mcp-twin owned, the hand-written forms uninstall gives back) parse and are well-formed",
  "secrets.resolved": "every ${secret:NAME} / ${env:NAME} of a server resolves",
  "secrets.args": "no ${secret:NAME} in a server's args, where the key is visible in the process list (ps)",
  "secrets.placeholder":
    "no API key is a placeholder (your-key-here, <YOUR_KEY>, tvly-xxxx…, empty) or fails the catalogue's format",
  "config.parse": "each client config file parses",
  "config.strict-json": "files their app reads as strict JSON hold no comments or trailing commas",
  "config.shape": "the servers key (mcpServers, servers) is an object",
  "config.location":
    "the file is the one the app really reads (Claude Desktop Store/MSIX vs %APPDATA%\\Claude)",
  "config.wiped": "entries sync wrote are still there (the app did not reset the file)",
  "config.duplicate-key": "no server name appears twice in one object",
  "config.private":
    "a config that holds keys (an entry's env value or header, the bridge token) is readable only by you",
  "client.restart": "an app that reads its config only at start was started after the last change",
  "entry.shape": "an entry has a command or a url, in the form its client expects",
  "entry.reference": "${VAR} references in an entry are expanded by its client and set",
  "entry.remote": "url (HTTP) entries only in clients that can use them",
  "entry.spawn": "the command can be spawned the way its client spawns (bare npx / *.cmd on Windows)",
  "entry.command": "the command exists in the environment it runs in",
  "entry.node-path": "an absolute node path still exists (not removed by an nvm or Node upgrade)",
  "entry.script": "the script the command runs exists",
  "entry.spaces": "no path with spaces where the client splits them (Claude Desktop on Windows)",
  "entry.wslenv": "variables of a wsl.exe entry are listed in WSLENV, so they reach Linux",
  "entry.login-shell": "`bash -lc` entries that need nvm's node (a login shell does not load nvm)",
  "entry.gui-path": "GUI apps do not see nvm's PATH: bare commands found only through it",
  "entry.builtin-node": "Claude Desktop runs bare node/npx on its built-in Node (isUsingBuiltInNodeForMcp)",
  "entry.cold-start": "npx/uvx entries download on start and can exceed the client's start-up timeout",
  "entry.duplicate": "a Claude Code server name defined in more than one scope (local > project > user)",
  "drift.entry": "each manifest server's entry is what sync wrote (not missing, edited, stale or foreign)",
  "probe.trust":
    "a project's own config (a cloned repo's .mcp.json) is not started until you trust it (mcp-twin's own entries are)",
  "probe.handshake": "the server starts as its client starts it and answers initialize + tools/list",
  "probe.stdout": "the server prints nothing but JSON-RPC on stdout (no banner)",
  "probe.startup": "its start-up time is well within the client's timeout",
  "bridge.token": "the bridge token exists (the bridge has started once)",
  "bridge.reachable": "what runs at the bridge's address: this home's bridge, nothing, or another program",
  "bridge.windows": "Windows clients can reach the WSL bridge on 127.0.0.1 (localhost forwarding)",
} as const;

export type CheckId = keyof typeof CHECK_IDS;
