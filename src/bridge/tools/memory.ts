/**
 * Shared memory: JSON values under keys, grouped in namespaces ("default" unless given), each
 * entry versioned so a client can update it conditionally (`expectedVersion`) and never
 * overwrite a change it has not seen.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { JsonStore } from "../store.js";
import type { MemoryData, MemoryEntry } from "./memory-data.js";
import { type Caller, fail, ok } from "./result.js";

const MAX_VALUE_BYTES = 1024 * 1024;
const namespace = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,64}$/, "letters, digits, _ . : - (at most 64)")
  .optional()
  .describe('Namespace (default "default"), e.g. a project name.');
const key = z.string().min(1).max(256).describe('The key, e.g. "auth".');
const expectedVersion = z
  .number()
  .int()
  .min(0)
  .optional()
  .describe("Only change the entry if it is at this version (0: only if it does not exist yet).");

const schemas = {
  set: {
    key,
    value: z.json().describe('Any JSON value, e.g. "JWT with refresh tokens, library jose" or an object.'),
    namespace,
    expectedVersion,
  },
  get: { key, namespace },
  list: {
    namespace,
    prefix: z.string().max(256).optional().describe("Only keys starting with this."),
    includeValues: z.boolean().optional().describe("Also return the values (default false)."),
  },
  delete: { key, namespace, expectedVersion },
};

export function registerMemoryTools(server: McpServer, store: JsonStore<MemoryData>, caller: Caller): void {
  server.registerTool(
    "memory_set",
    {
      title: "Remember a value",
      description:
        "Store a JSON value under a key in the memory every connected session shares (e.g. a decision both Claude Desktop and Claude Code need). Returns the entry's new version.",
      inputSchema: schemas.set,
    },
    async ({ key, value, namespace = "default", expectedVersion }) => {
      const bytes = Buffer.byteLength(JSON.stringify(value));
      if (bytes > MAX_VALUE_BYTES)
        return fail(`The value is ${bytes} bytes; the limit is ${MAX_VALUE_BYTES}.`);
      const outcome = await store.update((data) => {
        data.namespaces[namespace] ??= {};
        const ns = data.namespaces[namespace]!;
        const current = ns[key];
        if (expectedVersion !== undefined && (current?.version ?? 0) !== expectedVersion)
          return { conflict: current?.version ?? 0 } as const;
        const entry: MemoryEntry = {
          value,
          version: (current?.version ?? 0) + 1,
          updatedAt: new Date().toISOString(),
          updatedBy: caller(),
        };
        ns[key] = entry;
        return { entry, created: current === undefined } as const;
      });
      if ("conflict" in outcome)
        return fail(
          `"${key}" is at version ${outcome.conflict}, not ${expectedVersion}: read it again, then retry.`,
        );
      return ok({ namespace, key, version: outcome.entry.version, created: outcome.created });
    },
  );

  server.registerTool(
    "memory_get",
    {
      title: "Recall a value",
      description: "Read the JSON value stored under a key in the shared memory.",
      inputSchema: schemas.get,
      annotations: { readOnlyHint: true },
    },
    async ({ key, namespace = "default" }) => {
      const entry = store.data.namespaces[namespace]?.[key];
      if (!entry) return ok({ namespace, key, found: false });
      return ok({ namespace, key, found: true, ...entry });
    },
  );

  server.registerTool(
    "memory_list",
    {
      title: "List remembered keys",
      description: "List the keys of one namespace of the shared memory (and every namespace's name).",
      inputSchema: schemas.list,
      annotations: { readOnlyHint: true },
    },
    async ({ namespace = "default", prefix = "", includeValues = false }) => {
      const ns = store.data.namespaces[namespace] ?? {};
      const entries = Object.entries(ns)
        .filter(([k]) => k.startsWith(prefix))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, e]) => ({
          key: k,
          version: e.version,
          updatedAt: e.updatedAt,
          ...(e.updatedBy ? { updatedBy: e.updatedBy } : {}),
          ...(includeValues ? { value: e.value } : {}),
        }));
      return ok({ namespace, entries, namespaces: Object.keys(store.data.namespaces).sort() });
    },
  );

  server.registerTool(
    "memory_delete",
    {
      title: "Forget a value",
      description: "Delete a key from the shared memory.",
      inputSchema: schemas.delete,
      annotations: { destructiveHint: true },
    },
    async ({ key, namespace = "default", expectedVersion }) => {
      const outcome = await store.update((data) => {
        const ns = data.namespaces[namespace];
        const current = ns?.[key];
        if (expectedVersion !== undefined && (current?.version ?? 0) !== expectedVersion)
          return { conflict: current?.version ?? 0 } as const;
        if (!ns || !current) return { deleted: false } as const;
        delete ns[key];
        if (Object.keys(ns).length === 0) delete data.namespaces[namespace];
        return { deleted: true } as const;
      });
      if ("conflict" in outcome)
        return fail(`"${key}" is at version ${outcome.conflict}, not ${expectedVersion}: nothing deleted.`);
      return ok({ namespace, key, deleted: outcome.deleted });
    },
  );
}
