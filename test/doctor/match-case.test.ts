/** Windows paths are case-insensitive; a DrvFs folder seen from Linux may not be. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { matchCase } from "../../src/core/entries/programs/resolve.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

test("finds C:\\Windows\\system32\\wsl.exe in a case-sensitive System32 folder", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-case-"));
  dirs.push(root);
  mkdirSync(path.join(root, "Windows", "System32"), { recursive: true });
  writeFileSync(path.join(root, "Windows", "System32", "wsl.exe"), "");
  expect(matchCase(path.join(root, "windows", "system32", "WSL.EXE"))).toBe(
    path.join(root, "Windows", "System32", "wsl.exe"),
  );
  // Exact spellings are returned untouched; missing files come back as asked.
  expect(matchCase(path.join(root, "Windows"))).toBe(path.join(root, "Windows"));
  expect(matchCase(path.join(root, "Windows", "nope.exe"))).toBe(path.join(root, "Windows", "nope.exe"));
});
