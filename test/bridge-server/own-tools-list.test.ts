/**
 * The bridge lists its built-in tools from src/bridge-server/tools/builtin-tools.json, written at
 * build time (scripts/own-tools-list.mjs) so a session's tools/list loads no zod: it says what the
 * tools' own zod schemas give, in the order and words the tools are defined.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { expect, test } from "vitest";
import { z } from "zod";
import type { BridgeContext } from "../../src/bridge-server/own-tools.js";
import { statusTool } from "../../src/bridge-server/tools/bridge-status.js";
import { handoffTools } from "../../src/bridge-server/tools/handoff.js";
import { memoryTools } from "../../src/bridge-server/tools/memory.js";
import { notesTools } from "../../src/bridge-server/tools/notes.js";

test("the built-in tools' list written at build time is what their zod schemas give", () => {
  const listed = JSON.parse(
    readFileSync(new URL("../../src/bridge-server/tools/builtin-tools.json", import.meta.url), "utf8"),
  );
  // The factories keep what they are given until a call: nothing is touched here.
  const none = {} as never;
  const tools = [
    ...memoryTools(none),
    ...notesTools(none),
    ...handoffTools(none),
    statusTool(none as BridgeContext),
  ];
  const computed = tools.map((t) => ({
    name: t.name,
    ...(t.title ? { title: t.title } : {}),
    description: t.description,
    inputSchema: z.toJSONSchema(t.input, { target: "draft-7", io: "input" }),
    ...(t.annotations ? { annotations: t.annotations } : {}),
  }));
  // Key by key, in order: tools/list answers with it as it is.
  expect(JSON.stringify(listed, null, 2)).toBe(JSON.stringify(computed, null, 2));
});

test("a build leaves the committed list untouched (lint reads it beside the build: .ci/run)", () => {
  const file = new URL("../../src/bridge-server/tools/builtin-tools.json", import.meta.url);
  const before = { text: readFileSync(file, "utf8"), mtime: statSync(file).mtimeMs };
  execFileSync(process.execPath, [new URL("../../scripts/own-tools-list.mjs", import.meta.url).pathname]);
  // Not written at all, not even with the same bytes: a write is a window where it is half-formatted.
  expect(statSync(file).mtimeMs).toBe(before.mtime);
  expect(readFileSync(file, "utf8")).toBe(before.text);
});
