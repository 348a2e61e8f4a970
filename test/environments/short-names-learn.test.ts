/**
 * learnShortNames against a cmd.exe whose answer cannot be read: asked once, recorded as such, and
 * not asked again by the next sync while no entry needs that folder's short name.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { UNREADABLE } from "../../src/core/environments/shortname.js";
import type { EnvFacts } from "../../src/core/environments/types.js";
import { learnShortNames, type WindowsInterop } from "../../src/core/environments/windows.js";
import type { RunResult } from "../../src/core/system/run.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-short-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const nodeExe = path.join(dir, "node.exe");
writeFileSync(nodeExe, "MZ");

const NODE = "C:\\Program Files\\nodejs\\node.exe";
const notForCmd =
  "'for' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n";

function interop(exists: (nativePath: string) => boolean) {
  const asked: string[][] = [];
  const windows: WindowsInterop = {
    access: (p) => (exists(p) ? nodeExe : undefined),
    cmd: () => Promise.reject(new Error("not used")),
    exe: () => Promise.reject(new Error("not used")),
    shortNames: async (paths): Promise<RunResult> => {
      asked.push([...paths]);
      return {
        exitCode: 0,
        stdout: Buffer.from(notForCmd),
        stderr: Buffer.alloc(0),
        failed: false,
        timedOut: false,
      };
    },
  };
  return { windows, asked };
}

test("an unreadable answer is recorded; node's own folder is then not asked again while its node.exe is first on the PATH", async () => {
  const facts = { node: { path: NODE }, vars: {} } as unknown as EnvFacts;
  const first = interop((p) => p.toLowerCase() === NODE.toLowerCase());
  const PATH = "C:\\Windows\\system32;C:\\Program Files\\nodejs\\";
  expect(await learnShortNames(first.windows, facts, [NODE], PATH)).toBe(true);
  expect(first.asked).toEqual([[NODE]]);
  expect(facts.shortNames).toEqual({ "c:\\program files": UNREADABLE });

  // The next sync: nothing asked, nothing changed.
  expect(await learnShortNames(first.windows, facts, [NODE], PATH)).toBe(false);
  expect(first.asked).toHaveLength(1);

  // Another node.exe comes first on the PATH: the entries need the short name, so it is asked.
  const other = interop(() => true);
  expect(await learnShortNames(other.windows, facts, [NODE], "C:\\tools;C:\\Program Files\\nodejs\\")).toBe(
    false,
  );
  expect(other.asked).toEqual([[NODE]]);
});
