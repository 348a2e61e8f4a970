/**
 * The home's pins file (core/pins/pin-file.ts): written whole and private, read back as written;
 * a damaged one is an error at its line and column, never an empty book.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { loadPins, savePins } from "../../src/core/pins/pin-file.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const home = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-pins-"));
  dirs.push(dir);
  return dir;
};

test("saved 0600 and loaded back as written; none yet: an empty book", async () => {
  const file = path.join(home(), "pins.json");
  expect(await loadPins(file)).toEqual({});
  const book = {
    fix: {
      launch: "k",
      version: "p@1.0.0",
      at: "2026-12-01T00:00:00Z",
      tools: { echo: { hash: "h", def: { name: "echo" } } },
    },
  };
  await savePins(file, book);
  if (process.platform !== "win32") expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(await loadPins(file)).toEqual(book);
  expect(JSON.parse(readFileSync(file, "utf8")).version).toBe(1);
});

test("a damaged file: exit 2 at its line and column, with how to recover; a newer one: update", async () => {
  const file = path.join(home(), "pins.json");
  writeFileSync(
    file,
    '{\n "version": 1,\n "servers": {\n  "fix": { "at": "x", "tools": { "echo": { "hash": 1, "def": { "name": "echo" } } } }\n }\n}\n',
  );
  await expect(loadPins(file)).rejects.toMatchObject({
    code: "pins-corrupt",
    exitCode: 2,
    message: `${file}:4:34: servers.fix.tools.echo: not a tool's pin (hash, def with its name).`,
  });
  writeFileSync(file, '{ "version": 1, "servers": {');
  await expect(loadPins(file)).rejects.toMatchObject({
    code: "pins-corrupt",
    message: expect.stringContaining(`${file}:1:`),
  });
  writeFileSync(file, '{ "version": 2, "servers": {} }');
  await expect(loadPins(file)).rejects.toMatchObject({ code: "pins-newer" });
});

test("an empty or blank file is damaged, as one that is not JSON: never an empty book that holds nothing back", async () => {
  const file = path.join(home(), "pins.json");
  for (const text of ["", "  \n\t\n"]) {
    writeFileSync(file, text);
    await expect(loadPins(file)).rejects.toMatchObject({
      code: "pins-corrupt",
      exitCode: 2,
      message: expect.stringMatching(/pins file is not valid JSON/),
      hint: expect.stringContaining(`${file}.broken`),
    });
  }
});
