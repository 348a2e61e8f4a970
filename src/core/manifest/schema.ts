/**
 * The manifest schema: the single source of truth. The JSON Schema shipped in `schema/` is
 * generated from it (`npm run build`), and a test keeps the committed copy identical.
 */
import { z } from "zod";
// The one list of client ids, shared with the client table.
import { CLIENT_IDS, type ClientId } from "../clients/ids.js";
import { clientModule } from "../clients/index.js";
import { entryKeys } from "../formats/index.js";
import { ENV_SELECTOR } from "../selectors.js";
import { isLoopback } from "../system/loopback.js";
import { headerNameProblem, headerValueProblem, urlProblem } from "./remote-checks.js";
import { reservedNameWhy } from "./reserved-names.js";

export { CLIENT_IDS, type ClientId };

export const MANIFEST_VERSION = 1;

/** `windows`, `wsl` (every distro), `wsl:<distro>`, `macos`, `linux`. */
export const envSelector = z
  .string()
  .regex(ENV_SELECTOR, "must be windows, wsl, wsl:<distro>, macos or linux")
  .describe("An environment: windows, wsl (every distro), wsl:<distro>, macos or linux.");

export const clientId = z.enum(CLIENT_IDS).describe("An AI client.");

/** Letters, digits, `-` and `_`: what every client (Claude Code is the strictest) accepts. */
export const serverName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
    "use letters, digits, - and _ only (Claude Code rejects other names)",
  )
  .superRefine((n, ctx) => {
    const why = reservedNameWhy(n);
    if (why) ctx.addIssue({ code: "custom", message: `"${n}" ${why}: give this server another name` });
  });

/** An npm package spec: name, optionally @version or @range or @tag. No URLs, no shell syntax. */
export const npmSpec = z
  .string()
  .regex(
    /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*(@[A-Za-z0-9.^~<>=|*+ _-]+)?$/,
    "must be an npm package name, optionally with @version (e.g. tavily-mcp@0.2.22)",
  )
  .describe(
    "npm package spec installed into the global prefix of each environment where a client runs it, e.g. tavily-mcp@0.2.22.",
  );

/** A variable name every platform's environment accepts: no `=`, no space. */
const envName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    "is not a valid environment variable name (letters, digits and _, not starting with a digit)",
  );

const envMap = z.record(envName, z.string());

/** A string `problem` has nothing to say about. */
const checked = (problem: (text: string) => string | undefined) =>
  z.string().superRefine((text, ctx) => {
    const why = problem(text);
    if (why) ctx.addIssue({ code: "custom", message: why });
  });

/** A remote server's URL: http(s), no credentials, no control characters (remote-checks.ts). */
const remoteUrl = checked(urlProblem).meta({ format: "uri", pattern: "^[Hh][Tt][Tt][Pp][Ss]?://" });

/** The transports a url server may speak: Streamable HTTP, or HTTP+SSE (the one MCP replaced in 2025-03). */
export const REMOTE_TRANSPORTS = ["http", "sse"] as const;
export type RemoteTransport = (typeof REMOTE_TRANSPORTS)[number];
const remoteTransport = z.enum(REMOTE_TRANSPORTS);
/** HTTP headers: RFC 9110 names, values on one line (remote-checks.ts). */
const headerMap = z.record(checked(headerNameProblem), checked(headerValueProblem));

export const overrideSchema = z
  .strictObject({
    command: z.string().min(1).optional(),
    args: z.array(z.string()).optional(),
    env: envMap.optional().describe("Merged over the server's env in this environment."),
    url: remoteUrl.optional(),
    headers: headerMap.optional(),
  })
  .describe("Differences for one environment.");

const oauthSchema = z.strictObject({
  clientId: z
    .string()
    .min(1)
    .optional()
    .describe("A client id registered with the provider (redirect URI http://127.0.0.1/callback, any port)."),
  clientSecret: z.string().min(1).optional().describe("Its secret, if it has one: use ${secret:NAME}."),
  clientMetadataUrl: z
    .string()
    .url()
    .refine(
      (u) => u.startsWith("https://") && new URL(u).pathname !== "/",
      "must be an https URL with a path",
    )
    .optional()
    .describe("An https URL of a Client ID Metadata Document, used where the provider accepts them."),
  scope: z.string().min(1).optional().describe("The scopes to ask for (default: what the server names)."),
});

export { DEFAULT_IDLE_MINUTES } from "./bridge-defaults.js";

