/**
 * One descriptor, one way: every client is one file of src/core/clients/ named by its id, made by
 * defineClient from data (code only for a real quirk), with a source for its facts.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { CLIENT_IDS } from "../../src/core/clients/ids.js";
import { CLIENTS } from "../../src/core/clients/index.js";

const DIR = fileURLToPath(new URL("../../src/core/clients/", import.meta.url));
const text = (id: string) => readFileSync(`${DIR}${id}.ts`, "utf8");

test("every client is a file named by its id", () => {
  const missing = CLIENT_IDS.filter((id) => !existsSync(`${DIR}${id}.ts`) && id !== "continue");
  // `continue` is a word JavaScript keeps: its module is continue.ts all the same.
  expect(existsSync(`${DIR}continue.ts`)).toBe(true);
  expect(missing).toEqual([]);
});

test("every client is made by defineClient, none written by hand as a ClientModule", () => {
  const byHand = CLIENT_IDS.filter(
    (id) => !/= defineClient\(\{/.test(text(id)) || /: ClientModule = \{/.test(text(id)),
  );
  expect(byHand).toEqual([]);
});

test("no client's module is split over a second file of its own", () => {
  // A file that only one client's module imports is that client's: it belongs in its file.
  const files = CLIENT_IDS.map((id) => ({
    id,
    imports: [...text(id).matchAll(/from "\.\/([a-z0-9-]+)\.js"/g)].map((m) => m[1]!),
  }));
  const importers = new Map<string, string[]>();
  for (const f of files) for (const i of f.imports) importers.set(i, [...(importers.get(i) ?? []), f.id]);
  const shared = new Set([
    "define-client",
    "types",
    "variables",
    "locate",
    "ids",
    "entry-fields",
    "extension-entries",
    "plugin-servers",
    "moved-file",
    "tool-field",
  ]);
  const own = [...importers].filter(
    ([file, by]) => by.length === 1 && !shared.has(file) && !CLIENT_IDS.includes(file as never),
  );
  expect(own.map(([file, by]) => `${file}.ts (only ${by[0]})`)).toEqual([]);
});

test("every client names a source for its facts", () => {
  expect(CLIENTS.filter((c) => !c.sources || c.sources.length === 0).map((c) => c.id)).toEqual([]);
});
