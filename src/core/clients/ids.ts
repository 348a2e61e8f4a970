/**
 * The ids of the clients mcp-twin knows: the manifest schema's `clients` enum and the client
 * table's keys (clients/index.ts) are both this list. Kept free of imports: the table is loaded at
 * every start, the schema (zod) only when a manifest is validated.
 */
export const CLIENT_IDS = [
  "claude-desktop",
  "claude-code",
  "cursor",
  "vscode",
  "windsurf",
  "gemini-cli",
  "codex",
  "copilot-cli",
  "cline",
  "roo-code",
] as const;

export type ClientId = (typeof CLIENT_IDS)[number];
