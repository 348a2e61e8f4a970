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
  "factory-droid",
  "junie",
  "warp",
  "crush",
  "devin",
  "kiro",
  "lm-studio",
  "qwen-code",
  "augment",
  // The framework's own (clients-fw): JSONC, YAML and their own entry shapes.
  "zed",
  "opencode",
  "kilo-code",
  "goose",
  "amp",
  "continue",
  "antigravity",
  // Editor extensions, written where their editor runs them (clients/editor-storage.ts).
  "cline",
  "roo-code",
] as const;

export type ClientId = (typeof CLIENT_IDS)[number];
