/**
 * `mcp-twin connect <url>`: a stdio ⇄ Streamable HTTP (or HTTP+SSE) relay for clients that only speak
 * stdio or cannot write an SSE entry (Claude Desktop, Codex).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { CommandContext } from "../cli.js";
import { ensureBridge, localLifecycle } from "../core/bridge-control/lifecycle.js";
import { isLoopback } from "../core/bridge-control/loopback.js";
import { BRIDGE_PATH, SHARE_PREFIX } from "../core/bridge-control/state-folder.js";
import { readToken } from "../core/bridge-control/token-file.js";
import { ExitCode, UsageError } from "../core/errors.js";
import { dict, own } from "../core/own-keys.js";
import { sseRelay } from "../core/relay/sse-relay.js";
import { relay } from "../core/relay/streamable-http-relay.js";

const optionsSchema = z.object({
  header: z.array(z.string()).default([]),
  tokenFile: z.string().optional(),
  start: z.boolean().default(true),
  transport: z.enum(["http", "sse"], { message: "--transport must be http or sse" }).default("http"),
  auth: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, "--auth takes a server name")
    .optional(),
});

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
          {
            hint: "The client entry's env must define it (mcp-twin sync writes it there).",
          },
        );
      return v;
    });
  if (/[\r\n]/.test(value))
    throw new UsageError("bad-header", `--header ${name}: the value cannot span lines.`);
  return [name, value];
}

/**
 * Header values may hold `${VAR}`, read from connect's own environment, so secrets stay out of
 * argv. Without an Authorization header or --token-file it sends the local bridge's token; a
 * loopback URL where nothing answers gets the bridge started.
 */
export async function run(ctx: CommandContext): Promise<number> {
  const parsed = optionsSchema.safeParse(ctx.options);
  if (!parsed.success) throw new UsageError("bad-option", parsed.error.issues[0]!.message);
  const o = parsed.data;
  const out = ctx.output;
  const target = ctx.args[0];
  let url: URL;
  try {
    url = new URL(target ?? "");
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error();
  } catch {
    throw new UsageError("bad-url", `"${target ?? ""}" is not an http(s) URL.`, {
      hint: "e.g. mcp-twin connect http://127.0.0.1:7760/mcp",
    });
  }
  const headers = dict<string>();
  for (const h of o.header) {
    const [name, value] = parseHeader(h, ctx.host.env);
    headers[name] = value;
  }
  const hasAuth = Object.keys(headers).some((k) => k.toLowerCase() === "authorization");
  const lifecycle = localLifecycle(ctx.host, (line) => out.info(line));
  const { files } = lifecycle;
  const tokenFile = o.tokenFile ? path.resolve(ctx.host.cwd, o.tokenFile) : undefined;
  if (tokenFile) {
    try {
      await readFile(tokenFile, "utf8");
    } catch {
      throw new UsageError("no-token-file", `Cannot read the token file ${tokenFile}.`);
    }
  }
  const secretsOf = (h: Record<string, string>) =>
    Object.values(h).flatMap((v) => [v, v.replace(/^Bearer\s+/i, "")]);
  out.addSecrets(secretsOf(headers));

  if (o.auth && o.transport === "sse")
    throw new UsageError("auth-sse", "--auth works with Streamable HTTP servers only, not --transport sse.");

  // An SSE remote: never the local bridge (it speaks Streamable HTTP), so no bridge token.
  if (o.transport === "sse") {
    if (tokenFile) {
      const token = (await readFile(tokenFile, "utf8")).trim();
      out.addSecrets([token]);
      if (!hasAuth && token) headers.Authorization = `Bearer ${token}`;
    }
    const how = await sseRelay({
      url,
      headers: { ...headers },
      log: (line) => out.info(line),
      signal: ctx.signal,
    });
    return how === "lost" ? ExitCode.failed : ExitCode.ok;
  }

  // mcp-twin's login to a server (`--auth <server>`): read from the home, renewed when due.
  const login = o.auth ? await loginOf(ctx, o.auth, url) : undefined;

  // The local bridge: loopback, and one of its endpoint paths. Only it gets the bridge's token.
  const local =
    !login &&
    isLoopback(url.hostname) &&
    url.protocol === "http:" &&
    (url.pathname === BRIDGE_PATH || url.pathname.startsWith(SHARE_PREFIX));
  const port = Number(url.port || 80);
  // The bridge where the entry says, or — an entry written before a port change, whose client was
  // not restarted — wherever this home's bridge runs now.
  const start = async (): Promise<URL> => {
    const ensured = await ensureBridge(
      lifecycle,
      { host: url.hostname.replace(/^\[|\]$/g, ""), port },
      { follow: true },
    );
    const at = new URL(url.href);
    at.port = String(ensured.port);
    return at;
  };
  if (local && o.start) url = await start();

  await relay({
    url,
    ...(login ? { refused: async () => ({ ...headers, ...(await login.refused()) }) } : {}),
    headers: async () => {
      if (login) return { ...headers, ...(await login.headers()) };
      if (hasAuth) return headers;
      const token = tokenFile
        ? (await readFile(tokenFile, "utf8")).trim()
        : local
          ? await readToken(files.token)
          : null;
      if (!token) return headers;
      out.addSecrets([token]);
      return { ...headers, Authorization: `Bearer ${token}` };
    },
    ...(local && o.start ? { recover: start } : {}),
    name: local ? "the bridge" : `the server at ${url.href}`,
    log: (line) => out.info(line),
    stdin: process.stdin,
    stdout: process.stdout,
    signal: ctx.signal,
  });
  return ExitCode.ok;
}

/** The login `--auth` names, from the home (its modules loaded only for such a relay). */
async function loginOf(ctx: CommandContext, server: string, url: URL) {
  const { openCommandMachine } = await import("./shared/open-machine.js");
  const machine = await openCommandMachine(ctx);
  const { loginHeaders } = await import("../core/oauth/relay-auth.js");
  return loginHeaders({
    oauthDir: machine.paths.oauth,
    server,
    url: url.href,
    addSecret: (value) => ctx.output.addSecrets([value]),
  });
}
