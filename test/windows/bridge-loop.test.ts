/**
 * The Windows logon task's loop (`bridge-task.cmd`, supervisor.ts) run by a real cmd.exe and
 * node.exe (../shared/win-wine, under wine), around a stand-in for the bridge that ends with the
 * exit codes it is given: started again after a failure (1, a crash's 0xC0000005, 7), with its
 * pauses; ended by exit 0, by exit 3 (another bridge runs) and by `bridge stop`'s stop-requested.
 * Opt-in (MCP_TWIN_WINE=1, `npm run test:windows`).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cmdLoop } from "../../src/core/bridge-control/supervisor.js";
import { findTestBed, type WineDrive, wineDrive } from "../helpers/win-wine.js";

const bed = findTestBed();
const skip = !process.env.MCP_TWIN_WINE
  ? "set MCP_TWIN_WINE=1 (or run `npm run test:windows`): it needs wine"
  : "reason" in bed
    ? bed.reason
    : undefined;
if (skip) console.warn(`the Windows loop's test is skipped: ${skip}`);

/**
 * The stand-in's folder (its script, its files, stop-requested) has a `%` and a space, as a user's
 * profile can: the loop doubles the one and quotes the other. The loop runs from a plain folder,
 * its working directory, as the task runs it.
 */
const FOLDER = "C:\\stand in 100%";
const LOOP_DIR = "C:\\mcp-twin-loop";
let w: WineDrive;

beforeAll(() => {
  if (skip) return;
  w = wineDrive((bed as { setup: string }).setup, "loop", true);
  mkdirSync(path.join(w.linux("C:\\"), "stand in 100%"), { recursive: true });
  mkdirSync(path.join(w.linux("C:\\"), "mcp-twin-loop"), { recursive: true });
  // The bridge's stand-in: ends with the next code of codes.txt, logging each start; "stop" plays
  // `bridge stop` (stop-requested written, then the end TerminateProcess gives: exit code 1).
  writeFileSync(
    at("stand-in.js"),
    `const fs = require("fs");
const dir = ${JSON.stringify(FOLDER)};
const codes = fs.readFileSync(dir + "\\\\codes.txt", "utf8").trim().split(/\\s+/);
const code = codes.shift();
fs.writeFileSync(dir + "\\\\codes.txt", codes.join(" "));
fs.appendFileSync(dir + "\\\\starts.txt", Date.now() + " " + process.argv.slice(2).join(" ") + "\\n");
if (code === "stop") { fs.writeFileSync(dir + "\\\\stop-requested", ""); process.exit(1); }
process.exit(Number(code));
`,
  );
  writeFileSync(
    path.join(w.linux("C:\\"), "mcp-twin-loop", "bridge-task.cmd"),
    cmdLoop(
      { node: "C:\\Program Files\\nodejs\\node.exe", script: `${FOLDER}\\stand-in.js` },
      `${FOLDER}\\stop-requested`,
    ),
  );
}, 600_000);
afterAll(() => {
  if (skip) return;
  w.shutdown();
  rmSync(w.dir, { recursive: true, force: true });
});

function at(name: string): string {
  return path.join(w.linux("C:\\"), "stand in 100%", name);
}

/** The loop run from its folder as the task runs it, the stand-in ending with `codes` in turn. */
async function loop(codes: string): Promise<{ code: number; starts: number[]; args: string[] }> {
  writeFileSync(at("codes.txt"), codes);
  rmSync(at("starts.txt"), { force: true });
  rmSync(at("stop-requested"), { force: true });
  const r = await w.cmd(`cd /d ${LOOP_DIR} && bridge-task.cmd`);
  if (!existsSync(at("starts.txt")))
    throw new Error(`the stand-in never started (exit code ${r.code}): ${r.stdout}${r.stderr}`);
  const lines = readFileSync(at("starts.txt"), "utf8").trim().split("\n");
  return {
    code: r.code,
    starts: lines.map((l) => Number(l.split(" ")[0])),
    args: [...new Set(lines.map((l) => l.split(" ").slice(1).join(" ")))],
  };
}

describe.skipIf(skip !== undefined)(`the Windows loop${skip ? ` (skipped: ${skip})` : ""}`, () => {
  test("a failure (1, a crash, 7) starts it again, the wait growing to 5 s; exit 0 ends the loop", async () => {
    const r = await loop("1 -1073741819 7 1 0");
    expect(r.code).toBe(0);
    expect(r.args).toEqual(["serve --http"]);
    expect(r.starts).toHaveLength(5);
    const gaps = r.starts.slice(1).map((t, i) => t - (r.starts[i] ?? t));
    // ping's pauses (1, 2, 4, 5 s), plus node.exe's start under wine.
    [1, 2, 4, 5].forEach((s, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(s * 1000 - 200);
      expect(gaps[i]).toBeLessThan(s * 1000 + 3000);
    });
  }, 120_000);

  test("exit 3 (another bridge runs) ends it with 3; bridge stop's stop-requested ends it with 0", async () => {
    expect(await loop("1 3")).toMatchObject({ code: 3, starts: [expect.any(Number), expect.any(Number)] });
    const stopped = await loop("stop 1");
    expect(stopped.code).toBe(0);
    expect(stopped.starts).toHaveLength(1);
  }, 120_000);
});
