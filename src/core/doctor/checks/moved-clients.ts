/**
 * Clients that moved (pure): a successor, an end, a removed server type — each client's `notice`,
 * said once for a client doctor finds on the machine, however many of its files and environments.
 */
import { foundNotices } from "../../clients/notices.js";
import { defineCheck } from "../check-def.js";
import { finding } from "../types.js";

export const movedClientsChecks = [
  defineCheck({
    id: "client.moved",
    scope: "machine",
    doc: "a client whose file is found here moved (Continue, Roo Code, Amp, Gemini CLI for individuals; Goose 1.49 where its file holds an extension type it removed; Amazon Q Developer CLI, now Kiro CLI, where its ~/.aws/amazonq/mcp.json is): once per client, with where to go. A warning.",
    fix: "what the line says; mcp-twin keeps writing its files meanwhile.",
    // Said where its file exists: a client whose folder alone is found has nothing of the person's to move.
    run: ({ configs }) =>
      foundNotices(configs.map((c) => c.config)).map((n) => finding("warn", { client: n.client }, n.text)),
  }),
] as const;
