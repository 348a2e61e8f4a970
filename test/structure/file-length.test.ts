/**
 * Files stay readable: no file under src/commands/ is over 300 lines (a command reads its flags,
 * calls core and renders) and none under src/bridge-server/ over 450. What grows past that is a
 * job of its own: a module beside it, with its own header.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { tsSources } from "./sources.js";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

test.each([
  { folder: "commands", max: 300, atLeast: 20 },
  { folder: "bridge-server", max: 450, atLeast: 40 },
])("no file under src/$folder/ is over $max lines", ({ folder, max, atLeast }) => {
  const files = tsSources(path.join(SRC, folder));
  expect(files.length).toBeGreaterThan(atLeast);
  const long = files.flatMap((file) => {
    const lines = readFileSync(file, "utf8").split("\n").length - 1;
    const rel = path.relative(SRC, file).split(path.sep).join("/");
    return lines > max ? [`src/${rel} ${lines} lines`] : [];
  });
  expect(long).toEqual([]);
});