/** How many processes of a shared server run (servers.<name>.share). */
export const SHARE_MODES = ["machine", "project", "session"] as const;
export type ShareMode = (typeof SHARE_MODES)[number];

/** A tool's exact name, or a pattern where `*` stands for any run of characters (`browser_*`). */
const toolName = z
  .string()
  .regex(
    /^[^\s]+$/,
    "is not a tool name or pattern (a name as the server lists it, `*` for any characters, no spaces)",
  );

/** Which tools of a server get through: `allow` (when given) lets only these in, `deny` keeps these out. */
export const toolRuleSchema = z
  .strictObject({
    allow: z
      .array(toolName)
      .min(
        1,
        'an empty allow lets no tool through: leave "allow" out to allow every tool, or name the tools (e.g. "read_*")',
      )
      .optional()
      .describe("Only these tools (exact names or `*` patterns) get through."),
    deny: z.array(toolName).optional().describe("These tools (exact names or `*` patterns) are kept out."),
  })
  .refine((r) => r.allow !== undefined || r.deny !== undefined, 'give "allow", "deny" or both');

export const serverSchema = z
  .strictObject({
    description: z.string().optional(),
    package: npmSpec.optional(),
    bin: z.string().min(1).optional().describe("Which bin of the package to run, when it has several."),
    command: z
      .string()
      .min(1)
      .optional()
      .describe("A program to run as is (e.g. uvx), when there is no npm package."),
    args: z.array(z.string()).optional().describe("Arguments; ${secret:NAME} and ${env:NAME} are resolved."),
    env: envMap.optional().describe("Environment variables; values may use ${secret:NAME} and ${env:NAME}."),
    url: remoteUrl.optional().describe("A remote server (Streamable HTTP unless `transport` says sse)."),
    transport: remoteTransport
      .optional()
      .describe(
        "How a url server speaks: http (Streamable HTTP, the default) or sse (the older HTTP+SSE transport).",
      ),
    headers: headerMap.optional().describe("HTTP headers for a remote server, e.g. Authorization."),
    auth: z
      .enum(["oauth", "client"])
      .optional()
      .describe(
        'A url server that needs a login: "oauth" (you log in once with `mcp-twin login <server>`; every client reaches it through mcp-twin\'s relay, which sends and refreshes the token) or "client" (native url entries: each client asks for its own login).',
      ),
    oauth: oauthSchema
      .optional()
      .describe(
        "How mcp-twin logs in (with auth: oauth), when the provider does not let clients register themselves.",
      ),
    environments: z
      .array(envSelector)
      .min(1)
      .optional()
      .describe("Where the server is installed and runs (default: everywhere)."),
    clients: z.array(clientId).min(1).optional().describe("Which clients get it (default: all)."),
    clientFields: z
      .partialRecord(clientId, z.record(z.string(), z.json()))
      .optional()
      .describe(
        'Fields of a client\'s own for its entries of this server, by client id (e.g. "claude-code": { "alwaysLoad": true }): written as given (no ${secret:…} resolved). `mcp-twin adopt` puts them here.',
      ),
    tools: toolRuleSchema
      .optional()
      .describe(
        'Which of its tools every client gets: { "allow": [...], "deny": [...] }, exact names or `*` patterns. Each client is told in its own way (`mcp-twin tools` shows what each loads).',
      ),
    clientTools: z
      .partialRecord(clientId, toolRuleSchema)
      .optional()
      .describe(
        'Narrows `tools` for one client, by client id (e.g. "vscode": { "deny": ["browser_*"] }): a tool must pass every rule that applies.',
      ),
    overrides: z.record(envSelector, overrideSchema).optional(),
    disabled: z.boolean().optional().describe("Keep it in the manifest but out of every client."),
    share: z
      .enum([...SHARE_MODES, "off"])
      .optional()
      .describe(
        'Run it once in the bridge for every client session: "machine" (one process for all), "project" (one per project folder), "session" (one per client session); "off": each client starts its own. Absent: "machine" for a server whose headers, url or env hold a ${secret:…} (its key stays in mcp-twin\'s home, the bridge adding it), else each client starts its own.',
      ),
  })
  .superRefine((server, ctx) => {
    const kinds = (["package", "command", "url"] as const).filter((k) => server[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message:
          kinds.length === 0
            ? "needs one of package, command or url"
            : `has ${kinds.join(" and ")}: give exactly one of package, command or url`,
      });
    }
    if (server.transport && !server.url)
      ctx.addIssue({
        code: "custom",
        path: ["transport"],
        message: "transport only applies to a url server",
      });
    if (server.headers && !server.url)
      ctx.addIssue({ code: "custom", path: ["headers"], message: "headers only apply to a url server" });
    if (server.auth && !server.url)
      ctx.addIssue({ code: "custom", path: ["auth"], message: "auth only applies to a url server" });
    if (server.auth === "oauth" && server.transport === "sse")
      ctx.addIssue({
        code: "custom",
        path: ["auth"],
        message: 'mcp-twin logs in to Streamable HTTP servers only; for an SSE server use "auth": "client"',
      });
    if (server.oauth && server.auth !== "oauth")
      ctx.addIssue({ code: "custom", path: ["oauth"], message: 'oauth only applies with "auth": "oauth"' });
    if (
      server.auth === "oauth" &&
      [server.headers, ...Object.values(server.overrides ?? {}).map((o) => o.headers)].some((h) =>
        Object.keys(h ?? {}).some((k) => k.toLowerCase() === "authorization"),
      )
    )
      ctx.addIssue({
        code: "custom",
        path: ["headers"],
        message: 'an Authorization header and "auth": "oauth" both say how to log in: keep one',
      });
    for (const [id, fields] of Object.entries(server.clientFields ?? {})) {
      const client = clientModule(id as ClientId);
      const own = entryKeys(client).kept ?? [];
      const rules = client.toolBudget?.filter?.keys ?? [];
      for (const field of Object.keys(fields ?? {}))
        if (!own.includes(field))
          ctx.addIssue({
            code: "custom",
            path: ["clientFields", id, field],
            message: rules.includes(field)
              ? `is how mcp-twin tells ${id} the manifest's tool rules: say them in "clientTools": { "${id}": { "allow": [...] } } (or "deny")`
              : own.length
                ? `is not one of ${id}'s own entry fields mcp-twin keeps (${own.join(", ")}): how a server starts goes in the server itself`
                : `${id} has no entry fields of its own that mcp-twin knows`,
          });
    }
    if (server.bin && !server.package)
      ctx.addIssue({ code: "custom", path: ["bin"], message: "bin only applies to a package server" });
    // A url server shared goes through the gateway, which adds its headers on the way out: its key
    // stays in the home. One connection serves every session ("machine") or one each ("session").
    if (server.share && server.share !== "off" && server.url) {
      const why =
        server.share === "project"
          ? 'a url server has no project folder to run in: share it "machine" (one connection for every client session) or "session" (one per client session)'
          : server.auth === "oauth"
            ? '"auth": "oauth" keeps the login in mcp-twin\'s home already (its relay sends it to the server): remove "share"'
            : server.auth === "client"
              ? '"auth": "client" has each client log in itself: remove "share"'
              : undefined;
      if (why) ctx.addIssue({ code: "custom", path: ["share"], message: why });
    }
  });

