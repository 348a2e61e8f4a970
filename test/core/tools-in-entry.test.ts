/**
 * The tools an entry loads by its client's own fields, read back (pure): the person's own entry is
 * counted as the client reads it — allow list, deny list, Copilot CLI's `"*"`, an empty allow list.
 */
import { expect, test } from "vitest";
import { loadsOf } from "../../src/core/budget/in-file.js";
import { copilotCli } from "../../src/core/clients/copilot-cli.js";
import { crush } from "../../src/core/clients/crush.js";
import { cursor } from "../../src/core/clients/cursor.js";
import { kiro } from "../../src/core/clients/kiro.js";

const names = ["echo", "add", "env", "whoami"];

test("Crush: enabled_tools keeps only those, then disabled_tools drops; an empty allow list limits nothing", () => {
  expect(loadsOf(crush, { enabled_tools: ["echo", "add"], disabled_tools: ["add"] }, names)).toEqual([
    "echo",
  ]);
  expect(loadsOf(crush, { enabled_tools: [], disabled_tools: ["env"] }, names)).toEqual([
    "echo",
    "add",
    "whoami",
  ]);
});

test('Copilot CLI: `tools` names what it loads, `"*"` all of them', () => {
  expect(loadsOf(copilotCli, { tools: ["*"] }, names)).toEqual(names);
  expect(loadsOf(copilotCli, { tools: ["whoami"] }, names)).toEqual(["whoami"]);
});

test("Kiro's disabledTools; a client without a per-tool field loads every tool whatever the entry holds", () => {
  expect(loadsOf(kiro, { disabledTools: ["echo"] }, names)).toEqual(["add", "env", "whoami"]);
  expect(loadsOf(cursor, { disabledTools: ["echo"], tools: ["add"] }, names)).toEqual(names);
});
