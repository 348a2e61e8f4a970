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
    doc: "a client found here moved (Continue, Roo Code, Goose 1.49, Amp, Gemini CLI for individuals): once per client, with where to go. A warning.",
    fix: "what the line says; mcp-twin keeps writing its files meanwhile.",
    run: ({ configs }) => {
      const seen = new Set<string>();
      return configs.flatMap(({ config }) => {
        const client = config.target.client;
        if (!client.notice || seen.has(client.id)) return [];
        seen.add(client.id);
        return [finding("warn", { client: client.id }, client.notice)];
      });
    },
  }),
] as const;
