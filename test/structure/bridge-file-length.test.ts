/**
 * The bridge server's files stay readable: none under src/bridge-server/ is over 450 lines. What
 * grows past that is a job of its own (a module beside it, with its own header).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const BRIDGE_SERVER = fileURLToPath(new URL("../../src/bridge-server/", import.meta.url));
const MAX_BRIDGE_FILE_LINES = 450;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(path.join(dir, e.name))
      : e.name.endsWith(".ts")
        ? [path.join(dir, e.name)]
        : [],
  );
}

test(`no file under src/bridge-server/ is over ${MAX_BRIDGE_FILE_LINES} lines`, () => {
  const files = sources(BRIDGE_SERVER);
  expect(files.length).toBeGreaterThan(40);
  const long = files.flatMap((file) => {
    const lines = readFileSync(file, "utf8").split("\n").length - 1;
    const rel = path.relative(BRIDGE_SERVER, file).split(path.sep).join("/");
    return lines > MAX_BRIDGE_FILE_LINES ? [`src/bridge-server/${rel} ${lines} lines`] : [];
  });
  expect(long).toEqual([]);
});
