/**
 * `mcp-twin serve`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine, flag, list, noFlag, value } from "./shared/command.js";

export const serveCommand = commandLine({
  name: "serve",
  description:
    "run the bridge MCP server: stdio by default (relays to the one HTTP bridge, starting it), --http to run that bridge",
  flags: {
    http: flag("--http", "run the Streamable HTTP bridge (the process that owns the shared state)"),
    port: value(
      "--port <port>",
      "HTTP port (default: the manifest's bridge.port, else the port this home keeps, which `mcp-twin bridge status` shows; 0 picks a free one)",
    ),
    host: value(
      "--host <address>",
      "address to listen on (default: the manifest's bridge.host, else 127.0.0.1)",
    ),
    allowRemote: flag(
      "--allow-remote",
      "allow --host beyond loopback (other machines can then reach the bridge)",
    ),
    allowOrigin: list(
      "--allow-origin <origin>",
      "also accept requests from this browser Origin (repeatable)",
    ),
    share: list(
      "--share <server>",
      "also expose this manifest server at /share/<server> (repeatable; implies --http)",
    ),
    sessionGrace: value(
      "--session-grace <seconds>",
      "--http: end a session this long after its client is gone (no stream open, no request; default 50)",
    ),
    plugins: noFlag("--no-plugins", "do not load plugins from the state folder's plugins/"),
    okIfRunning: flag(
      "--ok-if-running",
      "--http: when this home's bridge runs already, end with exit code 0, not 3 (for a service manager that restarts on every other exit)",
    ),
    listenFd: value(
      "--listen-fd <fd>",
      "--http: listen on this inherited socket, which its keeper holds across restarts (what `bridge start` runs; not for use by hand)",
    ),
    keep: flag(
      "--keep",
      "--http: hold the port and keep the bridge running on it, started again after a failure (what the Windows start at logon and `bridge start` run there; not for use by hand)",
    ),
    listenIpc: flag(
      "--listen-ipc",
      "--http: take the connections its keeper hands over (Windows; not for use by hand)",
    ),
    printToken: flag("--print-token", "print the bridge token (created if missing) and exit"),
    rotateToken: flag("--rotate-token", "replace the bridge token and exit"),
  },
  shared: {
    json: "--http, --share: where it listens, as JSON once ready; --print-token, --rotate-token: their result",
    manifest: "--share: the manifest the shared servers are read from",
  },
});
