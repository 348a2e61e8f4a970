/**
 * `mcp-twin serve`'s options, checked by hand rather than with zod: `serve --http` runs for days,
 * and an idle bridge should not carry zod (it loads with the first session).
 */
import { UsageError } from "../../core/errors.js";
import type { serveCommand } from "../serve-flags.js";
import type { OptionsOf } from "../shared/command.js";

export interface ServeOptions {
  http: boolean;
  port: number | undefined;
  /** Undefined: the manifest's `bridge.host` (default 127.0.0.1). */
  host: string | undefined;
  allowRemote: boolean;
  allowOrigin: string[];
  share: string[];
  plugins: boolean;
  /** `--session-grace`, in ms (undefined: sessions.ts SESSION_GRACE_MS). */
  sessionGraceMs: number | undefined;
  okIfRunning: boolean;
  /** `--listen-fd`: the socket its keeper holds (supervisor.ts), inherited as this descriptor. */
  listenFd: number | undefined;
  /** `--keep`: run as the bridge's keeper (Windows: bridge-control/socket-keeper.ts). */
  keep: boolean;
  /** `--listen-ipc`: take the connections its keeper hands over its message channel. */
  listenIpc: boolean;
  printToken: boolean;
  rotateToken: boolean;
}

/** The options as commander gives them, checked; a bad one is a usage error. */
export function parseServeOptions(options: Partial<OptionsOf<typeof serveCommand>>): ServeOptions {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  let port: number | undefined;
  if (options.port !== undefined) {
    port = Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535 || String(options.port).trim() === "")
      throw new UsageError(
        "bad-option",
        `--port ${String(options.port)}: expected a port number from 0 to 65535.`,
      );
  }
  const host = options.host === undefined ? undefined : String(options.host).trim();
  if (host === "") throw new UsageError("bad-option", "--host needs an address.");
  let sessionGraceMs: number | undefined;
  if (options.sessionGrace !== undefined) {
    const seconds = Number(options.sessionGrace);
    if (
      !Number.isFinite(seconds) ||
      seconds <= 0 ||
      seconds > 86_400 ||
      String(options.sessionGrace).trim() === ""
    )
      throw new UsageError(
        "bad-option",
        `--session-grace ${String(options.sessionGrace)}: expected seconds above 0, at most 86400.`,
      );
    sessionGraceMs = Math.round(seconds * 1000);
  }
  let listenFd: number | undefined;
  if (options.listenFd !== undefined) {
    listenFd = Number(options.listenFd);
    if (!Number.isInteger(listenFd) || listenFd < 3 || String(options.listenFd).trim() === "")
      throw new UsageError(
        "bad-option",
        `--listen-fd ${String(options.listenFd)}: expected an inherited socket's descriptor, 3 or above.`,
      );
  }
  const origins = list(options.allowOrigin);
  for (const origin of origins)
    if (!/^https?:\/\/[^/\s]+$/i.test(origin.replace(/\/+$/, "")))
      throw new UsageError(
        "bad-option",
        `--allow-origin ${origin}: expected scheme://host[:port], e.g. http://localhost:5173.`,
      );
  return {
    http: options.http === true,
    port,
    host,
    allowRemote: options.allowRemote === true,
    allowOrigin: origins,
    share: list(options.share),
    plugins: options.plugins !== false,
    sessionGraceMs,
    okIfRunning: options.okIfRunning === true,
    listenFd,
    keep: options.keep === true,
    listenIpc: options.listenIpc === true,
    printToken: options.printToken === true,
    rotateToken: options.rotateToken === true,
  };
}
