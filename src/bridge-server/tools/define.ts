/**
 * A bridge tool: its name, description, input schema (zod, checked before the handler runs) and
 * handler. The bridge's tools and the plugins' tools are built once per process; every session
 * serves the same list (src/bridge-server/own-server.ts).
 */
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/server";
import { z } from "zod";

/** What a handler knows about the call. */
export interface ToolCall {
  /** The calling client's name (from its `initialize`), e.g. "claude-code". */
  client: string;
  signal: AbortSignal;
}

export interface BridgeTool {
  name: string;
  title?: string;
  description: string;
  input: z.ZodType;
  /** A plugin's input as its JSON Schema, for tools/list (the built-ins': tools/builtin-tools.json). */
  inputSchema?: Record<string, unknown>;
  annotations?: ToolAnnotations;
  run(args: unknown, call: ToolCall): Promise<CallToolResult>;
}

/** A tool whose input is the zod object of `def.input` (none: no arguments). */
export function defineTool<S extends z.ZodRawShape>(
  def: Pick<BridgeTool, "name" | "title" | "description" | "annotations"> & { input?: S },
  handler: (args: z.output<z.ZodObject<S>>, call: ToolCall) => Promise<CallToolResult> | CallToolResult,
): BridgeTool {
  return {
    ...def,
    input: z.object(def.input ?? ({} as S)),
    run: async (args, call) => handler(args as z.output<z.ZodObject<S>>, call),
  };
}
