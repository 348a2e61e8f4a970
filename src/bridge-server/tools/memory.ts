/**
 * Shared memory: JSON values under keys, grouped in namespaces ("default" unless given), each
 * entry versioned so a client can update it conditionally (`expectedVersion`) and never
 * overwrite a change it has not seen. Names are data, never property paths (memory-data.ts).
 */
import { z } from "zod";
import { dict, own } from "../../core/plain-records.js";
import type { JsonStore } from "../json-store.js";
import { type BridgeTool, defineTool } from "./define.js";
import type { MemoryData, MemoryEntry } from "./memory-data.js";
import { fail, ok } from "./result.js";

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
// The value as the client sent it (z.unknown keeps it as parsed, own `__proto__` keys included;
// a JSON-RPC message holds nothing but JSON).
const value = z
  .unknown()
  .refine((v) => v !== undefined, { message: "a JSON value is required" })
  .describe('Any JSON value, e.g. "JWT with refresh tokens, library jose" or an object.');

export function memoryTools(store: JsonStore<MemoryData>): BridgeTool[] {
  return [
    defineTool(
      {
        name: "memory_set",
        title: "Remember a value",
        description:
          "Store a JSON value under a key in the memory every connected session shares (e.g. a decision both Claude Desktop and Claude Code need). Returns the entry's new version.",
        input: { key, value, namespace, expectedVersion },
      },
      async ({ key, value, namespace = "default", expectedVersion }, call) => {
        const bytes = Buffer.byteLength(JSON.stringify(value));
        if (bytes > MAX_VALUE_BYTES)
          return fail(`The value is ${bytes} bytes; the limit is ${MAX_VALUE_BYTES}.`);
        const outcome = await store.update((data) => {
          const ns = own(data.namespaces, namespace) ?? dict<MemoryEntry>();
          const current = own(ns, key);
          const at = current?.version ?? 0;
          if (expectedVersion !== undefined && at !== expectedVersion) return { conflict: at } as const;
          data.namespaces[namespace] = ns;
          ns[key] = { value, version: at + 1, updatedAt: new Date().toISOString(), updatedBy: call.client };
          return { version: at + 1, created: current === undefined } as const;
        });
        if ("conflict" in outcome)
          return fail(
            `"${key}" is at version ${outcome.conflict}, not ${expectedVersion}: read it again, then retry.`,
          );
        return ok({ namespace, key, version: outcome.version, created: outcome.created });
      },
    ),

    defineTool(
      {
        name: "memory_get",
        title: "Recall a value",
        description: "Read the JSON value stored under a key in the shared memory.",
        input: { key, namespace },
        annotations: { readOnlyHint: true },
      },
      async ({ key, namespace = "default" }) => {
        const entry = own(own(store.data.namespaces, namespace), key);
        // An entry is its value, version, updatedAt and (when known) updatedBy, in that order.
        return ok(entry ? { namespace, key, found: true, ...entry } : { namespace, key, found: false });
      },
    ),

    defineTool(
      {
        name: "memory_list",
        title: "List remembered keys",
        description: "List the keys of one namespace of the shared memory (and every namespace's name).",
        input: {
          namespace,
          prefix: z.string().max(256).optional().describe("Only keys starting with this."),
          includeValues: z.boolean().optional().describe("Also return the values (default false)."),
        },
        annotations: { readOnlyHint: true },
      },
      async ({ namespace = "default", prefix = "", includeValues = false }) => {
        const ns = own(store.data.namespaces, namespace) ?? dict<MemoryEntry>();
        const entries = Object.entries(ns)
          .filter(([k]) => k.startsWith(prefix))
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, e]) => ({
            key: k,
            version: e.version,
            updatedAt: e.updatedAt,
            ...(e.updatedBy ? { updatedBy: e.updatedBy } : {}),
            ...(includeValues ? { value: e.value } : {}),
          }));
        return ok({ namespace, entries, namespaces: Object.keys(store.data.namespaces).sort() });
      },
    ),

    defineTool(
      {
        name: "memory_delete",
        title: "Forget a value",
        description: "Delete a key from the shared memory.",
        input: { key, namespace, expectedVersion },
        annotations: { destructiveHint: true },
      },
      async ({ key, namespace = "default", expectedVersion }) => {
        const outcome = await store.update((data) => {
          const ns = own(data.namespaces, namespace);
          const current = own(ns, key);
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
    ),
  ];
}
