/**
 * Commands stay thin: no file under src/commands/ is over 300 lines. A command reads its flags,
 * calls core and renders; what grows past that is a step of its own (a module beside it).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const COMMANDS = fileURLToPath(new URL("../../src/commands/", import.meta.url));
const MAX_COMMAND_LINES = 300;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(path.join(dir, e.name))
      : e.name.endsWith(".ts")
        ? [path.join(dir, e.name)]
        : [],
  );
}

test(`no file under src/commands/ is over ${MAX_COMMAND_LINES} lines`, () => {
  const files = sources(COMMANDS);
  expect(files.length).toBeGreaterThan(20);
  const long = files.flatMap((file) => {
    const lines = readFileSync(file, "utf8").split("\n").length - 1;
    const rel = path.relative(COMMANDS, file).split(path.sep).join("/");
    return lines > MAX_COMMAND_LINES ? [`src/commands/${rel} ${lines} lines`] : [];
  });
  expect(long).toEqual([]);
});
