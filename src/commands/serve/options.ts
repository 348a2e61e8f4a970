/**
 * `mcp-twin serve`'s options, checked by hand rather than with zod: `serve --http` runs for days,
 * and an idle bridge should not carry zod (it loads with the first session).
 */
import { UsageError } from "../../core/errors.js";
import type { serveCommand } from "../serve-flags.js";
import type { OptionsOf } from "../shared/command.js";

export type ServeOptions = ReturnType<typeof parseServeOptions>;

/** The options as commander gives them, checked; a bad one is a usage error. */
export function parseServeOptions(options: Partial<OptionsOf<typeof serveCommand>>) {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  /** A number flag's value when given, checked by `fits`; `expected` says what fits. */
  const number = (flag: string, given: unknown, fits: (n: number) => boolean, expected: string) => {
    if (given === undefined) return undefined;
    const n = Number(given);
    if (!fits(n) || String(given).trim() === "")
      throw new UsageError("bad-option", `${flag} ${String(given)}: expected ${expected}.`);
    return n;
  };
  const port = number(
    "--port",
    options.port,
    (n) => Number.isInteger(n) && n >= 0 && n <= 65535,
    "a port number from 0 to 65535",
  );
  const host = options.host === undefined ? undefined : String(options.host).trim();
  if (host === "") throw new UsageError("bad-option", "--host needs an address.");
  const graceSeconds = number(
    "--session-grace",
    options.sessionGrace,
    (n) => Number.isFinite(n) && n > 0 && n <= 86_400,
    "seconds above 0, at most 86400",
  );
  const listenFd = number(
    "--listen-fd",
    options.listenFd,
    (n) => Number.isInteger(n) && n >= 3,
    "an inherited socket's descriptor, 3 or above",
  );
  const origins = list(options.allowOrigin);
  for (const origin of origins)
    if (!/^https?:\/\/[^/\s]+$/i.test(origin.replace(/\/+$/, "")))
      throw new UsageError(
        "bad-option",
        `--allow-origin ${origin}: expected scheme://host[:port], e.g. http://localhost:5173.`,
      );
  // The flags (`--http`, `--keep`, `--listen-ipc`, the token's…) as commander gives them: set or not.
  return {
    ...options,
    port,
    /** Undefined: the manifest's `bridge.host` (default 127.0.0.1). */
    host,
    allowOrigin: origins,
    share: list(options.share),
    plugins: options.plugins !== false,
    /** `--session-grace`, in ms (undefined: sessions.ts SESSION_GRACE_MS). */
    sessionGraceMs: graceSeconds === undefined ? undefined : Math.round(graceSeconds * 1000),
    /** `--listen-fd`: the socket its keeper holds (supervisor.ts), inherited as this descriptor. */
    listenFd,
  };
}
