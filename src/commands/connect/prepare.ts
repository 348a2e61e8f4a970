/**
 * `connect`'s options, checked before anything runs: the URL, each `--header` with its `${VAR}`
 * read from connect's own environment (so secrets stay out of argv), the token file, the transport.
 * Every mistake is a usage error (exit 2); both ways in (cli.ts and the lean entry) share this.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { tokenScope } from "../../core/bridge-link/index.js";
import { UsageError } from "../../core/errors.js";
import { dict, own } from "../../core/plain-records.js";

/** The options as given (from commander, or from the lean entry's own argv parser). */
export interface ConnectOptions {
  url: string | undefined;
  header: string[];
  tokenFile?: string | undefined;
  start: boolean;
  transport: string;
  /** The manifest server whose login the relay uses (core/oauth/relay-auth.ts). */
  auth?: string | undefined;
  /** The client a shared server's relay serves (`<env>:<client>`): its credential is presented. */
  client?: string | undefined;
}

export type PreparedConnect = ReturnType<typeof prepareConnect>;

/** `Name: value` with `${VAR}` expanded from `env`. */
export function parseHeader(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): [string, string] {
  const colon = text.indexOf(":");
  const name = colon === -1 ? "" : text.slice(0, colon).trim();
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name))
    throw new UsageError("bad-header", `--header "${name || text.slice(0, 40)}": expected "Name: value".`);
  const value = text
    .slice(colon + 1)
    .trim()
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, variable: string) => {
      const v = own(env, variable);
      if (v === undefined)
        throw new UsageError(
          "unset-variable",
          `--header ${name} uses \${${variable}}, which is not set in connect's environment.`,
          { hint: "The client entry's env must define it (mcp-twin sync writes it there)." },
        );
      return v;
    });
  if (/[\r\n]/.test(value))
    throw new UsageError("bad-header", `--header ${name}: the value cannot span lines.`);
  return [name, value];
}

export function prepareConnect(
  o: ConnectOptions,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
) {
  if (o.transport !== "http" && o.transport !== "sse")
    throw new UsageError("bad-option", "--transport must be http or sse");
  let url: URL;
  try {
    url = new URL(o.url ?? "");
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error();
  } catch {
    throw new UsageError("bad-url", `"${o.url ?? ""}" is not an http(s) URL.`, {
      hint: "e.g. mcp-twin connect http://127.0.0.1:7760/mcp",
    });
  }
  if (o.auth !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(o.auth))
    throw new UsageError("bad-option", `--auth "${o.auth}": expected the name of a server in the manifest.`);
  const headers = dict<string>();
  for (const h of o.header) {
    const [name, value] = parseHeader(h, env);
    headers[name] = value;
  }
  const hasAuth = Object.keys(headers).some((k) => k.toLowerCase() === "authorization");
  if (o.client !== undefined) checkClient(o, url, hasAuth);
  const tokenFile = o.tokenFile ? path.resolve(cwd, o.tokenFile) : undefined;
  if (tokenFile) {
    try {
      readFileSync(tokenFile, "utf8");
    } catch {
      throw new UsageError("no-token-file", `Cannot read the token file ${tokenFile}.`);
    }
  }
  return {
    url,
    headers,
    /** An Authorization header was given. */
    hasAuth,
    tokenFile,
    start: o.start,
    transport: o.transport as "http" | "sse",
    auth: o.auth,
    client: o.client,
    /** Header values (and a Bearer's token alone), to mask in everything printed. */
    secrets: Object.values(headers).flatMap((v) => [v, v.replace(/^Bearer\s+/i, "")]),
  };
}

/**
 * `--as` names the client a relay serves, so the bridge keeps that client's tool rules: only for a
 * `/share/<name>` or `/tools` URL over Streamable HTTP, with no credential of its own.
 */
function checkClient(o: ConnectOptions, url: URL, hasAuth: boolean): void {
  if (!/^[A-Za-z0-9._~:@+-]{1,200}$/.test(o.client ?? ""))
    throw new UsageError(
      "bad-option",
      `--as "${o.client ?? ""}": expected <env>:<client> (letters, digits and . _ ~ : @ + -), e.g. linux:claude-code.`,
    );
  if (tokenScope(url.pathname) === undefined || o.transport === "sse" || hasAuth || o.tokenFile || o.auth)
    throw new UsageError(
      "bad-option",
      "--as is for the bridge's shared servers and tools endpoint: a /share/<name> or /tools URL, with no --header Authorization, --token-file or --auth.",
      { hint: "e.g. mcp-twin connect http://127.0.0.1:7760/share/memory --as linux:claude-code" },
    );
}
