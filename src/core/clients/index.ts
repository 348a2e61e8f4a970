/**
 * The table of clients. A new client is one module plus one line here. The table is keyed by the
 * manifest's client ids (CLIENT_IDS), so the compiler refuses an id with no module and a module
 * with no id: the schema and the modules are one list.
 */

import { amp } from "./amp.js";
import { antigravity } from "./antigravity.js";
import { augment } from "./augment.js";
import { claudeCode } from "./claude-code.js";
import { claudeDesktop } from "./claude-desktop.js";
import { cline } from "./cline.js";
import { codex } from "./codex.js";
import { continueDev } from "./continue.js";
import { copilotCli } from "./copilot-cli.js";
import { crush } from "./crush.js";
import { cursor } from "./cursor.js";
import { devin } from "./devin.js";
import { factoryDroid } from "./factory-droid.js";
import { geminiCli } from "./gemini-cli.js";
import { goose } from "./goose.js";
import { CLIENT_IDS, type ClientId } from "./ids.js";
import { junie } from "./junie.js";
import { kiloCode } from "./kilo-code.js";
import { kiro } from "./kiro.js";
import { lmStudio } from "./lm-studio.js";
import { opencode } from "./opencode.js";
import { qwenCode } from "./qwen-code.js";
import { rooCode } from "./roo-code.js";
import type { ClientModule } from "./types.js";
import { vscode } from "./vscode.js";
import { warp } from "./warp.js";
import { windsurf } from "./windsurf.js";
import { zed } from "./zed.js";

const BY_ID = {
  "claude-desktop": claudeDesktop,
  "claude-code": claudeCode,
  cursor,
  vscode,
  windsurf,
  "gemini-cli": geminiCli,
  codex,
  "copilot-cli": copilotCli,
  "factory-droid": factoryDroid,
  junie,
  warp,
  crush,
  devin,
  kiro,
  "lm-studio": lmStudio,
  "qwen-code": qwenCode,
  augment,
  zed,
  opencode,
  "kilo-code": kiloCode,
  goose,
  amp,
  continue: continueDev,
  antigravity,
  cline,
  "roo-code": rooCode,
} as const satisfies Record<ClientId, ClientModule>;

/** In the manifest schema's order. */
export const CLIENTS: readonly ClientModule[] = CLIENT_IDS.map((id) => BY_ID[id]);

/** The module of a client the manifest schema knows. */
export function clientModule(id: ClientId): ClientModule {
  return BY_ID[id];
}

/** A client by id, or — for an id no module has (a record of another version) — the first one. */
export function clientOrFirst(id: string): ClientModule {
  return clientById(id) ?? BY_ID[CLIENT_IDS[0]];
}

export function clientById(id: string): ClientModule | undefined {
  return CLIENTS.find((c) => c.id === id);
}
