/** The table of clients. A new client is one module plus one line here. */
import type { ClientId } from "../manifest/schema.js";
import { claudeCode } from "./claude-code.js";
import { claudeDesktop } from "./claude-desktop.js";
import { cursor } from "./cursor.js";
import { geminiCli } from "./gemini-cli.js";
import type { ClientModule } from "./types.js";
import { vscode } from "./vscode.js";
import { windsurf } from "./windsurf.js";

export const CLIENTS: readonly ClientModule[] = [
  claudeDesktop,
  claudeCode,
  cursor,
  vscode,
  windsurf,
  geminiCli,
];

export function clientById(id: string): ClientModule | undefined {
  return CLIENTS.find((c) => c.id === id);
}

export function isClientId(id: string): id is ClientId {
  return clientById(id) !== undefined;
}