export const bridgeSchema = z
  .strictObject({
    // No default here: absent means off, unless mcp-twin wrote the entry before (bridge-control/settings.ts).
    enabled: z
      .boolean()
      .optional()
      .describe(
        "Give the bridge's own tools (memory, notes, hand-off) an `mcp-twin` entry in every client. Only this adds that entry; shared servers run in the bridge whatever it says.",
      ),
    // No default here: the bridge's settings give it (bridge-control/settings.ts), in one place.
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe(
        "Pin the port it listens on. Absent: a free one chosen on its first start (7760 when free) and kept in the home.",
      ),
    host: z
      .string()
      .refine(isLoopback, {
        message:
          "a loopback address (127.0.0.1, ::1 or localhost); a bridge reachable from other machines is only started by hand (`serve --http --host … --allow-remote`)",
      })
      .optional()
      .describe("The address it listens on (default 127.0.0.1)."),
    environment: envSelector
      .optional()
      .describe("Where the bridge runs (default: WSL when there is one, else here)."),
    idleMinutes: z
      .number()
      .positive("a number of minutes above 0 (decimals allowed, e.g. 0.5)")
      .max(10_080, "at most a week (10080)")
      .optional()
      .describe("A shared server with no call for this many minutes stops (default 10; decimals allowed)."),
    allowOrigins: z
      .array(
        z
          .string()
          .regex(/^https?:\/\/[^/\s]+\/?$/i, "an origin: scheme://host[:port], e.g. http://localhost:5173"),
      )
      .max(32)
      .optional()
      .describe(
        "Browser origins whose pages may call the bridge (an MCP inspector's page). Absent: a request that carries an Origin is refused.",
      ),
  })
  .describe(
    "The bundled bridge (mcp-twin serve): the gateway of shared servers, and its own tools, registered in every client when enabled.",
  );

