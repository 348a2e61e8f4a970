/**
 * The size of a tool's definition in tokens, estimated (pure): clients send each tool's name,
 * description and input schema to the model, each in its own tokenizer. tokenx's estimate is within
 * a few per cent of them (measured in docs/dev/performance.md), in 9 kB and no start-up cost.
 */
import { estimateTokenCount } from "tokenx";
import type { ToolDef } from "../entries/tool-lists.js";

/** What a client sends the model of one tool: its name, description and input schema, as JSON. */
function toolText(tool: ToolDef): string {
  return JSON.stringify({
    name: tool.name,
    ...(typeof tool.description === "string" && tool.description ? { description: tool.description } : {}),
    input_schema: tool.inputSchema ?? {},
  });
}

/** Its definition's size in tokens (estimated). */
export function toolTokens(tool: ToolDef): number {
  return estimateTokenCount(toolText(tool));
}
