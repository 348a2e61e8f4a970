/** Tool results: a JSON text block (what every client shows) plus the same data as structuredContent. */
import type { CallToolResult } from "@modelcontextprotocol/server";

export function ok(data: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(data) }], structuredContent: data };
}

export function fail(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}
