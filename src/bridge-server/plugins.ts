/**
 * Plugins: extra tools from JS modules in `<state>/plugins/*.js|*.mjs`, validated when the bridge
 * starts; a bad one is reported and skipped, never taking the bridge down.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { CallToolResult } from "@modelcontextprotocol/server";
import type { z } from "zod";
import type { BridgeTool, ToolCall } from "./tools/define.js";

/** A plugin tool's handler: told the calling client's name (from its `initialize`) and the call's signal. */
type Handler = (args: Record<string, unknown>, call: ToolCall) => unknown;

export interface LoadedPlugins {
  /** A handler that throws is a tool error, never a crash (own-server.ts callTool). */
  tools: BridgeTool[];
  report: {
    dir: string;
    loaded: Array<{ file: string; tools: string[] }>;
    failed: Array<{ file: string; error: string }>;
  };
}

const IMPORT_TIMEOUT_MS = 5_000;

type Zod = typeof import("zod").z;

/**
 * Load every plugin in `dir`; `reserved` names (built-in tools) cannot be taken. `onFile` is told
 * which one loads (a plugin that never finishes loading is named when the bridge cannot start).
 *
 * A module exports `tools` (or a default export `{ tools }` or an array), each
 * `{ name, description, inputSchema (JSON Schema, type "object"), handler(args, context) }`.
 * Every tool is validated when the bridge starts; a module that fails to load, or holds one
 * invalid tool, is reported and skipped whole, and never takes the bridge down.
 */
export async function loadPlugins(
  dir: string,
  reserved: ReadonlySet<string>,
  onFile: (file: string) => void = () => {},
): Promise<LoadedPlugins> {
  const report: LoadedPlugins["report"] = { dir, loaded: [], failed: [] };
  const tools: BridgeTool[] = [];
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.(m?js)$/.test(n) && !n.startsWith(".")).sort();
  } catch {
    return { tools, report };
  }
  const taken = new Set(reserved);
  if (names.length === 0) return { tools, report };
  const { z } = await import("zod");
  for (const name of names) {
    const file = path.join(dir, name);
    onFile(file);
    try {
      const found = validate(z, await importWithTimeout(file), taken);
      for (const t of found) taken.add(t.name);
      tools.push(...found);
      report.loaded.push({ file, tools: found.map((t) => t.name) });
    } catch (error) {
      report.failed.push({ file, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { tools, report };
}

async function importWithTimeout(file: string): Promise<Record<string, unknown>> {
  let timer: NodeJS.Timeout | undefined;
  // A ref'd timer on purpose: a module whose top-level await never settles leaves nothing else
  // for the event loop, and an unref'd timer would let the process end before it fires.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`it did not finish loading in ${IMPORT_TIMEOUT_MS / 1000} s`)),
      IMPORT_TIMEOUT_MS,
    );
  });
  try {
    return (await Promise.race([import(pathToFileURL(file).href), timeout])) as Record<string, unknown>;
  } finally {
    clearTimeout(timer);
  }
}

function validate(z: Zod, mod: Record<string, unknown>, taken: Set<string>): BridgeTool[] {
  const toolShape = z.object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "1 to 64 letters, digits, _ . -"),
    description: z.string().min(1, "a description is required"),
    inputSchema: z.looseObject({ type: z.literal("object", 'inputSchema.type must be "object"') }).optional(),
    handler: z.custom<Handler>((v) => typeof v === "function", "handler must be a function"),
  });
  const fallback = mod.default as { tools?: unknown } | unknown[] | undefined;
  const list = mod.tools ?? (Array.isArray(fallback) ? fallback : fallback?.tools);
  if (!Array.isArray(list) || list.length === 0)
    throw new Error(
      "it exports no tools (export const tools = [{ name, description, inputSchema, handler }])",
    );
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const parsed = toolShape.safeParse(raw);
    if (!parsed.success) {
      const [issue] = parsed.error.issues;
      throw new Error(
        `tools[${i}]${issue?.path.length ? `.${issue.path.join(".")}` : ""}: ${issue?.message}`,
      );
    }
    const t = parsed.data;
    if (taken.has(t.name) || seen.has(t.name))
      throw new Error(`tools[${i}]: the name "${t.name}" is already taken`);
    seen.add(t.name);
    // The schema as the plugin wrote it is what tools/list shows.
    const inputSchema = (t.inputSchema ?? { type: "object" }) as Record<string, unknown>;
    let input: z.ZodType;
    try {
      input = z.fromJSONSchema(inputSchema as Parameters<typeof z.fromJSONSchema>[0]);
    } catch (error) {
      throw new Error(
        `tools[${i}] (${t.name}): inputSchema is not a usable JSON Schema: ${(error as Error).message}`,
      );
    }
    const { handler } = t;
    return {
      name: t.name,
      description: t.description,
      input,
      inputSchema,
      run: async (args, call) => toResult(await handler(args as Record<string, unknown>, call)),
    };
  });
}

/** A handler may return a string, a CallToolResult (`{ content: [...] }`) or any JSON value. */
function toResult(value: unknown): CallToolResult {
  if (typeof value === "string") return { content: [{ type: "text", text: value }] };
  if (value && typeof value === "object" && Array.isArray((value as { content?: unknown }).content))
    return value as CallToolResult;
  const text = JSON.stringify(value ?? null);
  return value && typeof value === "object" && !Array.isArray(value)
    ? { content: [{ type: "text", text }], structuredContent: value as Record<string, unknown> }
    : { content: [{ type: "text", text }] };
}
