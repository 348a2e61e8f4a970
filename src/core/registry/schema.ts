/**
 * The parts of the MCP Registry's API that mcp-twin reads, parsed leniently: registry data is written
 * by anyone who publishes, so unknown fields are ignored and an entry that does not fit is skipped
 * (and counted).
 */
import { z } from "zod";

/** Input: what a client may ask the user for (an env var, a header, an argument, a URL variable). */
const inputSchema = z.object({
  description: z.string().optional(),
  isRequired: z.boolean().optional(),
  isSecret: z.boolean().optional(),
  format: z.string().optional(),
  /** Fixed value; `{name}` in it refers to `variables`. */
  value: z.string().optional(),
  default: z.string().optional(),
  placeholder: z.string().optional(),
  choices: z.array(z.string()).optional(),
});
export type RegistryInput = z.infer<typeof inputSchema>;

const withVariables = inputSchema.extend({
  variables: z.record(z.string(), inputSchema).optional(),
});

/** KeyValueInput: an environment variable or an HTTP header. */
const keyValueSchema = withVariables.extend({ name: z.string().min(1) });
export type RegistryKeyValue = z.infer<typeof keyValueSchema>;

/** Argument: `positional` (value or valueHint) or `named` (`--flag`, then its value). */
const argumentSchema = withVariables.extend({
  type: z.enum(["positional", "named"]),
  name: z.string().optional(),
  valueHint: z.string().optional(),
  isRepeated: z.boolean().optional(),
});
export type RegistryArgument = z.infer<typeof argumentSchema>;

const transportSchema = z.object({
  type: z.string(),
  url: z.string().optional(),
  headers: z.array(keyValueSchema).optional(),
});

const packageSchema = z.object({
  /** npm, pypi, oci, nuget, mcpb, … */
  registryType: z.string(),
  registryBaseUrl: z.string().optional(),
  /** A package name (npm, pypi, nuget), an image reference with tag (oci), a URL (mcpb). */
  identifier: z.string().min(1),
  /** Required for npm/pypi/nuget; OCI images carry it in the identifier since 2025-10-11. */
  version: z.string().optional(),
  runtimeHint: z.string().optional(),
  /** Absent in entries published before 2025-09: stdio then. */
  transport: transportSchema.optional(),
  runtimeArguments: z.array(argumentSchema).optional(),
  packageArguments: z.array(argumentSchema).optional(),
  environmentVariables: z.array(keyValueSchema).optional(),
});
export type RegistryPackage = z.infer<typeof packageSchema>;

const remoteSchema = z.object({
  /** streamable-http or sse */
  type: z.string(),
  url: z.string().min(1),
  headers: z.array(keyValueSchema).optional(),
  /** Values for `{name}` in the URL (2025-12-11). */
  variables: z.record(z.string(), inputSchema).optional(),
});
export type RegistryRemote = z.infer<typeof remoteSchema>;

/**
 * server.json. The parts of the MCP Registry's API that mcp-twin reads, as published in its
 * OpenAPI document (docs/reference/api/openapi.yaml, API version 2025-12-01) and server.json
 * schema (2025-12-11) of github.com/modelcontextprotocol/registry:
 *
 * - `GET /v0.1/servers?search=&version=latest&limit=&cursor=` → `ServerList`:
 *   `{ servers: ServerResponse[], metadata: { nextCursor?, count? } }`;
 * - `GET /v0.1/servers/{name}/versions/{version|latest}` → `ServerResponse`;
 * - `ServerResponse` = `{ server: ServerDetail, _meta: { "io.modelcontextprotocol.registry/official":
 *   { status, isLatest, publishedAt, updatedAt, statusMessage } } }`.
 */
const serverDetailSchema = z.object({
  name: z.string().regex(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/, "not a registry server name"),
  description: z.string().default(""),
  title: z.string().optional(),
  version: z.string().min(1),
  websiteUrl: z.string().optional(),
  repository: z.object({ url: z.string().optional() }).optional(),
  packages: z.array(packageSchema).optional(),
  remotes: z.array(remoteSchema).optional(),
});
export type RegistryServer = z.infer<typeof serverDetailSchema>;

const OFFICIAL_META = "io.modelcontextprotocol.registry/official";

const officialMetaSchema = z.object({
  status: z.string().optional(),
  statusMessage: z.string().optional(),
  isLatest: z.boolean().optional(),
  publishedAt: z.string().optional(),
  updatedAt: z.string().optional(),
});
type OfficialMeta = z.infer<typeof officialMetaSchema>;

/** One server as the API answers it, with the registry's own metadata beside it. */
export interface RegistryEntry {
  server: RegistryServer;
  meta: OfficialMeta;
}

/**
 * An entry of a list or a single answer: `{ server, _meta }` (since 2025-09-29); a bare
 * server.json (older registries, and some private ones) is read too.
 */
export function parseEntry(value: unknown): RegistryEntry | undefined {
  if (!value || typeof value !== "object") return undefined;
  const record = value as Record<string, unknown>;
  const wrapped = record.server !== undefined && typeof record.server === "object";
  const server = serverDetailSchema.safeParse(wrapped ? record.server : record);
  if (!server.success) return undefined;
  const metaHolder = (wrapped ? record._meta : record._meta) as Record<string, unknown> | undefined;
  const meta = officialMetaSchema.safeParse(metaHolder?.[OFFICIAL_META] ?? {});
  return { server: server.data, meta: meta.success ? meta.data : {} };
}

export const serverListSchema = z.object({
  servers: z.array(z.unknown()),
  metadata: z
    .object({
      nextCursor: z.string().nullish(),
      // The generic API document's example spells it next_cursor; the OpenAPI schema nextCursor.
      next_cursor: z.string().nullish(),
      count: z.number().optional(),
    })
    .optional(),
});
