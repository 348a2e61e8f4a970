// Writes docs/dev/layout.md (every module of src/ with the first sentence of its header comment).
// `--check`: write nothing, exit 1 when the page is stale.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { layoutMarkdown } from "./layout.mjs";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const file = path.join(root, "docs/dev/layout.md");
const after = layoutMarkdown(root);
let before = "";
try {
  before = readFileSync(file, "utf8");
} catch {
  // not written yet
}
if (process.argv.includes("--check")) {
  if (before !== after) {
    console.error("docs/dev/layout.md is stale: run `npm run docs:layout`.");
    process.exitCode = 1;
  }
} else if (before !== after) {
  writeFileSync(file, after);
  console.log("wrote docs/dev/layout.md");
}
