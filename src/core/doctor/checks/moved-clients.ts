/**
 * Clients that moved (pure): a successor, an end, a removed server type — each client's `notice`,
 * said once for a client doctor finds on the machine, however many of its files and environments.
 */
import { defineCheck } from "../check-def.js";
import { finding } from "../types.js";

export const movedClientsChecks = [
  defineCheck({
    id: "client.moved",
    scope: "machine",
    doc: "a client found here moved (Continue, Roo Code, Amp, Gemini CLI for individuals; Goose 1.49 where its file holds an extension type it removed): once per client, with where to go. A warning.",
    fix: "what the line says; mcp-twin keeps writing its files meanwhile.",
    run: ({ configs }) => {
      const seen = new Set<string>();
      return configs.flatMap(({ config }) => {
        const client = config.target.client;
        if (!client.notice || seen.has(client.id)) return [];
        if (client.noticeWhen && !client.noticeWhen(config.text ?? "")) return [];
        seen.add(client.id);
        return [finding("warn", { client: client.id }, client.notice)];
      });
    },
  }),
] as const;
