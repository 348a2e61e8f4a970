/**
 * Is an npm package an MCP server mcp-twin can run? Read from what npm says of it: a program to
 * start (its bin), and anything that says MCP (mcpName, keywords, name, description, the SDK).
 */
import type { PackageMeta } from "./npm-view.js";

export interface ServerEvidence {
  /** The package has a program to start. */
  runnable: boolean;
  /** What says it is an MCP server, as people read it ("its keywords say mcp"). */
  signs: string[];
}

const MCP_WORDS = /\bmcp\b|model[\s-]?context[\s-]?protocol/i;
/** Libraries MCP servers are built with (the SDK's v1 package, and its v2 server package). */
const MCP_LIBRARIES = [
  "@modelcontextprotocol/sdk",
  "@modelcontextprotocol/server",
  "fastmcp",
  "mcp-framework",
  "@mastra/mcp",
];

export function serverEvidence(name: string, meta: PackageMeta): ServerEvidence {
  const bins = typeof meta.bin === "string" ? [meta.bin] : Object.keys(meta.bin ?? {});
  const signs: string[] = [];
  if (meta.mcpName) signs.push(`it is published in the MCP Registry as ${meta.mcpName}`);
  const keyword = (meta.keywords ?? []).find((k) => MCP_WORDS.test(k));
  if (keyword) signs.push(`its keywords say ${keyword}`);
  // "mcp" inside a name (server-mcp, mcp-server-x, @scope/foomcp) is a sign too.
  if (/mcp/i.test(name)) signs.push("its name says mcp");
  if (meta.description && MCP_WORDS.test(meta.description)) signs.push("its description says MCP");
  const library = MCP_LIBRARIES.find((l) => Object.hasOwn(meta.dependencies ?? {}, l));
  if (library) signs.push(`it is built on ${library}`);
  return { runnable: bins.length > 0, signs };
}
