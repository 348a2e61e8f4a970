// `npm run bench`: runs every bench/*.js module's exported `run()` (after the build) and prints
// its rows. Exit 1 when a row says ok: false.
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const dir = path.dirname(fileURLToPath(import.meta.url));
let failed = false;
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith(".js") && f !== "run.js")
  .sort()) {
  const mod = await import(pathToFileURL(path.join(dir, file)).href);
  if (typeof mod.run !== "function") continue;
  console.log(`\n${file}`);
  const rows = await mod.run();
  console.table(rows);
  if (rows.some((r) => r.ok === false)) failed = true;
}
process.exitCode = failed ? 1 : 0;
