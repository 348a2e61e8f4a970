/**
 * A client's agent harness that reads another client's file (pure): VS Code's Copilot harness (the
 * default from 1.141) gets the servers sync writes once, to Copilot CLI's mcp-config.json.
 */
import { andList } from "../../text/prose-lists.js";
import { defineCheck } from "../check-def.js";
import { finding } from "../types.js";

export const harnessChecks = [
  defineCheck({
    id: "client.harness",
    scope: "machine",
    doc: "VS Code 1.140 or later: its Copilot harness (the default from 1.141) reads Copilot CLI's `mcp-config.json`, where sync writes the servers both get, once; passes naming them, a warning for one that file does not hold (that harness does not get it).",
    fix: "`mcp-twin sync` (a whole one: `--client vscode` alone leaves Copilot CLI's file as it is).",
    run: ({ harness }, show) =>
      (harness ?? []).map((h) => {
        const reads = `${h.clientName} ${h.version}: its ${h.harness} harness reads ${andList(h.reads)} from ${show.path(h.path)}`;
        if (h.missing.length === 0) return finding("pass", h.where, `${reads}.`);
        const lacks = `${andList(h.missing)} ${h.missing.length === 1 ? "is" : "are"} not there, so that harness does not get ${h.missing.length === 1 ? "it" : "them"}`;
        return finding("warn", h.where, `${reads}, and ${lacks}.`, {
          fix: "Run `mcp-twin sync` (a whole one: `--client vscode` alone leaves that file as it is).",
        });
      }),
  }),
] as const;