/** Tools on demand: the clients that get one `tools` entry to the gateway, and the tools kept in sight. */
export const toolSearchSchema = z
  .strictObject({
    clients: z
      .array(clientId)
      .min(
        1,
        "name the clients that get the tools entry (an empty list gives it to none: leave toolSearch out)",
      )
      .describe(
        "The clients that get one `tools` entry (search_tools, call_tool and the kept tools) in place of one entry per server.",
      ),
    keep: z
      .array(
        z
          .string()
          .regex(
            /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\/[^\s]+$/,
            'is not "<server>/<tool>" (a server of the manifest, a slash, the tool\'s name as the server lists it)',
          ),
      )
      .optional()
      .describe('Tools those clients see beside search_tools and call_tool, as "<server>/<tool>".'),
  })
  .superRefine((search, ctx) => {
    search.clients.forEach((id, i) => {
      const own = clientModule(id).toolBudget?.searches;
      if (own)
        ctx.addIssue({
          code: "custom",
          path: ["clients", i],
          message: `${clientModule(id).name} searches its tools itself (${own.how}): leave it out of toolSearch`,
        });
    });
  })
  .describe(
    "Tools on demand, for clients with no tool search of their own: each client named reaches every server it gets through the gateway's search_tools and call_tool.",
  );

export const manifestSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z
      .literal(MANIFEST_VERSION)
      .optional()
      .describe("Manifest format version (absent means the current one)."),
    environments: z
      .array(envSelector)
      .optional()
      .describe("Environments mcp-twin manages (default: every one it finds)."),
    clients: z.array(clientId).optional().describe("Clients mcp-twin manages (default: every one it finds)."),
    servers: z.record(serverName, serverSchema).default({}),
    bridge: bridgeSchema.optional(),
    toolSearch: toolSearchSchema.optional(),
    registry: z
      .string()
      .url()
      .optional()
      .describe(
        "The MCP Registry `search`, `add` and `init` ask (default: https://registry.modelcontextprotocol.io). Read from the home manifest only.",
      ),
  })
  .superRefine((manifest, ctx) => {
    const search = manifest.toolSearch;
    if (!search) return;
    // The one entry's name: a server under it would take its place in those clients' configs.
    if (Object.hasOwn(manifest.servers, "tools"))
      ctx.addIssue({
        code: "custom",
        path: ["servers", "tools"],
        message: "is the name of the toolSearch clients' one entry: give this server another name",
      });
    (search.keep ?? []).forEach((kept, i) => {
      // One not written <server>/<tool> is refused by its own pattern.
      const server = kept.includes("/") ? kept.slice(0, kept.indexOf("/")) : "";
      if (server && !Object.hasOwn(manifest.servers, server))
        ctx.addIssue({
          code: "custom",
          path: ["toolSearch", "keep", i],
          message: `"${server}" is not a server of this manifest (servers: ${Object.keys(manifest.servers).join(", ") || "none"})`,
        });
    });
  })
  .describe("mcp-twin manifest: the MCP servers to set up in every environment and client.");

export type Manifest = z.infer<typeof manifestSchema>;
export type ServerSpec = z.infer<typeof serverSchema>;
export type ServerOverride = z.infer<typeof overrideSchema>;
export type BridgeSpec = z.infer<typeof bridgeSchema>;
export type ToolSearchSpec = z.infer<typeof toolSearchSchema>;

/** The JSON Schema shipped with the package (editors complete the manifest with it). */
export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(manifestSchema, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  // toolSearch offers for completion only the clients it takes: not those that search their own tools.
  // (A copy: the schema may hold one object for every place a client id goes.)
  const clients = (schema.properties as { toolSearch?: ToolSearchJson } | undefined)?.toolSearch?.properties
    ?.clients;
  if (clients?.items)
    clients.items = {
      ...clients.items,
      enum: CLIENT_IDS.filter((id) => !clientModule(id).toolBudget?.searches),
    };
  return { ...schema, title: "mcp-twin manifest" };
}

/** The part of the manifest's JSON Schema that lists toolSearch's clients. */
interface ToolSearchJson {
  properties?: { clients?: { items?: Record<string, unknown> } };
}
