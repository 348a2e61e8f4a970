/**
 * The shapes of a client's entries: its entry forms (`EntryShapes`) and the common ones most
 * clients take, `command`/`args`/`env` and `url`/`headers`, with or without a `type`.
 */
import type { Launch, Remote } from "./types.js";

/** The entry forms of a client: how it starts a server, and how it reaches a remote one. */
export interface EntryShapes {
  stdio(launch: Launch): Record<string, unknown>;
  /** Undefined: it takes stdio servers only (a remote gets mcp-twin's relay). */
  remote?(remote: Remote): Record<string, unknown>;
  /** Undefined: it speaks no HTTP+SSE from its file (an SSE remote gets the relay). */
  sse?(remote: Remote): Record<string, unknown>;
}

/** `command`, `args` and `env` (`env` only when it has variables): the entry most clients take. */
export function commandEntry(launch: Launch, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...extra,
    command: launch.command,
    args: launch.args,
    ...(Object.keys(launch.env).length > 0 ? { env: launch.env } : {}),
  };
}

/** `url` (or another key) and `headers` (only when there are some). */
export function urlEntry(
  remote: Remote,
  extra: Record<string, unknown> = {},
  key = "url",
): Record<string, unknown> {
  return {
    ...extra,
    [key]: remote.url,
    ...(Object.keys(remote.headers).length > 0 ? { headers: remote.headers } : {}),
  };
}

/** The entries of a client that names each entry's transport in `type` (`stdio`, `http`, `sse`). */
export const TYPED: EntryShapes = {
  stdio: (launch) => commandEntry(launch, { type: "stdio" }),
  remote: (remote) => urlEntry(remote, { type: "http" }),
  sse: (remote) => urlEntry(remote, { type: "sse" }),
};
